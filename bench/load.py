"""A bounded load test of the web app: N concurrent users on loopback, a fixed number of questions, then stop.

    python -m bench.load [--users 20] [--questions 5] [--index DIR] [--out bench/results]

Starts `app.py` on a free loopback port (over DIR, or a fresh index of the sample articles),
waits until it is ready, has every user ask its questions through the client API at once,
and reports p50/p95 latency and errors. It never talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Who claimed the Fugaha attack?",
    "How many people were beheaded at the al-Fugaha checkpoint?",
    "When did ISIS attack the police station in Uqaylah?",
    "Who did Boris Johnson meet in Benghazi?",
    "How many people live in Sirte?",
    "Which country is accused of transferring ISIS fighters to Libya?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(index: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "QA_INDEX_DIR": str(index), "NO_PROXY": "127.0.0.1,localhost"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, f"http://127.0.0.1:{port}/"


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    from gradio_client import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("app.py exited while starting")
        try:
            status = Client(url, verbose=False).predict(api_name="/status")
            if status["articles"] and not status["indexing"]:
                return
        except Exception:
            pass
        time.sleep(0.5)
    raise SystemExit("app.py was not ready in time")


def user(url: str, questions: list[str], latencies: list[float], errors: list[str], barrier: threading.Barrier) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    barrier.wait()
    for question in questions:
        started = time.perf_counter()
        try:
            client.predict(question, api_name="/ask")
            latencies.append(time.perf_counter() - started)
        except Exception as exc:  # counted, not fatal: the point is to see them
            errors.append(f"{type(exc).__name__}: {exc}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5, help="questions per user")
    parser.add_argument("--index", type=Path, default=None, help="an existing index (default: a fresh one)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        index = args.index or Path(work) / "index"
        process, url = start(index, Path(work) / "app.log")
        try:
            wait_ready(url, process)
            latencies: list[float] = []
            errors: list[str] = []
            barrier = threading.Barrier(args.users)
            plans = [[QUESTIONS[(u + q) % len(QUESTIONS)] for q in range(args.questions)] for u in range(args.users)]
            threads = [threading.Thread(target=user, args=(url, plan, latencies, errors, barrier)) for plan in plans]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else None
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "users": args.users,
        "requests": args.users * args.questions,
        "answered": len(latencies),
        "errors": len(errors),
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(p95, 3) if p95 is not None else None,
        "wall_s": round(wall, 1),
        "first_errors": errors[:3],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{result['users']} users, {result['requests']} questions: p50 {result['p50_s']} s, p95 {result['p95_s']} s, "
          f"{result['errors']} errors, {result['wall_s']} s in all")  # fmt: skip


if __name__ == "__main__":
    main()
