"""One writer per index folder, across processes, and a progress note that readers can see.

The writer holds `write.lock` (filelock) for the whole ingest or removal; a second writer
waits for it, saying so. While it writes, `ingest.json` says how far it got, so a question
asked meanwhile can say that indexing is under way. Readers never take the lock.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "write.lock"
PROGRESS_FILE = "ingest.json"


@contextmanager
def writing(folder: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock; `on_wait(message)` is told once if another writer has it."""
    from filelock import FileLock, Timeout  # lazy: only writers need it

    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = progress(folder)
        who = f" (process {holder['pid']})" if holder else ""
        if on_wait:
            on_wait(f"another ingest{who} is writing to this index; waiting for it to finish…")
        lock.acquire()
    try:
        yield
    finally:
        (folder / PROGRESS_FILE).unlink(missing_ok=True)
        lock.release()


def note_progress(folder: Path, done: int, total: int, message: str) -> None:
    """Say how far the current ingest got (written whole: readers never see half a note)."""
    tmp = folder / f".{PROGRESS_FILE}.{os.getpid()}"
    tmp.write_text(
        json.dumps({"pid": os.getpid(), "done": done, "total": total, "message": message, "time": time.time()}),
        encoding="utf-8",
    )
    tmp.replace(folder / PROGRESS_FILE)


def progress(folder: Path) -> dict | None:
    """The running ingest's progress note, or None when no live process is writing."""
    try:
        note = json.loads((folder / PROGRESS_FILE).read_text(encoding="utf-8"))
        os.kill(int(note["pid"]), 0)  # is the writer still alive?
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return note
