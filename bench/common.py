"""What the benchmark converters share: their output format and their sampling options."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder for corpus/ and questions.jsonl")
    parser.add_argument("--sample", type=int, default=None, help="number of questions to draw (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the question sample")


def save_figure(fig, path: Path, legend=None) -> None:
    """Finish a matplotlib figure: its legend, tight layout, written at a readable resolution, closed."""
    import matplotlib.pyplot as plt

    if legend is not None:
        legend.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def qa_eval(questions: Path, corpus: Path, out: Path, *, cwd: Path, env: dict[str, str]) -> None:
    """`qa eval QUESTIONS --corpus CORPUS --out OUT` in a child process (never the configured LLM); exits on failure."""
    env = {k: v for k, v in env.items() if k != "QA_LLM"}
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "eval", str(questions), "--corpus", str(corpus), "--out", str(out)],
        cwd=cwd, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"qa eval of {questions} failed:\n{done.stderr[-2000:]}")
