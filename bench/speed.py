"""Speed figures: `qa ingest` cold and again (unchanged), one-shot `qa ask`, warm answer latency.

    python bench/speed.py [--corpus data/articles] [--out runs/speed]

Prints a table and writes it to OUT/speed.md (with date and machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "who claimed the Fugaha attack?",
    "How many people were beheaded?",
    "When did ISIS attack the police station in Uqaylah?",
    "How many people live in Sirte?",
    "Who traveled to Benghazi on 24 August?",
]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "data" / "articles"))
    parser.add_argument("--out", default=str(ROOT / "runs" / "speed"))
    parser.add_argument("--repeat", type=int, default=20, help="warm questions asked per question")
    args = parser.parse_args()

    qa = str(Path(sys.executable).with_name("qa"))
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as index:
        env = {**os.environ, "QA_INDEX_DIR": index}
        first, out = timed([qa, "ingest", args.corpus], env)
        rows.append(("`qa ingest` (first run, cold)", f"{first:.2f} s — {out.splitlines()[0]}"))
        again, out = timed([qa, "ingest", args.corpus], env)
        rows.append(
            (
                "`qa ingest` again (unchanged)",
                f"{again:.2f} s ({again / first:.1%} of the first) — {out.splitlines()[0]}",
            )
        )
        one_shot = [timed([qa, "ask", q], env)[0] for q in QUESTIONS[:3]]
        rows.append(("`qa ask` one-shot (process start to answer)", f"median {statistics.median(one_shot):.2f} s"))

        sys.path.insert(0, str(ROOT))
        from qa import Assistant, Settings

        assistant = Assistant(settings=Settings().replace(index_dir=Path(index)))
        assistant.ask(QUESTIONS[0])
        latencies = []
        for _ in range(args.repeat):
            for question in QUESTIONS:
                started = time.perf_counter()
                assistant.ask(question)
                latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        rows.append(
            (
                "`Assistant.ask` warm",
                f"p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms ({len(latencies)} asks)",
            )
        )

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    table = "\n".join(
        [
            f"Speed on {date.today()} ({machine}), corpus `{Path(args.corpus).name}`",
            "",
            "| measure | result |",
            "| --- | --- |",
        ]
        + [f"| {name} | {value} |" for name, value in rows]
    )
    print(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
