"""The llm answerer: numbered, fenced sources within a token budget, a model's answer streamed back.

The model is told to answer only from the sources and to put `[n]` after every claim;
whatever it writes, the verify stage checks each sentence before anyone calls it an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from qa.answerers import Draft
from qa.citations import MARKER
from qa.conversation import Rewriter
from qa.llm.model import LanguageModel, ModelError
from qa.templates import Prompts
from qa.types import Passage, Query, Turn

# What the system prompt tells the model to say when the sources do not answer.
REFUSAL = re.compile(r"^\W*(the )?(articles|sources) (don'?t|do not) say\b", re.I)
_FENCE = re.compile(r"<(\s*/?\s*source\b)", re.I)


class LLMAnswerer:
    """Answers with a language model, from the best passages that fit the token budget."""

    name = "llm"
    rewrites_follow_ups = True

    def __init__(self, model: LanguageModel, prompts: Prompts, *, context_tokens: int = 1200) -> None:
        self.model = model
        self.prompts = prompts
        self.context_tokens = context_tokens

    def stream(self, query: Query, passages: Sequence[Passage]) -> Iterator[str | Draft]:
        sources = self.select(passages)
        user = self.prompts.render("answer_user", sources=self.render_sources(sources), question=query.text)
        written = ""
        try:
            for piece in self.model.stream(self.prompts.template("answer_system"), user):
                written += piece
                yield piece
        except ModelError as exc:
            yield Draft(written, sources, model=self.model.name, failure=str(exc))
            return
        text = written.strip()
        failure = None
        if not re.search(r"[^\W\d_]{2}", MARKER.sub("", text)):
            failure = "The model returned an empty answer" if not text else "The model's answer could not be read"
        elif REFUSAL.match(text):
            failure = "The model found no answer in the sources"
        yield Draft(text, sources, model=self.model.name, failure=failure)

    def select(self, passages: Sequence[Passage]) -> tuple[Passage, ...]:
        """The passages sent to the model: best evidence first, as many as the budget holds (at least one)."""
        chosen: list[Passage] = []
        used = 0
        for passage in passages:
            cost = self.model.count_tokens(passage.title) + self.model.count_tokens(passage.text) + 12
            if chosen and used + cost > self.context_tokens:
                continue
            chosen.append(passage)
            used += cost
        return tuple(chosen)

    def render_sources(self, sources: Sequence[Passage]) -> str:
        """Each source numbered and fenced as data: its title, date, paragraph number and text, all inside."""
        return "\n\n".join(
            self.prompts.render(
                "source",
                n=n,
                title=_fenced(" ".join(p.title.split())),  # one line: a title cannot forge a header line
                date=_fenced(" ".join((p.date or "undated").split())),
                paragraph=p.paragraph,
                text=_fenced(p.text),
            )
            for n, p in enumerate(sources, start=1)
        )


def follow_up_rewriter(model: LanguageModel, prompts: Prompts, turns: int = 3, answer_chars: int = 400) -> Rewriter:
    """A condense-stage rewriter: the model makes the latest question stand alone, given the last `turns`
    exchanges of the conversation (each answer cut at `answer_chars`)."""

    def rewrite(question: str, history: Sequence[Turn]) -> str:
        lines = []
        for turn in history[-turns:]:
            lines.append(f"User: {turn.question}")
            if turn.answer:
                answer = " ".join(MARKER.sub("", turn.answer).split())
                lines.append(f"Assistant: {answer[:answer_chars]}")
        reply = model.complete("", prompts.render("condense", history="\n".join(lines), question=question))
        first = reply.strip().splitlines()[0] if reply.strip() else ""
        return first.strip().strip('"“”').strip()

    return rewrite


def _fenced(text: str) -> str:
    """Article words (text, title, date) that cannot close (or open) the fence around them."""
    return _FENCE.sub(r"‹\1", text)
