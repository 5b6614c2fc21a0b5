"""The retrieve stage alone: fusion, near-duplicate folding, neighbours, the question's type."""

from __future__ import annotations

import numpy as np

from qa.language.names import Names
from qa.ranker.rerank import Reranker
from qa.retrieval import Retriever, Window, group_duplicates
from qa.types import Passage, Query

TEXTS = {
    "a1": ("A", 1, "The LNA said its forces killed 13 ISIS fighters near Uqaylah."),
    "a2": ("A", 2, "ISIS fighters attacked the Uqaylah police station on 24 July."),
    "b1": ("B", 1, "ISIS fighters attacked the Uqaylah police station on 24 July!"),
    "c1": ("C", 1, "Oil exports from Ras Lanuf rose in August."),
}


def passage(cid: str) -> Passage:
    article, paragraph, text = TEXTS[cid]
    return Passage(cid, article, f"Story {article}", f"/{article}.txt", paragraph, 0, len(text), text, 0.0)


def retriever(dense, keyword, **settings) -> Retriever:
    from qa.config import RetrievalSettings

    return Retriever(
        encode=lambda text: np.ones(4) / 2,
        dense=lambda vector, k, window: dense,
        keyword=lambda tokens, k: keyword,
        lookup=lambda ids, window: {cid: passage(cid) for cid in ids if cid in TEXTS},
        neighbours=lambda p: [f"{p.article_id.lower()}{p.paragraph + d}" for d in (-1, 1)],
        names=Names.load,
        reranker=Reranker(lambda term: 1.0),
        settings=RetrievalSettings(**settings),
    )


def ask(text: str) -> Query:
    return Query(text, text, text)


def test_a_chunk_both_rankings_find_is_fused_first():
    stage = retriever([("c1", 0.9), ("a2", 0.8)], [("a2", 5.0), ("a1", 4.0)], neighbours=False)
    question, found, vector = stage.gather(ask("Who attacked the station?"), 3)
    assert found[0].chunk_id == "a2"
    assert (found[0].dense_rank, found[0].keyword_rank) == (2, 1)
    assert vector.shape == (4,) and question.kind == "who"


def test_the_date_window_reaches_both_searches():
    seen = []
    stage = Retriever(
        encode=lambda text: np.ones(4) / 2,
        dense=lambda vector, k, window: seen.append(("dense", window)) or [("a2", 0.9)],
        keyword=lambda tokens, k: [],
        lookup=lambda ids, window: seen.append(("lookup", window)) or {c: passage(c) for c in ids if c in TEXTS},
        neighbours=lambda p: [],
        names=Names.load,
        reranker=Reranker(lambda term: 1.0),
    )
    stage.retrieve(ask("Who attacked the station?"), 3, Window(20170101, 20171231))
    assert ("dense", Window(20170101, 20171231)) in seen and ("lookup", Window(20170101, 20171231)) in seen


def test_near_duplicates_in_other_articles_fold_into_one_passage():
    folded = group_duplicates([passage("a2"), passage("b1"), passage("c1")])
    assert [p.chunk_id for p in folded] == ["a2", "c1"]
    assert [(r.article_id, r.paragraph) for r in folded[0].also_in] == [("B", 1)]


def written(article: str, text: str) -> Passage:
    return Passage(f"{article}-1", article, f"Story {article}", f"/{article}.txt", 1, 0, len(text), text, 0.0)


BUDGET = (
    "The Dunmere district number {i} approved a budget of {euros} thousand euros on Monday. The council said "
    "the money would go to roads, schools and parks. The vote followed a long debate in the town hall."
)
CLAIM = "{group} claimed the attack on the Valdora checkpoint, saying its fighters had killed the four guards there."


def test_look_alikes_stating_another_number_date_or_name_are_not_folded_as_copies():
    looks = [
        written("d42", BUDGET.format(i=42, euros=546)),
        written("d43", BUDGET.format(i=43, euros=559)),  # other numbers
        written("d42-tuesday", BUDGET.format(i=42, euros=546).replace("Monday", "Tuesday")),  # another day
        written("greenpeace", CLAIM.format(group="Greenpeace")),
        written("hamas", CLAIM.format(group="Hamas")),  # another name
    ]
    folded = group_duplicates(looks, names=Names.load())
    assert [p.article_id for p in folded] == ["d42", "d43", "d42-tuesday", "greenpeace", "hamas"]
    assert all(not p.also_in for p in folded)


def test_copies_naming_one_group_by_two_of_its_aliases_still_fold():
    copies = [written("a", CLAIM.format(group="ISIS")), written("b", CLAIM.format(group="IS"))]
    [report] = group_duplicates(copies, names=Names.load())
    assert [r.article_id for r in report.also_in] == ["b"]


def test_a_limit_keeps_the_first_reports_and_still_folds_later_copies_into_them():
    folded = group_duplicates([passage("a2"), passage("c1"), passage("a1"), passage("b1")], limit=2)
    assert [p.chunk_id for p in folded] == ["a2", "c1"]
    assert [(r.article_id, r.paragraph) for r in folded[0].also_in] == [("B", 1)]


def test_neighbouring_paragraphs_are_read_and_flagged():
    found = retriever([("a2", 0.9)], [], top_k=1).retrieve(ask("Who attacked the Uqaylah police station?"))
    flags = {p.chunk_id: p.neighbour for p in found.passages}
    assert flags == {"a2": False, "a1": True}
    assert found.kind == "who"


def test_neighbours_can_be_switched_off():
    found = retriever([("a2", 0.9)], [], top_k=1, neighbours=False).retrieve(ask("Who attacked the station?"))
    assert [p.chunk_id for p in found.passages] == ["a2"]


def test_passages_come_back_best_evidence_first():
    found = retriever([("c1", 0.9), ("a1", 0.8)], [], top_k=2, neighbours=False).retrieve(
        ask("How many ISIS fighters did the LNA kill?")
    )
    assert found.passages[0].chunk_id == "a1" and found.support > found.passages[1].support
