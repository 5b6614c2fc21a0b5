"""`make bench-reader`: the reader alone, given the gold paragraph: span F1, EM and speed, ONNX fp32, int8 and PyTorch.

    python -m bench.reader_precision --squad1 dev-v1.1.json --squad2 dev-v2.0.json --realtimeqa rtqa.jsonl.gz

Two question sets: the reader's held-out fold (fitting data it never trained on; this is what
chooses the shipped precision) and SQuAD v1.1's 13 held-out articles (reported only). Writes
OUT/reader.json and OUT/reader.md and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.fit_reader import SEED, f1, held_out
from bench.splits import squad_held_out
from index.embedding import cpu_has_bf16
from qa.reader import artifact
from qa.reader.runtime import Reader


def held_out_squad(v1: Path, v2: Path) -> list[tuple[str, str, list[str]]]:
    titles = set(squad_held_out(v1, v2))
    out = []
    for a in json.loads(v1.read_text(encoding="utf-8"))["data"]:
        if a["title"] in titles:
            for p in a["paragraphs"]:
                out += [(q["question"], p["context"], [x["text"] for x in q["answers"]]) for q in p["qas"]]
    return out


def score(reader: Reader, items: list[tuple[str, str, list[str]]]) -> dict[str, float]:
    scores, exact, seconds = [], [], []
    for question, text, answers in items:
        started = time.perf_counter()
        [reading] = reader.read(question, [(text, 0)])
        seconds.append(time.perf_counter() - started)
        span = text[reading.start : reading.end] if reading else ""
        scores.append(max(f1(span, g) for g in answers))
        exact.append(max(float(f1(span, g) == 1.0) for g in answers))
    return {"f1": round(float(np.mean(scores)), 4), "em": round(float(np.mean(exact)), 4),
            "ms_per_passage_p50": round(1000 * float(np.median(seconds)), 1), "questions": len(items)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad1", type=Path, required=True)
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--realtimeqa", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=800, help="questions drawn from each set")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    held = held_out(args.squad2, args.realtimeqa)
    fold = [(e.question, e.text, [t for _, t in e.answers]) for e in held if e.answers]
    sets = {
        "fitting data, held-out fold (chooses the precision)": rng.sample(fold, min(args.questions, len(fold))),
        "SQuAD v1.1, 13 held-out articles (reported)": rng.sample(
            held_out_squad(args.squad1, args.squad2), args.questions
        ),
    }
    results = {}
    runs = {precision: Reader(threads=args.threads, precision=precision, runtime="onnx")
            for precision in artifact.PRECISIONS}  # fmt: skip
    runs["torch"] = Reader(threads=args.threads, runtime="torch")  # bfloat16 where the CPU computes it natively
    for name, reader in runs.items():
        reader.read("warm up", [("a first read compiles nothing later", 0)])
        results[name] = {set_name: score(reader, items) for set_name, items in sets.items()}
    _, info = artifact.load(artifact.SHIPPED)
    lines = [
        "# The reader given the gold paragraph: ONNX fp32 against ONNX int8 and PyTorch (bf16 where native)",
        "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{args.threads} threads; training time {info.get('train_seconds', 0) / 60:.0f} min",
        "",
        "| question set | runtime | F1 | EM | ms/passage |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    labels = {"fp32": "ONNX fp32", "int8": "ONNX int8", "torch": "PyTorch" + (" bf16" if cpu_has_bf16() else " fp32")}
    for set_name in sets:
        for name, label in labels.items():
            r = results[name][set_name]
            lines.append(f"| {set_name} ({r['questions']}) | {label} | {r['f1']:.3f} | {r['em']:.3f} "
                         f"| {r['ms_per_passage_p50']:.0f} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "reader.md").write_text(text, encoding="utf-8")
    (args.out / "reader.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
