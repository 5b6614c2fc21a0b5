"""The answer stage: answerers behind one interface (`Answerer`, giving a `Draft`), picked by name (`Registry`).

`extractive` (the default) quotes the articles' sentences; `llm` has a language model write the
answer from numbered sources, for the verify stage to check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

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
