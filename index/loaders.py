"""Files to `Article`s: decoding, HTML main-text extraction, JSON/JSONL records, Markdown."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.checks import (
    TOO_DEEP,
    check_bytes,
    check_inside,
    check_regular,
    check_size,
    check_text,
    unexpected,
    utf16_order,
)
from index.errors import IndexingError, SourceError

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Article:
    """One article as a reader sees it; `text` is what citations' offsets refer to."""

    source: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    record_id: str | None = None
    body_start: int = 0
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceFile:
    """One file as an ingest reads it: its bytes, checked (`read`), and the name that decides its type.

    Its articles are parsed only when asked for: an ingest skips a file whose hash it knows.
    """

    path: Path
    name: Path  # what the person called the file (an upload's original name); `path` otherwise
    data: bytes
    max_bytes: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def articles(self) -> list[Article]:
        """The file's articles (`load`); SourceError says why it has none."""
        return load(self.name, self.data, max_bytes=self.max_bytes)


def open_source(
    path: Path,
    name: Path | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    within: Path | None = None,
    follow_outside: bool = False,
) -> SourceFile:
    """The file at `path` read with every check an ingest makes before it parses one; SourceError says why not."""
    data = read(path, max_bytes=max_bytes, within=within, follow_outside=follow_outside)
    return SourceFile(path, name or path, data, max_bytes)


def find_files(path: Path, problems: list[tuple[str, str]] | None = None) -> list[Path]:
    """The supported files at `path` (a file, or a folder searched recursively), sorted.

    Folders that cannot be read are added to `problems` as (folder, reason), not skipped silently.
    """
    if not path.exists():
        raise IndexingError(f"no such file or folder: {path}: check the path and try again")
    if not path.is_dir():  # a file, or a FIFO or socket named outright: reading it says which
        return [path]

    def unreadable(error: OSError) -> None:
        if problems is not None:
            reason = error.strerror or type(error).__name__
            problems.append((str(error.filename), f"cannot read the folder ({reason}): check its permissions"))

    found = []
    for folder, subfolders, names in os.walk(path, onerror=unreadable):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found += [
            Path(folder) / n for n in names if Path(n).suffix.lower() in SUPPORTED_SUFFIXES and not n.startswith(".")
        ]
    return sorted(found)


def load(path: Path, data: bytes | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Read one file into its articles (a JSONL file may hold many). SourceError says why a file cannot be."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SourceError(
            f"{path}: unsupported file type {suffix or '(none)'}; use one of " + ", ".join(SUPPORTED_SUFFIXES)
        )
    if data is None:
        data = read(path, max_bytes=max_bytes)
    try:
        check_bytes(data, max_bytes)
        text, encoding, warnings = decode(data)
        check_text(text)
    except SourceError as exc:
        raise SourceError(f"{path}: {exc}") from exc
    except Exception as exc:  # whatever breaks on this one file fails it alone
        raise SourceError(f"{path}: {unexpected(exc)}") from exc
    source = str(path.resolve())
    try:
        if suffix in (".json", ".jsonl"):
            articles = _load_records(source, text, suffix, warnings)
        elif suffix in (".html", ".htm"):
            articles = [_load_html(source, text)]
        elif suffix == ".md":
            articles = [_load_markdown(source, text)]
        else:
            articles = [Article(source=source, text=text)]
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"{source}: {unexpected(exc)}") from exc
    for article in articles:
        article.encoding = encoding
        article.warnings = warnings + article.warnings
    return articles


def read(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, within: Path | None = None, follow_outside: bool = False
) -> bytes:
    """The bytes of one file, checked before it is opened; SourceError (starting with the path) says why not.

    A FIFO, socket or device is refused unopened (reading one would wait forever), so is a
    file over the size limit, and, when `within` is given, a link leading out of that folder
    unless `follow_outside`.
    """
    try:
        if within is not None and not follow_outside:
            check_inside(path, within)
        info = os.stat(path)
        check_regular(info.st_mode)
        check_size(info.st_size, max_bytes)  # refuse before reading it all
        # Non-blocking, in case a pipe took the file's place since the stat: the fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as handle:
            check_regular(os.fstat(fd).st_mode)
            return handle.read(max_bytes + 1)  # a file that grew past the limit is refused by check_bytes
    except SourceError as exc:
        raise SourceError(f"{path}: {exc}") from exc
    except FileNotFoundError as exc:
        if path.is_symlink():
            reason = f"it links to {os.readlink(path)}, which does not exist: fix or remove the link"
        else:
            reason = "it no longer exists (deleted or moved since the run began): re-run once it is back"
        raise SourceError(f"{path}: cannot read the file: {reason}") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SourceError(f"{path}: cannot read the file ({reason}): check its permissions") from exc


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16/32 (by BOM, or recognised without one),
    else the encoding charset-normalizer detects, preferring cp1252 for Western text.

    A mostly-UTF-8 file with a few stray cp1252 bytes (a common editor accident) keeps its
    UTF-8 and reads the stray bytes as cp1252, so neither half turns into mojibake.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, []
            except UnicodeDecodeError:
                break
    wide = utf16_order(data[:8192])
    if wide:
        try:
            return data.decode(wide), wide, [f"no byte-order mark; read as {wide.upper()}"]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if re.search(rb"[\xc2-\xf4][\x80-\xbf]+", data):
        text = data.decode("utf-8", errors="cp1252-fallback")
        return text, "utf-8", [f"invalid UTF-8 bytes (first at byte {first_bad}) read as cp1252"]
    return _detected(data)


