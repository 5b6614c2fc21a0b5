"""The chat turn: ask the assistant, stream the answer into the chat, then show its sources."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from qa.errors import QAError
from qa.types import Answer
from webui import render

log = logging.getLogger(__name__)

# Pause between streamed chunks: long enough to read as typing, short enough not to slow anyone.
STREAM_DELAY = 0.03
_CHUNK = re.compile(r"\S+\s*")


class Asks(Protocol):
    """The part of `qa.Assistant` the chat needs."""

    def ask(
        self, question: str, history: list[str] | None = None, *, top_k: int | None = None, mode: str | None = None
    ) -> Answer: ...


def _chunks(text: str, words: int = 3) -> Iterator[str]:
    """Growing prefixes of `text`, a few words at a time."""
    pieces = _CHUNK.findall(text)
    for i in range(words, len(pieces) + words, words):
        yield "".join(pieces[:i])


def error_message(exc: BaseException) -> str:
    """What the person sees when answering fails; the details go to the log."""
    if isinstance(exc, QAError):
        return str(exc).strip().splitlines()[0] if str(exc).strip() else "The question could not be answered."
    return "Sorry, something went wrong while answering. The error was logged; please try again."


def respond(
    assistant: Asks,
    question: str,
    chat: list[dict[str, Any]] | None,
    turns: list[dict[str, Any]] | None,
    top_k: float | None = None,
    mode: str | None = None,
    delay: float = STREAM_DELAY,
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], str | None, str]]:
    """One chat turn as a stream of (chat, turns, sources panel or None to keep it, textbox).

    `turns` holds every earlier answer as `Answer.to_dict()`: its questions are the follow-up
    history, its citations feed the sources panel.
    """
    chat = list(chat or [])
    turns = list(turns or [])
    question = (question or "").strip()
    if not question:
        return
    chat.append({"role": "user", "content": question})
    chat.append({"role": "assistant", "content": '<div class="answer pending">Searching the articles…</div>'})
    yield list(chat), list(turns), None, ""

    history = [t["question"] for t in turns if t.get("question")]
    try:
        answer = assistant.ask(question, history, top_k=int(top_k) if top_k else None, mode=mode or None)
    except Exception as exc:  # any failure becomes a short chat message; the app keeps running
        if isinstance(exc, QAError):
            log.warning("question %r: %s", question, exc)
        else:
            log.exception("answering %r failed", question)
        chat[-1] = {"role": "assistant", "content": render.notice_html(error_message(exc), "error")}
        yield list(chat), list(turns), None, ""
        return

    turn = len(turns)
    numbers = [c.n for c in answer.citations]
    for partial in _chunks(answer.text):
        chat[-1] = {
            "role": "assistant",
            "content": render.answer_html(partial, turn, (), abstained=answer.abstained),
        }
        yield list(chat), list(turns), None, ""
        time.sleep(delay)
    chat[-1] = {
        "role": "assistant",
        "content": render.answer_html(answer.text, turn, numbers, abstained=answer.abstained),
    }
    turns.append(answer.to_dict())
    yield list(chat), list(turns), render.sources_html(turns), ""


def ask_api(
    assistant: Asks, question: str, history: Sequence[str] | None = None, top_k: int | None = None
) -> dict[str, Any]:
    """The client API's answer, `Answer.to_dict()`; errors propagate for the caller to translate."""
    return assistant.ask(question, list(history or []), top_k=top_k or None).to_dict()
