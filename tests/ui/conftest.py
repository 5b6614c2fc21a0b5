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
    """A running `app.py`: its address, index folder, log and what it tried to reach outside."""

    url: str
    index_dir: Path
    log_path: Path
    outbound: OutboundRecorder
    process: subprocess.Popen
    startup_messages: list[str] = field(default_factory=list)
    auth: tuple[str, str] | None = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.outbound.close()


def start_app(base: Path, *args: str, env: dict[str, str] | None = None) -> AppServer:
    """Start `python app.py --port P ARGS` with QA_INDEX_DIR in `base` and every proxy pointed at a recorder."""
    base.mkdir(parents=True, exist_ok=True)
    index_dir = base / "index"
    log_path = base / "app.log"
    port = free_port()
    outbound = OutboundRecorder()
    proxy = f"http://127.0.0.1:{outbound.port}"
    full_env = {key: value for key, value in os.environ.items() if not key.startswith(("QA_UI_", "GRADIO_"))}
    full_env.update(
        {
            "QA_INDEX_DIR": str(index_dir),
            "HTTP_PROXY": proxy,
            "HTTPS_PROXY": proxy,
            "ALL_PROXY": proxy,
            "http_proxy": proxy,
            "https_proxy": proxy,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
    )
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(port), *args],
            cwd=ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return AppServer(f"http://127.0.0.1:{port}/", index_dir, log_path, outbound, process)


def wait_until_ready(server: AppServer, articles: int, auth: tuple[str, str] | None = None) -> None:
    """Poll the status API until nothing is being indexed and `articles` are in; keep the messages seen."""
    from gradio_client import Client

    deadline = time.monotonic() + STARTUP_TIMEOUT
    client = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"app.py exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            client = client or Client(server.url, auth=auth, verbose=False)
            status = client.predict(api_name="/status")
        except Exception:
            time.sleep(0.5)
            continue
        server.startup_messages.append(status["message"])
        if not status["indexing"] and status["articles"] >= articles:
            return
        time.sleep(0.2)
    pytest.fail(f"app.py was not ready after {STARTUP_TIMEOUT:.0f}s:\n{server.log()[-3000:]}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`python app.py` over an empty index in a temp folder; ready once the 5 samples are indexed."""
    server = start_app(tmp_path_factory.mktemp("ui-app"))
    try:
        wait_until_ready(server, articles=5)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_tab(browser, server: AppServer) -> Iterator[object]:
    """A fresh browser tab (its own chat session) on the app's Ask tab, closed afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(ANSWER_TIMEOUT)
    tab = context.new_page()
    tab.goto(server.url)
    tab.wait_for_selector("#question textarea")
    yield tab
    context.close()


@pytest.fixture()
def page(browser, app_server: AppServer):
    yield from open_tab(browser, app_server)


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


APP_USER = ("reader", "correct horse battery")


@pytest.fixture(scope="module")
def protected_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`python app.py` with QA_UI_USER / QA_UI_PASSWORD set, over an empty index (nothing to ingest)."""
    base = tmp_path_factory.mktemp("ui-auth")
    (base / "no-articles").mkdir()
    server = start_app(
        base,
        "--articles",
        str(base / "no-articles"),
        env={"QA_UI_USER": APP_USER[0], "QA_UI_PASSWORD": APP_USER[1]},
    )
    try:
        server.auth = APP_USER
        wait_until_ready(server, articles=0, auth=APP_USER)
        yield server
    finally:
        server.stop()
