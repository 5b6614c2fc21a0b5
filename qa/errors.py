"""The answering package's error tree: one root, `QAError`, whose message is for a person."""

from __future__ import annotations


class QAError(Exception):
    """Something the user can act on; the message says what failed and what to do next."""


class NoIndexError(QAError):
    """The index does not exist yet."""


class EmptyQuestionError(QAError):
    """The question was empty or only whitespace."""
