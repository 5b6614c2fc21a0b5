"""Fit the answer ranker, the abstention calibrator and the short-answer model; write `qa/ranker/ranker.json`.

    python -m bench.fit_ranker --squad2 ../shared/bench/squad/dev-v2.0.json \
        --realtimeqa ../shared/bench/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz --out runs/fit

Fitted only on data that is never reported on (see bench/splits.py):
- SQuAD v2.0 dev: questions (answerable and unanswerable) of its 25 fitting articles, with all
  35 v2.0 articles as the corpus (the 13 v1.1-only articles are not seen at all);
- RealTime QA quizzes dated before 2024 whose correct choice is in their evidence passage,
  with every pre-2024 passage as the corpus.
Each question goes through the real retrieve stage; every candidate sentence's features are
recorded with whether it holds the answer. The sentence trees, the abstention calibrator and the
short-answer model (scikit-learn, used here only) are exported as plain numbers; answering
evaluates them with numpy.

A second copy is fitted without the questions of the reader's held-out fold
(`bench/fit_reader.split`), written to `ranker-out-of-fold.json` in the work folder: the reader's
calibrator is fitted on that fold with the trees' view of each sentence as an input, and trees
that trained on those very questions would look far more sure there than on new questions.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import random
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench import convert_realtimeqa, convert_squad
from bench.common import save_figure
from bench.fit_reader import held_out, question_key
from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT, SQUAD2_REPORT
from evaluation.metrics import token_f1
from qa.conversation import Condenser
from qa.ranker import model as fitted
from qa.ranker.features import candidates
from qa.ranker.rerank import answerable_features
from qa.ranker.shortanswer import candidates as phrase_candidates
from qa.ranker.shortanswer import describe

TARGET_PRECISION = 0.9  # the default threshold is where answered precision reaches this on the fitting data
MIN_COVERAGE = 0.5  # ... if at least this share of the fitting questions is answered there (see `fit`)
TREES = 150
PHRASE_PRECISION = 0.7  # a short answer leads only where the top phrase was right this often
OUT_OF_FOLD = "ranker-out-of-fold.json"  # the models fitted without the reader's held-out fold, in the work folder


@dataclass
class Example:
    """One question's candidate sentences: feature rows, labels, and the phrases of its gold sentences."""

    source: str
    question: str
    answerable: bool
    rows: list[dict[str, float]]
    sentences: list[str]
    labels: list[int]  # holds the answer, in the gold paragraph
    phrases: list[tuple[dict[str, float], int]]
    lenient: list[int]  # holds an accepted answer anywhere (what `qa eval` counts as correct)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def collect(assistant, questions: list[dict], source: str, progress: Callable[[int, int], None]) -> list[Example]:
    """Run each question through the retrieve stage and label its candidate sentences."""
    retriever = assistant.retriever
    reranker = retriever.reranker
    condense = Condenser()
    out = []
    for done, item in enumerate(questions, start=1):
        query = condense.condense(item["question"])
        question, passages, vector = retriever.gather(query, assistant.settings.retrieval.top_k)
        found = candidates(question, passages, reranker.weight, vector)
        answers = [_norm(a) for a in item.get("answers") or []]
        gold = _norm(item.get("context") or (item.get("evidence") or [""])[0])
        labels, phrases, lenient = [], [], []
        for c in found:
            right_paragraph = bool(gold) and _norm(c.passage.text) in gold
            anywhere = any(a and a in _norm(c.sentence) for a in answers) and not item.get("unanswerable")
            holds = right_paragraph and anywhere
            labels.append(int(holds and not item.get("unanswerable")))
            lenient.append(int(anywhere))
            if holds:
                options = phrase_candidates(question, c.sentence)
                describe(question, c.sentence, options)
                for p in options:
                    best = max(token_f1(p.text, a) for a in item["answers"])
                    phrases.append((p.features, int(best >= 0.5)))
        out.append(Example(source, item["question"], not item.get("unanswerable"), [c.features for c in found], [c.sentence for c in found],
                           labels, phrases, lenient))  # fmt: skip
        progress(done, len(questions))
    return out


