"""Paragraph-aware chunks that keep their paragraph number and exact character span."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from index.analysis import search_text, sentence_spans, trim_spans

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
    sentences: tuple[tuple[int, int], ...] = ()  # sentence spans within `text`, found once at ingest

    def search_spans(self) -> list[tuple[int, int]]:
        """Where each sentence sits in `search_text` (built sentence by sentence, so this is exact)."""
        spans, at = [], 0
        for start, end in self.sentences:
            piece = search_text(self.text[start:end])
            spans.append((at, at + len(piece)))
            at += len(piece) + 1
        return spans


WRAP_WIDTH = 100  # hard-wrapped text is broken at a width below this
WRAP_SPREAD = 0.7  # ... and its lines, but a block's last, are at least this share of the longest
_SENTENCE_END = re.compile(r"[.!?:;]['\"’”)\]]*$")


def paragraphs(text: str, body_start: int = 0) -> list[Paragraph]:
    """Paragraphs as a reader sees them, each with its exact span in `text`.

    Every non-blank line is a paragraph, except in hard-wrapped text: inside a block
    between blank lines, lines broken at a near-constant width under `WRAP_WIDTH` that end
    mid-sentence run on into the next line. The span then covers the line breaks, so the
    quoted text is still exactly the article's.
    """
    lines = trim_spans(text, (m.span() for m in _LINE.finditer(text, body_start)))
    found: list[Paragraph] = []
    for block in _blocks(text, lines):
        wrapped = _hard_wrapped(text, block)
        start, end = block[0]
        for (_, line_end), following in zip(block, [*block[1:], None], strict=True):
            end = line_end
            if following is not None and wrapped and not _SENTENCE_END.search(text[start:line_end]):
                continue  # a wrapped line: the paragraph runs on
            found.append(Paragraph(len(found) + 1, start, end))
            if following is not None:
                start = following[0]
    return found


def _blocks(text: str, lines: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Lines grouped into blocks: a blank line (or the start) begins a new one."""
    blocks: list[list[tuple[int, int]]] = []
    for line in lines:
        if blocks and text.count("\n", blocks[-1][-1][1], line[0]) < 2:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def _hard_wrapped(text: str, block: list[tuple[int, int]]) -> bool:
    """Lines (but the last) broken at a near-constant width under WRAP_WIDTH."""
    body = block[:-1]
    if not body:
        return False
    widths = [end - start for start, end in body]
    widest = max(widths)
    return widest < WRAP_WIDTH and sum(w >= WRAP_SPREAD * widest for w in widths) >= 0.8 * len(widths)


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
    sentences = tuple(sentence_spans(body)) or ((0, len(body)),)
    return Chunk(chunk_id, article_id, paragraph, part, start, end, body, searchable_text(body, sentences), sentences)


def searchable_text(body: str, sentences: Sequence[tuple[int, int]]) -> str:
    """A chunk's search text, made sentence by sentence, so each sentence's place in it is known (the embedder
    pools a vector per sentence from the one pass over the chunk)."""
    return " ".join(search_text(body[a:b]) for a, b in sentences)
