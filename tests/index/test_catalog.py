"""The catalog read side (`index.catalog.Catalog`) and the vector store adapter, on the sample articles."""

from __future__ import annotations

from index.analysis import tokenize

AMAQ = "the ISIS Amaq news agency released a statement"


def test_counts_articles_and_chunks_agree(sample):
    catalog = sample._indexer.catalog
    articles, chunks = catalog.counts()
    assert articles == len(catalog.articles()) == 5
    assert chunks == len(catalog.chunk_ids()) == sum(len(catalog.chunk_ids(a.article_id)) for a in catalog.articles())
    assert sample._indexer.store.count() == chunks


def test_lookup_takes_any_number_of_ids_and_skips_unknown_ones(sample):
    catalog = sample._indexer.catalog
    known = catalog.chunk_ids()
    asked = [f"unknown-{i}" for i in range(1_200)] + known + known  # past one batch of the IN (...) query
    found = catalog.lookup(asked)
    assert set(found) == set(known)
    amaq = next(f for f in found.values() if AMAQ in f.chunk.text)
    assert amaq.chunk.article_id == "002_87556d76f135b60a" and amaq.title.startswith("On 23 August")


def test_keyword_search_idf_and_neighbours(sample):
    catalog = sample._indexer.catalog
    [(best, score)] = catalog.search(tokenize("Amaq statement"), 1)
    assert score > 0 and AMAQ in catalog.lookup([best])[best].chunk.text
    assert catalog.search([], 5) == [] and catalog.search(tokenize("Amaq"), 0) == []
    idf = catalog.idf(["amaq", "isi", "never-seen-word"])
    assert idf["never-seen-word"] >= idf["amaq"] > idf["isi"] > 0
    chunk = catalog.lookup([best])[best].chunk
    assert best not in catalog.neighbours(chunk.article_id, chunk.paragraph)


def test_the_store_ranks_by_cosine_and_the_names_table_holds_spellings(sample):
    vector = sample.index_view.encode(AMAQ)
    ranked = sample._indexer.store.query(vector, 3)
    assert len(ranked) == 3 and ranked[0][1] >= ranked[1][1] >= ranked[2][1]
    names = sample._indexer.catalog.names()
    assert any("fugaha" in spellings or "fuqaha" in spellings for spellings in names.values())
