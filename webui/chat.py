"""The chat turn: stream the answer as it is written, then replace it with the verified answer and its sources."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from qa.errors import QAError
from qa.types import Answer
from webui import render

log = logging.getLogger(__name__)


class Asks(Protocol):
    """The part of `qa.Assistant` the chat needs."""

    def ask(
        self, question: str, history: Sequence[Any] | None = None, *, top_k: int | None = None, mode: str | None = None
    ) -> Answer: ...

    def ask_stream(
        self,
        question: str,
        history: Sequence[Any] | None = None,
        *,
        top_k: int | None = None,
        mode: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[str | Answer]: ...


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
    window: dict[str, str | None] | None = None,
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], str | None, str]]:
    """One chat turn as a stream of (chat, turns, sources panel or None to keep it, textbox).

    Text arrives as the answerer writes it and is shown as unchecked; the verified answer
    then replaces it. `turns` holds every earlier answer as `Answer.to_dict()`: they are the
    conversation's history, and their citations feed the sources panel.
    """
    chat = list(chat or [])
    turns = list(turns or [])
    question = (question or "").strip()
    if not question:
        return
    chat.append({"role": "user", "content": render.question_html(question)})
    chat.append({"role": "assistant", "content": render.pending_html()})
    yield list(chat), list(turns), None, ""

    history = [{"question": t["question"], "answer": t.get("answer")} for t in turns if t.get("question")]
    written = ""
    answer: Answer | None = None
    try:
        stream = assistant.ask_stream(
            question, history, top_k=int(top_k) if top_k else None, mode=mode or None, **(window or {})
        )
        for piece in stream:
            if isinstance(piece, Answer):
                answer = piece
                continue
            written += piece
            chat[-1] = {"role": "assistant", "content": render.unchecked_html(written)}
            yield list(chat), list(turns), None, ""
    except Exception as exc:  # any failure becomes a short chat message; the app keeps running
        if isinstance(exc, QAError):
            log.warning("question %r: %s", question[:200], exc)
        else:
            log.exception("answering %r failed", question[:200])
        chat[-1] = {"role": "assistant", "content": render.notice_html(error_message(exc), "error")}
        yield list(chat), list(turns), None, ""
        return
    assert answer is not None
    turn = answer.to_dict()
    chat[-1] = {"role": "assistant", "content": render.answer_html(turn, len(turns))}
    turns.append(turn)
    yield list(chat), list(turns), render.sources_html(turns), ""


def ask_api(
    assistant: Asks, question: str, history: Sequence[Any] | None = None, top_k: int | None = None
) -> dict[str, Any]:
    """The client API's answer, `Answer.to_dict()`; errors propagate for the caller to translate."""
    return assistant.ask(question, list(history or []), top_k=top_k or None).to_dict()
