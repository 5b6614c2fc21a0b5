"""Abstention, shared by every answerer: the gate and the answer that shows the nearest passages."""

from __future__ import annotations

from dataclasses import replace

from qa.abstention import abstain, should_abstain
from qa.config import AnswerSettings
from qa.templates import Prompts
from qa.types import Evidence, Passage, Query


def passage(cid: str, support: float, neighbour: bool = False) -> Passage:
    text = f"Sentence of {cid}."
    p = Passage(cid, cid, f"Title {cid}", f"/{cid}.txt", 1, 0, len(text), text, 0.0, neighbour=neighbour)
    return replace(p, sentences=(Evidence(0, len(text), support, support),))


def test_the_gate_opens_only_above_the_threshold():
    assert should_abstain([passage("a", 0.3), passage("b", 0.2)], 0.4)
    assert not should_abstain([passage("a", 0.3), passage("b", 0.5)], 0.4)
    assert should_abstain([], 0.4)


def test_an_abstention_cites_the_three_nearest_retrieved_passages_not_neighbours():
    passages = [passage("n", 0.3, neighbour=True), *(passage(c, 0.2) for c in "abcd")]
    answer = abstain(
        Query("How many live in Sirte?", "How many live in Sirte?", "How many live in Sirte?"), passages, Prompts()
    )
    assert answer.abstained and answer.text.startswith("The articles don't say how many live in Sirte")
    assert [c.article_id for c in answer.citations] == ["a", "b", "c"]
    assert all(c.quote == f"Sentence of {c.article_id}." for c in answer.citations)


def test_a_follow_up_is_named_by_its_own_words_not_the_question_it_leans_on():
    query = Query("How many were killed?", "How many were killed? (following: Who attacked Uqaylah?)",
                  "How many were killed?", "Who attacked Uqaylah")  # fmt: skip
    answer = abstain(query, [passage("a", 0.2)], Prompts())
    assert answer.text.startswith("The articles don't say how many were killed.") and "Uqaylah" not in answer.text


def test_with_nothing_indexed_it_says_so():
    answer = abstain(Query("Who?", "Who?", "Who?"), [], Prompts())
    assert "no indexed passage comes close" in answer.text and answer.citations == ()


def test_a_long_question_is_not_echoed_whole():
    long = "Who " + "really " * 3000 + "won?"
    answer = abstain(Query(long, long, long), [], Prompts())
    assert len(answer.text) < AnswerSettings().topic_chars + 200
