"""Server mode: vectors in a real `chroma run` server reached by URL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.store import http_client
from qa import Settings
from qa.api import Assistant
from tests.conftest import ARTICLES, ROOT


class ChromaServer:
    """A real `chroma run` on loopback, over a data folder; it can be stopped mid-test."""

    def __init__(self, data: Path) -> None:
        chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
        if not Path(chroma).exists():
            pytest.fail("the `chroma` command is missing: reinstall chromadb")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1)
                return
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def server(tmp_path):
    running = ChromaServer(tmp_path / "server-data")
    yield running
    running.stop()


@pytest.fixture
def chroma_server(server):
    return server.url


@pytest.mark.server
def test_ingest_and_answer_through_a_chroma_server(chroma_server, tmp_path, embedder):
    settings = Settings().replace(index_dir=tmp_path / "local", index_chroma_url=chroma_server)
    assistant = Assistant(settings=settings, embedder=embedder)
    assert assistant.ingest([ARTICLES]).added == 29
    assert not (tmp_path / "local" / "chroma").exists()  # the vectors live in the server
    answer = assistant.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert "eleven" in answer.text
    assert assistant.status()["vectors"] == chroma_server


def test_unreachable_server_is_a_clear_error(tmp_path, embedder):
    from qa import QAError

    assistant = Assistant(
        settings=Settings().replace(index_dir=tmp_path / "i", index_chroma_url="http://127.0.0.1:9"), embedder=embedder
    )
    with pytest.raises(QAError, match="Chroma"):
        assistant.ingest([ARTICLES])


def qa_cli(*args: str, index: Path, url: str, **extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QA_INDEX_DIR": str(index), "QA_CHROMA_URL": url, "PYTHONPATH": str(ROOT), **extra}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)  # fmt: skip


@pytest.mark.server
def test_the_server_holds_everything_a_second_machine_needs(server, tmp_path, embedder):
    first = Assistant(settings=Settings().replace(index_dir=tmp_path / "machine-a", index_chroma_url=server.url),
                      embedder=embedder)  # fmt: skip
    first.ingest([ARTICLES])
    expected = first.ask("how many people were beheaded at the al-Fugaha checkpoint?")

    # A second machine: an empty local folder and only the URL.
    second = Assistant(settings=Settings().replace(index_dir=tmp_path / "machine-b", index_chroma_url=server.url),
                       embedder=embedder)  # fmt: skip
    answer = second.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert answer.text == expected.text and "eleven" in answer.text
    assert [(c.article_id, c.paragraph, c.start, c.end) for c in answer.citations] == [
        (c.article_id, c.paragraph, c.start, c.end) for c in expected.citations
    ]
    assert second.status()["articles"] == 5 and second.article("002_87556d76f135b60a").text.startswith("On 23 August")

    # What the first machine removes, the second one stops citing.
    first.remove("002_87556d76f135b60a")
    time.sleep(2.1)  # readers look at the server's generation every couple of seconds
    assert "002_87556d76f135b60a" not in {
        c.article_id for c in second.ask("how many people were beheaded at the al-Fugaha checkpoint?").citations
    }


@pytest.mark.server
def test_a_stopped_server_is_reported_clearly_by_the_cli(server, tmp_path):
    index = tmp_path / "local"
    assert qa_cli("ingest", str(ARTICLES), index=index, url=server.url).returncode == 0
    assert qa_cli("status", index=index, url=server.url).returncode == 0
    server.stop()
    status = qa_cli("status", index=index, url=server.url)
    ask = qa_cli("ask", "how many people were beheaded at the al-Fugaha checkpoint?", index=index, url=server.url)
    for done in (status, ask):
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "Chroma server" in done.stderr and server.url in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.server
def test_a_second_machine_answers_from_the_cli_with_only_the_url(server, tmp_path):
    """`qa --chroma-url URL ask` needs no local index: an empty folder, a missing one, or none named."""
    assert qa_cli("ingest", str(ARTICLES), index=tmp_path / "machine-a", url=server.url).returncode == 0
    (tmp_path / "empty").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("QA_INDEX_DIR", "QA_CHROMA_URL")}
    env |= {"PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data-home")}
    question = "how many people were beheaded at the al-Fugaha checkpoint?"
    for where in (["--index", str(tmp_path / "empty")], ["--index", str(tmp_path / "missing")], []):
        done = subprocess.run([sys.executable, "-m", "qa.cli", *where, "--chroma-url", server.url, "ask", question,
                               "--json"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, (where, done.stderr)
        answer = json.loads(done.stdout)
        assert not answer["abstained"] and "eleven" in answer["answer"], where


REBUILD_QUESTION = "Who is trying to regroup in Libya?"
WSJ = "004_dbdc3b8675f91d3b"  # not in the rebuilt index
ALONE = ARTICLES / "002_87556d76f135b60a.txt"


def server_collections(url: str) -> list[str]:
    return sorted(c.name for c in http_client(url).list_collections())


@pytest.mark.server
def test_a_server_rebuild_is_built_beside_the_collections_that_answer(server, tmp_path, embedder):
    """While machine A rebuilds on the server, machine B answers from the old index; then both move to the new one."""

    def machine(name: str) -> Assistant:
        settings = Settings().replace(index_dir=tmp_path / name, index_chroma_url=server.url)
        return Assistant(settings=settings, embedder=embedder)

    first, second = machine("machine-a"), machine("machine-b")
    first.ingest([ARTICLES])
    before = second.ask(REBUILD_QUESTION)
    assert WSJ in {c.article_id for c in before.citations}

    during: list = []

    def ask_meanwhile(done: int, total: int, message: str) -> None:
        if not during:  # while the new collections are half built
            during.append((second.status(), second.ask(REBUILD_QUESTION)))

    report = first.rebuild([ALONE], on_progress=ask_meanwhile)
    assert report.new_articles == 1 and during
    status, answer = during[0]
    assert status["articles"] == 5 and answer.text == before.text

    # The switch reaches every machine: the one that rebuilt, the one that watched, and a new one.
    for reader in (first, second, machine("machine-c")):
        assert reader.status()["articles"] == 1
        assert WSJ not in {c.article_id for c in reader.ask(REBUILD_QUESTION).citations}


@pytest.mark.server
def test_a_server_rebuild_killed_halfway_leaves_the_old_collections_answering(server, tmp_path):
    index = tmp_path / "local"
    assert qa_cli("ingest", str(ARTICLES), index=index, url=server.url).returncode == 0
    killed = qa_cli("ingest", "--rebuild", str(ARTICLES), index=index, url=server.url,
                    QA_FAULT_KILL="commit:2", QA_INGEST_BATCH_FILES="1")  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    for where in (index, tmp_path / "other-machine"):
        assert json.loads(qa_cli("status", "--json", index=where, url=server.url).stdout)["articles"] == 5
        asked = qa_cli("ask", REBUILD_QUESTION, "--json", index=where, url=server.url)
        assert asked.returncode == 0 and WSJ in {c["article_id"] for c in json.loads(asked.stdout)["citations"]}

    # The next rebuild completes; a third one deletes what the killed one and the first index left.
    assert qa_cli("ingest", "--rebuild", str(ALONE), index=index, url=server.url).returncode == 0
    assert (
        json.loads(qa_cli("status", "--json", index=tmp_path / "other-machine", url=server.url).stdout)["articles"] == 1
    )
    assert qa_cli("ingest", "--rebuild", str(ALONE), index=index, url=server.url).returncode == 0
    assert server_collections(server.url) == [
        "paragraphs-gen-2", "paragraphs-gen-2_articles", "paragraphs-gen-3", "paragraphs-gen-3_articles",
        "paragraphs_current",
    ]  # fmt: skip
