"""`make bench-quality`: the reader and the previous answerer (fitted trees) side by side, on data no fitting saw.

    python -m bench.quality --squad1 ../shared/bench/squad/dev-v1.1.json --squad2 ../shared/bench/squad/dev-v2.0.json \
        --realtimeqa ../shared/bench/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz \
        --previous cdef633 --out runs/bench-quality

The previous answerer runs from a git worktree of the given commit (nothing of it is kept
in the product); both run `qa eval` on the same question files, each with its own index, one
after the other, and both runs are scored by this checkout's scorer. Reported on:
- SQuAD v1.1 dev: the 13 articles not in v2.0 (all 48 articles are the corpus);
- SQuAD v2.0 dev: the 10 reporting articles, for abstention (all 35 v2.0 articles are the corpus);
- RealTime QA 2024-2026 (the README's protocol);
- eval/questions.jsonl over data/articles.
Writes OUT/quality.md, OUT/quality.json and OUT/abstention.png, and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import convert_realtimeqa, convert_squad
from bench.common import qa_eval
from bench.splits import REALTIMEQA_REPORT_SINCE, SQUAD2_FIT, SQUAD2_REPORT, squad_held_out
from evaluation import scoring
from evaluation.runner import load_questions

ROOT = Path(__file__).resolve().parents[1]
TARGET_PRECISION = 0.9


def datasets(args: argparse.Namespace, out: Path) -> dict[str, tuple[Path, Path]]:
    """(corpus, questions) for each reported set, written once under OUT/data."""
    data = out / "data"
    held = set(squad_held_out(args.squad1, args.squad2))
    sets = {
        "squad_heldout": convert_squad.convert(
            args.squad1, data / "squad-heldout", question_titles=held, sample=args.squad_sample, seed=args.seed
        ),
        "squad2_report": convert_squad.convert(
            args.squad2,
            data / "squad2-report",
            corpus_titles=set(SQUAD2_FIT) | set(SQUAD2_REPORT),
            question_titles=set(SQUAD2_REPORT),
            sample=args.squad2_sample,
            seed=args.seed,
        ),
        "realtimeqa": convert_realtimeqa.convert(
            args.realtimeqa,
            data / "realtimeqa",
            since=REALTIMEQA_REPORT_SINCE,
            until="2026-12-31",
            answer_in_evidence=True,
            sample=args.realtimeqa_sample,
            seed=args.seed,
        ),
        "sample": (ROOT / "data" / "articles", ROOT / "eval" / "questions.jsonl"),
    }
    return sets


def run_system(
    name: str,
    tree: Path,
    sets: dict[str, tuple[Path, Path]],
    out: Path,
    *,
    env: dict[str, str] | None = None,
    reuse: bool = False,
) -> dict[str, list[dict]]:
    """`qa eval` of every set with the code in `tree`; the records, re-scored by this checkout's scorer.

    `reuse` keeps a set's earlier answers when they are there (the previous answerer's do not change).
    """
    records = {}
    for key, (corpus, questions) in sets.items():
        run = out / name / key
        if reuse and (run / "answers.jsonl").is_file():
            records[key] = rescore(run / "answers.jsonl", questions)
            continue
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "QA_INDEX_DIR": str(out / name / "index"),
            "HF_HUB_OFFLINE": "1",
            **(env or {}),
        }
        started = time.perf_counter()
        qa_eval(questions, corpus, run, cwd=tree, env=env)
        print(f"{name}: {key} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        records[key] = rescore(run / "answers.jsonl", questions)
    return records


def rescore(answers: Path, questions: Path) -> list[dict]:
    """Records scored again with this checkout's scorer and item definitions (so both systems are judged alike)."""
    items = {i.id: i for i in load_questions(questions)}
    out = []
    for line in answers.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        item = items[record["id"]]
        record["expected"] = {
            "answers": list(item.answers), "evidence": list(item.evidence),
            "unanswerable": item.unanswerable, "judge": item.judge,
        }  # fmt: skip
        record["scores"] = scoring.score_record(record)
        out.append(record)
    return out


def abstention(records: list[dict]) -> dict[str, float | None]:
    """Abstention recall on unanswerables and answered precision, as run (the default threshold)."""
    o = scoring.summarize(records)
    return {"recall": o["abstention_recall"], "answered_precision": o["answered_precision"]}


def curve(records: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, answered precision, abstention recall) over thresholds on the answers' support."""
    rows = [
        (r["answer"].get("support", 0.0), bool(r["scores"]["correct"]), r["expected"]["unanswerable"])
        for r in records if r.get("answer")
    ]  # fmt: skip
    out = []
    for step in range(0, 100):
        t = step / 100
        answered = [(c, u) for s, c, u in rows if s >= t]
        unanswerable = [u for _, _, u in rows if u]
        if not answered:
            break
        precision = sum(c and not u for c, u in answered) / len(answered)
        recall = sum(1 for s, _, u in rows if u and s < t) / max(len(unanswerable), 1)
        out.append((t, precision, recall))
    return out


