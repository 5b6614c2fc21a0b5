"""Index generations: a rebuild is made beside the index that answers, and replaces it only when complete.

The index folder holds a pointer file (`CURRENT`) naming the generation that answers
(`gen-1`, `gen-2`, ...); without one, the folder itself is the index (as every index was
before generations). A rebuild builds in a `.next-*` folder, then renames it to the next generation
and moves the pointer in one atomic replace, so readers answer from the old index until the
new one is whole, and a rebuild killed halfway leaves the old one answering. The generation
before stays on disk until the next rebuild (a reader in another process may still have it
open); older ones, and a staging folder left by a killed rebuild, are removed then.

On a Chroma server the same holds for an index's collections. A pointer collection
(`<name>_current`) names the generation that answers (`<name>-gen-N`, with its
`<name>-gen-N_articles`); without one, the collections named `<name>` are the index. A rebuild
writes the next generation's collections, then moves the pointer in one upsert; readers on
any machine switch at their next look at the server. The generation before stays; older
ones, and what a killed rebuild wrote, are deleted at the next switch.
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
_SERVER_NAME = r"{}-gen-(\d+)"
_POINTER_ID = "current"
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


# -- on a Chroma server -------------------------------------------------------------------------
def live_collection(client, name: str) -> str:
    """The name of the collection that answers for the index `name` on this server (`name` before any rebuild)."""
    if f"{name}_current" not in _collections(client):
        return name
    got = client.get_collection(f"{name}_current").get(ids=[_POINTER_ID], include=["metadatas"])
    return str(got["metadatas"][0]["collection"]) if got["ids"] else name


def next_collection(client, name: str) -> str:
    """A name for the next generation's collections, after every one on the server (a killed rebuild's too)."""
    numbers = [int(m.group(1)) for c in _collections(client) if (m := _server_name(name).fullmatch(c))]
    return f"{name}-gen-{max(numbers, default=0) + 1}"


def promote_collection(client, name: str, built: str) -> None:
    """Make the collections `built` answer for `name`; all others but the previous generation are deleted."""
    previous = live_collection(client, name)
    pointer = client.get_or_create_collection(f"{name}_current", embedding_function=None)
    pointer.upsert(ids=[_POINTER_ID], embeddings=[[0.0]], documents=[""], metadatas=[{"collection": built}])
    keep = {built, previous}
    for collection in _collections(client):
        base = collection.removesuffix("_articles")
        if base not in keep and (base == name or _server_name(name).fullmatch(base)):
            client.delete_collection(collection)


def _server_name(name: str) -> re.Pattern[str]:
    return re.compile(_SERVER_NAME.format(re.escape(name)))


def _collections(client) -> set[str]:
    return {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
