"""The catalog's SQLite file: its tables and format version, opening it, and the transaction and batched-`IN` helpers.

Opening is safe against other processes opening the same new file at once: the switch to
write-ahead logging is retried, and the tables and the version that records them are
created in one write transaction.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexVersionError

SCHEMA_VERSION = 3
IN_BATCH = 500  # values per `IN (...)`: SQLite bounds the parameters of one statement
BUSY_SECONDS = 60  # how long a connection waits for another process's write lock
SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY, source TEXT NOT NULL, record_id TEXT, sha256 TEXT NOT NULL,
    title TEXT NOT NULL, date TEXT, day INTEGER, url TEXT, text TEXT NOT NULL, encoding TEXT,
    paragraphs TEXT NOT NULL, chunk_count INTEGER NOT NULL DEFAULT 0, story TEXT
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_sha ON articles(sha256);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY, article_id TEXT NOT NULL, sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_article ON sources(article_id);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, paragraph INTEGER NOT NULL,
    part INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, search_text TEXT NOT NULL, fingerprint TEXT NOT NULL, sentences TEXT NOT NULL,
    vectors BLOB
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id, paragraph);
CREATE INDEX IF NOT EXISTS chunks_fingerprint ON chunks(fingerprint);
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5(tokens, tokenize = "unicode61 remove_diacritics 0");
CREATE VIRTUAL TABLE IF NOT EXISTS terms_vocab USING fts5vocab(terms, 'row');
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint TEXT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (fingerprint, article_id)
);
CREATE TABLE IF NOT EXISTS names (key TEXT NOT NULL, spelling TEXT NOT NULL, uses INTEGER NOT NULL,
    PRIMARY KEY (key, spelling));
CREATE TABLE IF NOT EXISTS pending (chunk_id TEXT NOT NULL, op TEXT NOT NULL, PRIMARY KEY (chunk_id, op));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from the thread that keeps it."""
    return sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS, check_same_thread=False)


def use_wal(db: sqlite3.Connection) -> None:
    """Switch to write-ahead logging (it persists: only a new index switches).

    SQLite may refuse the switch at once with "database is locked", without waiting on the
    busy timeout, when another process is switching the same new file: retry within that timeout.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def version(db: sqlite3.Connection) -> int | None:
    """The index format, None for a new (empty) database."""
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    except sqlite3.OperationalError:  # no meta table: an index from before versions were recorded
        return 1
    return int(row[0]) if row else 1


def ensure_schema(db: sqlite3.Connection, folder: Path) -> None:
    """Create the tables of a new index; refuse an index of another format (`folder` names it in the message)."""
    if version(db) == SCHEMA_VERSION:
        return  # the common case: an index of this format, opened without taking the write lock
    # Checked and created in one write transaction: two processes opening a new index at once
    # see either no tables or the whole schema with its version, never half of it.
    # Unlike `transaction`, a failed COMMIT here is rolled back too.
    db.execute("BEGIN IMMEDIATE")
    try:
        found = version(db)
        if found is not None and found != SCHEMA_VERSION:
            raise IndexVersionError(
                f"the index at {folder} was made by an older version of this program (index format "
                f"{found}, this one reads {SCHEMA_VERSION}): rebuild it with `qa ingest --rebuild PATH ...`"
            )
        for statement in filter(None, (part.strip() for part in SCHEMA.split(";"))):
            db.execute(statement)
        if found is None:
            db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """A write transaction, taking the write lock at once: committed if the block ends normally, else rolled back."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def rows_in(db: sqlite3.Connection, sql: str, values: Iterable[object], params: Sequence[object] = ()) -> list[tuple]:
    """The rows of `sql`, whose `IN ({marks})` takes `values` in batches (SQLite bounds a statement's
    parameters); `params` follow each batch's values."""
    values = list(dict.fromkeys(values))
    rows: list[tuple] = []
    for begin in range(0, len(values), IN_BATCH):
        part = values[begin : begin + IN_BATCH]
        rows += db.execute(sql.format(marks=",".join("?" * len(part))), [*part, *params]).fetchall()
    return rows
