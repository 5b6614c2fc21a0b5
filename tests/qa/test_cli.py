"""The `qa` command as a person runs it: output, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, ROOT


def qa(*args: str, index: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli-index")
    first = qa("ingest", index=folder)  # default corpus: data/articles
    assert first.returncode == 0, first.stderr
    assert "29 chunks embedded" in first.stdout
    return folder


def test_second_ingest_reports_nothing_new(index):
    again = qa("ingest", str(ARTICLES), index=index)
    assert again.returncode == 0
    assert "0 chunks embedded" in again.stdout and "nothing new to embed" in again.stdout


def test_ask_json_prints_the_answer_dict(index):
    done = qa("ask", "how many people were beheaded at the al-Fugaha checkpoint?", "--json", index=index)
    data = json.loads(done.stdout)
    assert data["abstained"] is False and "eleven" in data["answer"]
    cited = data["citations"]
    assert any(c["article_id"].startswith("002") and c["paragraph"] == 1 for c in cited)
    for c in cited:
        assert Path(c["source"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]


def test_ask_with_history_and_index_flag_after_the_command(index):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa.cli",
            "ask",
            "How many people were beheaded?",
            "--history",
            "how many people were beheaded at the al-Fugaha checkpoint?",
            "--index",
            str(index),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0 and "eleven" in done.stdout


def test_status_lists_counts_location_and_model(index):
    done = qa("status", index=index)
    assert "articles: 5" in done.stdout and "chunks: 29" in done.stdout and str(index) in done.stdout
    assert "MiniLM" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "anything?"), "no index at"),
        (("status",), "no index at"),
        (("ingest", "no/such/folder"), "no such file or folder"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(tmp_path, args, message):
    done = qa(*args, index=tmp_path / "missing")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_empty_question_is_exit_code_2(index):
    done = qa("ask", "  ", index=index)
    assert done.returncode == 2 and "empty" in done.stderr and "Traceback" not in done.stderr


def qa_bytes(*args: str | bytes, index: Path) -> subprocess.CompletedProcess:
    """The command with its arguments passed as raw bytes, as a shell passes $'caf\\xe9'."""
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "qa.cli", *(os.fsencode(a) for a in args)]
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((b"ask", b"caf\xe9 fire chief?"), "the question is not valid text"),  # Latin-1, not UTF-8
        ((b"ask", b"who claimed \xed\xb3\xa9 it?"), "the question is not valid text"),  # a surrogate, encoded
        ((b"ask", b"\x1b[2J\x1b[H"), "the question is empty"),  # clears the screen, says nothing
        ((b"ask", b"\x1b]0;pwned\x07\x1b[31m"), "the question is empty"),
        (("ask", "who claimed the Fugaha attack?", "--history", b"caf\xe9?"), "--history question is not valid"),
        (("ask", "who claimed the Fugaha attack?", "--top-k", "-3"), "--top-k -3 is not a number of passages"),
        (("ask", "who claimed the Fugaha attack?", "--top-k", "0"), "--top-k 0 is not a number of passages"),
    ],
)
def test_a_question_that_is_not_text_or_a_bad_top_k_is_refused_in_one_line_with_exit_code_2(index, args, message):
    done = qa_bytes(*args, index=index)
    assert done.returncode == 2, done.stdout
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not done.stdout


def test_unreadable_file_is_reported_with_exit_code_2_and_index_kept(index, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{broken", encoding="utf-8")
    done = qa("ingest", str(bad), index=index)
    assert done.returncode == 2 and "bad.json" in done.stderr and "Traceback" not in done.stderr
    assert "articles: 5" in qa("status", index=index).stdout


def test_remove_then_the_article_is_gone(tmp_path):
    folder = tmp_path / "idx"
    assert qa("ingest", str(ARTICLES / "003_e4b2a346130bc4d2.txt"), index=folder).returncode == 0
    done = qa("remove", str(ARTICLES / "003_e4b2a346130bc4d2.txt"), index=folder)
    assert done.returncode == 0 and "removed 1 articles" in done.stdout
    assert "articles: 0" in qa("status", index=folder).stdout
    again = qa("remove", "no-such-article", index=folder)
    assert again.returncode == 2 and "nothing indexed" in again.stderr
