"""Question analysis: the one question-type classifier, key terms, variants, the predicate."""

from __future__ import annotations

import pytest

from qa.language.names import Names
from qa.language.question import analyze, kind_of
from qa.types import Query

CORPUS_NAMES = {"FKH": ["fugaha", "fuqaha"], "AKL": ["uqaylah"], "SRT": ["sirte"]}


def test_question_terms_carry_variants_aliases_and_the_predicate():
    names = Names.load(corpus_names=CORPUS_NAMES)
    text = "Who claimed the Fuqaha attack by IS?"
    question = analyze(Query(text, text, text), names)
    by_text = {t.text: t for t in question.terms}
    assert {"fugaha", "fuqaha"} <= by_text["Fuqaha"].stems
    assert by_text["IS"].found_in(set(), "the Islamic State group")
    assert question.predicate.text == "claimed" and question.kind == "who"


def test_words_borrowed_from_an_earlier_question_are_not_focus():
    names = Names.load()
    query = Query("How many were killed?", "How many were killed? (following: Who attacked Uqaylah?)",
                  "How many were killed?", "Who attacked Uqaylah")  # fmt: skip
    terms = {t.text: t for t in analyze(query, names).terms}
    assert terms["killed"].focus and not terms["Uqaylah"].focus


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many people were beheaded?", "how many"),
        ("What number of fighters fled?", "how many"),
        ("When did Amaq release the video?", "when"),
        ("In what year was it founded?", "when"),
        ("Which group claimed it?", "who"),
        ("Which militia controls the gate?", "who"),
        ("Whose fighters were killed?", "who"),
        ("Where is the checkpoint?", "where"),
        ("Which country hosted the summit?", "where"),
        ("The leader of which country said the talks failed?", "where"),
        ("What did the man who fled say?", "what"),
        ("Why was the station burned?", "why"),
        ("Name the emir.", "what"),
    ],
)
def test_one_classifier_gives_each_question_its_type(question, expected):
    assert kind_of(question) == expected
