"""The ingestion pipeline: files -> articles -> clean paragraphs -> chunks -> vectors + catalog, in batches.

Files are read, embedded and committed a batch at a time, so memory stays flat whatever
the run's size and whatever was committed survives a crash. Each batch:

1. journals the vector ids it will add and drop (`Catalog.begin_batch`);
2. writes the new vectors to Chroma (idempotent: ids are keyed by content);
3. commits articles, chunks, keyword terms and fingerprints in one catalog transaction;
4. deletes the vectors of stale or dropped chunks, and clears the journal.

A writer that starts after a crash first settles the journal: vectors written for a batch
the catalog never got are deleted, and deletions cut short are finished. Unchanged files
are skipped by their hash, so the next ingest embeds only what was not committed.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from index import generations
from index.articles import REPEATED, Staged, split_article, vector_metadata, without_repeated
from index.catalog import Catalog
from index.checks import unexpected
from index.clean import Rules
from index.embedding import Embedder
from index.errors import IndexingError, SourceError
from index.loaders import Article, find_files, open_source
from index.locking import note_progress, progress, writing
from index.mirror import Mirror, chunk_metadata
from index.records import ArticleRow, ArticleWrite, StoredChunk
from index.runs import IngestReport, Limits
from index.store import VectorStore
from index.stories import assign_stories, repeated

Progress = Callable[[int, int, str], None]


class Indexer:
    """Owns the index folder: catalog (with its keyword index) and vector store. One writer at a time."""

    def __init__(
        self,
        folder: Path,
        *,
        embedder: Embedder,
        rules: Rules,
        chroma_url: str | None = None,
        collection: str = "paragraphs",
        repeated_paragraph_articles: int = 3,
        story_overlap: float = 0.5,
        titles: tuple[int, int] = (120, 100),
        limits: Limits | None = None,
        store: VectorStore | None = None,
    ) -> None:
        self.folder = folder
        self.catalog = Catalog(folder)
        self.embedder = embedder
        self.rules = rules
        self.repeated = repeated_paragraph_articles
        self.story_overlap = story_overlap
        self.titles = titles
        self.limits = limits or Limits()
        self._chroma = (chroma_url, collection)
        self._store = store
        self._write = threading.RLock()  # one writer per process; `writing` makes it one per folder
        self._mirror: Mirror | None = None
        self._noted = 0.0

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            url, collection = self._chroma
            self._store = VectorStore(self.folder / "chroma", url=url, collection=collection, model=self.embedder.name)
        return self._store

    def check_model(self) -> None:
        """Raises ModelMismatchError when the index was built with another model (opening the store checks)."""
        _ = self.store

    def progress(self) -> dict | None:
        """The progress note of an ingest now writing to this folder (any process), or None."""
        return progress(self.folder)

    # -- ingest -----------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path | str],
        on_progress: Progress | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files = _found(paths, report.errors)  # a missing path stops here
        with self._write, writing(self.folder, on_wait):
            self._recover()
            seen: dict[str, str] = {}  # sha256 -> article id, for copies within this run
            batch: list[Staged] = []
            for number, (path, within) in enumerate(files, start=1):
                self._progress(on_progress, number - 1, len(files), f"reading {path.name}")
                batch += self._read(path, within, report, seen)
                if (
                    len(batch) >= self.limits.batch_files
                    or sum(len(s.chunks) for s in batch) >= self.limits.batch_chunks
                ):
                    self._commit(batch, report, on_progress, (number, len(files)))
                    batch = []
            if batch:
                self._commit(batch, report, on_progress, (len(files), len(files)))
            if self.catalog.meta("model") is None:
                self.catalog.set_meta("model", self.embedder.name)
        report.seconds = time.perf_counter() - started
        if on_progress:
            on_progress(len(files), len(files), report.summary())
        return report

    def _read(self, path: Path, within: Path, report: IngestReport, seen: dict[str, str]) -> list[Staged]:
        try:
            file = open_source(
                path, max_bytes=self.limits.max_bytes, within=within, follow_outside=self.limits.follow_links_outside
            )
        except SourceError as exc:
            report.errors.append((str(path), str(exc)))
            return []
        sha = file.sha256
        source = str(path.resolve())
        known = self.catalog.articles_from(source)
        if known and all(a.sha256 == sha for a in known):
            report.articles += len(known)
            report.unchanged_articles += len(known)
            report.skipped += sum(a.chunk_count for a in known)
            return []
        twin = seen.get(sha) or (
            a.article_id if (a := self.catalog.article_with_sha(sha)) and a.source != source else None
        )
        if twin and not known:
            # The same bytes under another name: one article, with both paths recorded.
            report.duplicates += 1
            report.warnings.append((str(path), f"the same file as article {twin}; recorded as another source of it"))
            self.catalog.commit_batch([], sources=[(source, twin, sha)])
            if self.mirror:
                self.mirror.put([], [(source, twin, sha)])
                self._published()
            return []
        try:
            articles = file.articles()
        except SourceError as exc:
            report.errors.append((str(path), str(exc)))
            return []
        article_ids = [self.catalog.assign_id(a.source, a.record_id) for a in articles]
        try:
            out = [self._split(a, aid, sha) for a, aid in zip(articles, article_ids, strict=True)]
        except Exception as exc:  # whatever breaks on this one file fails it alone; the run goes on
            report.errors.append((str(path), f"{path}: {unexpected(exc)}"))
            return []
        report.warnings += [(str(path), w) for a in articles[:1] for w in a.warnings]
        ids = {a.article_id for a in known}
        for article_id in article_ids:
            report.articles += 1
            if article_id in ids:
                report.changed_articles += 1
            else:
                report.new_articles += 1
            seen.setdefault(sha, article_id)
        # Records gone from a changed JSONL file are removed with their chunks.
        kept = {s.row.article_id for s in out}
        gone = [a.article_id for a in known if a.article_id not in kept]
        if gone:
            report.removed += self._remove_articles(gone)
        return out

    def _split(self, article: Article, article_id: str, sha: str) -> Staged:
        return split_article(
            article, article_id, sha, rules=self.rules, count_tokens=self.embedder.count_tokens,
            max_tokens=self.embedder.max_tokens, titles=self.titles,
        )  # fmt: skip

    def _commit(
        self, batch: list[Staged], report: IngestReport, on_progress: Progress | None, where: tuple[int, int]
    ) -> None:
        """Embed and commit one batch: stories assigned, blurbs dropped, vectors and catalog in step."""
        report.batches += 1
        self._fault("read", report.batches)
        fingerprints = {s.row.article_id: s.fingerprints for s in batch}
        known = self.catalog.articles_sharing(fp for fps in fingerprints.values() for fp in fps)
        known = {aid: v for aid, v in known.items() if aid not in fingerprints}
        stories = assign_stories(fingerprints, known, self.story_overlap)
        carriers = self.catalog.stories_with(fp for fps in fingerprints.values() for fp in fps)
        for s in batch:
            for fp in s.fingerprints:
                carriers.setdefault(fp, set()).add(stories[s.row.article_id])
        blurbs = repeated(carriers, self.repeated)
        retro = [(cid, aid) for cid, aid in self.catalog.chunk_ids_with(blurbs) if aid not in fingerprints]
        if retro:
            hit = sorted({aid for _, aid in retro})
            report.warnings.append(
                (", ".join(hit[:5]) + (" …" if len(hit) > 5 else ""),
                 f"{len(retro)} paragraphs indexed earlier now repeat across {self.repeated} or more stories "
                 "and were removed as boilerplate"),
            )  # fmt: skip
        writes: list[ArticleWrite] = []
        todo = []
        stale: list[str] = []
        for s in batch:
            s.row = replace(s.row, story=stories[s.row.article_id])
            s.chunks, s.row = without_repeated(s.chunks, s.row, blurbs)
            existing = set(self.catalog.chunk_ids(s.row.article_id))
            new = [c for c in s.chunks if c.chunk.chunk_id not in existing]
            todo += [(s.row, c) for c in new]
            stale += sorted(existing - {c.chunk.chunk_id for c in s.chunks})
            report.skipped += len(s.chunks) - len(new)
            writes.append(ArticleWrite(s.row, s.chunks, s.fingerprints, s.paths))
        if todo and self.embedder.prepare_queries(lambda message: self._progress(on_progress, *where, message)):
            report.notes.append("exported the embedding model to ONNX once, so questions start fast")
        self._progress(on_progress, *where, f"embedding {len(todo)} paragraphs (batch {report.batches})")
        vectors, pooled = self._embed([c.chunk for _, c in todo], on_progress, where)
        vectors_of = {c.chunk.chunk_id: v for (_, c), v in zip(todo, pooled, strict=True)}
        # Chunks kept from an article's earlier version keep their sentence vectors.
        kept = [c.chunk.chunk_id for w in writes for c in w.chunks if c.chunk.chunk_id not in vectors_of]
        vectors_of |= {cid: f.vectors for cid, f in self.catalog.lookup(kept).items()}
        for write in writes:
            write.chunks = [
                replace(c, vectors=vectors_of[c.chunk.chunk_id]) if c.chunk.chunk_id in vectors_of else c
                for c in write.chunks
            ]
        self._fault("embed", report.batches)
        dropped = stale + [cid for cid, _ in retro]
        self.catalog.begin_batch([c.chunk.chunk_id for _, c in todo], dropped)
        if todo:
            metadata = [self._metadata(row, replace(c, vectors=vectors_of.get(c.chunk.chunk_id))) for row, c in todo]
            self.store.upsert([c.chunk for _, c in todo], vectors, metadata)
        if self.mirror:  # the server holds the articles too: whole before the generation moves
            self.mirror.put(writes)
        self._fault("vectors", report.batches)
        self.catalog.commit_batch(writes, dropped={REPEATED: retro} if retro else None)
        self._fault("commit", report.batches)
        if dropped:
            self.store.delete(dropped)
        if self.mirror:
            for article_id in sorted({aid for _, aid in retro}):
                if (row := self.catalog.article(article_id)) is not None:
                    self.mirror.mark_dropped(row)
            self._published()
        self.catalog.settle()
        report.added += len(todo)
        report.removed += len(dropped)

    def _embed(self, chunks: list, on_progress: Progress | None, where: tuple[int, int]):
        if not chunks:
            return [], []
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            self._progress(on_progress, *where, f"embedding {done}/{len(chunks)} paragraphs")

        return self.embedder.embed_chunks(
            [c.search_text for c in chunks], [c.search_spans() for c in chunks], on_batch=advance
        )

    def _recover(self) -> None:
        """Settle what a crashed writer left: orphan vectors deleted, cut-short deletions finished."""
        orphans, dropped = self.catalog.pending()
        if orphans or dropped:
            self.store.delete(orphans + dropped)
        self.catalog.settle()

    def _progress(self, on_progress: Progress | None, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._noted > 0.25 or done == total:  # readers see progress; the disk is not flooded
            note_progress(self.folder, done, total, message)
            self._noted = now
        if on_progress:
            on_progress(done, total, message)

    def _fault(self, stage: str, batch: int) -> None:
        """The documented test seam (QA_FAULT_KILL=stage:batch): die here, as a power cut would."""
        if self.limits.kill_after == (stage, batch):
            os.kill(os.getpid(), signal.SIGKILL)

    # -- remove -----------------------------------------------------------------------------
    def remove(self, target: str) -> IngestReport:
        """Remove by article id, or every article of a file (or of the files under a folder)."""
        started = time.perf_counter()
        report = IngestReport()
        with self._write, writing(self.folder):
            self._recover()
            ids = self._resolve(target)
            report.removed += self._remove_articles(ids)
            report.articles += len(ids)
        report.seconds = time.perf_counter() - started
        return report

    def _remove_articles(self, article_ids: list[str]) -> int:
        chunk_ids = [cid for aid in article_ids for cid in self.catalog.chunk_ids(aid)]
        self.catalog.begin_batch([], chunk_ids)
        self.catalog.commit_batch([], removed=article_ids)
        if chunk_ids:
            self.store.delete(chunk_ids)
        if self.mirror:
            self.mirror.remove(article_ids)
            self._published()
        self.catalog.settle()
        return len(chunk_ids)

    # -- server mode --------------------------------------------------------------------------
    @property
    def mirror(self) -> Mirror | None:
        """The server's copy of the index (server mode only)."""
        if self._chroma[0] is None:
            return None
        if self._mirror is None:
            self._mirror = Mirror(self.store.client, self.store.collection.name)
        return self._mirror

    def _published(self) -> None:
        """Bump the server's generation; this cache is that generation now."""
        self.catalog.set_meta("server_generation", self._server_version(self.mirror.bump()))

    def _server_version(self, generation: int) -> str:
        # The collections' name too: a rebuild on the server starts new ones, whose count starts again.
        return f"{self.mirror.name}#{generation}"

    def refresh(self) -> bool:
        """Server mode: rebuild the local catalog from the server when it is missing or stale. True if rebuilt."""
        if self.mirror is None:
            return False
        try:
            if generations.live_collection(self.store.client, self._chroma[1]) != self.mirror.name:
                self._store = self._mirror = None  # a rebuild switched the server to new collections
            current = self._server_version(self.mirror.generation())
        except IndexingError:
            raise
        except Exception as exc:  # a stopped server, a dropped connection
            raise IndexingError(f"the Chroma server at {self._chroma[0]} did not answer ({type(exc).__name__}): "
                                "check that it runs") from exc  # fmt: skip
        if current == self.catalog.meta("server_generation"):
            return False
        with self._write, writing(self.folder):
            if current == self.catalog.meta("server_generation"):
                return False
            self.catalog.clear()
            self.mirror.rebuild(self.catalog, self.store.collection)
            self.catalog.set_meta("server_generation", current)
        return True

    def _metadata(self, row: ArticleRow, chunk: StoredChunk) -> dict:
        meta = vector_metadata(row, chunk.chunk)
        if self.mirror is not None:
            meta |= chunk_metadata(chunk)
        return meta

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


def _found(paths: Iterable[Path | str], problems: list[tuple[str, str]]) -> list[tuple[Path, Path]]:
    """(file, the folder its links must stay in) for every supported file under the paths.

    A folder bounds the files found in it; a file named outright is bounded by the folder holding it.
    """
    out = []
    for given in paths:
        path = Path(given).expanduser()
        found = find_files(path, problems)
        within = path if path.is_dir() else path.parent
        out += [(f, within) for f in found]
    return out
