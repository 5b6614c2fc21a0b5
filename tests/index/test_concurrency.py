"""One writer per index: two ingests at once end as one would; a reader is never blocked and hears about it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.conftest import ARTICLES, ROOT
from tests.index.test_crash import counts


def start(index, *args: str) -> subprocess.Popen:
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), "QA_INGEST_BATCH_FILES": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def test_two_ingests_at_once_end_with_the_counts_of_one(tmp_path):
    index = tmp_path / "index"
    first, second = start(index, "ingest", str(ARTICLES)), start(index, "ingest", str(ARTICLES))
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert any("waiting for it to finish" in err for _, err in outputs)
    found = counts(index)
    assert (found["articles"], found["chunks"], found["vectors"], found["keyword"]) == (5, 29, 29, 29)
    assert found["vectors_without_chunk"] == found["chunks_without_vector"] == 0
    embedded = [int(out.split(" chunks embedded")[0].rsplit(", ", 1)[-1]) for out, _ in outputs]
    assert sorted(embedded) == [0, 29]  # the one that waited found everything done


def test_a_question_during_an_ingest_is_answered_from_what_is_committed_and_says_so(tmp_path):
    """This test holds the write lock itself, as an ingest would, so the question surely falls inside it."""
    from index.locking import note_progress, writing

    index = tmp_path / "index"
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT)}
    ingest = [sys.executable, "-m", "qa.cli", "ingest", str(ARTICLES / "002_87556d76f135b60a.txt")]
    assert subprocess.run(ingest, env=env, cwd=ROOT, capture_output=True, timeout=600).returncode == 0
    ask = [sys.executable, "-m", "qa.cli", "ask", "how many people were beheaded at the al-Fugaha checkpoint?"]
    with writing(index):
        note_progress(index, 2, 5, "embedding")
        started = time.monotonic()
        during = subprocess.run(ask, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        waited = time.monotonic() - started
    after = subprocess.run(ask, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert during.returncode == 0, during.stderr
    assert "eleven" in during.stdout and "Indexing is still under way (2 of 5 files)" in during.stdout
    assert waited < 120  # the reader was not blocked by the writer
    assert "eleven" in after.stdout and "Indexing" not in after.stdout


def test_processes_creating_one_new_index_at_once_all_open_it(tmp_path):
    """The schema and its version are written in one transaction: no opener sees half of them."""
    for attempt in range(5):
        folder = tmp_path / f"index-{attempt}"
        code = f"from pathlib import Path; from index.catalog import Catalog; Catalog(Path({str(folder)!r}))"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        openers = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
                   for _ in range(4)]  # fmt: skip
        errors = [p.communicate(timeout=120)[1] for p in openers]
        assert [p.returncode for p in openers] == [0, 0, 0, 0], errors
