"""Article dates: normalised to ISO (YYYY-MM-DD) from metadata, or read from a dateline at the top of the text."""

from __future__ import annotations

import re
from datetime import date

from index.lexicon import MONTHS, alternation

_MONTH = rf"(?P<month>{alternation(MONTHS)})\.?"
_PATTERNS = (
    re.compile(r"\b(?P<year>(?:19|20)\d\d)[-/.](?P<num>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})/(?P<num>\d{1,2})/(?P<year>(?:19|20)\d\d)\b"),
)
DATELINE_CHARS = 300  # a dateline sits at the very top of a story


def normalize_date(value: object) -> str | None:
    """An ISO date from metadata ("2017-08-24T10:00Z", "24 August 2017", "Aug 24, 2017"), else None."""
    if value is None:
        return None
    return _first(str(value).strip()[:80])


def dateline(text: str) -> str | None:
    """The date in a story's dateline ("TRIPOLI, 24 August 2017 (Reuters) -"), from its first lines only."""
    return _first(text[:DATELINE_CHARS])


def _first(text: str) -> str | None:
    found = []
    for pattern in _PATTERNS:
        m = pattern.search(text)
        if m:
            found.append((m.start(), m))
    for _, m in sorted(found, key=lambda pair: pair[0]):
        parts = m.groupdict()
        month = MONTHS.get(parts["month"].lower().rstrip(".")) if parts.get("month") else int(parts["num"])
        try:
            return date(int(parts["year"]), month, int(parts["day"])).isoformat()
        except (TypeError, ValueError):
            continue
    return None
