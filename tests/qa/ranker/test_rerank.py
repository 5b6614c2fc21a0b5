"""The rerank step with the shipped fitted models: sentences scored, passages reordered, a short answer found."""

from __future__ import annotations

from qa.language.names import Names
from qa.language.question import analyze
from qa.ranker.rerank import Reranker
from qa.types import Passage, Query


def passage(cid: str, text: str, title: str = "Story", date: str | None = None, paragraph: int = 3) -> Passage:
    return Passage(cid, cid, title, f"/{cid}.txt", paragraph, 0, len(text), text, 0.0, date)


def question(text: str):
    return analyze(Query(text, text, text), Names.load())


def rerank(q: str, *passages: Passage) -> list[Passage]:
    return Reranker(lambda term: 3.0).rerank(question(q), list(passages))


def test_the_sentence_that_answers_comes_first_with_probabilities_and_support():
    text = ("The checkpoint lies south of Sirte. LNA spokesman Ahmed Mismari said that eleven people were "
            "beheaded at the checkpoint. The attack was condemned.")  # fmt: skip
    [scored] = rerank("How many people were beheaded at the checkpoint?", passage("a", text))
    best = scored.sentences[0]
    assert "eleven people were beheaded" in text[best.start : best.end]
    assert all(0.0 <= e.score <= 1.0 and 0.0 <= e.support <= 1.0 for e in scored.sentences)
    assert best.score > scored.sentences[-1].score


def test_passages_are_reordered_by_their_best_sentence():
    weak = passage("weak", "Oil exports rose in August, the oil company said.")
    strong = passage("strong", "The ISIS Amaq news agency claimed responsibility for the Fugaha attack.")
    ranked = rerank("Who claimed the Fugaha attack?", weak, strong)
    assert [p.chunk_id for p in ranked] == ["strong", "weak"]
    assert ranked[0].support > ranked[1].support


def test_of_two_copies_that_say_the_same_the_more_recent_comes_first():
    text = "The ISIS Amaq news agency claimed responsibility for the Fugaha attack."
    old, new = passage("old", text, date="2017-08-24"), passage("new", text, date="2017-08-26")
    assert [p.chunk_id for p in rerank("Who claimed the Fugaha attack?", old, new)] == ["new", "old"]


def test_the_best_sentence_carries_a_short_answer_span_of_the_passage():
    text = "LNA spokesman Ahmed Mismari said that eleven people were beheaded at the checkpoint."
    [scored] = rerank("How many people were beheaded at the checkpoint?", passage("a", text))
    a, b = scored.sentences[0].short
    assert "eleven" in text[a:b]


def test_a_who_answer_brings_the_sentence_that_names_the_person():
    text = "Police arrested a former ISIS member. Anis Bujeela al-Awami purportedly joined the group in 2015."
    [scored] = rerank("Who did the police arrest?", passage("a", text))
    best = scored.sentences[0]
    assert text[best.start : best.end] == "Police arrested a former ISIS member."
    assert [text[a:b] for a, b in best.companions] == ["Anis Bujeela al-Awami purportedly joined the group in 2015."]
