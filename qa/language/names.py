"""Names that mean the same: the alias table (data, user-extensible) and spelling variants."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from index.analysis import fold, name_key, stem, stopwords
from qa.errors import QAError

ALIASES_FILE = Path(__file__).with_name("aliases.toml")


@dataclass(frozen=True)
class Mention:
    """An alias group named in a text: where, and every way of writing it."""

    start: int
    end: int
    aliases: tuple[str, ...]


class Names:
    """Finds alias mentions and spelling variants (by sound key, among the corpus's names)."""

    def __init__(self, groups: list[list[str]], corpus_names: dict[str, list[str]] | None = None) -> None:
        self.groups = [tuple(g) for g in groups if g]
        self.corpus_names = corpus_names or {}
        self._patterns = [(alias_pattern(a), g) for g in self.groups for a in g]
        # Longest aliases first, so "Islamic State of Iraq" wins over "Islamic State".
        self._patterns.sort(key=lambda pg: -len(pg[0].pattern))

    @classmethod
    def load(cls, extra: Path | None = None, corpus_names: dict[str, list[str]] | None = None) -> Names:
        groups: list[list[str]] = []
        for path in [ALIASES_FILE, *([extra] if extra else [])]:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise QAError(f"alias table {path} is unusable ({exc}): fix it or unset QA_ALIASES") from exc
            for name, aliases in data.get("groups", {}).items():
                if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                    raise QAError(f"alias group {name!r} in {path} must be a list of strings")
                groups.append(aliases)
        return cls(_merge(groups), corpus_names)

    def mentions(self, text: str) -> list[Mention]:
        """Non-overlapping alias mentions in `text`, in order."""
        found: list[Mention] = []
        for pattern, group in self._patterns:
            for m in pattern.finditer(text):
                if not any(m.start() < f.end and f.start < m.end() for f in found):
                    found.append(Mention(m.start(), m.end(), group))
        return sorted(found, key=lambda f: f.start)

    def variants(self, word: str) -> set[str]:
        """The corpus's spellings of a name that sound like `word` (including itself)."""
        key = name_key(word)
        folded = fold(word)
        if key is None:
            return {folded}
        return {v for v in self.corpus_names.get(key, []) if abs(len(v) - len(folded)) <= 3} | {folded}


def alias_stems(aliases: tuple[str, ...]) -> set[str]:
    """Keyword stems of the one-word aliases (multi-word ones are matched by pattern)."""
    stop = stopwords()
    return {stem(a) for a in aliases if " " not in a and fold(a) not in stop and re.fullmatch(r"[\w.]+", a)}


def alias_pattern(alias: str) -> re.Pattern[str]:
    """Capitalised aliases match case-sensitively; spaces also match `_` and `-`."""
    parts = [re.escape(p) for p in re.split(r"[\s_-]+", alias.strip())]
    body = r"[\s_-]+".join(parts)
    flags = 0 if alias.upper() == alias else re.I
    return re.compile(rf"(?<![\w.]){body}(?![\w])", flags)


def _merge(groups: list[list[str]]) -> list[list[str]]:
    """Groups sharing an alias become one (so a user file can extend a built-in group)."""
    merged: list[list[str]] = []
    for group in groups:
        overlapping = [m for m in merged if set(m) & set(group)]
        combined = list(dict.fromkeys([a for m in overlapping for a in m] + group))
        merged = [m for m in merged if m not in overlapping] + [combined]
    return merged
