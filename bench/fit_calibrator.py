"""Fit the abstention calibrator on the reader's held-out fold; write `qa/reader/calibrator.json`.

    python -m bench.fit_calibrator --squad2 dev-v2.0.json --realtimeqa realtimeqa.jsonl.gz --out runs/fit-calibrator

The questions are the reader's early-stopping fold (`bench/fit_reader.split`): fitting data the
reader never trained on, so its scores there look as they will on new questions. Each question
goes through the real retrieve and read stages, over the same corpora as before (all 35 SQuAD
v2.0 articles; every RealTime QA passage dated before 2024). The top passage's features are
recorded with whether its answer is right; a logistic regression (scikit-learn, here only)
is exported as plain numbers. The default threshold is where accuracy (right answers and right
abstentions, SQuAD and RealTime QA weighing the same) is highest on these questions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench import convert_realtimeqa, convert_squad
from bench.fit_reader import realtimeqa_examples, split, squad_examples
from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT, SQUAD2_REPORT
from evaluation.metrics import answer_matches
from qa.conversation import Condenser
from qa.reader.calibrate import FEATURES, SHIPPED, Calibrator


def collect(assistant, items: list[dict], source: str) -> list[tuple[dict[str, float], int, str]]:
    """(features of the top read passage, 1 if its answer is right, source) for each question."""
    retriever, reranker = assistant.retriever, assistant.retriever.reranker
    out = []
    for done, item in enumerate(items, start=1):
        question, passages, _ = retriever.gather(
            Condenser().condense(item["question"]), assistant.settings.retrieval.top_k
        )
        found = reranker.read(question, passages)
        if not found:
            out.append((None, 0, source))
            continue
        best = max(found, key=lambda f: f.reading.margin)
        index, row, (a, b) = best.index, best.features, best.span
        text = passages[index].text
        if item.get("unanswerable"):
            right = 0
        elif item.get("judge") == "short":
            right = int(answer_matches(text[a:b], item["answers"]))
        else:
            sentence = next((s for s in passages[index].sentence_spans if s[0] <= a < s[1]), (a, b))
            right = int(answer_matches(text[sentence[0] : max(sentence[1], b)], item["answers"]))
        out.append((row, right, source))
        if done % 100 == 0:
            print(f"{source}: {done}/{len(items)}", file=sys.stderr, flush=True)
    return out


def fit(samples: list[tuple[dict | None, int, str]]) -> Calibrator:
    from sklearn.linear_model import LogisticRegression

    usable = [(r, y, s) for r, y, s in samples if r is not None]
    x = np.array([[r[f] for f in FEATURES] for r, _, _ in usable])
    y = np.array([y for _, y, _ in usable])
    sources = [s for _, _, s in usable]
    weight = np.array([1 / sources.count(s) for s in sources])  # each source weighs the same
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y, sample_weight=weight)
    calibrator = Calibrator(tuple(model.coef_[0]), float(model.intercept_[0]), tuple(mean), tuple(scale), 0.5, {})
    support = np.array(calibrator.support([r for r, _, _ in usable]))
    # A question with no span read is left out: it abstains at any threshold.
    best, best_accuracy = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        right = np.where(support >= t, y == 1, y == 0)
        accuracy = float(np.average(right, weights=weight))
        if accuracy > best_accuracy:
            best, best_accuracy = float(t), accuracy
    answered = support >= best
    info = {
        "questions": len(samples),
        "by_source": {s: sources.count(s) for s in sorted(set(sources))},
        "right_share": round(float(y.mean()), 4),
        "threshold_rule": "highest accuracy (right answers and right abstentions), sources weighing the same",
        "fold_accuracy": round(best_accuracy, 4),
        "fold_answered_precision": round(float(np.average(y[answered] == 1, weights=weight[answered])), 4),
        "fold_coverage": round(float(np.average(answered, weights=weight)), 4),
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    return Calibrator(calibrator.weights, calibrator.bias, calibrator.mean, calibrator.scale, best, info)


def build_assistant(corpus: Path, index: Path):
    from qa import Assistant, Settings

    assistant = Assistant(settings=Settings.from_env({}, index_dir=index, retrieval_ranker="reader"))
    report = assistant.ingest([corpus])
    if report.errors:
        raise SystemExit(f"could not ingest {corpus}: {report.errors[:3]}")
    return assistant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/fit-calibrator"))
    parser.add_argument("--calibrator", type=Path, default=SHIPPED, help="where to write the fitted calibrator")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    _, held = split(squad_examples(args.squad2) + realtimeqa_examples(args.realtimeqa))
    held_titles = {e.group for e in held if e.source == "squad2"}
    held_quizzes = {" ".join(e.question.split()) for e in held if e.source == "realtimeqa"}
    assert held_titles <= set(SQUAD2_FIT)

    corpus, questions = convert_squad.convert(
        args.squad2, args.out / "squad2", corpus_titles=set(SQUAD2_FIT) | set(SQUAD2_REPORT),
        question_titles=held_titles,
    )  # fmt: skip
    last_day = (datetime.fromisoformat(REALTIMEQA_REPORT_SINCE) - timedelta(days=1)).date().isoformat()
    rt_corpus, rt_questions = convert_realtimeqa.convert(
        args.realtimeqa, args.out / "realtimeqa", until=last_day, answer_in_evidence=True
    )
    samples = []
    for name, corpus_dir, qfile in (("squad2", corpus, questions), ("realtimeqa", rt_corpus, rt_questions)):
        items = [json.loads(line) for line in qfile.read_text(encoding="utf-8").splitlines() if line.strip()]
        if name == "realtimeqa":
            items = [i for i in items if " ".join(i["question"].split()) in held_quizzes]
        print(f"{name}: {len(items)} held-out questions", flush=True)
        samples += collect(build_assistant(corpus_dir, args.out / f"{name}-index"), items, name)
    calibrator = fit(samples)
    info = {**calibrator.info, "fitted_on": f"the reader's held-out fold: SQuAD v2.0 articles {sorted(held_titles)}, "
            f"and {len(held_quizzes)} RealTime QA quizzes of held-out weeks before {REALTIMEQA_REPORT_SINCE}"}  # fmt: skip
    calibrator = Calibrator(calibrator.weights, calibrator.bias, calibrator.mean, calibrator.scale,
                            calibrator.threshold, info)  # fmt: skip
    args.calibrator.write_text(json.dumps(calibrator.to_json(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps(info, indent=1))
    print(f"threshold {calibrator.threshold}; wrote {args.calibrator} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
