"""The values the assistant hands out: answers, citations, passages and article views."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Reference:
    """Another article that carries (nearly) the same paragraph as a cited one."""

    article_id: str
    title: str
    source: str
    paragraph: int
    date: str | None = None


@dataclass(frozen=True)
class Passage:
    """One retrieved paragraph (or part of a long paragraph) with its fused score."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float
    date: str | None = None
    dense_rank: int | None = None
    keyword_rank: int | None = None
    also_in: tuple[Reference, ...] = ()
    copies: tuple[Passage, ...] = field(default=(), compare=False, repr=False)  # the folded near-duplicates


@dataclass(frozen=True)
class Citation:
    """A claim's source: the exact words (`quote`) at `start:end` of the article's text."""

    n: int
    article_id: str
    title: str
    source: str
    paragraph: int
    quote: str
    start: int
    end: int
    score: float
    date: str | None = None
    paragraph_text: str = ""
    paragraph_start: int = 0
    also_in: tuple[Reference, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """A short answer whose sentences end with citation markers `[n]`.

    An abstention ("the articles don't say") is a normal Answer with `abstained=True`
    whose citations are the nearest passages, offered for the reader to check.
    `passages` are the retrieved passages, reordered so the best evidence comes first.
    """

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    standalone_question: str = ""
    passages: tuple[Passage, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class ArticleInfo:
    """An indexed article as listed in the catalog."""

    article_id: str
    title: str
    source: str
    date: str | None
    url: str | None
    paragraphs: int
    chunks: int


@dataclass(frozen=True)
class ParagraphSpan:
    """Where paragraph `n` sits in an article's text, and whether it was indexed."""

    n: int
    start: int
    end: int
    indexed: bool


@dataclass(frozen=True)
class ArticleView:
    """A whole article for reading: its decoded text and its paragraph spans."""

    info: ArticleInfo
    text: str
    paragraphs: tuple[ParagraphSpan, ...]
