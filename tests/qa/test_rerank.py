"""The rerank step: each sentence scored as an answer; passages reordered by their best sentence."""

from __future__ import annotations

from qa.names import Names
from qa.question import analyze
from qa.rerank import Reranker
from qa.types import Passage, Query


def passage(cid: str, text: str, title: str = "Story") -> Passage:
    return Passage(cid, cid, title, f"/{cid}.txt", 1, 0, len(text), text, 0.0)


def question(text: str):
    return analyze(Query(text, text, text), Names.load())


def test_the_sentence_with_the_terms_and_the_kind_of_answer_comes_first():
    text = ("The checkpoint lies south of Sirte. LNA spokesman Ahmed Mismari said that eleven people were "
            "beheaded at the checkpoint. The attack was condemned.")  # fmt: skip
    [scored] = Reranker(lambda t: 1.0).rerank(question("How many people were beheaded at the checkpoint?"), [passage("a", text)])
    best = scored.sentences[0]
    assert "eleven people were beheaded" in text[best.start : best.end]
    assert best.support > scored.sentences[-1].support


def test_passages_are_reordered_by_their_best_sentence():
    weak = passage("weak", "Oil exports rose in August.")
    strong = passage("strong", "ISIS claimed responsibility for the Fugaha attack.")
    ranked = Reranker(lambda t: 1.0).rerank(question("Who claimed the Fugaha attack?"), [weak, strong])
    assert [p.chunk_id for p in ranked] == ["strong", "weak"]
    assert ranked[0].support > ranked[1].support


def test_a_who_answer_brings_the_sentence_that_names_the_person():
    text = "Police arrested a former ISIS member. Anis Bujeela al-Awami purportedly joined the group in 2015."
    [scored] = Reranker(lambda t: 1.0).rerank(question("Who did the police arrest?"), [passage("a", text)])
    best = scored.sentences[0]
    assert text[best.start : best.end] == "Police arrested a former ISIS member."
    assert [text[a:b] for a, b in best.companions] == ["Anis Bujeela al-Awami purportedly joined the group in 2015."]


def test_meaning_similarity_is_blended_into_the_leading_sentences():
    text = "The governor died on Monday. Markets were calm."
    calls = []

    def similarity(query, texts):
        calls.append(texts)
        return [1.0 if "died" in t else 0.0 for t in texts]

    [scored] = Reranker(lambda t: 1.0, similarity=similarity).rerank(question("When was the governor's death?"), [passage("a", text)])
    assert calls and "died" in text[scored.sentences[0].start : scored.sentences[0].end]
