"""Crash-safe streaming ingestion: a SIGKILL at any point loses at most the batch under way, and the next
`qa ingest` completes the rest so that every count equals a clean ingest's."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, ROOT

# The documented test seam: QA_FAULT_KILL=STAGE:N makes the ingest kill itself at that stage of batch N.
KILL_POINTS = [
    "read:1", "embed:1", "vectors:1", "commit:1",
    "read:2", "vectors:2", "commit:2",
    "embed:3", "vectors:3", "commit:4",
]  # fmt: skip
BATCH_FILES = "2"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Nine articles: the five samples and four more stories, so a run has five batches of two files."""
    folder = tmp_path_factory.mktemp("crash-corpus")
    for path in ARTICLES.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    for n, place in enumerate(("Sabha", "Derna", "Tobruk", "Zawiya")):
        text = (
            f"Clashes in {place}\n\nFighting broke out in {place} on {n + 3} March between rival brigades. "
            f"Local officials said {n + 4} people were wounded.\n\nThe ceasefire in {place} was restored the next day.\n"
        )
        (folder / f"{place.lower()}.txt").write_text(text, encoding="utf-8")
    return folder


def ingest(index: Path, corpus: Path, kill: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), "QA_INGEST_BATCH_FILES": BATCH_FILES}
    if kill:
        env["QA_FAULT_KILL"] = kill
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest", str(corpus)], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def counts(index: Path) -> dict[str, int]:
    """Articles, chunks, keyword entries (catalog) and vectors (Chroma), read from the files themselves."""
    db = sqlite3.connect(index / "catalog.sqlite3")
    try:
        found = {
            "articles": db.execute("SELECT count(*) FROM articles").fetchone()[0],
            "chunks": db.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "keyword": db.execute("SELECT count(*) FROM terms").fetchone()[0],
            "pending": db.execute("SELECT count(*) FROM pending").fetchone()[0],
        }
        ids = {r[0] for r in db.execute("SELECT chunk_id FROM chunks")}
    finally:
        db.close()
    from index.store import VectorStore

    store = VectorStore(index / "chroma")
    vectors = set(store.collection.get(include=[])["ids"])
    found["vectors"] = len(vectors)
    found["vectors_without_chunk"] = len(vectors - ids)
    found["chunks_without_vector"] = len(ids - vectors)
    return found


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> dict[str, int]:
    index = tmp_path_factory.mktemp("clean") / "index"
    done = ingest(index, corpus)
    assert done.returncode == 0, done.stderr
    return counts(index)


@pytest.mark.parametrize("kill", KILL_POINTS)
def test_a_kill_at_any_point_is_recovered_by_the_next_ingest(kill, corpus, clean, tmp_path):
    index = tmp_path / "index"
    killed = ingest(index, corpus, kill)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    recovered = ingest(index, corpus)
    assert recovered.returncode == 0, recovered.stderr
    assert counts(index) == clean
    assert clean["vectors_without_chunk"] == clean["chunks_without_vector"] == clean["pending"] == 0


def test_committed_batches_survive_a_kill_and_are_not_embedded_again(corpus, clean, tmp_path):
    index = tmp_path / "index"
    ingest(index, corpus, "read:3")  # two batches (four files) committed, then killed
    after_kill = counts(index)
    assert after_kill["articles"] == 4 and after_kill["vectors_without_chunk"] == 0
    recovered = ingest(index, corpus)
    assert "4 unchanged" in recovered.stdout
    assert counts(index) == clean
