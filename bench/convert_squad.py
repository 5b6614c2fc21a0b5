"""Convert a SQuAD v1.1 or v2.0 dev file into an article corpus (.jsonl) and an eval question file.

Each Wikipedia title becomes one article whose paragraphs are the SQuAD contexts; each
question becomes an item whose evidence is the context sentence holding the first gold
answer's start. v2.0 unanswerable questions become `unanswerable` items.

    python -m bench.convert_squad ../shared/bench/squad/dev-v1.1.json --out runs/squad --sample 500
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from bench.common import add_output_options, write_jsonl
from evaluation.metrics import sentence_spans

CORPUS_FILE = "squad.jsonl"
QUESTIONS_FILE = "questions.jsonl"


def slug(title: str) -> str:
    """A stable article id from a Wikipedia title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "article"


def evidence_sentence(context: str, start: int, length: int) -> str:
    """The sentence(s) of `context` covering the answer span `start:start+length`.

    When a naive sentence break falls inside the answer (e.g. "St. Louis") the evidence
    runs on to the sentence holding the answer's end, so it always contains the answer.
    """
    spans = sentence_spans(context)
    end = start + max(length, 1)
    first = next((s for s, e in spans if s <= start < e), 0)
    last = next((e for s, e in spans if s < end <= e), len(context))
    return context[first:last].strip()


def convert(
    squad_path: Path,
    out_dir: Path,
    *,
    sample: int | None = None,
    seed: int = 0,
    articles: int | None = None,
    corpus_titles: set[str] | None = None,
    question_titles: set[str] | None = None,
    answerable_only: bool = False,
) -> tuple[Path, Path]:
    """Write `out_dir/corpus/squad.jsonl` and `out_dir/questions.jsonl`; return (corpus dir, questions file).

    `articles` keeps the first N titles (corpus and questions); `corpus_titles` keeps only
    those articles; `question_titles` asks only about those (the rest stay as distractors);
    `sample` draws N questions with `random.Random(seed)`, kept in file order, so a run is
    reproducible.
    """
    data = json.loads(Path(squad_path).read_text(encoding="utf-8"))["data"]
    if articles is not None:
        data = data[:articles]
    if corpus_titles is not None:
        data = [a for a in data if a["title"] in corpus_titles]

    records: list[dict] = []
    items: list[dict] = []
    for article in data:
        article_id = slug(article["title"])
        # Newlines inside a context would split it into several paragraphs; a space keeps offsets.
        contexts = [p["context"].replace("\n", " ") for p in article["paragraphs"]]
        records.append(
            {
                "id": article_id,
                "title": article["title"].replace("_", " "),
                "text": "\n\n".join(c.strip() for c in contexts),
            }
        )
        if question_titles is not None and article["title"] not in question_titles:
            continue
        for context, paragraph in zip(contexts, article["paragraphs"], strict=True):
            for qa in paragraph["qas"]:
                item = _item(qa, context, article_id)
                if not (answerable_only and item["unanswerable"]):
                    items.append(item)

    if sample is not None and sample < len(items):
        keep = sorted(random.Random(seed).sample(range(len(items)), sample))
        items = [items[i] for i in keep]

    corpus_dir = Path(out_dir) / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(corpus_dir / CORPUS_FILE, records)
    questions = Path(out_dir) / QUESTIONS_FILE
    write_jsonl(questions, items)
    return corpus_dir, questions


def _item(qa: dict, context: str, article_id: str) -> dict:
    unanswerable = bool(qa.get("is_impossible")) or not qa["answers"]
    answers = list(dict.fromkeys(a["text"] for a in qa["answers"]))
    evidence = []
    if not unanswerable:
        first = qa["answers"][0]
        evidence = [evidence_sentence(context, first["answer_start"], len(first["text"]))]
    return {
        "id": qa["id"],
        "question": qa["question"].strip(),
        "answers": answers,
        "evidence": evidence,
        "unanswerable": unanswerable,
        "article_id": article_id,
        "context": context,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("squad", type=Path, help="SQuAD dev JSON (v1.1 or v2.0)")
    add_output_options(parser)
    parser.add_argument("--articles", type=int, default=None, help="keep only the first N articles")
    args = parser.parse_args(argv)
    corpus, questions = convert(args.squad, args.out, sample=args.sample, seed=args.seed, articles=args.articles)
    print(f"corpus: {corpus}\nquestions: {questions}")


if __name__ == "__main__":
    main()
