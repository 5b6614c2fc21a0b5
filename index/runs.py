"""An ingest run's terms and its outcome: the limits it reads and batches under, and its report in counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.loaders import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES


@dataclass
class IngestReport:
    """What an ingest (or removal) did, in counts a person can check."""

    articles: int = 0
    new_articles: int = 0
    changed_articles: int = 0
    unchanged_articles: int = 0
    duplicates: int = 0
    added: int = 0
    skipped: int = 0
    removed: int = 0
    batches: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if self.articles == 0 and not self.removed and not self.errors and not self.duplicates:
            return f"nothing to ingest: no supported files ({' '.join(SUPPORTED_SUFFIXES)}) found"
        parts = [
            f"{self.articles} articles ({self.new_articles} new, {self.changed_articles} changed, "
            f"{self.unchanged_articles} unchanged)",
            f"{self.added} chunks embedded",
            f"{self.skipped} unchanged",
            f"{self.removed} removed",
        ]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate files")
        if self.errors:
            parts.append(f"{len(self.errors)} files failed")
        text = ", ".join(parts) + f" in {self.seconds:.1f} s"
        if self.articles and self.added == 0 and self.removed == 0 and not self.errors:
            text += ": nothing new to embed"
        return text


@dataclass
class Limits:
    """How a run is cut into batches, and which files it may read."""

    max_bytes: int = DEFAULT_MAX_BYTES
    follow_links_outside: bool = False  # read a link whose target lies outside the folder being ingested
    batch_files: int = 64  # commit after this many files ...
    batch_chunks: int = 512  # ... or this many new chunks, whichever comes first
    kill_after: tuple[str, int] | None = None  # test seam: (stage, batch) at which the process kills itself
