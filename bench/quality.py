"""The `make bench-quality` driver: our Assistant and the llama-index baseline side by side on SQuAD v1.1.

Both index the same corpus (every article of the dev file) and answer the same sampled
questions; both are scored with the same retrieval metrics over their top 5 passages.
Writes `OUT/quality.md` (and prints it), our full evaluation run under `OUT/ours/`.

    python -m bench.quality --squad ../shared/bench/squad/dev-v1.1.json --sample 500 --seed 0 --out runs/bench-quality
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/quality.py`: make `bench` and `qa` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import baseline, convert_squad
from evaluation import metrics
from evaluation.runner import load_questions


@dataclass
class SystemResult:
    """One system's retrieval over the question set."""

    label: str
    ingest_seconds: float
    chunks: int | None
    ranks: list[int | None] = field(default_factory=list)
    reader_chars: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def row(self) -> list[str]:
        ms = [x * 1000 for x in self.latencies]
        return [
            self.label,
            _f(metrics.hit_at(self.ranks, 1)),
            _f(metrics.hit_at(self.ranks, metrics.READER_K)),
            _f(metrics.mean_reciprocal_rank(self.ranks, metrics.READER_K)),
            _f(metrics.mean(self.reader_chars), 0),
            _f(self.ingest_seconds, 1),
            "?" if self.chunks is None else str(self.chunks),
            _f(metrics.percentile(ms, 50), 0),
            _f(metrics.percentile(ms, 95), 0),
        ]


def run_ours(corpus: Path, questions: Path, work_dir: Path) -> tuple[SystemResult, dict]:
    """Ingest into a fresh index and ask every question through `evaluation.runner.run`; also return its report."""
    from evaluation import runner as evaluation
    from qa import Assistant, Settings

    index_dir = work_dir / "ours-index"
    if index_dir.exists():
        shutil.rmtree(index_dir)
    settings = Settings.from_env(index_dir=index_dir)
    started = time.perf_counter()
    assistant = Assistant(index_dir=index_dir, settings=settings)
    ingest = assistant.ingest([corpus])
    seconds = time.perf_counter() - started
    if ingest.errors:
        raise RuntimeError(f"ingest failed: {ingest.errors}")
    result = evaluation.run(
        questions,
        assistant=assistant,
        out_dir=work_dir / "ours",
        on_progress=_progress("ours"),
        context={"corpus": str(corpus), "ingest": {"articles": ingest.articles, "added": ingest.added,
                                                    "skipped": ingest.skipped, "seconds": round(seconds, 2)}},
    )  # fmt: skip
    out = SystemResult(label="ours (qa.Assistant, default settings)", ingest_seconds=seconds, chunks=ingest.added)
    for record in result.records:
        out.ranks.append(record["scores"]["hit_rank"])
        out.reader_chars.append(record["scores"]["reader_chars"])
        out.latencies.append(record["latency_s"])
        out.errors += record["error"] is not None
    return out, result.report


def run_baseline(corpus: Path, questions: Path, work_dir: Path, chunk_size: int | None) -> SystemResult:
    """Build the llama-index pipeline in its own folder and retrieve the top 5 for every question."""
    name = "baseline-default" if chunk_size is None else f"baseline-{chunk_size}"
    pipeline = baseline.build(corpus, work_dir / name, chunk_size=chunk_size, top_k=metrics.READER_K)
    out = SystemResult(label=pipeline.label, ingest_seconds=pipeline.ingest_seconds, chunks=pipeline.chunks)
    items = load_questions(questions)
    tick = _progress(name)
    for done, item in enumerate(items, start=1):
        started = time.perf_counter()
        texts = pipeline.retrieve(item.question)
        out.latencies.append(time.perf_counter() - started)
        out.ranks.append(metrics.first_hit_rank(texts, item.evidence))
        out.reader_chars.append(sum(len(t) for t in texts[: metrics.READER_K]))
        tick(done, len(items), item.id)
    return out


def run(
    squad: Path,
    out: Path,
    *,
    sample: int = 500,
    seed: int = 0,
    articles: int | None = None,
    chunk_sizes: tuple[int | None, ...] = (None, 256),
) -> str:
    """Convert, run ours and the baseline(s), write `out/quality.md`; return its Markdown."""
    out = Path(out)
    corpus, questions = convert_squad.convert(squad, out / "data", sample=sample, seed=seed, articles=articles)
    n_questions = len(load_questions(questions))
    import sentence_transformers  # noqa: F401 - torch is imported once here, outside either ingest time

    ours, report = run_ours(corpus, questions, out)
    systems = [ours] + [run_baseline(corpus, questions, out, size) for size in chunk_sizes]
    text = render(systems, report, squad=squad, sample=n_questions, seed=seed, articles=articles)
    (out / "quality.md").write_text(text, encoding="utf-8")
    return text


def render(
    systems: list[SystemResult], report: dict, *, squad: Path, sample: int, seed: int, articles: int | None
) -> str:
    """The side-by-side Markdown table, with the run's date, data and machine."""
    header = ["system", "hit@1", "hit@5", "MRR", "chars to reader / question", "ingest s", "chunks",
              "query p50 ms", "query p95 ms"]  # fmt: skip
    lines = [
        "# Retrieval quality: ours vs the llama-index baseline",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- data: `{Path(squad).name}`, {'all' if articles is None else articles} articles as the corpus, "
        f"{sample} questions sampled with seed {seed}",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "- hit@k: the evidence sentence (the one holding the gold answer) is inside one of the top k passages; "
        "MRR over the top 5; chars = the top 5 passages' text a reader would be handed",
        "- query time: ours is the whole `Assistant.ask` (retrieval and the extractive answer); "
        "the baseline's is retrieval only",
        "",
        "| " + " | ".join(header) + " |",
        "| --- | " + " | ".join("---:" for _ in header[1:]) + " |",
    ]
    lines += ["| " + " | ".join(s.row()) + " |" for s in systems]
    o = report["overall"]
    lines += [
        "",
        f"Our answers on the same questions: accuracy {_f(o['accuracy'])}, answered precision "
        f"{_f(o['answered_precision'])} ({o['answered']} answered, {o['abstained']} abstained), "
        f"best-sentence EM {_f(o['exact_match'])} / F1 {_f(o['f1'])}, citation precision "
        f"{_f(o['citation_precision'])}, errors {o['errors']}. Full report: `ours/report.md`.",
    ]
    return "\n".join(lines) + "\n"


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _progress(name: str) -> Callable[[int, int, str], None]:
    def tick(done: int, total: int, _item: str) -> None:
        if done == total or done % 50 == 0:
            print(f"{name}: {done}/{total}", file=sys.stderr, flush=True)

    return tick


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, required=True, help="SQuAD v1.1 dev JSON")
    parser.add_argument("--sample", type=int, default=500, help="questions to sample (default 500)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the question sample")
    parser.add_argument("--articles", type=int, default=None, help="keep only the first N articles (default: all)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (indexes, runs, quality.md)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(run(args.squad, args.out, sample=args.sample, seed=args.seed, articles=args.articles))


if __name__ == "__main__":
    main()
