"""The condense stage: follow-ups become standalone questions, by rule or by a rewriter."""

from __future__ import annotations

import pytest

from qa import QAError
from qa.conversation import Condenser, object_of, turns
from qa.types import Answer, Turn


def test_history_is_cleaned_of_control_characters_and_escape_sequences():
    [first, second] = turns(["who\x00 claimed the\x1b[1m Fugaha attack?\x1b[0m", {"question": "\x1b[2J", "answer": "x"},
                             {"question": "when?", "answer": "On 23\x07 August [1].\x1b]0;t\x07"}])  # fmt: skip
    assert first == Turn("who claimed the Fugaha attack?")
    assert second == Turn("when?", "On 23 August [1].")


def test_an_earlier_question_that_is_not_valid_text_is_refused():
    with pytest.raises(QAError, match="an earlier question is not valid text"):
        turns(["caf\udce9?"])


def test_follow_up_pronoun_takes_the_earlier_topic():
    assert object_of("who claimed the Fugaha attack") == "the Fugaha attack"
    query = Condenser().condense("When did it happen?", [Turn("who claimed the Fugaha attack?")])
    assert query.text == "When did the Fugaha attack happen?"


def test_a_personal_pronoun_keeps_the_earlier_question_as_context():
    query = Condenser().condense(
        "How many of them did the LNA kill?", [Turn("Who attacked the Uqaylah police station?")]
    )
    assert query.context == "Who attacked the Uqaylah police station" and query.own.startswith("How many of them")
    assert "Uqaylah" in query.text


def test_a_self_contained_question_ignores_history():
    query = Condenser().condense("How many people live in Sirte?", [Turn("who claimed the Fugaha attack?")])
    assert query.text == "How many people live in Sirte?" and query.context is None


def test_a_rewriter_sees_questions_and_answers_and_its_result_is_used():
    seen = []

    def rewriter(question, history):
        seen.append((question, history))
        return "How many people did ISIS behead at the Fugaha checkpoint?"

    history = [Turn("who claimed the Fugaha attack?", "ISIS's Amaq agency claimed it [1].")]
    query = Condenser(rewriter=rewriter).condense("How many did they behead?", history)
    assert query.text == "How many people did ISIS behead at the Fugaha checkpoint?"
    assert seen[0][1][0].answer.startswith("ISIS")


@pytest.mark.parametrize("result", [RuntimeError("server down"), ""])
def test_a_failing_or_empty_rewriter_falls_back_to_the_rule(result):
    def rewriter(question, history):
        if isinstance(result, Exception):
            raise result
        return result

    query = Condenser(rewriter=rewriter).condense("When did it happen?", [Turn("who claimed the Fugaha attack?")])
    assert query.text == "When did the Fugaha attack happen?"


def test_history_accepts_questions_answers_and_dicts():
    answer = Answer(question="Who claimed it?", text="Amaq [1].", abstained=False)
    found = turns(["Where?", answer, {"question": "When?", "answer": "In August [2]."}, "  "])
    assert found == [Turn("Where?"), Turn("Who claimed it?", "Amaq [1]."), Turn("When?", "In August [2].")]
    with pytest.raises(TypeError):
        turns([42])
