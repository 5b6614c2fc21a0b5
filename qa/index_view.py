"""The index as `qa` sees it: dense and keyword search, passages and articles by id, names, idf, similarity.

The retriever, the ranker and the verifier take plain callables; this adapter is where they
meet the index (`index.build.Indexer`: its catalog, vector store and embedder) and where the
catalog's rows become `Passage`s, `ArticleInfo`s and `ArticleView`s. Nothing else in `qa` reaches into the
index's parts.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from index.build import Indexer
from qa.errors import QAError
from qa.language.names import Names
from qa.language.question import Term
from qa.retrieval import Ranking, Window
from qa.types import ArticleInfo, ArticleView, ParagraphSpan, Passage

ANY_TIME = Window()


class IndexView:
    """One index's search and lookups, for the stages. The name table is rebuilt when the catalog changes."""

    def __init__(self, indexer: Indexer, aliases_file: Path | None = None) -> None:
        self.indexer = indexer
        self.aliases_file = aliases_file
        self._names: tuple[int, Names] | None = None  # (catalog generation, its table)
        self._names_lock = threading.Lock()

    def encode(self, text: str) -> np.ndarray:
        return self.indexer.embedder.encode([text])[0]

    def dense(self, vector: np.ndarray, k: int, window: Window) -> Ranking:
        return self.indexer.store.query(vector, k, since=window.since, until=window.until)

    def keyword(self, tokens: list[str], k: int) -> Ranking:
        return self.indexer.catalog.search(tokens, k)

    def neighbours(self, passage: Passage) -> list[str]:
        return self.indexer.catalog.neighbours(passage.article_id, passage.paragraph)

    def names(self) -> Names:
        """The alias table with the corpus's own spellings, as of the catalog's current generation."""
        catalog = self.indexer.catalog
        generation = catalog.generation()
        with self._names_lock:
            if self._names is None or self._names[0] != generation:
                self._names = (generation, Names.load(self.aliases_file, catalog.names()))
            return self._names[1]

    def lookup(self, chunk_ids: list[str], window: Window = ANY_TIME) -> dict[str, Passage]:
        """The chunks as unscored passages (those dated outside `window` left out)."""
        found = self.indexer.catalog.lookup(chunk_ids, since=window.since, until=window.until)
        return {
            cid: Passage(
                cid, f.chunk.article_id, f.title, f.source, f.chunk.paragraph, f.chunk.start, f.chunk.end,
                f.chunk.text, 0.0, f.date, sentence_spans=f.chunk.sentences, sentence_vectors=f.vectors, url=f.url,
            )
            for cid, f in found.items()
        }  # fmt: skip

    def similarity(self, query: str, texts: list[str]) -> list[float]:
        """Cosine similarity of each text to `query` (the bundled embedding model)."""
        vectors = self.indexer.embedder.encode([query, *texts])
        return (vectors[1:] @ vectors[0]).tolist()

    def term_weight(self, term: Term) -> float:
        """A question term's idf in the catalog (its rarest stem; 1 at least for a term of no stems)."""
        idf = self.indexer.catalog.idf(sorted(term.stems) or [""])
        return max(min(idf.values()), 1.0) if not term.stems else min(idf.values())

    # -- the library of articles ----------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        return [_info(row) for row in self.indexer.catalog.articles()]

    def article(self, article_id: str) -> ArticleView:
        row = self._row(article_id)
        spans = tuple(ParagraphSpan(p.n, p.start, p.end, p.boilerplate is None) for p in row.paragraphs)
        return ArticleView(_info(row), row.text, spans)

    def sources(self, article_id: str) -> list[str]:
        """Every file the article was read from: byte-identical copies under other names add theirs."""
        return sorted({self._row(article_id).source, *self.indexer.catalog.sources_of(article_id)})

    def _row(self, article_id: str):
        row = self.indexer.catalog.article(article_id)
        if row is None:
            raise QAError(f"no article {article_id!r} in the index: `qa status` or the Articles tab lists them")
        return row


def _info(row) -> ArticleInfo:
    return ArticleInfo(
        row.article_id, row.title, row.source, row.date, row.url, len(row.paragraphs), row.chunk_count,
        row.story or row.article_id,
    )  # fmt: skip
