"""Abstention, shared by every answerer: when the evidence is too weak, say so and show the nearest passages."""

from __future__ import annotations

from collections.abc import Sequence

from qa.citations import cite
from qa.config import AnswerSettings
from qa.templates import Prompts
from qa.types import Answer, Citation, Passage, Query


def should_abstain(passages: Sequence[Passage], min_support: float) -> bool:
    """True when no sentence of any passage supports an answer strongly enough."""
    return max((p.support for p in passages), default=0.0) < min_support


def abstain(
    query: Query,
    passages: Sequence[Passage],
    prompts: Prompts,
    *,
    kind: str = "what",
    indexing: str | None = None,
    settings: AnswerSettings | None = None,
) -> Answer:
    """'The articles don't say ...', citing the nearest passages' best sentences.

    While articles are still being indexed (`indexing` says how far), it says so instead:
    what is not indexed yet may well answer the question.
    """
    settings = settings or AnswerSettings()
    retrieved = [p for p in passages if not p.neighbour]
    citations: list[Citation] = []
    for passage in retrieved[: settings.nearest]:
        best = passage.sentences[0] if passage.sentences else None
        span = (best.start, best.end) if best else (0, len(passage.text))
        citations.append(cite(len(citations) + 1, passage, span, best.score if best else 0.0))
    topic = topic_of(query.own, settings.topic_chars)  # its own words, without the earlier question it leans on
    if indexing:
        text = prompts.render("abstain_indexing", topic=topic, progress=indexing)
    elif citations:
        text = prompts.render("abstain", topic=topic, markers=" ".join(f"[{c.n}]" for c in citations))
    else:
        text = prompts.render("abstain_empty", topic=topic)
    return Answer(
        question=query.question,
        text=text,
        abstained=True,
        citations=tuple(citations),
        standalone_question=query.text,
        passages=tuple(retrieved),
        question_type=kind,
        support=round(max((p.support for p in passages), default=0.0), 4),
    )


def topic_of(question: str, most: int) -> str:
    """'How many people live in Sirte?' -> 'how many people live in Sirte' (cut past `most` characters)."""
    text = " ".join(question.split()).rstrip("?.! ")
    if len(text) > most:
        text = text[:most].rsplit(" ", 1)[0] + " …"
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
