"""One chat turn with the real Assistant: streamed text, sources at the end, errors as short messages."""

from __future__ import annotations

import logging

import pytest

from qa import Assistant
from webui import chat


@pytest.fixture
def empty_assistant(make_assistant) -> Assistant:
    return make_assistant()


def test_the_answer_streams_then_the_sources_follow(sample):
    frames = list(chat.respond(sample, "How many people were beheaded at the al-Fugaha checkpoint?", [], []))

    texts = [frame[0][-1]["content"] for frame in frames]
    assert "Searching" in texts[0]
    assert any("unchecked" in t for t in texts[1:-1])  # the text as written, before it is checked
    assert "unchecked" not in texts[-1]
    assert all(frame[2] is None for frame in frames[:-1])  # sources only at the end
    chat_value, turns, sources, box = frames[-1]
    assert [m["role"] for m in chat_value] == ["user", "assistant"]
    assert len(turns) == 1 and turns[0]["question"] == "How many people were beheaded at the al-Fugaha checkpoint?"
    assert sources and box == ""


def test_an_error_while_answering_is_a_short_chat_message_and_is_logged(empty_assistant, caplog):
    caplog.set_level(logging.WARNING, logger="webui.chat")

    frames = list(chat.respond(empty_assistant, "Who claimed it?", [], [], mode="no-such-mode"))

    chat_value, turns, sources, _ = frames[-1]
    assert 'class="notice error"' in chat_value[-1]["content"]
    assert "no-such-mode" in chat_value[-1]["content"]
    assert turns == [] and sources is None
    assert any("no-such-mode" in r.getMessage() for r in caplog.records)


def test_an_empty_question_does_nothing(empty_assistant):
    assert list(chat.respond(empty_assistant, "   ", [], [])) == []


def test_an_over_long_question_gets_the_api_s_message_not_a_silent_cut(empty_assistant):
    limit = empty_assistant.intake.max_question_chars
    frames = list(chat.respond(empty_assistant, "Who claimed the attack? " * 60, [], []))
    chat_value, turns, _, _ = frames[-1]
    assert "Who claimed the attack? " * 2 in chat_value[0]["content"]  # the question is shown whole
    assert f"over the {limit:,} limit" in chat_value[-1]["content"] and turns == []
