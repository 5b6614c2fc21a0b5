"""Ingestion jobs run one at a time on a background thread, so the chat never waits for them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Ingests(Protocol):
    """The part of `qa.Assistant` a job needs."""

    def ingest(self, paths: list[str | Path], on_progress: Any = None) -> Any: ...


@dataclass
class IngestJob:
    """One ingestion run and how far it got; read by the UI while the worker writes it."""

    label: str
    paths: list[Path]
    state: str = "queued"  # queued -> running -> done | failed
    done: int = 0
    total: int = 0
    message: str = ""
    report: Any = None
    error: str = ""
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def progress_text(self) -> str:
        """'Indexing uploads: 3/5 — message' for the status line."""
        if self.state == "queued":
            return f"{self.label}: waiting for the current indexing to finish…"
        if self.state == "running":
            count = f"{self.done}/{self.total}" if self.total else ""
            if count and count in self.message:
                count = ""  # the message already says how far it got
            return f"{self.label}: " + " — ".join(part for part in (count, self.message) if part)
        if self.state == "failed":
            return f"{self.label} failed: {self.error}"
        summary = self.report.summary() if self.report is not None else "done"
        return f"{self.label} finished: {summary}"


class Ingestor:
    """Runs `assistant.ingest` jobs in submission order on a single worker thread."""

    def __init__(self, assistant: Ingests) -> None:
        self._assistant = assistant
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")
        self._lock = threading.Lock()
        self._jobs: list[IngestJob] = []

    def submit(self, paths: Sequence[str | Path], label: str) -> IngestJob:
        job = IngestJob(label=label, paths=[Path(p) for p in paths])
        with self._lock:
            # Keep the active jobs and the last finished one (its outcome stays on the status line).
            finished = [j for j in self._jobs if not j.active][-1:]
            self._jobs = finished + [j for j in self._jobs if j.active] + [job]
        self._pool.submit(self._run, job)
        return job

    def current(self) -> IngestJob | None:
        """The running job, else the next queued one, else None."""
        with self._lock:
            active = [j for j in self._jobs if j.active]
        running = [j for j in active if j.state == "running"]
        return (running or active or [None])[0]

    def last_finished(self) -> IngestJob | None:
        """The most recently finished job, if it is still remembered."""
        with self._lock:
            finished = [j for j in self._jobs if not j.active]
        return finished[-1] if finished else None

    def busy(self) -> bool:
        return self.current() is not None

    def wait(self, job: IngestJob, poll: float = 0.25) -> Iterator[IngestJob]:
        """Yield the job between progress changes until it finishes (for streaming handlers)."""
        last = None
        while not job.finished.wait(poll):
            now = (job.state, job.done, job.total, job.message)
            if now != last:
                last = now
                yield job
        yield job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: IngestJob) -> None:
        job.state = "running"
        job.message = "starting"

        def on_progress(done: int, total: int, message: str) -> None:
            job.done, job.total, job.message = done, total, message

        started = time.monotonic()
        try:
            job.report = self._assistant.ingest(list(job.paths), on_progress=on_progress)
            job.state = "done"
            log.info("%s: %s (%.1fs)", job.label, job.report.summary(), time.monotonic() - started)
        except Exception as exc:  # the worker must survive any failure and report it
            job.error = _one_line(exc)
            job.state = "failed"
            log.exception("%s failed", job.label)
        finally:
            job.finished.set()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
