"""Nasty input: each kind of bad file is ingested beside a good article, gets its own one-line reason,
and the good article stays answerable. `qa ingest` exits 2 when any file failed."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ARTICLES, ROOT

GOOD = ARTICLES / "002_87556d76f135b60a.txt"
STORY = GOOD.read_text(encoding="utf-8")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa" + bytes(
    200
)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document>Who claimed the attack?</w:document>")
    return buffer.getvalue()


# name -> (file name, bytes, words the one-line reason must contain); reason None: the file is read (maybe with a note)
FAILING = {
    "png renamed .txt": ("photo.txt", PNG, "PNG image"),
    "pdf renamed .txt": (
        "report.txt",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20,
        "PDF",
    ),
    "word file renamed .md": ("letter.md", _docx(), "ZIP archive"),
    "gzip renamed .txt": ("archive.txt", gzip.compress(STORY.encode()), "gzip"),
    "jpeg renamed .html": ("page.html", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(300), "JPEG"),
    "program renamed .txt": ("tool.txt", b"\x7fELF\x02\x01\x01" + bytes(500), "program"),
    "random binary with NULs": ("noise.txt", bytes(range(256)) * 8, "binary"),
    "sqlite database renamed .json": ("db.json", b"SQLite format 3\x00" + bytes(400), "SQLite"),
    "empty file": ("empty.txt", b"", "empty"),
    "white space only": ("blank.md", b"  \n\n\t \r\n   ", "white space"),
    "front matter and no body": ("meta.md", b"---\ntitle: Nothing here\ndate: 2017-08-24\n---\n\n", "no article text"),
    "mostly control characters": ("controls.txt", bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17]) * 60, "binary"),
    "bytes in no recognisable encoding": ("garbled.txt", bytes(range(128, 256)) * 6, "encoding"),
    "broken json": ("broken.json", b'{"title": "x", "text": ', "not valid JSON"),
    "json without text": ("notext.json", json.dumps({"title": "A title only"}).encode(), '"text"'),
    "jsonl with no good line": ("bad.jsonl", b'{oops\n[1, 2]\n{"title": "no text"}\n', '"text"'),
    "json list of non-records": ("list.json", b"[1, 2, 3]", '"text"'),
    "html without article text": (
        "empty.html",
        b"<html><head><script>var x=1;</script></head><body></body></html>",
        "no article text",
    ),
    "file over the size limit": ("huge.txt", (STORY + "\n") * 600, "limit"),
    "unsupported type named on the command line": ("program.exe", b"MZ\x90\x00" + bytes(100), "unsupported file type"),
    "link to nowhere": ("dangling.txt", None, "cannot read"),
}
READ = {
    "utf-16 (little-endian) without a byte-order mark": ("wide-le.txt", STORY.encode("utf-16-le"), "UTF-16-LE"),
    "utf-16 (big-endian) without a byte-order mark": ("wide-be.txt", STORY.encode("utf-16-be"), "UTF-16-BE"),
    "windows-1252 text": ("western.txt", STORY.replace("’", "'").encode("cp1252"), "cp1252"),
    "cyrillic windows-1251 text": (
        "russian.txt",
        ("Боевики ИГИЛ атаковали контрольно-пропускной пункт Фукаха в Джуфре. " * 4).encode("cp1251"),
        "cp1251",
    ),
    "utf-8 with stray windows-1252 bytes": ("mixed.txt", STORY.encode("utf-8") + b"\n\x93quoted\x94 text\n", "cp1252"),
    "jsonl with one bad line among good ones": (
        "some.jsonl",
        b'{"id": "w1", "title": "Wire", "text": "Oil output rose in August."}\n{oops\n',
        "line 2",
    ),
    "text with terminal escape sequences": (
        "escapes.txt",
        b"\x1b[31mRed alert\x1b[0m in Sirte: markets closed early.\n",
        None,
    ),
}


def write(folder: Path, name: str, data: bytes | None) -> Path:
    path = folder / name
    if data is None:
        path.symlink_to(folder / "missing-target.txt")
    else:
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def ingest(index: Path, *paths: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT), "QA_MAX_FILE_MB": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest", *map(str, paths)],
        env=full, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """Every bad file and the good article, in one folder, ingested in one run (the .exe named explicitly)."""
    base = tmp_path_factory.mktemp("bad-files")
    folder = base / "articles"
    folder.mkdir()
    (folder / GOOD.name).write_bytes(GOOD.read_bytes())
    extra = []
    for name, data, _ in [*FAILING.values(), *READ.values()]:
        path = write(folder, name, data)
        if path.suffix == ".exe":
            extra.append(path)
    return ingest(base / "index", folder, *extra), base / "index"


def test_the_run_reports_failure_with_exit_code_2_and_no_traceback(run):
    done, _ = run
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"{len(FAILING)} files failed" in done.stdout


@pytest.mark.parametrize("kind", list(FAILING))
def test_each_bad_file_fails_alone_with_a_one_line_reason(run, kind):
    done, _ = run
    name, _, words = FAILING[kind]
    lines = [line for line in done.stderr.splitlines() if line.startswith("qa: ") and name in line]
    assert len(lines) == 1, done.stderr
    assert words in lines[0]


@pytest.mark.parametrize("kind", list(READ))
def test_odd_but_readable_files_are_read_with_a_note(run, kind):
    done, _ = run
    name, _, note = READ[kind]
    assert not any(line.startswith("qa: ") and name in line for line in done.stderr.splitlines())
    if note:
        assert any(line.startswith("warning: ") and name in line and note in line for line in done.stderr.splitlines())


def test_the_good_article_stays_answerable_and_no_junk_was_indexed(run):
    from qa import Assistant

    _, index = run
    assistant = Assistant(index_dir=index, create=False)
    answer = assistant.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert not answer.abstained and "eleven" in answer.text
    titles = " ".join(a.title for a in assistant.articles())
    assert "PNG" not in titles and "PDF" not in titles and "\x1b" not in titles
    assert {Path(a.source).name for a in assistant.articles()} == {GOOD.name, *(n for n, _, _ in READ.values())}


def test_the_cli_prints_no_terminal_escapes_from_an_article(run):
    _, index = run
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", "Why were markets closed early in Sirte?"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0 and "Red alert" in done.stdout and "\x1b" not in done.stdout


def test_a_byte_identical_copy_is_recorded_as_another_source_not_a_second_article(tmp_path, make_assistant):
    first = tmp_path / "a" / "fugaha.txt"
    copy = tmp_path / "b" / "fugaha-copy.txt"
    for path in (first, copy):
        path.parent.mkdir()
        path.write_bytes(GOOD.read_bytes())
    assistant = make_assistant()
    report = assistant.ingest([first.parent, copy.parent])
    assert (report.new_articles, report.duplicates) == (1, 1)
    assert any("the same file as article" in message for _, message in report.warnings)
    [article] = assistant.articles()
    assert assistant.sources(article.article_id) == sorted([str(first.resolve()), str(copy.resolve())])
    answer = assistant.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert len({c.article_id for c in answer.citations}) == 1


def test_an_unreadable_folder_is_reported(tmp_path):
    """Root reads any folder, so as root the ingest runs without the capabilities that let it."""
    folder = tmp_path / "articles"
    (folder / "locked").mkdir(parents=True)
    (folder / GOOD.name).write_bytes(GOOD.read_bytes())
    (folder / "locked" / "secret.txt").write_text("Hidden story.", encoding="utf-8")
    os.chmod(folder / "locked", 0)
    prefix = []
    if os.geteuid() == 0:  # still the owner of everything, but bound by the permission bits
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "qa.cli", "ingest", str(folder)],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        os.chmod(folder / "locked", 0o755)
    assert done.returncode == 2, done.stderr
    assert "locked" in done.stderr and "cannot read the folder" in done.stderr
    assert "1 articles (1 new" in done.stdout