_WESTERN = {"cp1252", "cp1250", "cp1254", "latin_1", "iso8859_1", "iso8859_15", "iso8859_2", "mac_roman", "mac_latin2"}


def _detected(data: bytes) -> tuple[str, str, list[str]]:
    """Neither UTF-8 nor marked: cp1252 (Western news copy), unless charset-normalizer clearly finds
    another encoding (Cyrillic, Greek, CJK...) in a sample long enough to judge."""
    encoding = "cp1252"
    if len(data) >= 64:
        from charset_normalizer import from_bytes  # lazy: only for the rare non-UTF-8 file

        best = from_bytes(data[:200_000]).best()
        if best is None:
            raise SourceError("its encoding could not be recognised: save it as UTF-8 and try again")
        if best.encoding not in _WESTERN and best.chaos <= 0.1:
            encoding = best.encoding
    text = data.decode(encoding, errors="replace")
    lost = text.count("\ufffd")
    note = f"not UTF-8; decoded as {encoding}"
    if lost:
        note += f" ({lost} undecodable bytes replaced with \ufffd)"
    return text, encoding, [note]


def _cp1252_fallback(exc: UnicodeDecodeError) -> tuple[str, int]:
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("cp1252-fallback", _cp1252_fallback)


def _load_records(source: str, text: str, suffix: str, warnings: list[str]) -> list[Article]:
    records: list[tuple[int, object]] = []
    bad_lines: list[str] = []
    if suffix == ".jsonl":
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((line_no, json.loads(line)))
            except json.JSONDecodeError as exc:
                bad_lines.append(f"line {line_no}: not valid JSON ({exc.msg})")
            except RecursionError:  # the parser's depth is bounded by the interpreter's recursion limit
                bad_lines.append(f"line {line_no}: {TOO_DEEP}")
        warnings += [f"{line}; skipped" for line in bad_lines]
        if bad_lines and not records:
            raise SourceError(f"{source}: no line holds a readable JSON record ({bad_lines[0]}): fix the file")
    else:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno}): fix the file") from exc
        except RecursionError as exc:
            raise SourceError(f"{source}: the JSON is {TOO_DEEP}: flatten the file") from exc
        items = parsed.get("articles", [parsed]) if isinstance(parsed, dict) else parsed
        records = list(enumerate(items if isinstance(items, list) else [items], start=1))
    articles = []
    for number, record in records:
        body = record.get("text") if isinstance(record, dict) else None
        if not isinstance(body, str) or not body.strip():
            warnings.append(f'record {number}: no non-empty "text" field; skipped')
            continue
        articles.append(
            Article(
                source=source,
                text=body,
                title=_str_or_none(record.get("title")),
                date=_str_or_none(record.get("date")),
                url=_str_or_none(record.get("url")),
                record_id=_str_or_none(record.get("id")) or f"{Path(source).stem}-{number}",
            )
        )
    if not articles:
        raise SourceError(f'{source}: no records with a "text" field: each record needs one')
    return articles


def _load_html(source: str, html: str) -> Article:
    import logging

    import trafilatura  # lazy: pulls in lxml and friends

    # Its complaints about a page without text become our one-line reason below.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None or not (doc.text or "").strip():
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_recall=True)
    if doc is None or not (doc.text or "").strip():
        if _too_deep(html):
            raise SourceError(
                f"{source}: the HTML is {TOO_DEEP}: the parser drops tags past 255 levels; save it as plain text"
            )
        raise SourceError(f"{source}: no article text found in the HTML: is it a full article page?")
    return Article(source=source, text=doc.text, title=doc.title or None, date=doc.date or None, url=doc.url or None)


def _too_deep(html: str) -> bool:
    """Whether libxml2 (under trafilatura) gave up on the page's depth: past 255 levels it drops the rest."""
    from lxml import etree  # lazy: only for a page where no text was found

    parser = etree.HTMLParser()
    with contextlib.suppress(etree.Error):
        etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    return any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message.lower() for e in parser.error_log)


_FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)


def _load_markdown(source: str, text: str) -> Article:
    article = Article(source=source, text=text)
    match = _FRONT_MATTER.match(text)
    if match:
        article.body_start = match.end()
        for line in match.group(1).splitlines():
            key, _, value = line.partition(":")
            value = value.strip().strip("\"'")
            if key.strip().lower() in ("title", "date", "url") and value:
                setattr(article, key.strip().lower(), value)
    if article.title is None:
        heading = re.search(r"^#\s+(.+?)\s*#*\s*$", text[article.body_start :], re.M)
        article.title = heading.group(1) if heading else None
    if not text[article.body_start :].strip():
        raise SourceError(f"{source}: the file has front matter but no article text")
    return article


def _str_or_none(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
