"""Honest input checks: is this file text an article could be read from? One place, used by ingest and the UI.

Each check gives one line saying what is wrong and what to do; the file then fails alone
and the rest of the batch goes in.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from index.errors import SourceError

# Leading bytes of formats that are never article text, whatever the file is called.
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF media file (WebP, WAV or AVI)"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel/EPUB file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word/Excel document"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\x00\x00\x00\x18ftyp", "an MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "an MP4 video"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
    (b"wOFF", "a web font"),
)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\v", "\x1b"}


def check_size(size: int, max_bytes: int) -> None:
    """Raise SourceError for a file over the size limit."""
    if size > max_bytes:
        raise SourceError(
            f"the file is {size_text(size)}, over the {size_text(max_bytes)} limit: split it, or raise QA_MAX_FILE_MB"
        )


def check_regular(mode: int) -> None:
    """Raise SourceError unless `mode` (from stat) is a regular file: a FIFO, socket or device is never read."""
    if stat.S_ISREG(mode):
        return
    kind = next((kind for test, kind in _SPECIAL if test(mode)), "not a regular file")
    raise SourceError(f"it is {kind}, not a file: skipped without opening it; give articles as ordinary files")


_SPECIAL = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


def check_inside(path: Path, folder: Path) -> None:
    """Raise SourceError when `path` leads, through links, to a place outside `folder`."""
    try:
        target, boundary = path.resolve(), folder.resolve()  # not strict: a dangling link resolves to its target
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links (Python 3.11)
        raise SourceError("cannot read the file: it is a link that loops back on itself: fix or remove it") from exc
    if not target.is_relative_to(boundary):
        raise SourceError(
            f"it is a link to {target}, outside the folder being ingested ({boundary}): not followed; "
            "copy the file into the folder, or set QA_FOLLOW_OUTSIDE_LINKS=1 to follow such links"
        )


def unexpected(exc: BaseException) -> str:
    """One line for a failure no check foresaw, so that file fails alone and the rest of the run goes in."""
    if isinstance(exc, RecursionError):
        return f"the file is {TOO_DEEP}: flatten it (an article needs only a few levels)"
    detail = " ".join(str(exc).split())[:160]
    return f"reading it failed unexpectedly ({type(exc).__name__}{': ' + detail if detail else ''}): report this file"


TOO_DEEP = "nested too deeply to read (hundreds of levels)"


def check_bytes(data: bytes, max_bytes: int) -> None:
    """Raise SourceError when the bytes cannot be an article: too big, empty, or binary."""
    check_size(len(data), max_bytes)
    if not data:
        raise SourceError("the file is empty: nothing to index")
    kind = binary_kind(data)
    if kind:
        raise SourceError(f"the file is {kind}, not text: give articles as .txt .md .html .json or .jsonl")


def check_text(text: str) -> None:
    """Raise SourceError when decoded text holds nothing to read, or reads as binary."""
    if not text.strip():
        raise SourceError("the file holds only white space: nothing to index")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in _TEXT_CONTROLS)
    if controls > max(8, len(text[:65536]) // 100):
        raise SourceError("the file is binary, not text: give articles as .txt .md .html .json or .jsonl")
    bad = text[:65536].count("\ufffd")
    if bad > max(16, len(text[:65536]) // 20):
        raise SourceError(
            f"most of the file could not be decoded ({bad} unreadable characters): save it as UTF-8 and try again"
        )


def binary_kind(data: bytes) -> str | None:
    """What kind of binary file this is ("a PNG image", "binary data"), or None when it may be text."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if any(head.startswith(bom) for bom in _BOMS) or utf16_order(head):
        return None
    if b"\x00" in head:
        return "binary data"
    return None


def utf16_order(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text without a byte-order mark (NULs in every other byte)."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    pairs = len(sample) // 2
    if odd.count(0) > 0.6 * pairs and even.count(0) < 0.1 * pairs:
        return "utf-16-le"
    if even.count(0) > 0.6 * pairs and odd.count(0) < 0.1 * pairs:
        return "utf-16-be"
    return None


def size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"
