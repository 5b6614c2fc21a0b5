"""The ingestion package's error tree: one root, `IndexingError`, whose message is for a person."""

from __future__ import annotations


class IndexingError(Exception):
    """Ingestion or storage failed; the message says what failed and what to do next."""


class SourceError(IndexingError):
    """One input file could not be read or parsed (reported, not fatal to a folder ingest)."""


class ModelMismatchError(IndexingError):
    """The index was built with another embedding model than the one configured."""


class IndexVersionError(IndexingError):
    """The index was written by another version of the program: it must be rebuilt."""
