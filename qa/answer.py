"""The answer stage: answerers behind one interface, picked by name; the default quotes sentences."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from qa.citations import cite, matching_sentence
from qa.templates import Prompts
from qa.types import Citation, Passage, Query, ShortAnswer


@dataclass(frozen=True)
class Draft:
    """An answerer's answer before verification.

    `text` carries `[n]` markers. An answerer that quotes exactly gives its `citations`;
    one that writes prose (a model) leaves them empty, and marker n refers to `sources[n-1]`
    for the verifier to check. `failure` says why no answer came (the model was unreachable,
    say); the assistant then falls back to quoting.
    """

    text: str
    sources: tuple[Passage, ...] = ()
    citations: tuple[Citation, ...] = ()
    model: str | None = None
    failure: str | None = None
    short_answer: ShortAnswer | None = None


class Answerer(Protocol):
    """Turns a standalone query and the scored passages (best evidence first) into a Draft."""

    name: str
    # Whether a follow-up question is rewritten by the language model for this answerer (else by rule only):
    # a model that writes the answer may also read the conversation.
    rewrites_follow_ups: bool

    def stream(self, query: Query, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        """Text as it is written, then the finished Draft (always last)."""
        ...


class Registry:
    """Answerers by name; each is built on first use by its factory."""

    def __init__(self, factories: dict[str, Callable[[], Answerer]] | None = None) -> None:
        self._factories = dict(factories or {})
        self._built: dict[str, Answerer] = {}

    def add(self, name: str, factory: Callable[[], Answerer]) -> None:
        self._factories[name] = factory
        self._built.pop(name, None)

    def names(self) -> list[str]:
        return list(self._factories)

    def get(self, name: str) -> Answerer:
        if name not in self._built:
            self._built[name] = self._factories[name]()
        return self._built[name]

    def __contains__(self, name: str) -> bool:
        return name in self._factories


class ExtractiveAnswerer:
    """Answers with the best-supported sentence, quoted and cited, plus what it needs to stand alone.

    It quotes the top sentence of the best passage, with its companions (an earlier sentence
    naming its subject, or the next one naming who it describes), and notes other articles
    carrying the same report. No model writes anything, so every word is the articles' own.
    """

    name = "extractive"
    rewrites_follow_ups = False

    def __init__(self, prompts: Prompts | None = None) -> None:
        self.prompts = prompts or Prompts()

    def stream(self, query: Query, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        draft = self.compose(passages)
        yield draft.text
        yield draft

    def compose(self, passages: Sequence[Passage]) -> Draft:
        best_passage = next((p for p in passages if p.sentences), None)
        if best_passage is None:
            return Draft("", failure="no sentence to quote")
        best = best_passage.sentences[0]
        spans = sorted({(best.start, best.end), *best.companions})
        citations = [cite(n, best_passage, span, best.score) for n, span in enumerate(spans, start=1)]
        main = next(c for c in citations if c.start - best_passage.start == best.start)
        short = None
        if best.short is not None:
            a, b = best.short
            short = ShortAnswer(best_passage.text[a:b], main.n, best_passage.start + a, best_passage.start + b)
        # Copies published on different days: say when each was.
        dated = len({p.date for p in (best_passage, *best_passage.copies)}) > 1
        if short:  # "Eleven: “... eleven people were beheaded ...” [1]"
            body = f"{short.text}: " + " ".join(f"“{c.quote}” [{c.n}]" for c in citations)
        else:
            body = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        sentences = [body + (f" (published {best_passage.date})" if dated and best_passage.date else "")]
        if best_passage.copies:
            markers = []
            for copy in best_passage.copies:
                span = matching_sentence(copy, main.quote)
                citations.append(cite(len(citations) + 1, copy, span, best.score))
                when = f" (published {copy.date})" if dated and copy.date else ""
                markers.append(f"“{copy.title}”{when} [{citations[-1].n}]")
            sentences.append(self.prompts.render("also_reported", titles=" and ".join(markers)))
        return Draft(" ".join(sentences), sources=(best_passage,), citations=tuple(citations), short_answer=short)
