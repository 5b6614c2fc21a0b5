"""Server mode: vectors in a real `chroma run` server reached by URL."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from qa import Settings
from qa.api import Assistant
from tests.conftest import ARTICLES


@pytest.fixture
def chroma_server(tmp_path):
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(chroma).exists():
        pytest.fail("the `chroma` command is missing: reinstall chromadb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.server
def test_ingest_and_answer_through_a_chroma_server(chroma_server, tmp_path, embedder):
    settings = Settings().replace(index_dir=tmp_path / "local", index_chroma_url=chroma_server)
    assistant = Assistant(settings=settings, embedder=embedder)
    assert assistant.ingest([ARTICLES]).added == 29
    assert not (tmp_path / "local" / "chroma").exists()  # the vectors live in the server
    answer = assistant.ask("who claimed the Fugaha attack?")
    assert "Amaq" in answer.text
    assert assistant.status()["vectors"] == chroma_server


def test_unreachable_server_is_a_clear_error(tmp_path, embedder):
    from qa import QAError

    assistant = Assistant(
        settings=Settings().replace(index_dir=tmp_path / "i", index_chroma_url="http://127.0.0.1:9"), embedder=embedder
    )
    with pytest.raises(QAError, match="Chroma"):
        assistant.ingest([ARTICLES])