def summarize(records: dict[str, list[dict]]) -> dict[str, float | None]:
    squad = scoring.summarize(records["squad_heldout"])
    rtqa = scoring.summarize(records["realtimeqa"])
    sample = scoring.summarize(records["sample"])
    v2 = abstention(records["squad2_report"])
    at_target = [(p, r) for _, p, r in curve(records["squad2_report"]) if p >= TARGET_PRECISION]
    return {
        "squad_correct_cited": squad["correct_cited"],
        "squad_hit1": squad["hit@1"],
        "squad_hit5": squad["hit@5"],
        "squad_f1": squad["f1"],
        "squad_em": squad["exact_match"],
        "rtqa_correct_cited": rtqa["correct_cited"],
        "rtqa_answered_precision": rtqa["answered_precision"],
        "v2_abstention_recall": v2["recall"],
        "v2_answered_precision": v2["answered_precision"],
        "v2_recall_at_target": max((r for _, r in at_target), default=None),
        "sample_accuracy": sample["accuracy"],
        "sample_citation_precision": sample["citation_precision"],
        "sample_p50_ms": None if sample["latency_p50_s"] is None else sample["latency_p50_s"] * 1000,
    }


ROWS = (
    ("SQuAD v1.1, 13 held-out articles, open corpus: correct and cited", "squad_correct_cited", ">= 0.80"),
    ("same: short-answer F1", "squad_f1", ">= 0.65"),
    ("same: short-answer EM", "squad_em", ""),
    ("same: the passage read first holds the answer (hit@1)", "squad_hit1", ">= 0.85"),
    ("same: hit@5", "squad_hit5", ""),
    ("RealTime QA 2024-26: correct and cited", "rtqa_correct_cited", ">= 0.72"),
    ("RealTime QA 2024-26: answered precision", "rtqa_answered_precision", ">= 0.85"),
    ("SQuAD v2.0, 10 reporting articles, default threshold: answered precision", "v2_answered_precision", ">= 0.80"),
    ("same: abstention recall", "v2_abstention_recall", ">= 0.60"),
    ("same: best abstention recall with answered precision >= 0.90", "v2_recall_at_target", ""),
    ("eval/questions.jsonl: accuracy", "sample_accuracy", ">= 0.95"),
    ("eval/questions.jsonl: citation precision", "sample_citation_precision", ">= 0.95"),
    ("warm ask p50 on the sample articles, ms", "sample_p50_ms", "<= 150"),
)


def render(results: dict[str, dict], sizes: dict[str, int], previous: str) -> str:
    lines = [
        "# Answer quality: the reader beside the previous answerer",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        f"- previous answerer: commit {previous} (fitted trees over word features), run from a git worktree",
        f"- questions: SQuAD v1.1 held-out {sizes['squad_heldout']}, SQuAD v2.0 reporting {sizes['squad2_report']}, "
        f"RealTime QA 2024-26 {sizes['realtimeqa']}, eval/questions.jsonl {sizes['sample']}",
        "- neither the reader nor its calibrator saw any of these questions: see bench/splits.py and the `info` "
        "in qa/reader/reader.npz and qa/reader/calibrator.json",
        "",
        "| measure | previous | reader | target |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, key, target in ROWS:
        digits = 0 if key.endswith("_ms") else 3
        cells = [_f(results[s].get(key), digits) for s in ("previous", "reader")]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {target} |")
    return "\n".join(lines) + "\n"


def draw(records: dict[str, dict[str, list[dict]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, style in (("previous", "--"), ("reader", "-")):
        points = curve(records[name]["squad2_report"])
        ax.plot([r for _, _, r in points], [p for _, p, _ in points], style, marker=".", label=name)
    ax.axhline(TARGET_PRECISION, color="grey", linestyle=":")
    ax.set_xlabel("abstention recall on unanswerable questions")
    ax.set_ylabel("answered precision")
    ax.set_title("SQuAD v2.0, 10 reporting articles: precision against abstention")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def worktree(commit: str, out: Path) -> Path:
    """A checkout of `commit` beside the results (made once, reused)."""
    tree = out / f"previous-{commit}"
    if not (tree / "qa").is_dir():
        subprocess.run(["git", "worktree", "add", "--force", "--detach", str(tree), commit], cwd=ROOT, check=True)
    return tree


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad1", type=Path, required=True, help="SQuAD v1.1 dev JSON")
    parser.add_argument("--squad2", type=Path, required=True, help="SQuAD v2.0 dev JSON")
    parser.add_argument("--realtimeqa", type=Path, required=True, help="realtimeqa-questions-*.jsonl.gz")
    parser.add_argument("--previous", default="cdef633", help="commit of the previous answerer (the fitted trees)")
    parser.add_argument("--out", type=Path, default=Path("runs/bench-quality"))
    parser.add_argument("--squad-sample", type=int, default=None, help="held-out SQuAD questions (default: all 4,557)")
    parser.add_argument("--squad2-sample", type=int, default=1000, help="SQuAD v2.0 reporting questions")
    parser.add_argument("--realtimeqa-sample", type=int, default=500, help="RealTime QA questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse-previous", action="store_true", help="keep the previous answerer's earlier answers")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sets = datasets(args, out)
    sizes = {k: len(load_questions(q)) for k, (_, q) in sets.items()}
    records = {
        "previous": run_system("previous", worktree(args.previous, out), sets, out, reuse=args.reuse_previous),
        "reader": run_system("reader", ROOT, sets, out, env={"QA_RANKER": "reader"}),
    }
    results = {name: summarize(recs) for name, recs in records.items()}
    text = render(results, sizes, args.previous)
    draw(records, out / "abstention.png")
    (out / "quality.md").write_text(text, encoding="utf-8")
    (out / "quality.json").write_text(json.dumps({"sizes": sizes, "results": results}, indent=2) + "\n")
    print(text)


if __name__ == "__main__":
    main()
