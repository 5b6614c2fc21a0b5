"""Turning article files into stored, searchable paragraphs (ingestion and storage)."""

from index.errors import IndexingError

__all__ = ["IndexingError"]
