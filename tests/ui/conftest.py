"""Fixtures for the UI tests: the real app on a free port over a fresh index, and headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
STARTUP_TIMEOUT = 240.0
ANSWER_TIMEOUT = 60_000  # ms, for Playwright waits


def chromium_path() -> str | None:
    """Debian's chromium (or QA_CHROMIUM), None when there is no browser."""
    for candidate in (os.environ.get("QA_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def require_browser() -> str:
    path = chromium_path()
    if path is None:
        message = "no Chromium at /usr/bin/chromium: `apt-get install chromium` to run the browser tests"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: browser tests must run)")
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OutboundRecorder:
    """A stand-in HTTP(S) proxy that records every connection attempt and answers 403.

    The app runs with HTTP_PROXY/HTTPS_PROXY pointing here, so any request to another host
    (telemetry, version checks, fonts, model hubs) shows up in `seen`.
    """

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                    self.seen.append(first or "<empty>")
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    self.seen.append("<unreadable>")

    def close(self) -> None:
        self._sock.close()


@dataclass
class AppServer:
    url: str
    index_dir: Path
    log_path: Path
    outbound: OutboundRecorder
    startup_messages: list[str] = field(default_factory=list)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _status(client) -> dict:
    return client.predict(api_name="/status")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`python app.py` over an empty index in a temp folder; ready once the samples are indexed."""
    from gradio_client import Client

    base = tmp_path_factory.mktemp("ui-app")
    index_dir = base / "index"
    log_path = base / "app.log"
    port = free_port()
    outbound = OutboundRecorder()
    proxy = f"http://127.0.0.1:{outbound.port}"
    env = {
        **os.environ,
        "QA_INDEX_DIR": str(index_dir),
        "HTTP_PROXY": proxy,
        "HTTPS_PROXY": proxy,
        "ALL_PROXY": proxy,
        "http_proxy": proxy,
        "https_proxy": proxy,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    for key in ("QA_UI_USER", "QA_UI_PASSWORD", "GRADIO_SERVER_NAME", "GRADIO_SHARE"):
        env.pop(key, None)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    server = AppServer(url, index_dir, log_path, outbound)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        client = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{server.log()[-3000:]}")
            try:
                client = client or Client(url, verbose=False)
                status = _status(client)
            except Exception:
                time.sleep(0.5)
                continue
            server.startup_messages.append(status["message"])
            if not status["indexing"] and status["articles"] >= 5:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"app.py was not ready after {STARTUP_TIMEOUT:.0f}s:\n{server.log()[-3000:]}")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        outbound.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, app_server: AppServer):
    """A fresh browser tab (its own chat session) on the app's Ask tab."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(ANSWER_TIMEOUT)
    tab = context.new_page()
    tab.goto(app_server.url)
    tab.wait_for_selector("#question textarea")
    yield tab
    context.close()


class Chat:
    """Drives the Ask tab of one browser page."""

    def __init__(self, page) -> None:
        self.page = page

    def ask(self, question: str) -> str:
        """Type a question, send it, wait until its answer and sources are shown; the answer text."""
        before = self.page.locator("#sources section.turn").count()
        self.page.fill("#question textarea", question)
        self.page.press("#question textarea", "Enter")
        self.page.wait_for_function("n => document.querySelectorAll('#sources section.turn').length > n", arg=before)
        return self.last_answer()

    def last_answer(self) -> str:
        return self.page.locator("#chat .answer").last.inner_text()


@pytest.fixture()
def chat(page) -> Chat:
    return Chat(page)


def save_screenshot(page, folder: Path) -> Path:
    """Screenshot the page into `folder`; also into docs/ when asked (QA_UPDATE_SCREENSHOT=1) or missing."""
    shot = folder / "screenshot.png"
    page.screenshot(path=str(shot))
    target = ROOT / "docs" / "screenshot.png"
    if os.environ.get("QA_UPDATE_SCREENSHOT") == "1" or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
    return shot


@pytest.fixture()
def screenshot():
    return save_screenshot
