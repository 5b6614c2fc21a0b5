"""The condense stage: a follow-up question ("Who claimed it?") becomes one that stands on its own."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from index.analysis import AUXILIARIES
from index.controls import without_controls
from qa.errors import QAError
from qa.types import Answer, Query, Turn

log = logging.getLogger(__name__)

_SURROGATE = re.compile(r"[\ud800-\udfff]")

_PRONOUN = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|this|that|these|those|there)\b", re.I)
_NEUTER = re.compile(r"\b(it|this|that)\b(?!\s+(?:is|was|has)\b)", re.I)
_PERSONAL = re.compile(r"\b(they|them|their|he|she|him|his|her)\b", re.I)
_OPENING = re.compile(
    r"^\s*(who|whom|whose|what|when|where|which|why|how(\s+(many|much|long|often|far))?)\b"
    r"(\s+\w+)?(\s+(did|does|do|was|were|is|are|has|have|had|will|would|can|could))?\s*",
    re.I,
)
_ARTICLE = re.compile(r"\b(the|a|an)\b\s+", re.I)

# Rewrites a follow-up with the conversation so far (an LLM, say); returns the standalone question.
Rewriter = Callable[[str, Sequence[Turn]], str]


def plain_text(text: str, what: str = "the question") -> str:
    """`text` as one line of what a person sees: terminal escape sequences and control characters gone.

    QAError when it is not valid text: a lone surrogate is what Python makes of bytes that
    were not UTF-8 (`qa ask $'caf\\xe9'` from a Latin-1 terminal), and no tokenizer reads it.
    """
    if _SURROGATE.search(text):
        raise QAError(
            f"{what} is not valid text: it holds bytes that are not UTF-8; "
            "set the terminal (or the file it came from) to UTF-8 and type it again"
        )
    return " ".join(without_controls(text, " ").split())


def turns(history: Sequence[Any] | None) -> list[Turn]:
    """Earlier exchanges from what callers pass: questions (str), `Turn`s, answers, or dicts.

    A dict or an `Answer` gives its question and, when present, its answer text. Both are
    cleaned as a question is (`plain_text`): they reach the condense stage and the model.
    """
    found: list[Turn] = []
    for item in history or ():
        if isinstance(item, Turn):
            found.append(item)
        elif isinstance(item, str):
            found.append(Turn(item))
        elif isinstance(item, Mapping):
            found.append(Turn(str(item.get("question") or ""), _text(item.get("answer"))))
        elif isinstance(item, Answer):
            found.append(Turn(str(item.question), str(item.text)))
        else:
            raise TypeError(f"a history item must be a question (str), a Turn or an Answer, not {type(item).__name__}")
    cleaned = [Turn(plain_text(t.question, "an earlier question"), _plain_answer(t.answer)) for t in found]
    return [t for t in cleaned if t.question]


def _plain_answer(answer: str | None) -> str | None:
    """An earlier answer, cleaned; one quoting an article's stray bytes keeps its words (they are not the user's)."""
    if answer is None:
        return None
    return plain_text(_SURROGATE.sub("\ufffd", answer), "an earlier answer") or None


def needs_context(question: str) -> bool:
    """A question leaning on earlier ones: it has a pronoun, or almost no words of its own."""
    return bool(_PRONOUN.search(question)) or len(re.findall(r"\w+", question)) <= 2


class Condenser:
    """Makes the latest question stand alone, by rule or, given a `rewriter`, by a model.

    The rule uses the latest earlier question: its topic replaces "it"; otherwise the
    earlier question is kept as context (it steers the ranking, it is not asked about).
    A rewriter that fails or returns nothing usable leaves the rule's result in place.
    """

    name = "condense"

    def __init__(self, *, rewriter: Rewriter | None = None) -> None:
        self.rewriter = rewriter

    def condense(self, question: str, history: Sequence[Turn] = (), *, rewrite: bool = True) -> Query:
        """The standalone query; `rewrite=False` keeps to the rule even when a rewriter is set."""
        question = question.strip()
        if not history or not needs_context(question):
            return Query(question, question, question)
        ruled = self._by_rule(question, history[-1].question)
        if self.rewriter is None or not rewrite:
            return ruled
        try:
            rewritten = " ".join(self.rewriter(question, history).split())
        except Exception as exc:  # a model failing to rewrite must never stop the answer
            log.warning("rewriting the follow-up failed (%s); using the rule", type(exc).__name__)
            return ruled
        if not rewritten or len(rewritten) > 4 * max(len(ruled.text), 80):
            return ruled
        return Query(question, rewritten, rewritten, ruled.context)

    @staticmethod
    def _by_rule(question: str, previous: str) -> Query:
        previous = previous.strip().rstrip("?").strip()
        topic = object_of(previous)
        if topic and _NEUTER.search(question) and not _PERSONAL.search(question):
            rewritten = _NEUTER.sub(topic, question, count=1)
            return Query(question, rewritten, rewritten, previous)
        return Query(question, f"{question.rstrip('?')}? (following: {previous}?)", question, previous)


def object_of(question: str) -> str | None:
    """The object of "wh-word + verb + object": "who claimed the Fugaha attack" -> "the Fugaha attack".

    None when the question has another shape (its topic is then kept as context instead).
    """
    match = _OPENING.match(question)
    if not match or match.group(6) or not match.group(4):
        return None
    if match.group(4).strip().lower() in AUXILIARIES:
        return None
    rest = question[match.end() :]
    article = _ARTICLE.match(rest)
    return rest.strip() if article else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("answer") or value.get("text")
    return str(value) if value else None
