"""An article's title: the one it carries, else a short first line, else its first sentence cut to size.

Titles are shown on every citation and in terminals, so they are kept free of control
characters and escape sequences (the article's text keeps them: offsets stay exact).
"""

from __future__ import annotations

from pathlib import Path

from index.analysis import sentence_spans
from index.chunking import Paragraph
from index.clean import normalize
from index.controls import without_controls
from index.loaders import Article


def title_of(article: Article, paras: list[Paragraph], line_chars: int = 120, sentence_chars: int = 100) -> str:
    """The title to show for `article`: its own, else one derived from its paragraphs; printable either way."""
    return printable(article.title or derive_title(article.text, paras, article.source, line_chars, sentence_chars))


def derive_title(
    text: str, paras: list[Paragraph], source: str, line_chars: int = 120, sentence_chars: int = 100
) -> str:
    """A short first line is a title; else the first sentence, cut to a readable length."""
    for p in paras:
        if p.boilerplate:
            continue
        first = normalize(text[p.start : p.end]).replace("#", "")
        if len(first) <= line_chars and first[-1] not in ".!?;,:":
            return first
        spans = sentence_spans(first)
        sentence = first[spans[0][0] : spans[0][1]] if spans else first
        if len(sentence) <= sentence_chars:
            return sentence
        return sentence[: sentence_chars - 3].rsplit(" ", 1)[0] + "…"
    return Path(source).stem


def printable(title: str) -> str:
    """A title without control characters (a terminal escape in a file's first line stays in the text only)."""
    return " ".join(without_controls(title).split())
