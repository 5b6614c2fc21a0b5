"""`qa ingest --rebuild` builds the new index beside the old one: the old one answers until the switch, and a
rebuild killed halfway leaves it answering."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

from qa import Assistant, Settings
from qa.rebuild import rebuild_index
from tests.conftest import ARTICLES, ROOT

ALONE = ARTICLES / "002_87556d76f135b60a.txt"
WSJ = "004_dbdc3b8675f91d3b"  # not in the rebuilt index
QUESTION = "Who is trying to regroup in Libya?"


def qa(index, *args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), "QA_INGEST_BATCH_FILES": "1", **env}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], env=full, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def test_questions_asked_during_a_rebuild_are_answered_from_the_old_index(tmp_path, embedder):
    index = tmp_path / "index"
    reader = Assistant(settings=Settings().replace(index_dir=index), embedder=embedder)
    reader.ingest([ARTICLES])
    before = reader.ask(QUESTION)
    assert not before.abstained and WSJ in {c.article_id for c in before.citations}

    during: list = []

    def ask_meanwhile(done: int, total: int, message: str) -> None:
        if not during:  # while the new index is half built
            during.append((reader.ask(QUESTION), reader.status()))

    report = rebuild_index(reader.settings, [ALONE], on_progress=ask_meanwhile, embedder=embedder)
    assert report.new_articles == 1 and during
    answer, status = during[0]
    assert answer.text == before.text and not answer.notice and status["articles"] == 5 and status["indexing"] == "no"

    # Once the new index is complete, the same assistant answers from it.
    assert reader.status()["articles"] == 1
    assert WSJ not in {c.article_id for c in reader.ask(QUESTION).citations}
    assert reader.status()["index"] == str(index)


def test_a_rebuild_killed_halfway_leaves_the_old_index_answering(tmp_path):
    index = tmp_path / "index"
    assert qa(index, "ingest", str(ARTICLES)).returncode == 0
    killed = qa(index, "ingest", "--rebuild", str(ARTICLES), QA_FAULT_KILL="commit:2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    status = json.loads(qa(index, "status", "--json").stdout)
    assert status["articles"] == 5 and status["indexing"] == "no"
    asked = qa(index, "ask", QUESTION, "--json")
    assert asked.returncode == 0 and WSJ in {c["article_id"] for c in json.loads(asked.stdout)["citations"]}

    # The next rebuild completes, and a third one removes what the first generations left.
    assert qa(index, "ingest", "--rebuild", str(ALONE)).returncode == 0
    assert json.loads(qa(index, "status", "--json").stdout)["articles"] == 1
    assert qa(index, "ingest", "--rebuild", str(ALONE)).returncode == 0
    left = sorted(p.name for p in index.iterdir() if not p.name.endswith(".lock"))
    assert left == ["CURRENT", "gen-1", "gen-2"], left


def test_an_assistant_that_answered_before_a_rebuild_answers_from_the_new_index_in_another_thread(tmp_path, embedder):
    """The app answers in worker threads: one of them, asking after the switch, reads the new index."""
    index = tmp_path / "index"
    app = Assistant(settings=Settings().replace(index_dir=index), embedder=embedder)
    app.ingest([ARTICLES])
    answers: list = []
    worker = threading.Thread(target=lambda: answers.append(app.ask(QUESTION)))
    rebuild_index(app.settings, [ALONE], embedder=embedder)
    worker.start()
    worker.join(timeout=120)
    assert answers and WSJ not in {c.article_id for c in answers[0].citations}
