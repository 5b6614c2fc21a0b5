"""The ingestion pipeline: files -> articles -> clean paragraphs -> chunks -> vectors + BM25."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.analysis import sentence_spans
from index.catalog import ArticleRow, Catalog, StoredChunk
from index.chunking import Chunk, Paragraph, chunk_paragraph, paragraphs
from index.clean import Rules, fingerprint, normalize
from index.embedding import Embedder
from index.errors import IndexingError, SourceError
from index.keyword import KeywordIndex
from index.loaders import SUPPORTED_SUFFIXES, Article, find_files, load
from index.store import VectorStore

Progress = Callable[[int, int, str], None]
REPEATED = "repeated across articles"


@dataclass
class IngestReport:
    """What an ingest (or removal) did, in counts a person can check."""

    articles: int = 0
    new_articles: int = 0
    changed_articles: int = 0
    unchanged_articles: int = 0
    added: int = 0
    skipped: int = 0
    removed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.articles == 0 and not self.removed and not self.errors:
            return f"nothing to ingest: no supported files ({' '.join(SUPPORTED_SUFFIXES)}) found"
        parts = [
            f"{self.articles} articles ({self.new_articles} new, {self.changed_articles} changed, "
            f"{self.unchanged_articles} unchanged)",
            f"{self.added} chunks embedded",
            f"{self.skipped} unchanged",
            f"{self.removed} removed",
        ]
        if self.errors:
            parts.append(f"{len(self.errors)} files failed")
        text = ", ".join(parts) + f" in {self.seconds:.1f} s"
        if self.articles and self.added == 0 and self.removed == 0 and not self.errors:
            text += ": nothing new to embed"
        return text


class Indexer:
    """Owns the index folder: catalog, vector store, keyword index. Writes are serialised."""

    def __init__(
        self,
        folder: Path,
        *,
        embedder: Embedder,
        rules: Rules,
        chroma_url: str | None = None,
        collection: str = "paragraphs",
        repeated_paragraph_articles: int = 3,
        titles: tuple[int, int] = (120, 100),
        store: VectorStore | None = None,
    ) -> None:
        self.folder = folder
        self.catalog = Catalog(folder)
        self.embedder = embedder
        self.rules = rules
        self.repeated = repeated_paragraph_articles
        self.titles = titles
        self._chroma = (chroma_url, collection)
        self._store = store
        self._write = threading.Lock()
        self._keyword: KeywordIndex | None = None

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            url, collection = self._chroma
            self._store = VectorStore(self.folder / "chroma", url=url, collection=collection, model=self.embedder.name)
        return self._store

    @property
    def keyword(self) -> KeywordIndex:
        if self._keyword is None:
            self._keyword = KeywordIndex.load(self.folder / "bm25") or self._rebuild_keyword()
        return self._keyword

    # -- ingest -----------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path | str], on_progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files = [f for p in paths for f in find_files(Path(p).expanduser())]  # a missing path stops here
        with self._write:
            pending: list[tuple[Article, str, str]] = []  # (article, article_id, sha256)
            for number, path in enumerate(files, start=1):
                if on_progress:
                    on_progress(number - 1, len(files), f"reading {path.name}")
                pending += self._read(path, report)
            staged, repeated = self._stage(pending)
            todo = [c for s in staged for c in s.new_chunks]
            vectors = self._embed(todo, on_progress)
            by_id = dict(zip((c.chunk_id for c in todo), vectors, strict=True))
            for stage in staged:
                self._commit(stage, by_id, report)
            report.removed += self._drop_repeated(repeated)
            if report.added or report.removed:
                self._keyword = self._rebuild_keyword()
            if self.catalog.meta("model") is None:
                self.catalog.set_meta("model", self.embedder.name)
        report.seconds = time.perf_counter() - started
        if on_progress:
            on_progress(len(files), len(files), report.summary())
        return report

    def _read(self, path: Path, report: IngestReport) -> list[tuple[Article, str, str]]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.errors.append((str(path), f"cannot read the file ({exc.strerror}): check its permissions"))
            return []
        sha = hashlib.sha256(data).hexdigest()
        source = str(path.resolve())
        known = self.catalog.articles_from(source)
        if known and all(a.sha256 == sha for a in known):
            report.articles += len(known)
            report.unchanged_articles += len(known)
            report.skipped += sum(a.chunk_count for a in known)
            return []
        try:
            articles = load(path, data)
        except SourceError as exc:
            report.errors.append((str(path), str(exc)))
            return []
        report.warnings += [(str(path), w) for a in articles[:1] for w in a.warnings]
        ids = {a.article_id for a in known}
        out = []
        for article in articles:
            article_id = self.catalog.assign_id(article.source, article.record_id)
            report.articles += 1
            if article_id in ids:
                report.changed_articles += 1
            else:
                report.new_articles += 1
            out.append((article, article_id, sha))
        # Records gone from a changed JSONL file are removed with their chunks.
        kept = {aid for _, aid, _ in out}
        for old in known:
            if old.article_id not in kept:
                report.removed += self._remove_article(old.article_id)
        return out

    def _stage(self, pending: list[tuple[Article, str, str]]) -> tuple[list[_Staged], set[str]]:
        staged = [self._split(article, aid, sha) for article, aid, sha in pending]
        # A paragraph printed verbatim in many articles is a publisher's blurb, not news.
        batch: dict[str, set[str]] = {}
        for s in staged:
            for fp in s.fingerprints:
                batch.setdefault(fp, set()).add(s.row.article_id)
        known = self.catalog.article_count_by_fingerprint(batch)
        repeated = {fp for fp, ids in batch.items() if len(ids | known.get(fp, set())) >= self.repeated}
        for s in staged:
            s.apply_repeated(repeated)
            existing = {c.chunk.chunk_id for c in self.catalog.chunks(s.row.article_id)}
            s.new_chunks = [c.chunk for c in s.chunks if c.chunk.chunk_id not in existing]
            s.kept = len(s.chunks) - len(s.new_chunks)
            s.stale = sorted(existing - {c.chunk.chunk_id for c in s.chunks})
        return staged, repeated

    def _split(self, article: Article, article_id: str, sha: str) -> _Staged:
        paras = paragraphs(article.text, article.body_start)
        verdicts = self.rules.classify([article.text[p.start : p.end] for p in paras])
        paras = [Paragraph(p.n, p.start, p.end, v) for p, v in zip(paras, verdicts, strict=True)]
        chunks: list[StoredChunk] = []
        fps: set[str] = set()
        for p in paras:
            if p.boilerplate:
                continue
            fp = fingerprint(article.text[p.start : p.end])
            fps.add(fp)
            for chunk in chunk_paragraph(
                article_id, article.text, p, self.embedder.count_tokens, self.embedder.max_tokens
            ):
                chunks.append(StoredChunk(chunk, fp))
        row = ArticleRow(
            article_id=article_id,
            source=article.source,
            record_id=article.record_id,
            sha256=sha,
            title=article.title or derive_title(article.text, paras, article.source, *self.titles),
            date=article.date,
            url=article.url,
            text=article.text,
            paragraphs=tuple(paras),
            chunk_count=len(chunks),
        )
        return _Staged(row, chunks, fps)

    def _embed(self, chunks: list[Chunk], on_progress: Progress | None) -> list[list[float]]:
        if not chunks:
            return []
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if on_progress:
                on_progress(done, len(chunks), f"embedding {done}/{len(chunks)} paragraphs")

        return self.embedder.embed([c.search_text for c in chunks], on_batch=advance)

    def _commit(self, stage: _Staged, vectors: dict[str, list[float]], report: IngestReport) -> None:
        row = stage.row
        if stage.new_chunks:
            self.store.upsert(
                stage.new_chunks,
                [vectors[c.chunk_id] for c in stage.new_chunks],
                [_metadata(row, c) for c in stage.new_chunks],
            )
        if stage.stale:
            self.store.delete(stage.stale)
        self.catalog.put_article(row, stage.chunks, stage.fingerprints)
        report.added += len(stage.new_chunks)
        report.skipped += stage.kept
        report.removed += len(stage.stale)

    def _drop_repeated(self, fps: set[str]) -> int:
        """Chunks of earlier articles whose paragraph has now become a repeated blurb."""
        if not fps:
            return 0
        doomed = self.catalog.chunk_ids_with(fps)
        if doomed:
            self.store.delete(doomed)
            self.catalog.drop_chunks(doomed, REPEATED)
        return len(doomed)

    # -- remove -----------------------------------------------------------------------------
    def remove(self, target: str) -> IngestReport:
        """Remove by article id, or every article of a file (or of the files under a folder)."""
        started = time.perf_counter()
        report = IngestReport()
        with self._write:
            ids = self._resolve(target)
            for article_id in ids:
                report.removed += self._remove_article(article_id)
                report.articles += 1
            if ids:
                self._keyword = self._rebuild_keyword()
        report.seconds = time.perf_counter() - started
        return report

    def _resolve(self, target: str) -> list[str]:
        if self.catalog.article(target):
            return [target]
        path = str(Path(target).expanduser().resolve())
        ids = [
            a.article_id
            for a in self.catalog.articles()
            if a.source == path or a.source.startswith(path.rstrip("/") + "/")
        ]
        if not ids:
            raise IndexingError(
                f"nothing indexed from {target!r}: `qa status` lists the index; give a file, folder or article id"
            )
        return ids

    def _remove_article(self, article_id: str) -> int:
        chunk_ids = [c.chunk.chunk_id for c in self.catalog.chunks(article_id)]
        if chunk_ids:
            self.store.delete(chunk_ids)
        self.catalog.delete_article(article_id)
        return len(chunk_ids)

    def _rebuild_keyword(self) -> KeywordIndex:
        index = KeywordIndex.build([(c.chunk.chunk_id, c.chunk.search_text) for c in self.catalog.chunks()])
        index.save(self.folder / "bm25")
        return index


@dataclass
class _Staged:
    row: ArticleRow
    chunks: list[StoredChunk]
    fingerprints: set[str]
    new_chunks: list[Chunk] = field(default_factory=list)
    kept: int = 0
    stale: list[str] = field(default_factory=list)

    def apply_repeated(self, repeated: set[str]) -> None:
        dropped = {c.chunk.paragraph for c in self.chunks if c.fingerprint in repeated}
        if not dropped:
            return
        self.chunks = [c for c in self.chunks if c.chunk.paragraph not in dropped]
        paras = tuple(Paragraph(p.n, p.start, p.end, REPEATED) if p.n in dropped else p for p in self.row.paragraphs)
        self.row = ArticleRow(**{**self.row.__dict__, "paragraphs": paras, "chunk_count": len(self.chunks)})


def derive_title(text: str, paras: list[Paragraph], source: str, line_chars: int = 120, sentence_chars: int = 100) -> str:
    """A short first line is a title; else the first sentence, cut to a readable length."""
    for p in paras:
        if p.boilerplate:
            continue
        first = normalize(text[p.start : p.end]).replace("#", "")
        if len(first) <= line_chars and first[-1] not in ".!?;,:":
            return first
        spans = sentence_spans(first)
        sentence = first[spans[0][0] : spans[0][1]] if spans else first
        if len(sentence) <= sentence_chars:
            return sentence
        return sentence[: sentence_chars - 3].rsplit(" ", 1)[0] + "…"
    return Path(source).stem


def _metadata(row: ArticleRow, chunk: Chunk) -> dict:
    meta = {
        "article_id": row.article_id,
        "title": row.title,
        "source": row.source,
        "paragraph": chunk.paragraph,
        "part": chunk.part,
        "start": chunk.start,
        "end": chunk.end,
    }
    if row.date:
        meta["date"] = row.date
    return meta
