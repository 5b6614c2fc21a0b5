"""One article as the index stores it: paragraphs with their verdicts, chunks with their terms and names, its row.

The ingest (`index.build`) reads a file into articles, splits each here, and then decides
across its batch what repeats between stories (`without_repeated`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from index.analysis import capitalised_names, tokenize
from index.chunking import Chunk, Paragraph, chunk_paragraph, paragraphs
from index.clean import Rules, fingerprint
from index.dates import dateline, normalize_date
from index.loaders import Article
from index.records import ArticleRow, StoredChunk, day_number
from index.titles import title_of

REPEATED = "repeated across stories"


@dataclass
class Staged:
    """One article read and split, waiting for its batch to commit."""

    row: ArticleRow
    chunks: list[StoredChunk]
    fingerprints: set[str]
    paths: list[str]


def split_article(
    article: Article,
    article_id: str,
    sha: str,
    *,
    rules: Rules,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    titles: tuple[int, int],
) -> Staged:
    """Its paragraphs with their verdicts, its chunks with their terms and names, and its catalog row."""
    paras = paragraphs(article.text, article.body_start)
    verdicts = rules.classify([article.text[p.start : p.end] for p in paras])
    paras = [Paragraph(p.n, p.start, p.end, v) for p, v in zip(paras, verdicts, strict=True)]
    chunks: list[StoredChunk] = []
    fps: set[str] = set()
    for p in paras:
        if p.boilerplate:
            continue
        fp = fingerprint(article.text[p.start : p.end])
        fps.add(fp)
        for chunk in chunk_paragraph(article_id, article.text, p, count_tokens, max_tokens):
            chunks.append(
                StoredChunk(chunk, fp, tuple(tokenize(chunk.search_text)), tuple(capitalised_names(chunk.search_text)))
            )
    date = normalize_date(article.date) or dateline(article.text[article.body_start :])
    row = ArticleRow(
        article_id=article_id,
        source=article.source,
        record_id=article.record_id,
        sha256=sha,
        title=title_of(article, paras, *titles) or Path(article.source).stem,
        date=date,
        url=article.url,
        text=article.text,
        paragraphs=tuple(paras),
        chunk_count=len(chunks),
    )
    return Staged(row, chunks, fps, [article.source])


def without_repeated(
    chunks: list[StoredChunk], row: ArticleRow, blurbs: set[str]
) -> tuple[list[StoredChunk], ArticleRow]:
    """The chunks left once paragraphs repeated across stories are dropped, and the row marking them."""
    dropped = {c.chunk.paragraph for c in chunks if c.fingerprint in blurbs}
    if not dropped:
        return chunks, row
    kept = [c for c in chunks if c.chunk.paragraph not in dropped]
    paras = tuple(Paragraph(p.n, p.start, p.end, REPEATED) if p.n in dropped else p for p in row.paragraphs)
    return kept, replace(row, paragraphs=paras, chunk_count=len(kept))


def vector_metadata(row: ArticleRow, chunk: Chunk) -> dict:
    """What a chunk's vector carries in the store: where it is, and its article's title, date and story."""
    meta = {
        "article_id": row.article_id,
        "title": row.title,
        "source": row.source,
        "paragraph": chunk.paragraph,
        "part": chunk.part,
        "start": chunk.start,
        "end": chunk.end,
    }
    if row.date:
        meta["date"] = row.date
        meta["day"] = day_number(row.date)  # an integer, so Chroma can filter by date range
    if row.story:
        meta["story"] = row.story
    return meta
