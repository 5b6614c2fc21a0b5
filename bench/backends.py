"""Answer quality with the default encoders against PyTorch float32, on the same questions.

    python -m bench.backends --squad1 ../shared/bench/squad/dev-v1.1.json --squad2 ../shared/bench/squad/dev-v2.0.json \
        [--sample 400] [--out bench/results]

The default encodes paragraphs in bf16 where the CPU supports it and questions with the ONNX
export; the reference encodes both with PyTorch in float32 (`QA_PRECISION=fp32`,
`QA_QUERY_ENCODER=torch`). Each runs `qa eval` with its own index on the SQuAD v1.1 held-out
articles (never fitted on) and on eval/questions.jsonl. Writes OUT/backends.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from bench import convert_squad
from bench.common import qa_eval
from bench.splits import squad_held_out

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = {
    "default (bf16 where supported, ONNX questions)": {},
    "PyTorch float32": {"QA_PRECISION": "fp32", "QA_QUERY_ENCODER": "torch"},
}
FIGURES = ("hit@1", "hit@5", "accuracy", "correct_cited")


def evaluate(questions: Path, corpus: Path, index: Path, out: Path, settings: dict[str, str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QA_INDEX_DIR": str(index), **settings}
    qa_eval(questions, corpus, out, cwd=ROOT, env=env)
    overall = json.loads((out / "report.json").read_text(encoding="utf-8"))["overall"]
    return {name: overall[name] for name in FIGURES} | {"questions": overall["questions"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad1", type=Path, required=True, help="SQuAD v1.1 dev JSON")
    parser.add_argument(
        "--squad2", type=Path, required=True, help="SQuAD v2.0 dev JSON (to find the held-out articles)"
    )
    parser.add_argument("--sample", type=int, default=400, help="held-out SQuAD questions")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        held = set(squad_held_out(args.squad1, args.squad2))
        squad = convert_squad.convert(args.squad1, work / "squad", question_titles=held, sample=args.sample, seed=0)
        sets = {
            "SQuAD v1.1 held-out": squad,
            "eval/questions.jsonl": (ROOT / "data" / "articles", ROOT / "eval" / "questions.jsonl"),
        }
        for number, (backend, settings) in enumerate(BACKENDS.items()):
            for key, (corpus, questions) in sets.items():
                index = work / f"index-{number}-{key.split()[0].replace('/', '-')}"
                run = work / f"run-{number}-{len(results.get(backend, {}))}"
                results.setdefault(backend, {})[key] = evaluate(questions, corpus, index, run, settings)
                print(f"{backend}, {key}: {results[backend][key]}", file=sys.stderr, flush=True)
    lines = [
        "| backend | set | questions | " + " | ".join(FIGURES) + " |",
        "| --- | --- | ---: |" + " ---: |" * len(FIGURES),
    ]
    for backend, sets_done in results.items():
        for key, row in sets_done.items():
            lines.append(
                f"| {backend} | {key} | {row['questions']} | " + " | ".join(f"{row[f]:.3f}" for f in FIGURES) + " |"
            )
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "backends.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "backends.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
