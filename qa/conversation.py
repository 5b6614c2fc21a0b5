"""Follow-up questions: resolving "it", "them" and friends against earlier questions."""

from __future__ import annotations

import re

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


def standalone(question: str, history: list[str] | None) -> str:
    """The question made readable on its own, using the latest earlier question's topic."""
    question = question.strip()
    if not history or not needs_context(question):
        return question
    previous = history[-1].strip().rstrip("?").strip()
    topic = topic_of(previous)
    if topic and _NEUTER.search(question) and not re.search(r"\b(they|them|their|he|she|him|his|her)\b", question, re.I):
        return _NEUTER.sub(topic, question, count=1)
    return f"{question.rstrip('?')}? (following: {previous}?)"


def topic_of(question: str) -> str:
    """The noun phrase a question is about: "who claimed the Fugaha attack" -> "the Fugaha attack"."""
    rest = _OPENING.sub("", question, count=1)
    article = _ARTICLE.search(rest)
    if article:
        return rest[article.start() :].strip()
    return rest.strip()
