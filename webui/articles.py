"""The Articles tab: check uploaded files, copy the good ones into the uploads folder, ingest, remove."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from qa.api import FILE_TYPES, MAX_FILE_BYTES, check_file
from qa.types import ArticleInfo
from webui.jobs import Ingestor

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = FILE_TYPES
MAX_UPLOAD_BYTES = MAX_FILE_BYTES


class Catalog(Protocol):
    """The part of `qa.Assistant` the Articles tab needs."""

    def articles(self) -> list[ArticleInfo]: ...

    def remove(self, path_or_article_id: str | Path) -> Any: ...


@dataclass(frozen=True)
class Checked:
    """The outcome of checking uploads: files ready to ingest and (name, reason) rejections."""

    accepted: list[Path]
    rejected: list[tuple[str, str]]


def check_upload(name: str, path: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> str | None:
    """Why this uploaded file cannot be ingested, or None when it is fine: the ingest's own checks."""
    return check_file(path, name, max_bytes=max_bytes)


def safe_name(name: str) -> str:
    """A file name safe to create in the uploads folder: no directories, only plain characters."""
    base = re.split(r"[\\/]", name)[-1]
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:80] or "article"
    return f"{stem}{suffix}"


def store_uploads(files: Sequence[tuple[str, Path]], uploads_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Checked:
    """Check each (original name, temporary path) and copy the good ones into `uploads_dir`.

    A file with the same name replaces the earlier upload, so uploading a corrected version of
    an article updates it rather than adding a second copy.
    """
    accepted: list[Path] = []
    rejected: list[tuple[str, str]] = []
    uploads_dir.mkdir(parents=True, exist_ok=True)
    for name, tmp in files:
        display = re.split(r"[\\/]", name)[-1]
        reason = check_upload(display, tmp, max_bytes)
        if reason:
            rejected.append((display, reason))
            continue
        target = uploads_dir / safe_name(display)
        shutil.copyfile(tmp, target)
        accepted.append(target)
    return Checked(accepted, rejected)


def rejection_text(rejected: Sequence[tuple[str, str]]) -> str:
    """'Not added: a.exe (reason); b.txt (reason)'."""
    return "Not added: " + "; ".join(f"{name} ({reason})" for name, reason in rejected)


def ingest_uploads(
    ingestor: Ingestor, files: Sequence[tuple[str, Path]], uploads_dir: Path
) -> Iterator[tuple[str, str]]:
    """Stream (kind, message) while checking and ingesting uploads; kind is info, ok or error."""
    if not files:
        yield "error", "Choose one or more files first."
        return
    checked = store_uploads(files, uploads_dir)
    rejected = rejection_text(checked.rejected) if checked.rejected else ""
    if not checked.accepted:
        yield "error", rejected
        return
    job = ingestor.submit(checked.accepted, label=f"Indexing {len(checked.accepted)} uploaded file(s)")
    for state in ingestor.wait(job):
        yield "info", state.progress_text() + (f"\n{rejected}" if rejected else "")
    if job.state == "failed":
        yield "error", job.progress_text() + (f"\n{rejected}" if rejected else "")
        return
    report = job.report
    problems = [f"{Path(src).name}: {msg}" for src, msg in report.errors]
    notes = [f"{Path(src).name}: {msg}" for src, msg in report.warnings]
    lines = [f"Added to the index: {report.summary()}"]
    if problems:
        lines.append("Could not read " + "; ".join(problems))
    if notes:
        lines.append("Notes: " + "; ".join(notes))
    if rejected:
        lines.append(rejected)
    yield ("error" if problems and not report.added else "ok"), "\n".join(lines)


def remove_article(catalog: Catalog, article_id: str | None, uploads_dir: Path) -> tuple[str, str]:
    """Remove one indexed article (checked against the catalog); (kind, message)."""
    known = {a.article_id: a for a in catalog.articles()}
    if not article_id or article_id not in known:
        return "error", "Choose an article from the list first."
    info = known[article_id]
    report = catalog.remove(article_id)
    source = Path(info.source)
    shared = any(a.source == info.source for a in catalog.articles())  # e.g. one .jsonl, many articles
    try:
        # Only files this UI stored, and no longer needed, are deleted; others stay on disk.
        if not shared and source.resolve().parent == uploads_dir.resolve() and source.is_file():
            source.unlink()
    except OSError:
        log.warning("could not delete uploaded file %s", source, exc_info=True)
    if not report.removed and not report.articles:
        return "error", f"“{info.title}” was not removed: {report.summary()}"
    return "ok", f"Removed “{info.title}”."
