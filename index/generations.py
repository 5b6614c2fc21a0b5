"""Index generations: a rebuild is made beside the index that answers, and replaces it only when complete.

The index folder holds a pointer file (`CURRENT`) naming the generation that answers
(`gen-1`, `gen-2`, ...); without one, the folder itself is the index (as every index was
before generations). A rebuild builds in a `.next-*` folder, then renames it to the next generation
and moves the pointer in one atomic replace, so readers answer from the old index until the
new one is whole, and a rebuild killed halfway leaves the old one answering. The generation
before stays on disk until the next rebuild (a reader in another process may still have it
open); older ones, and a staging folder left by a killed rebuild, are removed then.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

POINTER = "CURRENT"
STAGING = ".next-"
_NAME = re.compile(r"gen-(\d+)")
_LEGACY = ("catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm", "chroma")


def live(folder: Path) -> Path:
    """The folder of the generation that answers (the index folder itself when it has no generations)."""
    try:
        name = (folder / POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return folder
    return folder / name if _NAME.fullmatch(name) and (folder / name).is_dir() else folder


def staging(folder: Path) -> Path:
    """A fresh, empty folder to build the next generation in; what a killed rebuild left is removed.

    Its name is new each time (a vector store caches its clients by path within a process).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f"{STAGING}*"):
        shutil.rmtree(stale, ignore_errors=True)
    target = folder / f"{STAGING}{os.getpid()}-{time.time_ns()}"
    target.mkdir()
    return target


def promote(folder: Path, built: Path) -> Path:
    """Make `built` the generation that answers; the older ones but the last are removed. Returns its folder."""
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := _NAME.fullmatch(p.name))]
    previous = live(folder)
    target = folder / f"gen-{max(numbers, default=0) + 1}"
    os.replace(built, target)
    pointer = folder / f"{POINTER}.tmp"
    pointer.write_text(target.name, encoding="utf-8")
    os.replace(pointer, folder / POINTER)  # the switch: atomic, so a reader sees the old or the new
    for old in folder.iterdir():
        if _NAME.fullmatch(old.name) and old not in (target, previous):
            shutil.rmtree(old, ignore_errors=True)
    if previous != folder:  # the files of the index from before generations are no longer the previous one
        for name in _LEGACY:
            path = folder / name
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    return target
