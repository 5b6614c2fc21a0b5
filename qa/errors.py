"""The answering package's error tree: one root, `QAError`, whose message is for a person."""

from __future__ import annotations

from index.errors import IndexingError


class QAError(Exception):
    """Something the user can act on; the message says what failed and what to do next."""


class NoIndexError(QAError):
    """The index does not exist yet."""


class EmptyQuestionError(QAError):
    """The question was empty or only whitespace."""


class translated:
    """Re-raise ingestion errors as `QAError`, so callers of `qa` handle one root."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, IndexingError):
            raise QAError(str(exc)) from exc
        return False
