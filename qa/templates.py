"""Loads the text templates in `prompts/` and checks they carry the placeholders code fills."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from qa.errors import QAError

REQUIRED = {
    "abstain": {"topic", "markers"},
    "abstain_empty": {"topic"},
    "also_reported": {"titles"},
    "answer_with_citations": {"passages", "question"},
}


@cache
def template(name: str) -> str:
    """The template `prompts/<name>.txt`, verified to have exactly its known placeholders."""
    try:
        text = resources.files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise QAError(f"prompt template {name!r} is missing from the prompts package: reinstall it") from exc
    found = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    expected = REQUIRED.get(name, found)
    if found != expected:
        raise QAError(f"prompt template {name!r} has placeholders {sorted(found)}, expected {sorted(expected)}")
    return text


def render(name: str, **values: str) -> str:
    return template(name).format(**values)
