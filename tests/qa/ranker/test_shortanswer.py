"""Short answers: the candidate phrases a sentence offers, by the kind of question."""

from __future__ import annotations

from qa.language.names import Names
from qa.language.question import analyze
from qa.ranker.shortanswer import candidates, describe
from qa.types import Query

SENTENCE = (
    "On 24 August, the ISIS Amaq news agency released a statement claiming responsibility and announcing "
    "that 21 members of Haftar’s militias had been killed."
)


def phrases(question: str, sentence: str = SENTENCE) -> dict[str, str]:
    analysed = analyze(Query(question, question, question), Names.load())
    found = candidates(analysed, sentence)
    describe(analysed, sentence, found)
    assert all(sentence[p.start : p.end] == p.text for p in found)  # spans of the sentence, exactly
    return {p.text: p.shape for p in found}


def test_dates_numbers_and_names_are_offered_by_shape():
    found = phrases("Who claimed responsibility?")
    assert found["24 August"] == "date" and found["21 members"] == "number"
    assert found["ISIS Amaq"] == "name" and "Amaq news agency" in found


def test_the_questions_own_words_are_not_an_answer():
    found = phrases("When did the Amaq news agency release a statement?")
    assert "Amaq news agency" not in found and "statement" not in found
    assert "24 August" in found


def test_a_trailing_function_word_is_not_part_of_a_phrase():
    assert "21 members of" not in phrases("How many members were killed?")


def test_a_month_alone_is_not_a_name():
    assert "August" not in phrases("Who claimed responsibility?")


def test_each_phrase_is_described_for_the_model():
    analysed = analyze(Query("Who claimed it?", "Who claimed it?", "Who claimed it?"), Names.load())
    found = candidates(analysed, SENTENCE)
    describe(analysed, SENTENCE, found)
    amaq = next(p for p in found if p.text == "ISIS Amaq")
    assert amaq.features["who_name"] == 1.0 and amaq.features["shape_name"] == 1.0
    assert 0 <= amaq.features["near"] <= 1 and amaq.features["overlap"] == 0.0
