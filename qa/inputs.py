"""What the assistant accepts, and the checks that refuse the rest with a message saying what to do.

Files (the ingest's own checks, for an upload to be refused before it is stored), questions,
the number of passages, date ranges, and the ingest's limits from the settings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from index.dates import normalize_date
from index.errors import SourceError
from index.loaders import SUPPORTED_SUFFIXES, open_source
from index.records import day_number
from index.runs import Limits
from qa.config import Settings
from qa.conversation import plain_text
from qa.errors import EmptyQuestionError, QAError
from qa.retrieval import Window

FILE_TYPES = SUPPORTED_SUFFIXES  # the file types ingestion reads (one list, shown by the UI too)


def check_file(
    path: Path, name: str | None = None, *, max_bytes: int, follow_links_outside: bool = False
) -> str | None:
    """Why a file cannot be ingested (one line), or None when it can: an ingest's own read (`open_source`).

    `name` is what the person called the file (an upload's original name), if not `path`'s. As
    for a file named to `qa ingest`, a link must stay in the folder holding it, unless
    `follow_links_outside`; a FIFO, socket or device is refused without being opened.
    """
    label = Path(name or path.name)
    if label.suffix.lower() not in SUPPORTED_SUFFIXES:
        kind = f"“{label.suffix}” files" if label.suffix else "files without an extension"
        return f"{kind} are not accepted; give {', '.join(SUPPORTED_SUFFIXES)} files"
    try:
        open_source(
            path, label, max_bytes=max_bytes, within=path.parent, follow_outside=follow_links_outside
        ).articles()
    except SourceError as exc:
        reason = str(exc)
        for prefix in (f"{path}: ", f"{label.resolve()}: ", f"{label}: "):
            reason = reason.removeprefix(prefix)
        return reason
    return None


def checked_question(question: object, limit: int) -> str:
    """The question as one clean line (`plain_text`), or QAError when it is not text, empty or over `limit`."""
    if not isinstance(question, str):
        raise QAError(f"a question must be text, not {type(question).__name__}: pass a str")
    question = plain_text(question)
    if not question:
        raise EmptyQuestionError("the question is empty: type a question about the articles")
    if len(question) > limit:
        raise QAError(
            f"the question is {len(question):,} characters long, over the {limit:,} limit: ask it more briefly"
        )
    return question


def check_top_k(top_k: object) -> None:
    """QAError unless `top_k` is None (the setting's number) or a whole number of passages, 1 or more."""
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise QAError(f"top_k={top_k!r} is not a number of passages: give a whole number of 1 or more, e.g. 5")


def date_window(since: str | date | None, until: str | date | None) -> Window:
    """The date range as YYYYMMDD numbers; a clear error for a date that is not one."""
    bounds = []
    for name, value in (("since", since), ("until", until)):
        if value in (None, ""):
            bounds.append(None)
            continue
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        day = day_number(normalize_date(text))
        if day is None:
            raise QAError(f"{name}={value!r} is not a date: give it as YYYY-MM-DD, e.g. 2017-08-24")
        bounds.append(day)
    if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
        raise QAError(f"since={since} comes after until={until}: swap them")
    return Window(*bounds)


def ingest_limits(settings: Settings) -> Limits:
    """The ingest's limits and batch sizes from the settings (and the crash tests' seam)."""
    kill = None
    if settings.index.fault_kill:
        stage, _, batch = settings.index.fault_kill.partition(":")
        kill = (stage, int(batch or 1))
    return Limits(
        max_bytes=settings.index.max_file_bytes,
        follow_links_outside=settings.index.follow_links_outside,
        batch_files=max(1, settings.index.batch_files),
        batch_chunks=max(1, settings.index.batch_chunks),
        kill_after=kill,
    )
