"""Ingest a corpus with `qa ingest` in a fresh process and report its time and peak memory.

    python -m bench.ingest_rss --bbc ../shared/bench/news-corpus/bbc-news-2225.jsonl.gz [--out bench/results]

The BBC corpus is written out as one .txt file per article (title, blank line, text), as an
archive of news files would be; the ingest runs in a child process whose resident memory is
sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bbc_files(path: Path, folder: Path) -> Path:
    """The BBC corpus as one .txt file per article."""
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            name = re.sub(r"[^\w.-]+", "-", record["id"])
            (folder / f"{name}.txt").write_text(record["text"].strip() + "\n", encoding="utf-8")
    return folder


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(corpus: Path, index: Path, env: dict[str, str] | None = None) -> dict:
    """Run `qa ingest corpus` into `index`; seconds, peak RSS (MB) and its summary line."""
    full = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), **(env or {})}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ingest", str(corpus)], env=full, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, rss_mb(process.pid))
        time.sleep(0.05)
    out, err = process.communicate()
    if process.returncode not in (0, 2):
        raise SystemExit(f"qa ingest failed:\n{err[-2000:]}")
    summary = out.splitlines()[0] if out else ""
    chunks = int(re.search(r"(\d+) chunks embedded", summary).group(1)) if "chunks embedded" in summary else None
    return {"seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak), "chunks": chunks,
            "summary": summary}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, required=True, help="bbc-news-2225.jsonl.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        corpus = bbc_files(args.bbc, Path(work) / "bbc")
        result = measure(corpus, Path(work) / "index")
    result["corpus"] = "BBC News, 2,225 articles, one .txt file each"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest_rss.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{result['corpus']}: {result['summary']}; peak RSS {result['peak_rss_mb']} MB, {result['seconds']} s")


if __name__ == "__main__":
    main()
