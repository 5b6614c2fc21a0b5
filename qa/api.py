"""`Assistant`: the one front door used by the CLI, the UI and evaluation; it only composes the stages.

condense (conversation) -> retrieve (retrieval, rerank) -> abstain? (abstention)
-> answer (answer / synthesis) -> verify (verify, citations)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from index import generations
from index.build import Indexer
from index.catalog import Catalog
from index.clean import Rules
from index.embedding import Embedder
from index.runs import IngestReport
from index.store import VectorStore
from qa import abstention
from qa.answerers import Answerer, Draft, Registry
from qa.answerers.extractive import ExtractiveAnswerer
from qa.answerers.llm import LLMAnswerer, follow_up_rewriter
from qa.citations import check_round_trip
from qa.config import Settings
from qa.conversation import Condenser, turns
from qa.errors import NoIndexError, QAError, translated
from qa.index_view import IndexView
from qa.inputs import FILE_TYPES, check_file, check_top_k, checked_question, date_window, ingest_limits
from qa.llm.model import LanguageModel
from qa.ranker.rerank import Reranker
from qa.reader.artifact import SHIPPED as SHIPPED_READER
from qa.reader.judge import Judge
from qa.reader.rerank import ReaderRanker
from qa.reader.runtime import Reader
from qa.rebuild import rebuild_index
from qa.retrieval import Retrieved, Retriever
from qa.templates import Prompts
from qa.types import Answer, ArticleInfo, ArticleView, Intake, Query
from qa.verify import Verifier


class Assistant:
    """Ingests articles and answers questions about them, citing the paragraphs it used.

    Every stage is a keyword-only part (`condenser=`, `retriever=`, `answerers=`,
    `verifier=`, `llm=`, and below them `embedder=` and `store=`); by default the settings
    build them. Ingestion may run in one thread while `ask` answers in others.
    """

    def __init__(
        self,
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        *,
        create: bool = True,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
        condenser: Condenser | None = None,
        retriever: Retriever | None = None,
        answerers: Mapping[str, Answerer] | None = None,
        verifier: Verifier | None = None,
        llm: Any = None,
    ) -> None:
        settings = settings or Settings.from_env()
        if index_dir is not None:
            settings = settings.replace(index_dir=Path(index_dir))
        self.settings = settings
        self._root = Path(settings.index.dir).expanduser()
        # A rebuilt local index answers from its newest complete generation (`index.generations`).
        folder = self._root if settings.index.chroma_url else generations.live(self._root)
        # In server mode the folder is only a local cache of the server's catalog: a second machine starts it empty.
        if not create and not settings.index.chroma_url and not Catalog.exists(folder):
            raise NoIndexError(f"no index at {self._root}: run `qa ingest data/articles` first (or pass --index DIR)")
        self._store = store
        with translated():
            self.prompts = Prompts(settings.llm.prompts_dir)
            self._embedder = embedder or Embedder(
                settings.index.embedding_model,
                batch_size=settings.index.batch_size,
                precision=settings.index.precision,
                query_encoder=settings.index.query_encoder,
                threads=settings.index.threads,
            )
            self._indexer = self._open(folder)
        self.index_view = IndexView(self._indexer, settings.retrieval.aliases_file)
        self._checked_at = float("-inf")
        self.llm = None
        if llm is not None or settings.llm.enabled:
            with translated():
                self.llm = llm if isinstance(llm, LanguageModel) else LanguageModel(settings.llm, llm)
        rewriter = (
            follow_up_rewriter(self.llm, self.prompts, settings.llm.history_turns, settings.llm.history_answer_chars)
            if self.llm
            else None
        )
        self.condenser = condenser or Condenser(rewriter=rewriter)
        self.reader = Reader(
            settings.retrieval.reader_model or SHIPPED_READER,
            threads=settings.retrieval.reader_threads,
            precision=settings.retrieval.reader_precision,
            runtime=settings.retrieval.reader_runtime,
        )
        self.retriever = retriever or self._default_retriever()
        # The judge loads on the first sentence a model writes; the extractive mode never needs it.
        judge = Judge(threads=settings.retrieval.reader_threads, runtime=settings.retrieval.reader_runtime)
        self.verifier = verifier or Verifier(
            similarity=self.index_view.similarity,
            names=self.index_view.names,
            judge=judge if settings.verify.judge else None,
            settings=settings.verify,
        )
        self.answerers = Registry({"extractive": lambda: ExtractiveAnswerer(self.prompts)})
        if self.llm is not None:
            model = self.llm
            self.answerers.add(
                "llm", lambda: LLMAnswerer(model, self.prompts, context_tokens=settings.llm.context_tokens)
            )
        for name, part in (answerers or {}).items():
            self.answerers.add(name, lambda part=part: part)

    # -- ingestion --------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """Index files or folders; unchanged files embed nothing. Per-file errors are reported.

        Files are committed in batches: an interrupted ingest keeps what it committed, and the
        next one completes the rest. `on_wait(message)` hears once if another ingest holds the
        index (this one then waits for it).
        """
        with translated():
            self._refresh(force=True)  # on a server rebuilt elsewhere, write to its new collections
            report = self._indexer.ingest(paths, on_progress=on_progress, on_wait=on_wait)
        if self.settings.retrieval.ranker == "reader" and (report.new_articles or report.changed_articles):
            # The reader's one-time export needs PyTorch, which an ingest has loaded anyway.
            self.reader.prepare(lambda message: on_progress(0, 0, message) if on_progress else None)
        if self.llm is not None and self.verifier.judge is not None and hasattr(self.verifier.judge, "prepare"):
            self.verifier.judge.prepare(lambda message: on_progress(0, 0, message) if on_progress else None)
        return report

    def rebuild(
        self,
        paths: Iterable[str | Path],
        *,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """`rebuild_index` for this assistant's index; it answers from the new index once that is complete."""
        report = rebuild_index(self.settings, paths, on_progress=on_progress, on_wait=on_wait, embedder=self._embedder)
        with translated():
            self._reopen(self._root if self.settings.index.chroma_url else generations.live(self._root))
            self._refresh(force=True)
        return report

    def remove(self, target: str | Path) -> IngestReport:
        """Remove an article by id, or all articles from a file or folder."""
        with translated():
            self._refresh()
            return self._indexer.remove(str(target))

    # -- answering --------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[Any] | None = None,
        *,
        top_k: int | None = None,
        mode: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
    ) -> Answer:
        """Answer from the indexed articles; abstains (a normal Answer) when they don't say.

        `history` holds the earlier turns, oldest first: questions, or `Answer`s / dicts
        with "question" and "answer", so a model can see what was said. `since` and
        `until` (dates, or "YYYY-MM-DD") keep to articles published in that range.
        """
        answer = None
        for piece in self.ask_stream(question, history, top_k=top_k, mode=mode, since=since, until=until):
            if isinstance(piece, Answer):
                answer = piece
        assert answer is not None
        return answer

    def ask_stream(
        self,
        question: str,
        history: Sequence[Any] | None = None,
        *,
        top_k: int | None = None,
        mode: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
    ) -> Iterator[str | Answer]:
        """Text as the answerer writes it (not yet checked), then the verified `Answer`, always last."""
        question = checked_question(question, self.settings.answer.max_question_chars)
        earlier = turns(history)
        check_top_k(top_k)
        answerer = self._answerer(mode or self.settings.answer_mode)
        window = date_window(since, until)
        with translated():
            self._refresh()
            self._indexer.check_model()  # before any encoding: an index built by another model is refused
            query = self.condenser.condense(question, earlier, rewrite=answerer.rewrites_follow_ups)
            found = self.retriever.retrieve(query, top_k or self.settings.retrieval.top_k, window)
        indexing = self.indexing()
        configured = self.settings.answer.min_support
        if abstention.should_abstain(found.passages, found.threshold if configured is None else configured):
            yield abstention.abstain(
                query, found.passages, self.prompts, kind=found.kind, indexing=indexing, settings=self.settings.answer
            )
            return
        draft = None
        for piece in answerer.stream(query, found.passages):
            if isinstance(piece, Draft):
                draft = piece
            elif piece:
                yield piece
        answer = self._finish(query, found, draft, answerer)
        if indexing:
            note = self.prompts.render("notice_indexing", progress=indexing)
            answer = replace(answer, notice=f"{answer.notice} {note}" if answer.notice else note)
        yield answer

    def _refresh(self, force: bool = False) -> None:
        """Server mode: bring the local cache up to the server's generation (checked at most every few seconds).
        Locally: answer from the newest complete generation, once a rebuild has switched to it."""
        now = time.monotonic()
        if self.settings.index.chroma_url and (force or now - self._checked_at > self.settings.index.refresh_seconds):
            self._indexer.refresh()
            self._checked_at = now
        elif not self.settings.index.chroma_url and self._store is None:
            current = generations.live(self._root)
            if current != self._indexer.folder:
                self._reopen(current)

    def _open(self, folder: Path) -> Indexer:
        s = self.settings.index
        return Indexer(
            folder,
            embedder=self._embedder,
            rules=Rules.load(s.boilerplate_file),
            chroma_url=s.chroma_url,
            collection=s.collection,
            repeated_paragraph_articles=s.repeated_paragraph_articles,
            story_overlap=s.story_overlap,
            titles=(s.title_max_chars, s.title_sentence_chars),
            limits=ingest_limits(self.settings),
            store=self._store,
        )

    def _reopen(self, folder: Path) -> None:
        """Answer from the index in `folder` from now on (every stage reads the index through `sources`)."""
        self._indexer = self._open(folder)
        self.index_view.indexer = self._indexer

    def indexing(self) -> str | None:
        """How far an ingest now writing to this index has got ("3 of 5 files"), or None when none is."""
        note = self._indexer.progress()
        if note is None:
            return None
        done, total = int(note.get("done", 0)), int(note.get("total", 0))
        return f"{done} of {total} files" if total else "starting"

    def _finish(self, query: Query, found: Retrieved, draft: Draft | None, answerer: Answerer) -> Answer:
        """Verify the draft; fall back to quoting when the model failed or nothing it wrote holds up."""
        verified = notice = None
        if draft is None or draft.failure:
            reason = draft.failure if draft is not None else "The answerer gave no answer"
            notice = self.prompts.render("notice_fallback", reason=reason)
        else:
            verified = self.verifier.verify(draft, found.passages)
            if not any(c.supported for c in verified.claims):
                notice = self.prompts.render(
                    "notice_fallback", reason="No sentence of the model's answer is supported by the sources"
                )
        quoted = None
        if notice is not None:
            quoted = self.answerers.get("extractive").compose(found.passages)
            verified = self.verifier.verify(quoted, found.passages)
        short = quoted.short_answer if notice is not None else (draft.short_answer if draft else None)
        with translated():
            check_round_trip(verified.citations, lambda aid: self.index_view.article(aid).text, short)
        cited = {(c.article_id, c.paragraph) for c in verified.citations}
        shown = tuple(p for p in found.passages if not p.neighbour or (p.article_id, p.paragraph) in cited)
        return Answer(
            question=query.question,
            text=verified.text,
            abstained=False,
            citations=verified.citations,
            standalone_question=query.text,
            passages=shown,
            mode="extractive" if notice else answerer.name,
            model=None if notice else draft.model,
            claims=verified.claims,
            notice=notice,
            fallback=notice is not None,
            question_type=found.kind,
            short_answer=short,
            support=round(found.support, 4),
        )

    @property
    def intake(self) -> Intake:
        """The file types, largest file and longest question this assistant's settings accept."""
        return Intake(
            tuple(FILE_TYPES), ingest_limits(self.settings).max_bytes, self.settings.answer.max_question_chars
        )

    def check_file(self, path: str | Path, name: str | None = None) -> str | None:
        """Why a file cannot be ingested under these settings (one line), or None when it can (`check_file`)."""
        limits = ingest_limits(self.settings)
        return check_file(
            Path(path), name, max_bytes=limits.max_bytes, follow_links_outside=limits.follow_links_outside
        )

    def answer_modes(self) -> list[str]:
        return self.answerers.names()

    def llm_reachable(self) -> tuple[bool, str]:
        """(ok, one line) on whether the configured language model can answer; no model: (True, "off")."""
        if self.llm is None:
            return True, "off"
        return self.llm.reachable()

    # -- reading the index ------------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        with translated():
            self._refresh()
            return self.index_view.articles()

    def sources(self, article_id: str) -> list[str]:
        """Every file the article was read from: byte-identical copies under other names add theirs."""
        with translated():
            return self.index_view.sources(article_id)

    def article(self, article_id: str) -> ArticleView:
        with translated():
            return self.index_view.article(article_id)

    def status(self) -> dict[str, Any]:
        """What is indexed, where, with which model, and how answers are made.

        In server mode it first checks the server (QAError when it does not answer).
        """
        with translated():
            self._refresh(force=True)  # a health check: always ask the server
        articles, chunks = self._indexer.catalog.counts()
        return {
            "articles": articles,
            "chunks": chunks,
            "index": str(self._root),
            "vectors": self.settings.index.chroma_url or str(self._indexer.folder / "chroma"),
            "model": self._indexer.catalog.meta("model") or self._embedder.name,
            "encoding": f"ingest in {self._embedder.precision}, questions by "
            + ("ONNX Runtime" if self._embedder.queries_use_onnx else "PyTorch"),
            "answer_mode": self.settings.answer_mode,
            "llm": self.llm.name if self.llm else "off",
            "indexing": self.indexing() or "no",
        }

    # -- parts ------------------------------------------------------------------------------
    def _answerer(self, mode: str) -> Answerer:
        if mode not in self.answerers:
            raise QAError(f"unknown answer mode {mode!r}: choose one of {', '.join(self.answer_modes())}")
        return self.answerers.get(mode)

    def _default_retriever(self) -> Retriever:
        view = self.index_view
        return Retriever(
            encode=view.encode,
            dense=view.dense,
            keyword=view.keyword,
            lookup=view.lookup,
            neighbours=view.neighbours,
            names=view.names,
            reranker=self._ranker(),
            settings=self.settings.retrieval,
        )

    def _ranker(self) -> Reranker | ReaderRanker:
        trees = Reranker(self.index_view.term_weight)
        if self.settings.retrieval.ranker == "reader":
            # The trees' view of each sentence is one of the reader's calibrator's inputs.
            return ReaderRanker(self.reader, trees=trees, passages=self.settings.retrieval.read_passages)
        return trees
