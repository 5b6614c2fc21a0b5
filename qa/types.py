"""The values the assistant hands out and its stages pass along: queries, passages, answers, citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SUPPORTED = "supported"
RECITED = "re-cited"
UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Turn:
    """An earlier exchange of the conversation: the question, and the answer when known."""

    question: str
    answer: str | None = None


@dataclass(frozen=True)
class Query:
    """A question made to stand on its own (the condense stage's output).

    `text` is what is searched and answered; `own` is the question's own wording, and
    `context` the earlier question it leans on, if any.
    """

    question: str
    text: str
    own: str
    context: str | None = None


@dataclass(frozen=True)
class Reference:
    """Another article that carries (nearly) the same paragraph as a cited one."""

    article_id: str
    title: str
    source: str
    paragraph: int
    date: str | None = None
    url: str | None = None

    @property
    def outlet(self) -> str:
        return outlet(self.source, self.url)


def outlet(source: str, url: str | None) -> str:
    """Where an article comes from, for a reader: its URL's domain, else its file name."""
    if url and "://" in url:
        host = url.split("://", 1)[1].split("/", 1)[0].split("@")[-1].split(":")[0]
        return host.removeprefix("www.")
    return source.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Evidence:
    """A sentence of a passage (`passage.text[start:end]`), scored as an answer to the question.

    `support` is the evidence strength (0-1) that decides abstention; `score` orders
    sentences of one question. `short` is the phrase that answers it, if one was found, and
    `companions` are sentences to quote with it (one naming its subject, say).
    """

    start: int
    end: int
    score: float
    support: float
    short: tuple[int, int] | None = None
    companions: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Passage:
    """One retrieved paragraph (or part of a long paragraph), with its fused score and evidence."""

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
    sentences: tuple[Evidence, ...] = field(default=(), compare=False, repr=False)  # best first
    neighbour: bool = False  # read because it sits beside a retrieved paragraph
    url: str | None = None
    sentence_spans: tuple[tuple[int, int], ...] = field(default=(), compare=False, repr=False)  # found at ingest
    sentence_vectors: Any = field(default=None, compare=False, repr=False)  # one unit vector per sentence

    @property
    def support(self) -> float:
        return self.sentences[0].support if self.sentences else 0.0


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
    url: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["outlet"] = outlet(self.source, self.url)
        for ref, row in zip(self.also_in, data["also_in"], strict=True):
            row["outlet"] = ref.outlet
        return data


@dataclass(frozen=True)
class ShortAnswer:
    """The phrase that answers the question (a name, date, number or place): `text` is exactly
    the article's text at `start:end`, inside the quote of citation `n`."""

    text: str
    n: int
    start: int
    end: int


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer and the verifier's verdict on it.

    `verdict` is "supported", "re-cited" (supported by another retrieved paragraph than the
    one the writer cited, and now cited to it) or "unsupported". `citations` are the
    markers it carries after verification; `support` is the agreement found (0-1), and
    `reason` says what failed, for an unsupported sentence.
    """

    text: str
    citations: tuple[int, ...]
    verdict: str
    support: float = 0.0
    reason: str = ""

    @property
    def supported(self) -> bool:
        return self.verdict != UNSUPPORTED


@dataclass(frozen=True)
class Answer:
    """A short answer whose sentences end with citation markers `[n]`.

    An abstention ("the articles don't say") is a normal Answer with `abstained=True`
    whose citations are the nearest passages, offered for the reader to check.
    `passages` are the retrieved passages, best evidence first. `claims` carry the
    verifier's verdict on each sentence; `notice` is a one-line remark for the reader
    (a fallback, an ingest under way); `model` names the language model that wrote it.
    """

    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    standalone_question: str = ""
    passages: tuple[Passage, ...] = field(default=(), compare=False)
    mode: str = "extractive"
    model: str | None = None
    claims: tuple[Claim, ...] = ()
    notice: str | None = None
    fallback: bool = False
    question_type: str = "what"
    short_answer: ShortAnswer | None = None
    support: float = 0.0  # the calibrated probability that the best evidence answers the question

    @property
    def unsupported(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if not c.supported)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "mode": self.mode,
            "model": self.model,
            "claims": [{**asdict(c), "citations": list(c.citations)} for c in self.claims],
            "unsupported": [c.text for c in self.unsupported],
            "notice": self.notice,
            "fallback": self.fallback,
            "question_type": self.question_type,
            "short_answer": asdict(self.short_answer) if self.short_answer else None,
            "support": self.support,
        }


@dataclass(frozen=True)
class Intake:
    """What an assistant accepts, for a front end to show and enforce: file types, file size, question length."""

    file_types: tuple[str, ...]
    max_file_bytes: int
    max_question_chars: int

    @property
    def max_file_mb(self) -> float:
        return self.max_file_bytes / (1024 * 1024)


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
    story: str | None = None  # articles that are copies of one report share a story


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
