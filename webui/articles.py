"""The Articles tab: check uploaded files, copy the good ones into the uploads folder, ingest, remove."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import shutil
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from qa.types import ArticleInfo
from webui.jobs import Ingestor

log = logging.getLogger(__name__)

# Why a file (its path, the name it was uploaded as) cannot be ingested, or None: `Assistant.check_file`.
FileCheck = Callable[[Path, str], "str | None"]
ORIGINAL_NAMES = ".original-names.json"  # in the uploads folder: stored file name -> the name it was uploaded as
_storing = threading.Lock()  # one upload at a time reads, picks and records names


class Catalog(Protocol):
    """The part of `qa.Assistant` the Articles tab needs."""

    def articles(self) -> list[ArticleInfo]: ...

    def remove(self, path_or_article_id: str | Path) -> Any: ...


@dataclass(frozen=True)
class Checked:
    """The outcome of checking uploads: files ready to ingest and (name, reason) rejections."""

    accepted: list[Path]
    rejected: list[tuple[str, str]]
    names: dict[Path, str] = field(default_factory=dict)  # each accepted file -> the name it was uploaded as


def _plain(char: str) -> bool:
    # Any script's letters and digits stay readable; combining marks too, or a Hindi or Thai word would break apart.
    return unicodedata.category(char)[0] in "LMN" or char in "._-"


def safe_name(name: str) -> str:
    """A file name safe to create in the uploads folder: no directories, only letters, digits and . _ -

    Every other run of characters (spaces, punctuation, control characters) becomes one `_`,
    so the name never holds `" ("`: the suffix `store_uploads` adds to keep names apart.
    """
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name)[-1])
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = "".join(c if _plain(c) else " " for c in stem)
    stem = re.sub(r" +", "_", stem).strip("._-")[:80] or "article"
    while len(stem.encode()) > 200:  # file names are limited to 255 bytes, not characters
        stem = stem[:-1]
    return f"{stem}{suffix}"


def _read_names(uploads_dir: Path) -> dict[str, str]:
    """Which name each stored file was uploaded as; {} when nothing was recorded or the record is unreadable."""
    try:
        names = json.loads((uploads_dir / ORIGINAL_NAMES).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        # Files without a record then count as uploaded under their own name: never overwritten by another.
        log.warning("cannot read %s; uploads will not replace earlier files", uploads_dir / ORIGINAL_NAMES)
        return {}
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}


def _write_names(uploads_dir: Path, names: dict[str, str]) -> None:
    kept = {k: v for k, v in sorted(names.items()) if (uploads_dir / k).is_file()}  # removed files drop out
    scratch = uploads_dir / f"{ORIGINAL_NAMES}.tmp"
    scratch.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(scratch, uploads_dir / ORIGINAL_NAMES)


def _stored_name(original: str, uploads_dir: Path, names: dict[str, str], claimed: set[str]) -> str:
    """The name to store an upload of `original` under, never one holding a file uploaded under another name.

    The file earlier uploaded as `original` is reused, so a corrected version updates its article;
    otherwise the clean name, or `stem (2).txt`, `stem (3).txt`, ... when that is taken.
    `claimed` holds the names already used by this batch.
    """
    for name, uploaded_as in names.items():
        if uploaded_as == original and name not in claimed and (uploads_dir / name).is_file():
            return name
    clean = safe_name(original)
    stem, suffix = clean[: len(clean) - len(Path(clean).suffix)], Path(clean).suffix
    for n in itertools.count(1):
        name = clean if n == 1 else f"{stem} ({n}){suffix}"
        if name in claimed:
            continue
        if not (uploads_dir / name).exists() or names.get(name, name) == original:
            return name
    raise AssertionError("unreachable")


def store_uploads(files: Sequence[tuple[str, Path]], uploads_dir: Path, check: FileCheck) -> Checked:
    """Check each (original name, temporary path) with the ingest's own checks and copy the good ones into
    `uploads_dir`.

    A file uploaded again under the same name replaces the earlier upload, so uploading a
    corrected version of an article updates it rather than adding a second copy. Files whose
    names clean to the same name (`新闻.txt` is kept as it is, but `report (1).txt` and
    `report 1.txt` both clean to `report_1.txt`) are kept apart: the later one gets a ` (2)`.
    """
    accepted: list[Path] = []
    rejected: list[tuple[str, str]] = []
    stored_as: dict[Path, str] = {}
    uploads_dir.mkdir(parents=True, exist_ok=True)
    with _storing:
        names = _read_names(uploads_dir)
        claimed: set[str] = set()
        for name, tmp in files:
            display = re.split(r"[\\/]", name)[-1]
            reason = check(tmp, display)
            if reason:
                rejected.append((display, reason))
                continue
            original = unicodedata.normalize("NFC", display)
            stored = _stored_name(original, uploads_dir, names, claimed)
            target = uploads_dir / stored
            shutil.copyfile(tmp, target)
            claimed.add(stored)
            names[stored] = original
            accepted.append(target)
            stored_as[target] = display
        if accepted:
            _write_names(uploads_dir, names)
    return Checked(accepted, rejected, stored_as)


def rejection_text(rejected: Sequence[tuple[str, str]]) -> str:
    """'Not added: a.exe (reason); b.txt (reason)'."""
    return "Not added: " + "; ".join(f"{name} ({reason})" for name, reason in rejected)


def ingest_uploads(
    ingestor: Ingestor, files: Sequence[tuple[str, Path]], uploads_dir: Path, check: FileCheck
) -> Iterator[tuple[str, str]]:
    """Stream (kind, message) while checking and ingesting uploads; kind is info, ok or error."""
    if not files:
        yield "error", "Choose one or more files first."
        return
    checked = store_uploads(files, uploads_dir, check)
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
    uploaded_as = {path.resolve(): name for path, name in checked.names.items()}

    def known_as(src: str) -> str:  # the name the person chose, not the stored one
        return uploaded_as.get(Path(src).resolve(), Path(src).name)

    problems = [f"{known_as(src)}: {msg}" for src, msg in report.errors]
    notes = [f"{known_as(src)}: {msg}" for src, msg in report.warnings]
    renamed = [f"{name} saved as {path.name}" for path, name in checked.names.items() if path.name != safe_name(name)]
    lines = [f"Added to the index: {report.summary()}"]
    if renamed:
        lines.append("Kept apart from an upload with a similar name: " + "; ".join(renamed))
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
