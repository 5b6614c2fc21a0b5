"""What the benchmark converters share: their output format and their sampling options."""

from __future__ import annotations

import argparse
import json
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
