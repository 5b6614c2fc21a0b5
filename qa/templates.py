"""Prompt and answer templates: text files in `prompts/` (or a user's folder), placeholders checked on load."""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path

from qa.errors import QAError

# Every template and the exact placeholders the code fills in.
REQUIRED: dict[str, frozenset[str]] = {
    "abstain": frozenset({"topic", "markers"}),
    "abstain_empty": frozenset({"topic"}),
    "abstain_indexing": frozenset({"topic", "progress"}),
    "also_reported": frozenset({"titles"}),
    "answer_system": frozenset(),
    "answer_user": frozenset({"sources", "question"}),
    "source": frozenset({"n", "title", "date", "paragraph", "text"}),
    "condense": frozenset({"history", "question"}),
    "notice_fallback": frozenset({"reason"}),
    "notice_indexing": frozenset({"progress"}),
}


class Prompts:
    """The templates, loaded and checked once; a `folder` of the user's own overrides any of them."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder).expanduser() if folder else None
        if self.folder is not None and not self.folder.is_dir():
            raise QAError(f"prompt folder {self.folder} does not exist: fix QA_PROMPTS or unset it")
        self._texts = {name: self._load(name, expected) for name, expected in REQUIRED.items()}

    def template(self, name: str) -> str:
        return self._texts[name]

    def render(self, name: str, **values: object) -> str:
        return self._texts[name].format(**values)

    def _load(self, name: str, expected: frozenset[str]) -> str:
        own = self.folder / f"{name}.txt" if self.folder else None
        try:
            if own is not None and own.is_file():
                where, text = str(own), own.read_text(encoding="utf-8")
            else:
                where = f"prompts/{name}.txt"
                text = resources.files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QAError(
                f"prompt template {name!r} cannot be read ({exc}): reinstall the package or fix QA_PROMPTS"
            ) from exc
        try:
            found = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
        except ValueError as exc:
            raise QAError(
                f"prompt template {where} is malformed ({exc}): write literal braces as {{{{ and }}}}"
            ) from exc
        if found != expected:
            raise QAError(
                f"prompt template {where} has placeholders {sorted(found)}, expected {sorted(expected)}: fix the file"
            )
        return text.strip("\n")
