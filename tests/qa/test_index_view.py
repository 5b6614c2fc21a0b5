"""The index as `qa` sees it (`qa.index_view`): dense and keyword search, passages and articles by id, names, idf,
similarity."""

from __future__ import annotations

import pytest

from index.analysis import stem, tokenize
from qa.errors import QAError
from qa.language.question import Term
from qa.retrieval import Window

AMAQ = "On 24 August, the ISIS Amaq news agency released a statement claiming responsibility"


def test_dense_and_keyword_search_rank_chunk_ids_and_lookups_give_exact_passages(sample):
    view = sample.index_view
    dense = view.dense(view.encode(AMAQ), 5, Window())
    keyword = view.keyword(tokenize("Amaq statement responsibility"), 3)
    assert len(dense) == 5 and all(isinstance(cid, str) and -1.0 <= score <= 1.0 for cid, score in dense)
    assert keyword and keyword[0][0] in {cid for cid, _ in dense}
    passages = view.lookup([keyword[0][0]])
    passage = passages[keyword[0][0]]
    assert passage.article_id == "002_87556d76f135b60a" and AMAQ in passage.text
    article = sample.article(passage.article_id).text
    assert article[passage.start : passage.end] == passage.text and passage.score == 0.0


def test_a_date_window_leaves_out_passages_not_known_to_fall_in_it(sample):
    view = sample.index_view
    [(cid, _)] = view.keyword(tokenize("Amaq statement responsibility"), 1)
    assert view.lookup([cid])[cid].date is None  # the sample articles carry no date
    assert view.lookup([cid], Window(20170801, 20170831)) == {}


def test_neighbours_names_idf_and_similarity(sample):
    view = sample.index_view
    [(cid, _)] = view.keyword(tokenize("Amaq statement responsibility"), 1)
    passage = view.lookup([cid])[cid]
    assert all(n != cid for n in view.neighbours(passage)) and view.neighbours(passage)
    assert view.names() is view.names()  # cached until the catalog changes
    rare, common = Term("Amaq", frozenset({stem("Amaq")})), Term("ISIS", frozenset({stem("ISIS")}))
    assert view.term_weight(rare) > view.term_weight(common) >= 0.0
    close, far = view.similarity("Amaq claimed the attack", [AMAQ, "Boris Johnson visited Tripoli"])
    assert close > far


def test_articles_by_id_with_their_paragraphs_and_sources_and_a_clear_error_for_an_unknown_one(sample):
    view = sample.index_view
    listed = {a.article_id: a for a in view.articles()}
    assert len(listed) == 5 and listed["002_87556d76f135b60a"].paragraphs > 1
    article = view.article("002_87556d76f135b60a")
    assert article.info == listed["002_87556d76f135b60a"] and article.text.startswith("On 23 August")
    assert all(article.text[p.start : p.end].strip() for p in article.paragraphs)
    assert view.sources("002_87556d76f135b60a") == [article.info.source]
    with pytest.raises(QAError, match="no article 'nope'"):
        view.article("nope")
