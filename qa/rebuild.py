"""Rebuilding an index from its files: beside the live index locally (`index.generations`), in place on a server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from index import generations
from index.build import IngestReport, wipe
from index.embedding import Embedder
from qa.config import Settings
from qa.errors import translated


def wipe_index(settings: Settings) -> None:
    """Delete the index the settings point at (its catalog and vectors), to rebuild it from the articles."""
    with translated():
        wipe(Path(settings.index.dir).expanduser(), settings.index.chroma_url, settings.index.collection)


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
    In server mode the server's collections are deleted first and built again."""
    if settings.index.chroma_url:
        wipe_index(settings)
        return _assistant()(settings=settings, embedder=embedder).ingest(
            paths, on_progress=on_progress, on_wait=on_wait
        )
    from filelock import FileLock

    root = Path(settings.index.dir).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / "rebuild.lock")):  # one rebuild at a time; ingests and questions go on
        built = generations.staging(root)
        builder = _assistant()(settings=settings.replace(index_dir=built), embedder=embedder)
        report = builder.ingest(paths, on_progress=on_progress, on_wait=on_wait)
        with translated():
            generations.promote(root, built)
    return report


def _assistant():
    from qa.api import Assistant  # imported here: qa.api imports this module

    return Assistant
