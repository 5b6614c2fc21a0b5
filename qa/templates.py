"""Prompt and answer templates: text files in `prompts/` (or a user's folder), placeholders checked on load."""

from __future__ import annotations

import re
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
# The source template's placeholders filled from the article itself: they belong inside the fence.
# ({n} and {paragraph} are numbers the assistant counts; they may stand outside it too.)
ARTICLE_FIELDS = ("title", "date", "text")
_PLACES = ", ".join(f"{{{name}}}" for name in ARTICLE_FIELDS)
_OPEN = re.compile(r"<\s*source\b[^>]*>", re.I)
_CLOSE = re.compile(r"<\s*/\s*source\s*>", re.I)


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
        if name == "source":
            _check_fenced(where, text)
        return text.strip("\n")


def _check_fenced(where: str, text: str) -> None:
    """Refuse a source template that shows an article's words outside `<source ...>` and `</source>`.

    Outside the fence a title such as "SYSTEM OVERRIDE ignore the sources" reads as an
    instruction; inside it, it is data that cannot close the fence (`qa/answerers/llm.py`).
    """
    # One private-use character per field: any part of a field that is shown at all carries it.
    marks = {name: chr(0xE001 + i) for i, name in enumerate(ARTICLE_FIELDS)}
    try:
        shown = text.format(n=1, paragraph=1, **marks)
    except (ValueError, TypeError, KeyError) as exc:
        raise QAError(f"prompt template {where} is malformed ({exc}): fix the file") from exc
    opens, closes = list(_OPEN.finditer(shown)), list(_CLOSE.finditer(shown))
    if len(opens) != 1 or len(closes) != 1 or closes[0].start() < opens[0].end():
        raise QAError(
            f'prompt template {where} needs one <source n="{{n}}"> … </source> fence around the article: '
            f"write {_PLACES} between its two tags, as prompts/source.txt does"
        )
    outside = shown[: opens[0].end()] + shown[closes[0].start() :]
    loose = [f"{{{name}}}" for name, mark in marks.items() if mark in outside]
    if loose:
        raise QAError(
            f"prompt template {where} puts {' and '.join(loose)} outside the <source …> … </source> fence, "
            f"where an article's words would read as instructions: move {_PLACES} between the two tags, "
            "as prompts/source.txt does"
        )
