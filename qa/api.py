"""`Assistant`: the one front door used by the CLI, the UI and evaluation."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from index.build import Indexer, IngestReport
from index.catalog import Catalog
from index.clean import Rules
from index.embedding import Embedder
from index.errors import IndexingError
from index.keyword import KeywordIndex
from index.store import VectorStore
from qa.answer import Answerer, ExtractiveAnswerer
from qa.citations import verify
from qa.config import Settings
from qa.conversation import resolve
from qa.errors import EmptyQuestionError, NoIndexError, QAError
from qa.names import Names
from qa.question import Term, analyze
from qa.retrieval import HybridRetriever
from qa.types import Answer, ArticleInfo, ArticleView, ParagraphSpan, Passage


class Assistant:
    """Ingests articles and answers questions about them, citing the paragraphs it used.

    Parts are injectable (`embedder=`, `store=`, `answerer=`); by default the settings
    build them. Ingestion may run in one thread while `ask` answers in another.
    """

    def __init__(
        self,
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        *,
        create: bool = True,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        settings = settings or Settings.from_env()
        if index_dir is not None:
            settings = replace(settings, index_dir=Path(index_dir))
        self.settings = settings
        folder = Path(settings.index_dir).expanduser()
        if not create and not Catalog.exists(folder):
            raise NoIndexError(f"no index at {folder}: run `qa ingest data/articles` first (or pass --index DIR)")
        with _translated():
            self._embedder = embedder or Embedder(settings.embedding_model, batch_size=settings.batch_size)
            self._indexer = Indexer(
                folder,
                embedder=self._embedder,
                rules=Rules.load(settings.boilerplate_file),
                chroma_url=settings.chroma_url,
                collection=settings.collection,
                repeated_paragraph_articles=settings.repeated_paragraph_articles,
                store=store,
            )
        self._answerers: dict[str, Answerer] = {}
        if answerer is not None:
            self._answerers[answerer.name] = answerer
        self._names: tuple[KeywordIndex, Names] | None = None
        self._names_lock = threading.Lock()

    # -- ingestion --------------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[str | Path], *, on_progress: Callable[[int, int, str], None] | None = None
    ) -> IngestReport:
        """Index files or folders; unchanged files embed nothing. Per-file errors are reported."""
        with _translated():
            return self._indexer.ingest(paths, on_progress=on_progress)

    def remove(self, target: str | Path) -> IngestReport:
        """Remove an article by id, or all articles from a file or folder."""
        with _translated():
            return self._indexer.remove(str(target))

    # -- answering --------------------------------------------------------------------------
    def ask(
        self, question: str, history: list[str] | None = None, *, top_k: int | None = None, mode: str | None = None
    ) -> Answer:
        """Answer from the indexed articles; abstains (a normal Answer) when they don't say."""
        question = (question or "").strip()
        if not question:
            raise EmptyQuestionError("the question is empty: type a question about the articles")
        answerer = self._answerer(mode or self.settings.answer_mode)
        earlier = [h for h in (history or []) if h and h.strip()]
        with _translated():
            keyword = self._indexer.keyword
            analysed = analyze(question, resolve(question, earlier), self._names_for(keyword))
            passages = self._retriever(keyword).retrieve(analysed, top_k or self.settings.top_k)
            answer = answerer.answer(analysed, passages, self._neighbours(passages))
            verify(answer.citations, lambda aid: self._article_row(aid).text)
        return answer

    def answer_modes(self) -> list[str]:
        return sorted({"extractive", *self._answerers})

    # -- reading the index ------------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        with _translated():
            return [_info(row) for row in self._indexer.catalog.articles()]

    def article(self, article_id: str) -> ArticleView:
        with _translated():
            row = self._article_row(article_id)
        spans = tuple(ParagraphSpan(p.n, p.start, p.end, p.boilerplate is None) for p in row.paragraphs)
        return ArticleView(_info(row), row.text, spans)

    def status(self) -> dict:
        articles, chunks = self._indexer.catalog.counts()
        return {
            "articles": articles,
            "chunks": chunks,
            "index": str(self._indexer.folder),
            "vectors": self.settings.chroma_url or str(self._indexer.folder / "chroma"),
            "model": self._indexer.catalog.meta("model") or self._embedder.name,
        }

    # -- parts ------------------------------------------------------------------------------
    def _article_row(self, article_id: str):
        row = self._indexer.catalog.article(article_id)
        if row is None:
            raise QAError(f"no article {article_id!r} in the index: `qa status` or the Articles tab lists them")
        return row

    def _answerer(self, mode: str) -> Answerer:
        if mode not in self._answerers:
            if mode != "extractive":
                raise QAError(f"unknown answer mode {mode!r}: choose one of {', '.join(self.answer_modes())}")
            self._answerers[mode] = ExtractiveAnswerer(
                self._term_weight, similarity=self._similarity, min_support=self.settings.min_support
            )
        return self._answerers[mode]

    def _names_for(self, keyword: KeywordIndex) -> Names:
        with self._names_lock:
            if self._names is None or self._names[0] is not keyword:
                self._names = (keyword, Names.load(self.settings.aliases_file, keyword.names))
            return self._names[1]

    def _retriever(self, keyword: KeywordIndex) -> HybridRetriever:
        indexer = self._indexer
        return HybridRetriever(
            dense=lambda text, k: indexer.store.query(self._embedder.embed_query(text), k),
            keyword=keyword.search,
            lookup=self._lookup,
            candidates=self.settings.candidates,
        )

    def _lookup(self, chunk_ids: list[str]) -> dict[str, Passage]:
        found = self._indexer.catalog.lookup(chunk_ids)
        return {
            cid: Passage(cid, c.article_id, title, source, c.paragraph, c.start, c.end, c.text, 0.0, date)
            for cid, (c, title, source, date) in found.items()
        }

    def _similarity(self, query: str, texts: list[str]) -> list[float]:
        vectors = self._embedder.embed([query, *texts])
        q = vectors[0]
        return [sum(a * b for a, b in zip(q, v, strict=True)) for v in vectors[1:]]

    def _neighbours(self, passages: list[Passage]) -> list[Passage]:
        """Paragraphs beside the retrieved ones: a story often names its subject one paragraph up."""
        have = {p.chunk_id for p in passages}
        ids = [
            cid
            for p in passages
            for cid in self._indexer.catalog.neighbours(p.article_id, p.paragraph)
            if cid not in have
        ]
        found = self._lookup(list(dict.fromkeys(ids)))
        return [found[cid] for cid in dict.fromkeys(ids) if cid in found]

    def _term_weight(self, term: Term) -> float:
        keyword = self._indexer.keyword
        if not term.stems:
            return max(keyword.idf(""), 1.0)
        return min(keyword.idf(s) for s in term.stems)


def _info(row) -> ArticleInfo:
    return ArticleInfo(row.article_id, row.title, row.source, row.date, row.url, len(row.paragraphs), row.chunk_count)


class _translated:
    """Re-raise ingestion errors as `QAError`, so callers of `qa` handle one root."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, IndexingError):
            raise QAError(str(exc)) from exc
        return False