def fit_linear(
    rows: list[dict[str, float]], labels: list[int], names: list[str], weights: np.ndarray | None = None
) -> fitted.Linear:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)
    y = np.array(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(max_iter=5000).fit((x - mean) / scale, y, sample_weight=weights)
    return fitted.Linear(tuple(names), mean, scale, model.coef_[0], float(model.intercept_[0]))


def fit_trees(rows: list[dict[str, float]], labels: list[int], names: list[str]) -> fitted.Trees:
    """Gradient-boosted trees (scikit-learn), exported as arrays through treelite's JSON dump (a documented format:
    scikit-learn has no public view of these trees): leaf values already scaled by the learning rate."""
    import treelite
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.array([[r.get(n, 0.0) for n in names] for r in rows], dtype=float)
    model = HistGradientBoostingClassifier(
        max_iter=TREES,
        learning_rate=0.1,
        max_leaf_nodes=15,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    ).fit(x, np.array(labels))
    dumped = json.loads(treelite.sklearn.import_model(model).dump_as_json())
    assert dumped["postprocessor"] == "sigmoid" and len(dumped["base_scores"]) == 1, "not a binary classifier"
    trees = [{node["node_id"]: node for node in tree["nodes"]} for tree in dumped["trees"]]
    assert all(n.get("comparison_op", "<=") == "<=" for t in trees for n in t.values()), "a split other than <="
    width = max(len(t) for t in trees)

    def array(key: str, leaf_fill, kind: type) -> np.ndarray:
        out = np.full((len(trees), width), leaf_fill, dtype=kind)
        for i, tree in enumerate(trees):
            for node_id, node in tree.items():
                out[i, node_id] = node.get(key, leaf_fill)
        return out

    exported = fitted.Trees(
        tuple(names), float(dumped["base_scores"][0]), array("split_feature_id", -1, np.int64),
        array("threshold", 0.0, float), array("left_child", 0, np.int64), array("right_child", 0, np.int64),
        array("leaf_value", 0.0, float),
    )  # fmt: skip
    # The arrays must give what scikit-learn gives.
    sample = rows[:: max(1, len(rows) // 2000)]
    expected = model.predict_proba(np.array([[r.get(n, 0.0) for n in names] for r in sample]))[:, 1]
    assert np.allclose(exported.probability(sample), expected, atol=1e-6), "tree export does not match"
    return exported


def fit(examples: list[Example]) -> tuple[dict, dict]:
    """The three models and the threshold, fitted on the examples; also the curve for the report."""
    answerable = [e for e in examples if e.answerable]
    names = sorted({k for e in examples for r in e.rows for k in r})
    rows = [r for e in answerable for r in e.rows]
    labels = [y for e in answerable for y in e.labels]
    sentence = fit_trees(rows, labels, names)
    # The calibrator sees each question's best sentence: does it answer (and is there an answer at all)?
    best_rows, best_labels, unanswerable, sources = [], [], [], []
    for e in examples:
        if not e.rows:
            continue
        probabilities = sentence.probability(e.rows)
        top = int(np.argmax(probabilities))
        best_rows.append(answerable_features(probabilities, e.rows, e.sentences)[top])
        best_labels.append(e.lenient[top])  # right as `qa eval` judges an answer right
        unanswerable.append(not e.answerable)
        sources.append(e.source)
    # Each fitting source counts as much as the other, whatever its size: SQuAD v2.0's questions
    # are half unanswerable by design, the news quizzes all answerable; a user's are in between.
    sources = np.array(sources)
    weights = np.array([len(sources) / (len(set(sources)) * np.sum(sources == s)) for s in sources])
    calibrator_names = sorted(best_rows[0])
    calibrator = fit_linear(best_rows, best_labels, calibrator_names, weights)
    support = calibrator.probability(best_rows)
    curve = precision_curve(support, np.array(best_labels), weights)
    accuracy = accuracy_curve(support, np.array(best_labels), np.array(unanswerable), weights)
    # The default: where answered precision reaches the target on the fitting questions, unless
    # that leaves most questions unanswered; then where accuracy (right answers and right
    # abstentions) is highest on them.
    target = next(((t, c) for t, precision, c in curve if precision >= TARGET_PRECISION), (1.0, 0.0))
    threshold = target[0] if target[1] >= MIN_COVERAGE else max(accuracy, key=lambda row: row[1])[0]
    phrase_rows = [f for e in answerable for f, _ in e.phrases]
    phrase_labels = [y for e in answerable for _, y in e.phrases]
    phrase = fit_linear(phrase_rows, phrase_labels, sorted({k for r in phrase_rows for k in r}))
    # The short answer leads only when the top phrase is right often enough.
    tops = []
    for e in answerable:
        if e.phrases:
            scores = phrase.probability([f for f, _ in e.phrases])
            top = int(np.argmax(scores))
            tops.append((float(scores[top]), e.phrases[top][1]))
    phrase_curve = precision_curve(np.array([p for p, _ in tops]), np.array([y for _, y in tops]))
    phrase_threshold = next((t for t, precision, _ in phrase_curve if precision >= PHRASE_PRECISION), 0.5)
    models = {
        "format": fitted.FORMAT,
        "sentence": sentence.to_dict(),
        "answerable": calibrator.to_dict(),
        "phrase": phrase.to_dict(),
        "threshold": round(threshold, 4),
    }
    stats_phrase = {"phrase_threshold": round(phrase_threshold, 4), "phrase_curve": phrase_curve}
    stats = {
        "precision_target_threshold": target[0],
        "precision_target_coverage": round(target[1], 3),
        "accuracy_curve": accuracy,
        "questions": len(examples),
        "answerable": len(answerable),
        "sentences": len(rows),
        "positive_sentences": int(sum(labels)),
        "phrases": len(phrase_rows),
        "curve": curve,
        **stats_phrase,
    }
    return models, stats


def accuracy_curve(
    support: np.ndarray, correct: np.ndarray, unanswerable: np.ndarray, weights: np.ndarray | None = None
) -> list[tuple[float, float]]:
    """(threshold, accuracy): right answers plus abstentions on unanswerable questions, over all questions."""
    weights = np.ones(len(support)) if weights is None else weights
    out = []
    for t in np.round(np.arange(0.05, 1.0, 0.01), 2):
        answered = support >= t
        right = (answered & correct.astype(bool)) | (~answered & unanswerable)
        out.append((float(t), float(np.average(right, weights=weights))))
    return out


def precision_curve(
    support: np.ndarray, correct: np.ndarray, weights: np.ndarray | None = None
) -> list[tuple[float, float, float]]:
    """(threshold, answered precision, coverage) from the lowest threshold up."""
    weights = np.ones(len(support)) if weights is None else weights
    out = []
    for t in np.round(np.arange(0.05, 1.0, 0.01), 2):
        answered = support >= t
        if not answered.any():
            break
        out.append((float(t), float(np.average(correct[answered], weights=weights[answered])),
                    float(np.average(answered, weights=weights))))  # fmt: skip
    return out


def draw(curve: list[tuple[float, float, float]], threshold: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.plot(
        [c for _, _, c in curve],
        [p for _, p, _ in curve],
        marker=".",
        label="fitting questions (SQuAD v2.0's 25, RealTime QA before 2024; equal weight)",
    )
    chosen = next((c for c in curve if c[0] == threshold), None)
    if chosen:
        ax.scatter([chosen[2]], [chosen[1]], color="red", zorder=3, label=f"default: P(answer) >= {threshold:.2f}")
    ax.axhline(TARGET_PRECISION, color="grey", linestyle=":")
    ax.set_xlabel("coverage (share of questions answered)")
    ax.set_ylabel("answered precision")
    ax.set_title("Abstention: answered precision against coverage")
    save_figure(fig, path, legend=ax)


def build_assistant(corpus: Path, index: Path):
    from qa import Assistant, Settings
    from qa.ranker.rerank import Reranker

    settings = Settings.from_env({}, index_dir=index)
    assistant = Assistant(settings=settings)
    report = assistant.ingest([corpus])
    if report.errors:
        raise SystemExit(f"could not ingest {corpus}: {report.errors[:3]}")
    # No fitted model is needed to gather features (and none may exist yet).
    assistant.retriever.reranker = Reranker(assistant.retriever.reranker.weight, models=None)
    return assistant


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad2", type=Path, required=True, help="SQuAD v2.0 dev JSON")
    parser.add_argument("--realtimeqa", type=Path, required=True, help="realtimeqa-questions-*.jsonl.gz")
    parser.add_argument("--out", type=Path, default=Path("runs/fit"), help="work folder (indexes, report)")
    parser.add_argument("--model", type=Path, default=fitted.MODEL_FILE, help="where to write the fitted models")
    parser.add_argument(
        "--squad-questions", type=int, default=None, help="sample this many SQuAD questions (default all)"
    )
    parser.add_argument("--realtimeqa-questions", type=int, default=None, help="sample this many RealTime QA questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse", action="store_true", help="reuse the candidates collected by the last run")
    parser.add_argument(
        "--tiny", action="store_true", help="a quick slice: two SQuAD articles, only the sampled quizzes' passages"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)

    squad_dir = args.out / "squad2-fit"
    squad_corpus = set(SQUAD2_FIT[:2]) if args.tiny else set(SQUAD2_FIT) | set(SQUAD2_REPORT)
    corpus, questions = convert_squad.convert(
        args.squad2, squad_dir, corpus_titles=squad_corpus, question_titles=set(SQUAD2_FIT),
        sample=args.squad_questions, seed=args.seed,
    )  # fmt: skip
    rtqa_dir = args.out / "realtimeqa-fit"
    until = datetime.fromisoformat(REALTIMEQA_REPORT_SINCE).date().toordinal() - 1
    last_day = datetime.fromordinal(until).date().isoformat()
    rt_corpus, rt_questions = convert_realtimeqa.convert(
        args.realtimeqa, rtqa_dir, until=last_day, answer_in_evidence=True,
        sample=args.realtimeqa_questions, seed=args.seed, corpus="sampled" if args.tiny else "all",
    )  # fmt: skip

    def tick(name: str) -> Callable[[int, int], None]:
        def show(done: int, total: int) -> None:
            if done == total or done % 250 == 0:
                print(f"{name}: {done}/{total}", file=sys.stderr, flush=True)

        return show

    cache = args.out / "examples.pickle.gz"
    if args.reuse and cache.is_file():
        with gzip.open(cache, "rb") as f:
            examples = pickle.load(f)
    else:
        examples = []
        for name, corpus_dir, qfile in (("squad", corpus, questions), ("realtimeqa", rt_corpus, rt_questions)):
            assistant = build_assistant(corpus_dir, args.out / f"{name}-index")
            items = [json.loads(line) for line in qfile.read_text(encoding="utf-8").splitlines() if line.strip()]
            examples += collect(assistant, items, name, tick(name))
        with gzip.open(cache, "wb") as f:
            pickle.dump(examples, f)
    models, stats = fit(examples)
    held = {question_key(e.question) for e in held_out(args.squad2, args.realtimeqa)}
    out_of_fold = [e for e in examples if question_key(e.question) not in held]
    models_out, _ = fit(out_of_fold)
    models_out["info"] = {"fitted_on": f"the same questions but the {len(examples) - len(out_of_fold)} of the "
                          "reader's held-out fold (bench/fit_reader.split): the reader calibrator's trees input"}  # fmt: skip
    (args.out / OUT_OF_FOLD).write_text(json.dumps(models_out, indent=1) + "\n", encoding="utf-8")
    info = {
        "fitted": datetime.now(UTC).strftime("%Y-%m-%d"),
        "fitted_on": {
            "squad_v2_dev": f"{sum(e.source == 'squad' for e in examples)} questions (answerable and unanswerable) "
            f"of the 25 fitting articles in bench/splits.py, corpus: all 35 v2.0 articles",
            "realtimeqa": f"{sum(e.source == 'realtimeqa' for e in examples)} quizzes dated before "
            f"{REALTIMEQA_REPORT_SINCE} whose correct choice is in their evidence; corpus: every pre-2024 passage",
        },
        "sentences": stats["sentences"],
        "positive_sentences": stats["positive_sentences"],
        "phrases": stats["phrases"],
        "target_precision": TARGET_PRECISION,
        "target_precision_threshold": stats["precision_target_threshold"],
        "target_precision_coverage": stats["precision_target_coverage"],
        "threshold_rule": "the lowest support at which answered precision reaches the target on the fitting "
        f"questions if it answers at least {MIN_COVERAGE:.0%} of them there, else the support at which accuracy "
        "(right answers and right abstentions) is highest on them; SQuAD and RealTime QA weigh the same",
        "phrase_threshold": stats["phrase_threshold"],
        "phrase_precision": PHRASE_PRECISION,
    }
    models["info"] = info
    args.model.write_text(json.dumps(models, indent=1) + "\n", encoding="utf-8")
    draw(stats["curve"], models["threshold"], args.out / "abstention.png")
    (args.out / "fit.json").write_text(json.dumps({**info, "curve": stats["curve"]}, indent=1) + "\n", encoding="utf-8")
    print(f"fitted on: {info['fitted_on']['squad_v2_dev']}")
    print(f"           {info['fitted_on']['realtimeqa']}")
    print(f"{stats['sentences']} candidate sentences ({stats['positive_sentences']} hold the answer), "
          f"{stats['phrases']} phrases; abstention threshold {models['threshold']} (answered precision reached "
          f"{TARGET_PRECISION} at {stats['precision_target_threshold']}, answering "
          f"{stats['precision_target_coverage']:.0%} of the fitting questions)")  # fmt: skip
    print(f"wrote {args.model} and {args.out / 'abstention.png'}; without the reader's fold "
          f"({len(examples) - len(out_of_fold)} questions): {args.out / OUT_OF_FOLD}; "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


if __name__ == "__main__":
    random.seed(0)
    main()
