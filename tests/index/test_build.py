"""Ingestion end to end on a real Chroma store: incremental, removals, bad input, blurbs."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ARTICLES


def test_first_ingest_indexes_every_article_without_boilerplate(make_assistant):
    assistant = make_assistant()
    report = assistant.ingest([ARTICLES])
    assert (report.articles, report.new_articles, report.errors) == (5, 5, [])
    assert report.added == assistant.status()["chunks"] == 29
    view = assistant.article("004_dbdc3b8675f91d3b")
    assert [p.n for p in view.paragraphs if not p.indexed] == [1, 9, 10, 11, 12, 13, 14]


def test_reingesting_unchanged_files_embeds_nothing_and_loads_no_model(make_assistant, corpus, tmp_path):
    make_assistant("shared").ingest([corpus])
    from index.embedding import Embedder
    from qa import Settings
    from qa.api import Assistant

    fresh = Embedder()
    again = Assistant(settings=Settings().replace(index_dir=tmp_path / "shared"), embedder=fresh).ingest([corpus])
    assert (again.added, again.skipped, again.unchanged_articles) == (0, 29, 5)
    assert "nothing new" in again.summary()
    assert "model" not in fresh.__dict__  # the model was never loaded: nothing to embed


def test_changed_file_replaces_only_its_changed_chunks(make_assistant, corpus):
    assistant = make_assistant()
    assistant.ingest([corpus])
    path = corpus / "003_e4b2a346130bc4d2.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("13 people were taken", "14 people were taken"), encoding="utf-8")
    report = assistant.ingest([corpus])
    assert (report.changed_articles, report.unchanged_articles) == (1, 4)
    assert (report.added, report.removed) == (1, 1)
    assert "14 people" in assistant.ask("How many people were taken into custody in Misrata?").text


def test_remove_by_path_deletes_the_articles_chunks(make_assistant, corpus):
    assistant = make_assistant()
    assistant.ingest([corpus])
    report = assistant.remove(corpus / "002_87556d76f135b60a.txt")
    assert (report.articles, report.removed) == (1, 8)
    assert "002_87556d76f135b60a" not in {a.article_id for a in assistant.articles()}
    assert all(
        c.article_id != "002_87556d76f135b60a"
        for c in assistant.ask("how many people were beheaded at the al-Fugaha checkpoint?").citations
    )


def test_a_bad_file_is_reported_and_the_rest_is_indexed(make_assistant, corpus):
    assistant = make_assistant()
    assistant.ingest([corpus])
    (corpus / "broken.json").write_text("{oops", encoding="utf-8")
    (corpus / "locked.txt").write_text("secret", encoding="utf-8")
    os.chmod(corpus / "locked.txt", 0)
    (corpus / "new.txt").write_text("The mayor of Ghat reopened the market on Monday.", encoding="utf-8")
    try:
        report = assistant.ingest([corpus])
    finally:
        os.chmod(corpus / "locked.txt", 0o644)
    failed = {os.path.basename(s) for s, _ in report.errors}
    assert "broken.json" in failed
    if os.geteuid() != 0:  # root reads any file
        assert "locked.txt" in failed
    assert report.new_articles >= 1 and assistant.status()["articles"] >= 6
    assert "Ghat" in assistant.ask("Who reopened the market in Ghat?").text


def test_paragraph_repeated_in_many_articles_is_not_indexed(make_assistant, tmp_path):
    blurb = "Example Wire is an independent newsroom covering North Africa since 2011."
    folder = tmp_path / "wire"
    folder.mkdir()
    for n, town in enumerate(["Ghat", "Ubari", "Sabha"], start=1):
        (folder / f"{n}.txt").write_text(f"Protesters gathered in {town} on Monday.\n{blurb}\n", encoding="utf-8")
    assistant = make_assistant()
    assistant.ingest([folder / "1.txt", folder / "2.txt"])
    assert assistant.status()["chunks"] == 4  # in two articles it could still be news
    report = assistant.ingest([folder])
    assert assistant.status()["chunks"] == 3 and report.removed == 2
    answer = assistant.ask("Which newsroom covers North Africa?")
    assert all("Example Wire" not in c.quote for c in answer.citations)


def test_jsonl_records_are_articles_with_their_own_ids(make_assistant, tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"id": "wire-1", "title": "Port reopens", "date": "2017-09-02", "text": "The port of Derna reopened on Saturday after repairs."}\n',
        encoding="utf-8",
    )
    assistant = make_assistant()
    assistant.ingest([feed])
    answer = assistant.ask("When did the port of Derna reopen?")
    assert answer.citations[0].article_id == "wire-1" and answer.citations[0].date == "2017-09-02"
    assert "Saturday" in answer.text


def test_index_built_with_another_model_is_a_clear_error(make_assistant, tmp_path):
    from index.embedding import Embedder, bundled_model_path
    from qa import QAError, Settings
    from qa.api import Assistant

    make_assistant("shared").ingest([ARTICLES / "002_87556d76f135b60a.txt"])
    same = Assistant(
        settings=Settings().replace(index_dir=tmp_path / "shared", index_embedding_model=bundled_model_path())
    )
    assert (
        "eleven" in same.ask("how many people were beheaded at the al-Fugaha checkpoint?").text
    )  # the bundled model named by its path
    other = Assistant(
        settings=Settings().replace(index_dir=tmp_path / "shared"), embedder=Embedder("/models/other-model")
    )
    with pytest.raises(QAError, match="built with model"):
        other.ask("how many people were beheaded at the al-Fugaha checkpoint?")


def test_an_index_of_an_older_format_is_refused_then_rebuilt_on_request(tmp_path):
    import sqlite3
    import subprocess
    import sys

    from tests.conftest import ROOT

    index = tmp_path / "index"
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}

    def qa(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "qa.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=600)  # fmt: skip

    assert qa("ingest", str(ARTICLES / "002_87556d76f135b60a.txt")).returncode == 0
    db = sqlite3.connect(index / "catalog.sqlite3")
    db.execute("UPDATE meta SET value='2' WHERE key='schema_version'")  # as an index written by the previous format
    db.commit()
    db.close()

    refused = qa("ask", "How many people were beheaded at the al-Fugaha checkpoint?")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "older version" in refused.stderr and "qa ingest --rebuild" in refused.stderr

    assert qa("ingest", "--rebuild", str(ARTICLES / "002_87556d76f135b60a.txt")).returncode == 0
    answer = qa("ask", "How many people were beheaded at the al-Fugaha checkpoint?")
    assert answer.returncode == 0 and "eleven" in answer.stdout
