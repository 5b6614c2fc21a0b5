"""What the catalog stores, as values the ingest and the server mirror pass around: articles and their chunks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from index.chunking import Chunk, Paragraph


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    source: str
    record_id: str | None
    sha256: str
    title: str
    date: str | None
    url: str | None
    text: str
    paragraphs: tuple[Paragraph, ...]
    chunk_count: int
    story: str | None = None


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the catalog keeps it: with its paragraph's fingerprint and its keyword tokens."""

    chunk: Chunk
    fingerprint: str
    tokens: tuple[str, ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # (sound key, spelling) of the capitalised words
    vectors: np.ndarray | None = None  # one unit vector per sentence (float16 on disk)


@dataclass
class Found:
    """A chunk found by id, with its article's title, source and date, and its sentences' vectors."""

    chunk: Chunk
    title: str
    source: str
    date: str | None
    vectors: np.ndarray | None = None
    url: str | None = None


@dataclass
class ArticleWrite:
    """One article's new state, written in a batch."""

    row: ArticleRow
    chunks: list[StoredChunk]
    fingerprints: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)


def day_number(date: str | None) -> int | None:
    """'2017-08-24' (or '2017-08-24T...') -> 20170824, for date filters; None when undated."""
    if not date:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", date)
    return int("".join(match.groups())) if match else None


def paragraphs_json(paragraphs: Iterable[Paragraph]) -> str:
    """An article's paragraphs as stored (in the catalog, and on a Chroma server in server mode)."""
    return json.dumps([[p.n, p.start, p.end, p.boilerplate] for p in paragraphs])
