"""Fit the abstention calibrator on the reader's held-out fold; write `qa/reader/calibrator.json`.

    python -m bench.fit_calibrator --squad2 dev-v2.0.json --realtimeqa realtimeqa.jsonl.gz --out runs/fit-calibrator \
        --trees runs/fit/ranker-out-of-fold.json

The questions are the reader's early-stopping fold (`bench/fit_reader.split`): fitting data the
reader never trained on, so its scores there look as they will on new questions. Each question
goes through the real retrieve and read stages, over the same corpora as before (all 35 SQuAD
v2.0 articles; every RealTime QA passage dated before 2024). Every candidate sentence read is
recorded with whether its answer is right. The trees' view of each sentence (an input) comes from
the copy of the trees fitted without this fold (`--trees`), as a new question meets the shipped
ones. A logistic regression (scikit-learn, here only), each question weighing the same, is
exported as plain numbers. The default threshold is where
accuracy (right answers and right abstentions, SQuAD and RealTime QA weighing the same) of each
question's leading candidate is highest.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench import convert_realtimeqa, convert_squad
from bench.fit_reader import held_out, question_key
from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT, SQUAD2_REPORT
from evaluation.metrics import answer_matches
from qa.conversation import Condenser
from qa.reader.calibrate import FEATURES, SHIPPED, Calibrator, leads


def collect(assistant, items: list[dict], source: str) -> list[tuple[int, dict[str, float], int, str]]:
    """(question number, features, 1 if its answer is right, source) for every candidate sentence read."""
    retriever, reranker = assistant.retriever, assistant.retriever.reranker
    out = []
    for done, item in enumerate(items, start=1):
        question, passages, vector = retriever.gather(
            Condenser().condense(item["question"]), assistant.settings.retrieval.top_k
        )
        for found in reranker.read(question, passages, vector):
            text, (a, b) = passages[found.index].text, found.span
            if item.get("unanswerable"):
                right = 0
            elif item.get("judge") == "short":
                right = int(answer_matches(text[a:b], item["answers"]))
            else:
                right = int(answer_matches(text[found.sentence[0] : max(found.sentence[1], b)], item["answers"]))
            out.append((f"{source}-{done}", found.features, right, source))
        if done % 100 == 0:
            print(f"{source}: {done}/{len(items)}", file=sys.stderr, flush=True)
    return out


def fit(samples: list[tuple[str, dict[str, float], int, str]], questions: int) -> Calibrator:
    """A scorer over every candidate, then support and the threshold fitted on each question's leading candidate."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r[f] for f in FEATURES] for _, r, _, _ in samples])
    labels = np.array([y for _, _, y, _ in samples])
    sources = [s for _, _, _, s in samples]
    owners = [q for q, _, _, _ in samples]
    per_question = {q: owners.count(q) for q in set(owners)}
    per_source = {s: len({q for q, _, _, t in samples if t == s}) for s in set(sources)}
    # Each question weighs the same whatever its number of candidates, and each source the same.
    weight = np.array([1 / (per_question[q] * per_source[s]) for q, s in zip(owners, sources, strict=True)])
    weight *= len(per_question) / weight.sum()  # one question weighs 1 on average against the L2 penalty
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, labels, sample_weight=weight)
    first = Calibrator(tuple(model.coef_[0]), float(model.intercept_[0]), tuple(mean), tuple(scale), (1.0, 0.0), 0.0,
                       0.5, {})  # fmt: skip
    scores = first.scores([r for _, r, _, _ in samples])
    # The leading candidate of each question is what the assistant answers from, or abstains on.
    members: dict[str, list[int]] = {}
    for i, q in enumerate(owners):
        members.setdefault(q, []).append(i)
    top, gaps = [], []
    for rows in members.values():
        best = max(rows, key=lambda i: scores[i])
        top.append(best)
        gaps.append(float(leads(scores[rows])[rows.index(best)]))
    y = labels[top]
    weight = np.array([1 / per_source[sources[i]] for i in top])
    weight *= len(top) / weight.sum()
    lead_x = np.column_stack([scores[top], gaps])
    second = LogisticRegression(C=1.0, max_iter=1000).fit(lead_x, y, sample_weight=weight)
    (a, b), c = second.coef_[0], float(second.intercept_[0])
    calibrator = Calibrator(first.weights, first.bias, first.mean, first.scale, (float(a), float(b)), c, 0.5, {})
    support = 1 / (1 + np.exp(-(lead_x @ np.array([a, b]) + c)))
    # A question with no candidate read is left out: it abstains at any threshold.
    best, best_accuracy = 0.5, -1.0
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        right = np.where(support >= t, y == 1, y == 0)
        accuracy = float(np.average(right, weights=weight))
        if accuracy > best_accuracy:
            best, best_accuracy = float(t), accuracy
    answered = support >= best
    curve = {}
    for t in np.round(np.arange(0.1, 0.91, 0.1), 1):
        kept = support >= t
        precision = float(np.average(y[kept] == 1, weights=weight[kept])) if kept.any() else 1.0
        curve[f"{t:.1f}"] = {"coverage": round(float(np.average(kept, weights=weight)), 4),
                             "answered_precision": round(precision, 4)}  # fmt: skip
    info = {
        "questions": questions,
        "candidates": len(samples),
        "by_source": {s: per_source[s] for s in sorted(per_source)},
        "right_share": round(float(y.mean()), 4),
        "threshold_rule": "highest accuracy (right answers and right abstentions), sources weighing the same",
        "fold_accuracy": round(best_accuracy, 4),
        "fold_answered_precision": round(float(np.average(y[answered] == 1, weights=weight[answered])), 4),
        "fold_coverage": round(float(np.average(answered, weights=weight)), 4),
        "fold_curve": curve,
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
    return replace(calibrator, threshold=best, info=info)


def build_assistant(corpus: Path, index: Path, trees: Path | None = None):
    """An assistant reading with the reader; its trees input fitted without this fold if `trees` names them."""
    from qa import Assistant, Settings
    from qa.ranker import model as fitted
    from qa.ranker.rerank import Reranker

    assistant = Assistant(settings=Settings.from_env({}, index_dir=index, retrieval_ranker="reader"))
    report = assistant.ingest([corpus])
    if report.errors:
        raise SystemExit(f"could not ingest {corpus}: {report.errors[:3]}")
    if trees is not None:
        reranker = assistant.retriever.reranker
        reranker.trees = Reranker(reranker.trees.weight, models=fitted.load(trees))
    return assistant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("runs/fit-calibrator"))
    parser.add_argument("--calibrator", type=Path, default=SHIPPED, help="where to write the fitted calibrator")
    parser.add_argument("--reuse-samples", action="store_true", help="refit on the candidates read by the last run")
    parser.add_argument(
        "--trees", type=Path, default=None,
        help="the word-feature ranker fitted without this fold (`make fit-ranker` writes runs/fit/"
        "ranker-out-of-fold.json); default: the shipped one, which trained on the fold's questions",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.trees is not None and not args.trees.is_file():
        parser.error(f"no trees at {args.trees}: run `make fit-ranker` first")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    held = held_out(args.squad2, args.realtimeqa)
    held_titles = {e.group for e in held if e.source == "squad2"}
    held_quizzes = {question_key(e.question) for e in held if e.source == "realtimeqa"}
    assert held_titles <= set(SQUAD2_FIT)

    corpus, questions = convert_squad.convert(
        args.squad2, args.out / "squad2", corpus_titles=set(SQUAD2_FIT) | set(SQUAD2_REPORT),
        question_titles=held_titles,
    )  # fmt: skip
    last_day = (datetime.fromisoformat(REALTIMEQA_REPORT_SINCE) - timedelta(days=1)).date().isoformat()
    rt_corpus, rt_questions = convert_realtimeqa.convert(
        args.realtimeqa, args.out / "realtimeqa", until=last_day, answer_in_evidence=True
    )
    cache = args.out / "samples.json"
    if args.reuse_samples and cache.is_file():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        calibrator = fit([tuple(s) for s in saved["samples"]], saved["questions"])
        return _write(calibrator, args, held_titles, held_quizzes, started)
    samples, asked = [], 0
    for name, corpus_dir, qfile in (("squad2", corpus, questions), ("realtimeqa", rt_corpus, rt_questions)):
        items = [json.loads(line) for line in qfile.read_text(encoding="utf-8").splitlines() if line.strip()]
        if name == "realtimeqa":
            items = [i for i in items if question_key(i["question"]) in held_quizzes]
        print(f"{name}: {len(items)} held-out questions", flush=True)
        samples += collect(build_assistant(corpus_dir, args.out / f"{name}-index", args.trees), items, name)
        asked += len(items)
    cache.write_text(json.dumps({"questions": asked, "samples": samples}), encoding="utf-8")
    return _write(fit(samples, asked), args, held_titles, held_quizzes, started)


def _write(calibrator: Calibrator, args, held_titles: set[str], held_quizzes: set[str], started: float) -> int:
    info = {**calibrator.info, "fitted_on": f"the reader's held-out fold: SQuAD v2.0 articles {sorted(held_titles)}, "
            f"and {len(held_quizzes)} RealTime QA quizzes of held-out weeks before {REALTIMEQA_REPORT_SINCE}"}  # fmt: skip
    calibrator = replace(calibrator, info=info)
    args.calibrator.write_text(json.dumps(calibrator.to_json(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps(info, indent=1))
    print(f"threshold {calibrator.threshold}; wrote {args.calibrator} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
