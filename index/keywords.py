"""The catalog's keyword index (SQLite FTS5 over our tokens) and names table: each chunk's entries, BM25 search, idf.

Each chunk has one row of `terms`, under the chunk's own rowid, and counts its capitalised
words in `names`; both are written and removed inside the catalog's transaction for that chunk.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence

from index.analysis import capitalised_names
from index.database import rows_in


def add(db: sqlite3.Connection, rowid: int | None, tokens: Sequence[str], words: Iterable[tuple[str, str]]) -> None:
    """Index the chunk stored at `rowid`: its tokens, and its capitalised words as (sound key, spelling)."""
    db.execute("INSERT INTO terms(rowid, tokens) VALUES (?, ?)", (rowid, " ".join(tokens)))
    _count_names(db, words, +1)


def remove(db: sqlite3.Connection, rowid: int, search_text: str) -> None:
    """Un-index the chunk stored at `rowid`: its tokens, and the names its search text counted."""
    db.execute("DELETE FROM terms WHERE rowid=?", (rowid,))
    _count_names(db, capitalised_names(search_text), -1)


def search(db: sqlite3.Connection, tokens: Sequence[str], k: int) -> list[tuple[str, float]]:
    """(chunk id, BM25 score) of the k best chunks for the tokens, best first."""
    terms = sorted({t for t in tokens if t})
    if not terms or k <= 0:
        return []
    query = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    rows = db.execute(
        "SELECT c.chunk_id, -bm25(terms) AS score FROM terms JOIN chunks c ON c.rowid = terms.rowid "
        "WHERE terms MATCH ? ORDER BY bm25(terms) LIMIT ?",
        (query, k),
    )
    return [(cid, float(score)) for cid, score in rows]


def idf(db: sqlite3.Connection, tokens: Sequence[str]) -> dict[str, float]:
    """Inverse document frequency of each token among chunks; unseen tokens get the highest."""
    n = max(db.execute("SELECT count(*) FROM chunks").fetchone()[0], 1)
    wanted = sorted(set(tokens))
    found = {t: 0 for t in wanted}
    found.update(dict(rows_in(db, "SELECT term, doc FROM terms_vocab WHERE term IN ({marks})", wanted)))
    return {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in found.items()}


def names(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Sound key -> the corpus's spellings of capitalised words (Fugaha, Fuqaha...)."""
    out: dict[str, list[str]] = {}
    for key, spelling in db.execute("SELECT key, spelling FROM names WHERE uses > 0 ORDER BY key, spelling"):
        out.setdefault(key, []).append(spelling)
    return out


def _count_names(db: sqlite3.Connection, words: Iterable[tuple[str, str]], delta: int) -> None:
    pairs = list(words)
    if not pairs:
        return
    db.executemany(
        "INSERT INTO names VALUES (?, ?, ?) ON CONFLICT(key, spelling) DO UPDATE SET uses = uses + excluded.uses",
        [(key, spelling, delta) for key, spelling in pairs],
    )
    if delta < 0:
        db.execute("DELETE FROM names WHERE uses <= 0")
