"""The ranker's features, pinned on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from qa.language.names import Names
from qa.language.question import analyze
from qa.ranker.features import candidates
from qa.types import Passage, Query

BEHEADED = "The checkpoint lies south of Sirte. LNA spokesman Ahmed Mismari said that eleven people were beheaded."


def passage(text: str, *, cid: str = "a", paragraph: int = 2, title: str = "Attack near Jufra", **more) -> Passage:
    return Passage(cid, cid, title, f"/{cid}.txt", paragraph, 0, len(text), text, 0.0, **more)


def features(question: str, *passages: Passage, vector=None) -> list[dict[str, float]]:
    analysed = analyze(Query(question, question, question), Names.load())
    return [c.features for c in candidates(analysed, passages, lambda term: 1.0, vector)]


def test_term_coverage_of_the_sentence_its_neighbours_and_its_paragraph():
    first, second = features("How many people were beheaded at the checkpoint?", passage(BEHEADED))
    assert second["own"] > first["own"] > 0
    assert first["next_own"] == second["own"] and second["previous_own"] == first["own"]
    assert first["paragraph"] == second["paragraph"] == 1.0


def test_the_kind_of_answer_asked_for():
    first, second = features("How many people were beheaded?", passage(BEHEADED))
    assert (first["fit"], second["fit"]) == (0.0, 1.0)
    assert second["fit_how many"] == 1.0 and second["kind_how many"] == 1.0 and second["kind_who"] == 0.0


def test_the_question_verb_here_or_only_elsewhere():
    first, second = features("How many people were beheaded?", passage(BEHEADED))
    assert (second["predicate"], second["predicate_elsewhere"]) == (1.0, 0.0)
    assert (first["predicate"], first["predicate_elsewhere"]) == (0.0, 1.0)


def test_a_name_the_question_asks_about_missing_from_the_story():
    [f] = features("How many people live in Benghazi?", passage("Eleven people were beheaded."))
    assert f["name_missing"] == 1.0


def test_similarity_comes_from_the_sentence_vectors_pooled_at_ingest():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = passage(BEHEADED, sentence_vectors=vectors, sentence_spans=((0, 35), (36, len(BEHEADED))))
    first, second = features("How many people were beheaded?", p, vector=np.array([0.0, 1.0]))
    assert (first["similarity"], second["similarity"]) == (0.0, 1.0)
    assert second["similarity_rank"] == 1.0 and first["similarity_gap"] == 1.0
    assert first["paragraph_similarity"] == pytest.approx(2**-0.5)


def test_where_the_passage_came_from():
    retrieved = passage(BEHEADED, cid="r", dense_rank=2, keyword_rank=4)
    beside = passage("Eleven people were beheaded.", cid="n", neighbour=True)
    rows = features("How many people were beheaded?", retrieved, beside)
    assert rows[0]["dense"] == 0.5 and rows[0]["keyword"] == 0.25 and rows[0]["retrieved"] == 1.0
    assert rows[-1]["neighbour"] == 1.0 and rows[-1]["retrieved"] == 0.0


def test_a_headline_line_is_no_candidate_but_the_body_is():
    assert features("Who attacked the checkpoint?", passage("ISIS attacks checkpoint near Jufra", paragraph=1)) == []
    [body] = features("Who attacked the checkpoint?", passage("ISIS fighters attacked the checkpoint.", paragraph=1))
    assert body["own"] > 0
