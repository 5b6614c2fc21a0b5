"""Follow-up questions: resolving "it", "them" and friends against earlier questions."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PRONOUN = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|this|that|these|those|there)\b", re.I)
_NEUTER = re.compile(r"\b(it|this|that)\b(?!\s+(?:is|was|has)\b)", re.I)
_OPENING = re.compile(
    r"^\s*(who|whom|whose|what|when|where|which|why|how(\s+(many|much|long|often|far))?)\b"
    r"(\s+\w+)?(\s+(did|does|do|was|were|is|are|has|have|had|will|would|can|could))?\s*",
    re.I,
)
_ARTICLE = re.compile(r"\b(the|a|an)\b\s+", re.I)


def needs_context(question: str) -> bool:
    """A question leaning on earlier ones: it has a pronoun, or almost no words of its own."""
    words = re.findall(r"\w+", question)
    return bool(_PRONOUN.search(question)) or len(words) <= 2


@dataclass(frozen=True)
class Resolved:
    """A question made to stand on its own; `context` is the earlier question it leans on."""

    text: str
    own: str
    context: str | None = None


def resolve(question: str, history: list[str] | None) -> Resolved:
    """Use the latest earlier question: put its topic in for "it", or keep it as context."""
    question = question.strip()
    if not history or not needs_context(question):
        return Resolved(question, question)
    previous = history[-1].strip().rstrip("?").strip()
    topic = topic_of(previous)
    if (
        topic
        and _NEUTER.search(question)
        and not re.search(r"\b(they|them|their|he|she|him|his|her)\b", question, re.I)
    ):
        rewritten = _NEUTER.sub(topic, question, count=1)
        return Resolved(rewritten, rewritten, previous)
    return Resolved(f"{question.rstrip('?')}? (following: {previous}?)", question, previous)


def topic_of(question: str) -> str | None:
    """The object of "wh-word + verb + object": "who claimed the Fugaha attack" -> "the Fugaha attack".

    None when the question has another shape (its topic is then kept as context instead).
    """
    match = _OPENING.match(question)
    if not match or match.group(6) or not match.group(4):
        return None
    if match.group(4).strip().lower() in _AUX_WORDS:
        return None
    rest = question[match.end() :]
    article = _ARTICLE.match(rest)
    return rest.strip() if article else None


_AUX_WORDS = {"did", "does", "do", "was", "were", "is", "are", "has", "have", "had", "will", "would", "can", "could"}
