"""Rebuilding an index from its files, beside the index that answers (`index.generations`), locally or on a server."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from index import generations
from index.embedding import Embedder
from index.runs import IngestReport
from index.store import http_client
from qa.config import Settings
from qa.errors import translated


def rebuild_index(
    settings: Settings,
    paths: Iterable[str | Path],
    *,
    on_progress: Callable[[int, int, str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    embedder: Embedder | None = None,
) -> IngestReport:
    """Build the index again from these files only, beside the one that answers, and switch to it when it is
    complete (`index.generations`): questions asked meanwhile are answered from the old index, and a rebuild
    stopped halfway leaves it answering. The old index is never opened, so one of an older format is replaced too.
    In server mode the new index is a new generation of the server's collections, and every machine switches to it.
    """
    from filelock import FileLock

    root = Path(settings.index.dir).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    url, name = settings.index.chroma_url, settings.index.collection
    with FileLock(str(root / "rebuild.lock")):  # one rebuild at a time; ingests and questions go on
        built = generations.staging(root)
        staged = settings.replace(index_dir=built)
        if url:
            with translated():
                client = http_client(url)
                staged = staged.replace(index_collection=generations.next_collection(client, name))
        report = _assistant()(settings=staged, embedder=embedder).ingest(
            paths, on_progress=on_progress, on_wait=on_wait
        )
        with translated():
            if url:
                generations.promote_collection(client, name, staged.index.collection)
                shutil.rmtree(built, ignore_errors=True)  # this machine's cache refreshes from the server
            else:
                generations.promote(root, built)
    return report


def _assistant():
    from qa.api import Assistant  # imported here: qa.api imports this module

    return Assistant
