"""Boilerplate rules (data in boilerplate.toml) and the pure functions that apply them."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from index.analysis import numerals, without_numerals
from index.errors import IndexingError

RULES_FILE = Path(__file__).with_name("boilerplate.toml")
LOOKALIKE = "/"  # separates a fingerprint's two parts: the paragraph's wording, and that wording without its numbers
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    following: int = 0


@dataclass(frozen=True)
class Rules:
    """Line rules drop one paragraph; block rules drop a heading and what follows it."""

    lines: tuple[Rule, ...]
    blocks: tuple[Rule, ...]

    @classmethod
    def load(cls, extra: Path | None = None) -> Rules:
        lines: list[Rule] = []
        blocks: list[Rule] = []
        for path in [RULES_FILE, *([extra] if extra else [])]:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
                lines += [Rule(r["name"], re.compile(r["pattern"], re.I)) for r in data.get("line", [])]
                blocks += [
                    Rule(r["name"], re.compile(r["start"], re.I), int(r.get("following", 0)))
                    for r in data.get("block", [])
                ]
            except (OSError, tomllib.TOMLDecodeError, KeyError, re.error) as exc:
                raise IndexingError(f"boilerplate rules {path} are unusable ({exc}): fix the file") from exc
        return cls(tuple(lines), tuple(blocks))

    def classify(self, paragraphs: list[str]) -> list[str | None]:
        """For each paragraph, the name of the rule that makes it boilerplate, or None."""
        verdicts: list[str | None] = [self._line_rule(p) for p in paragraphs]
        i = 0
        while i < len(paragraphs):
            rule = next((b for b in self.blocks if b.pattern.search(normalize(paragraphs[i]))), None)
            if rule is None:
                i += 1
                continue
            verdicts[i] = rule.name
            for j in range(i + 1, min(i + 1 + rule.following, len(paragraphs))):
                if verdicts[j] is not None:
                    break
                verdicts[j] = rule.name
            i += 1 + rule.following
        return verdicts

    def _line_rule(self, paragraph: str) -> str | None:
        text = normalize(paragraph)
        return next((r.name for r in self.lines if r.pattern.search(text)), None)


def normalize(paragraph: str) -> str:
    """White space collapsed (no-break spaces included) and trimmed."""
    return _SPACE.sub(" ", paragraph.replace("\u00a0", " ")).strip()


def fingerprint(paragraph: str) -> str:
    """A key equal for paragraphs that are the same but for case and white space.

    A paragraph stating a number or a date has a second part after `LOOKALIKE`: the key of its
    wording with those masked. Look-alikes (one template sentence with another budget or day)
    share that part and nothing else: they are not copies (`index/stories.py`).
    """
    text = normalize(paragraph).lower()
    key = _key(text)
    return f"{key}{LOOKALIKE}{_key(without_numerals(text))[:8]}" if numerals(text) else key


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]
