"""Paragraph-aware chunks that keep their paragraph number and exact character span."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from index.analysis import search_text, sentence_spans

_LINE = re.compile(r"[^\r\n]+")


@dataclass(frozen=True)
class Paragraph:
    """Paragraph `n` (1-based, reading order) at `text[start:end]`; `boilerplate` names its rule."""

    n: int
    start: int
    end: int
    boilerplate: str | None = None


@dataclass(frozen=True)
class Chunk:
    """One embeddable piece: a whole paragraph, or a sentence-aligned part of a long one."""

    chunk_id: str
    article_id: str
    paragraph: int
    part: int
    start: int
    end: int
    text: str
    search_text: str


def paragraphs(text: str, body_start: int = 0) -> list[Paragraph]:
    """Every non-blank line is a paragraph: blank lines and single newlines both separate."""
    found = []
    for match in _LINE.finditer(text, body_start):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            found.append(Paragraph(len(found) + 1, start, end))
    return found


def chunk_paragraph(
    article_id: str,
    text: str,
    paragraph: Paragraph,
    count_tokens: Callable[[str], int],
    max_tokens: int,
) -> list[Chunk]:
    """The paragraph as one chunk, or split at sentence ends so each part fits the model."""
    body = text[paragraph.start : paragraph.end]
    pieces = [(paragraph.start, paragraph.end)]
    if count_tokens(search_text(body)) > max_tokens:
        pieces = _pack(body, paragraph.start, count_tokens, max_tokens)
    return [
        _chunk(article_id, paragraph.n, part, start, end, text[start:end])
        for part, (start, end) in enumerate(pieces, start=1)
    ]


def _pack(body: str, offset: int, count_tokens: Callable[[str], int], max_tokens: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences; a sentence longer than the limit is cut at spaces."""
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(body):
        if count_tokens(body[start:end]) <= max_tokens:
            units.append((start, end))
        else:
            units.extend(_cut_words(body, start, end, count_tokens, max_tokens))
    pieces: list[tuple[int, int]] = []
    for start, end in units:
        if pieces and count_tokens(body[pieces[-1][0] : end]) <= max_tokens:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return [(offset + s, offset + e) for s, e in pieces]


def _cut_words(
    body: str, start: int, end: int, count_tokens: Callable[[str], int], max_tokens: int
) -> list[tuple[int, int]]:
    spans = [m.span() for m in re.finditer(r"\S+", body[start:end])]
    pieces: list[tuple[int, int]] = []
    begin = 0
    while begin < len(spans):
        stop = begin + 1
        while stop < len(spans) and count_tokens(body[start + spans[begin][0] : start + spans[stop][1]]) <= max_tokens:
            stop += 1
        pieces.append((start + spans[begin][0], start + spans[stop - 1][1]))
        begin = stop
    return pieces


def _chunk(article_id: str, paragraph: int, part: int, start: int, end: int, body: str) -> Chunk:
    # Keyed by content and place: re-ingesting the same text yields the same ids (idempotent upserts).
    key = f"{article_id}\x1f{paragraph}\x1f{part}\x1f{start}\x1f{body}"
    chunk_id = hashlib.sha1(key.encode()).hexdigest()[:24]
    return Chunk(chunk_id, article_id, paragraph, part, start, end, body, search_text(body))
