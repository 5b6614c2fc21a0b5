"""Answers written by the bundled SmolLM2 model from held-out SQuAD passages, to be labelled by hand.

    python -m bench.model_answers --squad1 ../shared/bench/squad/dev-v1.1.json \
        --squad2 ../shared/bench/squad/dev-v2.0.json --out bench/labels/smollm2-60.jsonl [--questions 60]

Each question (drawn with a fixed seed from the 13 SQuAD v1.1 dev articles that are not in
v2.0, which nothing is fitted or tuned on) is answered by the llm mode's own prompt from three
paragraphs of its article: the one holding the answer and the two that share most of its
words, in a shuffled order. Each sentence of the answer is written out with an empty label;
a person fills in `supported` (true or false) and a line of `reason`, and
`bench.verification --labels` reports how often each verifier agrees.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bench.splits import squad_held_out
from bench.verification import articles, passages_of
from index.analysis import content_words
from qa.answerers import Draft
from qa.answerers.llm import LLMAnswerer
from qa.config import LLMSettings
from qa.llm.model import LanguageModel
from qa.templates import Prompts
from qa.types import Query
from qa.verify import split_claims

SEED = 60
SOURCES = 3


def sources_for(article: dict, index: int, question: str, rng: random.Random) -> list[int]:
    """The answer's paragraph and the two others sharing most words with the question, shuffled."""
    wanted = set(content_words(question))
    others = sorted(
        (j for j in range(len(article["paragraphs"])) if j != index),
        key=lambda j: -len(wanted & set(content_words(article["paragraphs"][j]["context"]))),
    )
    chosen = [index, *others[: SOURCES - 1]]
    rng.shuffle(chosen)
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad1", type=Path, required=True)
    parser.add_argument("--squad2", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("bench/labels/smollm2-60.jsonl"))
    parser.add_argument("--questions", type=int, default=60)
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    held = articles(args.squad1, set(squad_held_out(args.squad1, args.squad2)))
    asked = [(a, i, qa) for a in held for i, p in enumerate(a["paragraphs"]) for qa in p["qas"]]
    picked = rng.sample(asked, args.questions)
    answerer = LLMAnswerer(LanguageModel(LLMSettings(backend="local")), Prompts())
    rows = []
    for n, (article, index, qa) in enumerate(picked, start=1):
        paragraphs = passages_of(article)
        chosen = sources_for(article, index, qa["question"], rng)
        draft = None
        for piece in answerer.stream(
            Query(qa["question"], qa["question"], qa["question"]), [paragraphs[j] for j in chosen]
        ):
            if isinstance(piece, Draft):
                draft = piece
        text = draft.text if draft else ""
        rows.append({
            "id": n, "question": qa["question"], "gold": qa["answers"][0]["text"], "article": article["title"],
            "paragraphs": chosen, "answer": text,
            "sentences": [{"text": t, "markers": m, "supported": None, "reason": ""} for t, m in split_claims(text)],
        })  # fmt: skip
        print(f"{n}/{len(picked)} {qa['question']!r} -> {text!r}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {args.out}: {sum(len(r['sentences']) for r in rows)} sentences to label")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
