"""Citations: quotes cut from passages by offsets, the `[n]` marker syntax, and the round-trip check."""

from __future__ import annotations

import re
from collections.abc import Callable

from index.analysis import content_words, sentence_spans
from qa.errors import QAError
from qa.types import Citation, Passage, ShortAnswer

# The one citation-marker syntax: "[3]"; a group such as "[1][2]" or "[1, 2]" cites several.
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def marker_numbers(text: str) -> list[int]:
    """The numbers of every marker in `text`, in order ("[1][3]" and "[1, 3]" give 1, 3)."""
    return [int(n) for m in MARKER.finditer(text) for n in re.split(r"\s*,\s*", m.group(1))]


def split_markers(text: str) -> list[str | int]:
    """`text` as its plain pieces and the numbers its markers cite, in order, for a front end to link.

    "Amaq said so [1, 2]." gives ["Amaq said so ", 1, 2, "."].
    """
    pieces: list[str | int] = []
    at = 0
    for m in MARKER.finditer(text):
        pieces += [text[at : m.start()]] if m.start() > at else []
        pieces += [int(n) for n in re.split(r"\s*,\s*", m.group(1))]
        at = m.end()
    return pieces + ([text[at:]] if at < len(text) else [])


def cite(n: int, passage: Passage, span: tuple[int, int], score: float) -> Citation:
    """A citation for `passage.text[span]`, with offsets into the article's text."""
    start, end = span
    return Citation(
        n=n,
        article_id=passage.article_id,
        title=passage.title,
        source=passage.source,
        paragraph=passage.paragraph,
        quote=passage.text[start:end],
        start=passage.start + start,
        end=passage.start + end,
        score=round(score, 4),
        date=passage.date,
        paragraph_text=passage.text,
        paragraph_start=passage.start,
        also_in=passage.also_in,
        url=passage.url,
    )


def matching_sentence(passage: Passage, quote: str) -> tuple[int, int]:
    """The sentence of `passage` sharing most words with `quote` (for a near-duplicate copy)."""
    wanted = set(content_words(quote))
    spans = list(passage.sentence_spans) or sentence_spans(passage.text) or [(0, len(passage.text))]
    return max(spans, key=lambda s: len(wanted & set(content_words(passage.text[s[0] : s[1]]))))


def check_round_trip(
    citations: tuple[Citation, ...], article_text: Callable[[str], str], short: ShortAnswer | None = None
) -> None:
    """Raise if any quote (or the short answer) is not exactly the article's text at its offsets (a bug, never data)."""
    for c in citations:
        if article_text(c.article_id)[c.start : c.end] != c.quote:
            raise QAError(f"citation [{c.n}] does not match {c.article_id} at {c.start}:{c.end}; please report this")
    if short is not None:
        cited = next((c for c in citations if c.n == short.n), None)
        if cited is None or article_text(cited.article_id)[short.start : short.end] != short.text:
            raise QAError(f"the short answer does not match its citation [{short.n}]; please report this")
