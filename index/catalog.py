"""The catalog (SQLite): articles, their text and paragraphs, indexed chunks, fingerprints."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from index.chunking import Chunk, Paragraph

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, source TEXT NOT NULL, record_id TEXT, sha256 TEXT NOT NULL,
    title TEXT NOT NULL, date TEXT, url TEXT, text TEXT NOT NULL, encoding TEXT,
    paragraphs TEXT NOT NULL, chunk_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, paragraph INTEGER NOT NULL,
    part INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, search_text TEXT NOT NULL, fingerprint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint TEXT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (fingerprint, article_id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    source: str
    record_id: str | None
    sha256: str
    title: str
    date: str | None
    url: str | None
    text: str
    paragraphs: tuple[Paragraph, ...]
    chunk_count: int


@dataclass(frozen=True)
class StoredChunk:
    chunk: Chunk
    fingerprint: str


class Catalog:
    """What is indexed, as the source of truth for text; Chroma holds the vectors."""

    FILE = "catalog.sqlite3"

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / self.FILE
        self._lock = threading.RLock()
        self._local = threading.local()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    @property
    def _db(self) -> sqlite3.Connection:
        """One connection per thread: readers never see a writer's open transaction."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
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
        return [
            self._article(r) for r in self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY article_id")
        ]

    def article(self, article_id: str) -> ArticleRow | None:
        row = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE article_id=?", (article_id,)).fetchone()
        return self._article(row) if row else None

    def articles_from(self, source: str) -> list[ArticleRow]:
        rows = self._db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE source=?", (source,))
        return [self._article(r) for r in rows]

    def counts(self) -> tuple[int, int]:
        articles = self._db.execute("SELECT count(*) FROM articles").fetchone()[0]
        chunks = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return articles, chunks

    def chunks(self, article_id: str | None = None) -> list[StoredChunk]:
        query = 'SELECT chunk_id, article_id, paragraph, part, start, "end", text, search_text, fingerprint FROM chunks'
        rows = (
            self._db.execute(query + " WHERE article_id=?", (article_id,))
            if article_id
            else self._db.execute(query + " ORDER BY article_id, paragraph, part")
        )
        return [StoredChunk(Chunk(*r[:8]), r[8]) for r in rows]

    def lookup(self, chunk_ids: list[str]) -> dict[str, tuple[Chunk, str, str, str | None]]:
        """Chunk id -> (chunk, article title, source, date), for retrieved ids."""
        found = {}
        for begin in range(0, len(chunk_ids), 500):
            part = chunk_ids[begin : begin + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                'SELECT c.chunk_id, c.article_id, c.paragraph, c.part, c.start, c."end", c.text, c.search_text, '
                f"a.title, a.source, a.date FROM chunks c JOIN articles a USING (article_id) WHERE c.chunk_id IN ({marks})",
                part,
            )
            for r in rows:
                found[r[0]] = (Chunk(*r[:8]), r[8], r[9], r[10])
        return found

    def neighbours(self, article_id: str, paragraph: int) -> list[str]:
        """Chunk ids of the paragraphs just before and after `paragraph` in its article."""
        rows = self._db.execute(
            "SELECT chunk_id FROM chunks WHERE article_id=? AND paragraph IN (?, ?) ORDER BY paragraph, part",
            (article_id, paragraph - 1, paragraph + 1),
        )
        return [r[0] for r in rows]

    def chunk_ids_with(self, fingerprints: Iterable[str]) -> list[str]:
        """Ids of indexed chunks whose paragraph has one of these fingerprints."""
        fps = list(set(fingerprints))
        found: list[str] = []
        for begin in range(0, len(fps), 500):
            part = fps[begin : begin + 500]
            marks = ",".join("?" * len(part))
            found += [
                r[0] for r in self._db.execute(f"SELECT chunk_id FROM chunks WHERE fingerprint IN ({marks})", part)
            ]
        return found

    def article_count_by_fingerprint(self, fingerprints: Iterable[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        fps = list(set(fingerprints))
        for begin in range(0, len(fps), 500):
            part = fps[begin : begin + 500]
            marks = ",".join("?" * len(part))
            for fp, aid in self._db.execute(
                f"SELECT fingerprint, article_id FROM fingerprints WHERE fingerprint IN ({marks})", part
            ):
                found.setdefault(fp, set()).add(aid)
        return found

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

    # -- writing ----------------------------------------------------------------------------
    def put_article(self, row: ArticleRow, chunks: list[StoredChunk], fingerprints: set[str]) -> None:
        """Replace an article, its chunks and its fingerprints in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._delete(row.article_id)
                self._db.execute(
                    f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        row.article_id,
                        row.source,
                        row.record_id,
                        row.sha256,
                        row.title,
                        row.date,
                        row.url,
                        row.text,
                        _paragraphs_json(row.paragraphs),
                        row.chunk_count,
                    ),
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            s.chunk.chunk_id,
                            s.chunk.article_id,
                            s.chunk.paragraph,
                            s.chunk.part,
                            s.chunk.start,
                            s.chunk.end,
                            s.chunk.text,
                            s.chunk.search_text,
                            s.fingerprint,
                        )
                        for s in chunks
                    ],
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", [(fp, row.article_id) for fp in fingerprints]
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def drop_chunks(self, chunk_ids: list[str], reason: str) -> None:
        """Un-index chunks (e.g. found to repeat across articles), marking their paragraphs."""
        with self._lock:
            for cid in chunk_ids:
                row = self._db.execute("SELECT article_id, paragraph FROM chunks WHERE chunk_id=?", (cid,)).fetchone()
                if row is None:
                    continue
                article = self.article(row[0])
                self._db.execute("DELETE FROM chunks WHERE chunk_id=?", (cid,))
                if article:
                    paras = tuple(
                        Paragraph(p.n, p.start, p.end, reason) if p.n == row[1] else p for p in article.paragraphs
                    )
                    left = self._db.execute("SELECT count(*) FROM chunks WHERE article_id=?", (row[0],)).fetchone()[0]
                    self._db.execute(
                        "UPDATE articles SET paragraphs=?, chunk_count=? WHERE article_id=?",
                        (_paragraphs_json(paras), left, row[0]),
                    )

    def delete_article(self, article_id: str) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._delete(article_id)
            self._db.execute("COMMIT")

    def _delete(self, article_id: str) -> None:
        for table in ("articles", "chunks", "fingerprints"):
            self._db.execute(f"DELETE FROM {table} WHERE article_id=?", (article_id,))

    @staticmethod
    def _article(row: tuple) -> ArticleRow:
        paras = tuple(Paragraph(*p) for p in json.loads(row[8]))
        return ArticleRow(*row[:8], paragraphs=paras, chunk_count=row[9])


_ARTICLE_COLUMNS = "article_id, source, record_id, sha256, title, date, url, text, paragraphs, chunk_count"


def _paragraphs_json(paragraphs: Iterable[Paragraph]) -> str:
    return json.dumps([[p.n, p.start, p.end, p.boilerplate] for p in paragraphs])
