"""Convert the RealTime QA question file into a news corpus (.jsonl) and an eval question file.

Every distinct evidence passage becomes one short article (dated by its quiz); every
question with an evidence passage becomes an item whose accepted answer is the correct
choice and whose evidence is that passage. Questions without evidence are left out.

    python -m bench.convert_realtimeqa --out runs/rtqa \
        ../shared/bench/realtimeqa/realtimeqa-questions-2020-2026.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
from pathlib import Path

from bench.common import add_output_options, write_jsonl
from evaluation.metrics import split_sentences

CORPUS_FILE = "realtimeqa.jsonl"
QUESTIONS_FILE = "questions.jsonl"
_TAG = re.compile(r"<[^>]+>")


def clean(passage: str) -> str:
    """Drop HTML tags (the evidence holds `<a>` anchors), unescape entities and collapse whitespace."""
    return " ".join(html.unescape(_TAG.sub("", passage)).split())


def read(path: Path) -> list[dict]:
    """The raw records of a (possibly gzipped) RealTime QA .jsonl file."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def convert(
    path: Path,
    out_dir: Path,
    *,
    sample: int | None = None,
    seed: int = 0,
    since: str | None = None,
    until: str | None = None,
    corpus: str = "all",
    answer_in_evidence: bool = False,
) -> tuple[Path, Path]:
    """Write `out_dir/corpus/realtimeqa.jsonl` and `out_dir/questions.jsonl`; return (corpus dir, questions file).

    `since`/`until` (YYYY-MM-DD, inclusive) restrict the quiz dates; `sample` draws N questions
    with `random.Random(seed)`, kept in file order. `corpus="all"` indexes every passage in
    the date range (the others act as distractors); `"sampled"` only the sampled questions' passages.
    `answer_in_evidence` keeps only questions whose correct choice appears (case-insensitively)
    in their cleaned evidence passage: the README's protocol.
    """
    if corpus not in ("all", "sampled"):
        raise ValueError(f"corpus must be 'all' or 'sampled', got {corpus!r}")
    pairs = [(rec, clean(rec.get("evidence") or "")) for rec in read(path)]
    pairs = [(rec, ev) for rec, ev in pairs if ev and _usable(rec) and _in_range(_date(rec), since, until)]

    articles: dict[str, dict] = {}  # cleaned passage -> article record
    items: list[dict] = []
    seen_ids: set[str] = set()
    for rec, passage in pairs:
        article = articles.setdefault(passage, _article(rec, passage))
        if answer_in_evidence and rec["choices"][int(rec["answer"][0])].casefold() not in passage.casefold():
            continue
        item_id = rec["question_id"]
        while item_id in seen_ids:  # the source reuses one id for two questions
            item_id += "-b"
        seen_ids.add(item_id)
        items.append(
            {
                "id": item_id,
                "question": rec["question_sentence"].strip(),
                "answers": [rec["choices"][int(rec["answer"][0])]],
                "evidence": [passage],
                "unanswerable": False,
                "choices": rec["choices"],
                "judge": "short",
                "article_id": article["id"],
            }
        )

    if sample is not None and sample < len(items):
        keep = sorted(random.Random(seed).sample(range(len(items)), sample))
        items = [items[i] for i in keep]
    records = list(articles.values())
    if corpus == "sampled":
        wanted = {item["article_id"] for item in items}
        records = [r for r in records if r["id"] in wanted]

    corpus_dir = Path(out_dir) / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(corpus_dir / CORPUS_FILE, records)
    questions = Path(out_dir) / QUESTIONS_FILE
    write_jsonl(questions, items)
    return corpus_dir, questions


def _usable(rec: dict) -> bool:
    # One source record has an empty question, no choices and no answer.
    try:
        return bool(rec["question_sentence"].strip()) and 0 <= int(rec["answer"][0]) < len(rec["choices"])
    except (KeyError, IndexError, ValueError):
        return False


def _date(rec: dict) -> str:
    return rec.get("question_date", "").replace("/", "-")


def _in_range(date: str, since: str | None, until: str | None) -> bool:
    return (since is None or date >= since) and (until is None or date <= until)


def _article(rec: dict, passage: str) -> dict:
    first = split_sentences(passage)[0]
    title = first if len(first) <= 100 else first[:97].rsplit(" ", 1)[0] + "..."
    return {
        "id": f"rtqa-{rec['question_id']}",
        "title": title,
        "text": passage,
        "date": _date(rec),
        "url": rec.get("question_url", ""),
        "source": rec.get("question_source", ""),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="realtimeqa-questions-*.jsonl(.gz)")
    add_output_options(parser)
    parser.add_argument("--since", default=None, help="first quiz date, YYYY-MM-DD")
    parser.add_argument("--until", default=None, help="last quiz date, YYYY-MM-DD")
    parser.add_argument("--corpus", choices=("all", "sampled"), default="all", help="which passages to index")
    parser.add_argument(
        "--answer-in-evidence", action="store_true", help="only questions whose correct choice is in their passage"
    )
    args = parser.parse_args(argv)
    corpus, questions = convert(
        args.file,
        args.out,
        sample=args.sample,
        seed=args.seed,
        since=args.since,
        until=args.until,
        corpus=args.corpus,
        answer_in_evidence=args.answer_in_evidence,
    )
    print(f"corpus: {corpus}\nquestions: {questions}")


if __name__ == "__main__":
    main()
