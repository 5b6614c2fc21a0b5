"""The catalog (SQLite): articles, their sources and text, paragraphs, chunks, the keyword index, names.

One database holds everything but the vectors, so a batch of articles, their chunks and
their keyword entries commit in one transaction: readers see whole batches only, and the
keyword index can never disagree with the catalog. The keyword index is SQLite's FTS5 over
our own tokens (folded, stemmed), updated row by row, so adding one article touches only
its own rows. Pending vector writes are journalled, so a crash between Chroma and the
catalog is put right by the next writer (`pending`, `settle`).

The tables and their format are in `index/database.py`, the keyword index and the names
table in `index/keywords.py`; this module keeps articles, sources, chunks and the journal.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index import database, keywords
from index.chunking import Chunk, Paragraph
from index.database import rows_in, transaction
from index.records import ArticleRow, ArticleWrite, Found, StoredChunk, day_number, paragraphs_json

_ARTICLE_COLUMNS = "article_id, source, record_id, sha256, title, date, url, text, paragraphs, chunk_count, story"
_CHUNK_COLUMNS = 'c.chunk_id, c.article_id, c.paragraph, c.part, c.start, c."end", c.text, c.search_text, c.sentences'


class Catalog:
    """What is indexed, as the source of truth for text; Chroma holds the vectors."""

    FILE = "catalog.sqlite3"

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / self.FILE
        self._lock = threading.RLock()
        self._local = threading.local()
        database.use_wal(self._db)
        database.ensure_schema(self._db, folder)

    @property
    def _db(self) -> sqlite3.Connection:
        """One connection per thread: readers never see a writer's open transaction."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = database.connect(self.path)
            self._local.db = db
        return db

    @staticmethod
    def exists(folder: Path) -> bool:
        return (folder / Catalog.FILE).is_file()

    # -- reading ----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def articles(self) -> list[ArticleRow]:
        rows = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY article_id")
        return [self._article(r) for r in rows]

    def article(self, article_id: str) -> ArticleRow | None:
        row = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE article_id=?", (article_id,)).fetchone()
        return self._article(row) if row else None

    def articles_from(self, path: str) -> list[ArticleRow]:
        """The articles read from a file (as its first source, or as a byte-identical copy)."""
        rows = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE source=? OR article_id IN "
            "(SELECT article_id FROM sources WHERE path=?)",
            (path, path),
        )
        return [self._article(r) for r in rows]

    def article_with_sha(self, sha256: str) -> ArticleRow | None:
        row = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE sha256=? LIMIT 1", (sha256,)).fetchone()
        return self._article(row) if row else None

    def sources_of(self, article_id: str) -> list[str]:
        """Every file path the article was read from (a byte-identical copy adds one)."""
        return [
            r[0] for r in self._db.execute("SELECT path FROM sources WHERE article_id=? ORDER BY path", (article_id,))
        ]

    def counts(self) -> tuple[int, int]:
        articles = self._db.execute("SELECT count(*) FROM articles").fetchone()[0]
        chunks = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return articles, chunks

    def chunk_ids(self, article_id: str | None = None) -> list[str]:
        if article_id is None:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks")]
        return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE article_id=?", (article_id,))]

    def chunks(self, article_id: str) -> list[StoredChunk]:
        rows = self._db.execute(
            f"SELECT {_CHUNK_COLUMNS}, c.fingerprint FROM chunks c WHERE c.article_id=? ORDER BY paragraph, part",
            (article_id,),
        )
        return [StoredChunk(_chunk(r), r[9]) for r in rows]

    def lookup(
        self, chunk_ids: Sequence[str], *, since: int | None = None, until: int | None = None
    ) -> dict[str, Found]:
        """Chunk id -> the chunk with its article's title, source and date (optionally within a date range)."""
        found: dict[str, Found] = {}
        dated = ""
        params: list[object] = []
        if since is not None:
            dated += " AND a.day >= ?"
            params.append(since)
        if until is not None:
            dated += " AND a.day <= ?"
            params.append(until)
        rows = rows_in(
            self._db,
            f"SELECT {_CHUNK_COLUMNS}, a.title, a.source, a.date, c.vectors, a.url FROM chunks c "
            "JOIN articles a USING (article_id) WHERE c.chunk_id IN ({marks})" + dated,
            chunk_ids,
            params,
        )
        for r in rows:
            found[r[0]] = Found(_chunk(r), r[9], r[10], r[11], _vectors(r[12], len(json.loads(r[8]))), r[13])
        return found

    def neighbours(self, article_id: str, paragraph: int) -> list[str]:
        """Chunk ids of the paragraphs just before and after `paragraph` in its article."""
        rows = self._db.execute(
            "SELECT chunk_id FROM chunks WHERE article_id=? AND paragraph IN (?, ?) ORDER BY paragraph, part",
            (article_id, paragraph - 1, paragraph + 1),
        )
        return [r[0] for r in rows]

    def stories_with(self, fingerprints: Iterable[str]) -> dict[str, set[str]]:
        """Fingerprint -> the stories (groups of copies of one report) whose articles carry it."""
        found: dict[str, set[str]] = {}
        for fp, story in rows_in(
            self._db,
            "SELECT f.fingerprint, coalesce(a.story, a.article_id) FROM fingerprints f "
            "JOIN articles a USING (article_id) WHERE f.fingerprint IN ({marks})",
            fingerprints,
        ):
            found.setdefault(fp, set()).add(story)
        return found

    def articles_sharing(self, fingerprints: Iterable[str]) -> dict[str, tuple[set[str], str]]:
        """Article id -> (its fingerprints, its story) for articles sharing any of these fingerprints."""
        ids = {
            r[0]
            for r in rows_in(
                self._db, "SELECT article_id FROM fingerprints WHERE fingerprint IN ({marks})", fingerprints
            )
        }
        out: dict[str, tuple[set[str], str]] = {}
        for article_id in ids:
            own = {
                r[0] for r in self._db.execute("SELECT fingerprint FROM fingerprints WHERE article_id=?", (article_id,))
            }
            story = self._db.execute(
                "SELECT coalesce(story, article_id) FROM articles WHERE article_id=?", (article_id,)
            )
            row = story.fetchone()
            if row:
                out[article_id] = (own, row[0])
        return out

    def chunk_ids_with(self, fingerprints: Iterable[str]) -> list[tuple[str, str]]:
        """(chunk id, article id) of indexed chunks whose paragraph has one of these fingerprints."""
        return rows_in(self._db, "SELECT chunk_id, article_id FROM chunks WHERE fingerprint IN ({marks})", fingerprints)

    def assign_id(self, source: str, record_id: str | None) -> str:
        """A stable id: the record's id or the file name; made unique against other sources."""
        row = self._db.execute(
            "SELECT article_id FROM articles WHERE source=? AND record_id IS ?", (source, record_id)
        ).fetchone()
        if row:
            return row[0]
        base = re.sub(r"[^\w.-]+", "-", record_id or Path(source).stem).strip("-") or "article"
        taken = self._db.execute("SELECT source FROM articles WHERE article_id=?", (base,)).fetchone()
        if taken and taken[0] != source:
            base = f"{base}-{hashlib.sha1(source.encode()).hexdigest()[:6]}"
        return base

    # -- keyword index ----------------------------------------------------------------------
    def search(self, tokens: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks for the tokens, best first."""
        return keywords.search(self._db, tokens, k)

    def idf(self, tokens: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each token among chunks; unseen tokens get the highest."""
        return keywords.idf(self._db, tokens)

    def names(self) -> dict[str, list[str]]:
        """Sound key -> the corpus's spellings of capitalised words (Fugaha, Fuqaha...)."""
        return keywords.names(self._db)

    def generation(self) -> int:
        """A number that grows with every committed change (readers use it to refresh caches)."""
        return int(self.meta("generation") or 0)

    # -- writing ----------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget everything (a cache about to be filled again from the server)."""
        with self._lock, transaction(self._db):
            for table in ("articles", "sources", "chunks", "terms", "fingerprints", "names", "pending"):
                self._db.execute(f"DELETE FROM {table}")

    def begin_batch(self, added: Iterable[str], dropped: Iterable[str]) -> None:
        """Journal the vector writes a batch is about to make, before it makes them."""
        with self._lock, transaction(self._db):
            self._db.executemany(
                "INSERT OR IGNORE INTO pending VALUES (?, ?)",
                [(cid, "add") for cid in added] + [(cid, "drop") for cid in dropped],
            )

    def pending(self) -> tuple[list[str], list[str]]:
        """(vectors written for chunks the catalog never got, vectors of chunks the catalog dropped)."""
        orphans = [
            r[0]
            for r in self._db.execute(
                "SELECT p.chunk_id FROM pending p LEFT JOIN chunks c USING (chunk_id) WHERE p.op='add' AND c.chunk_id IS NULL"
            )
        ]
        dropped = [
            r[0]
            for r in self._db.execute(
                "SELECT p.chunk_id FROM pending p LEFT JOIN chunks c USING (chunk_id) WHERE p.op='drop' AND c.chunk_id IS NULL"
            )
        ]
        return orphans, dropped

    def settle(self) -> None:
        """The journalled vector writes are done (or undone): forget them."""
        with self._lock, transaction(self._db):
            self._db.execute("DELETE FROM pending")

    def commit_batch(
        self,
        writes: Sequence[ArticleWrite],
        *,
        removed: Sequence[str] = (),
        dropped: dict[str, list[tuple[str, str]]] | None = None,
        sources: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Write a batch in one transaction: articles replaced, articles removed, chunks dropped as boilerplate
        ({reason: [(chunk id, article id)]}), extra source paths ((path, article id, sha256))."""
        with self._lock, transaction(self._db):
            for article_id in removed:
                self._delete(article_id)
            for write in writes:
                self._delete(write.row.article_id, keep_sources=True)
                self._insert(write)
            for reason, chunks in (dropped or {}).items():
                self._drop(chunks, reason)
            self._db.executemany("INSERT OR REPLACE INTO sources VALUES (?, ?, ?)", sources)
            self._db.execute(
                "INSERT INTO meta VALUES ('generation', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )

    def _insert(self, write: ArticleWrite) -> None:
        row = write.row
        self._db.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}, day) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (row.article_id, row.source, row.record_id, row.sha256, row.title, row.date, row.url, row.text,
             paragraphs_json(row.paragraphs), row.chunk_count, row.story, day_number(row.date)),
        )  # fmt: skip
        for s in write.chunks:
            c = s.chunk
            blob = None if s.vectors is None else np.asarray(s.vectors, dtype=np.float16).tobytes()
            cursor = self._db.execute(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (c.chunk_id, c.article_id, c.paragraph, c.part, c.start, c.end, c.text, c.search_text,
                 s.fingerprint, json.dumps(c.sentences), blob),
            )  # fmt: skip
            keywords.add(self._db, cursor.lastrowid, s.tokens, s.names)
        self._db.executemany(
            "INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", [(fp, row.article_id) for fp in write.fingerprints]
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?)", [(p, row.article_id, row.sha256) for p in write.paths]
        )

    def _drop(self, chunks: Sequence[tuple[str, str]], reason: str) -> None:
        """Un-index chunks (found to repeat across stories, say), marking their paragraphs with the reason."""
        by_article: dict[str, set[str]] = {}
        for chunk_id, article_id in chunks:
            by_article.setdefault(article_id, set()).add(chunk_id)
        for article_id, ids in by_article.items():
            article = self.article(article_id)
            if article is None:
                continue
            stored = {s.chunk.chunk_id: s.chunk.paragraph for s in self.chunks(article_id)}
            paragraphs = {stored[cid] for cid in ids if cid in stored}
            self._delete_chunks([cid for cid in ids if cid in stored])
            paras = tuple(
                Paragraph(p.n, p.start, p.end, reason) if p.n in paragraphs else p for p in article.paragraphs
            )
            left = self._db.execute("SELECT count(*) FROM chunks WHERE article_id=?", (article_id,)).fetchone()[0]
            self._db.execute(
                "UPDATE articles SET paragraphs=?, chunk_count=? WHERE article_id=?",
                (paragraphs_json(paras), left, article_id),
            )

    def _delete(self, article_id: str, keep_sources: bool = False) -> None:
        self._delete_chunks(
            [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE article_id=?", (article_id,))]
        )
        for table in ("articles", "fingerprints") if keep_sources else ("articles", "fingerprints", "sources"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id=?", (article_id,))

    def _delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        for chunk_id in chunk_ids:
            row = self._db.execute("SELECT rowid, search_text FROM chunks WHERE chunk_id=?", (chunk_id,)).fetchone()
            if row is None:
                continue
            keywords.remove(self._db, row[0], row[1])
            self._db.execute("DELETE FROM chunks WHERE rowid=?", (row[0],))

    @staticmethod
    def _article(row: tuple) -> ArticleRow:
        paras = tuple(Paragraph(*p) for p in json.loads(row[8]))
        return ArticleRow(*row[:8], paragraphs=paras, chunk_count=row[9], story=row[10])


def _vectors(blob: bytes | None, rows: int) -> np.ndarray | None:
    if not blob or not rows:
        return None
    return np.frombuffer(blob, dtype=np.float16).reshape(rows, -1).astype(np.float32)


def _chunk(row: tuple) -> Chunk:
    return Chunk(*row[:8], sentences=tuple(tuple(s) for s in json.loads(row[8])))
