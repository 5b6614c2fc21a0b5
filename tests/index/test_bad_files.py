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
    "jsonl nested 100,000 deep": ("deep.jsonl", b"[" * 100_000, "nested too deeply"),
    "html nested 2,000 deep": (
        "deep.html",
        b"<html><body>" + b"<div>" * 2000 + b"<p>" + STORY.encode() + b"</p>" + b"</div>" * 2000 + b"</body></html>",
        "nested too deeply",
    ),
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


# -- files that are not plain files: nesting past any parser's depth, pipes, links out of the folder ------------------

OUTSIDE_STORY = "Smugglers moved fuel through the port of Zuwara at night, coastguard officers said on 2 May.\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """A folder with a 100,000-deep JSON file, a FIFO, a link to a file outside it and a good article."""
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "articles"
    folder.mkdir()
    (folder / GOOD.name).write_bytes(GOOD.read_bytes())
    (folder / "deep.json").write_bytes(b"[" * 100_000)
    os.mkfifo(folder / "pipe.txt")
    secret = base / "elsewhere" / "zuwara.txt"
    secret.parent.mkdir()
    secret.write_text(OUTSIDE_STORY, encoding="utf-8")
    (folder / "passwd.txt").symlink_to(secret)
    return ingest(base / "index", folder), base / "index", folder


HOSTILE = {"deep.json": "nested too deeply", "pipe.txt": "FIFO", "passwd.txt": "QA_FOLLOW_OUTSIDE_LINKS"}


def test_a_hostile_folder_ends_with_exit_2_a_reason_per_bad_file_and_no_traceback(hostile):
    done, _, _ = hostile
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    for name, words in HOSTILE.items():
        lines = [line for line in done.stderr.splitlines() if line.startswith("qa: ") and name in line]
        assert len(lines) == 1 and words in lines[0], done.stderr
    assert "outside the folder" in done.stderr and "1 articles (1 new" in done.stdout


def test_the_good_article_beside_hostile_files_is_cited_and_the_outside_file_is_not_indexed(hostile):
    _, index, _ = hostile
    env = {**os.environ, "QA_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT)}

    def ask(question: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "qa.cli", "ask", question, "--json"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    asked = [ask("how many people were beheaded at the al-Fugaha checkpoint?"), ask("Who moved fuel through Zuwara?")]
    assert all(done.returncode == 0 for done in asked), asked
    fugaha, zuwara = (json.loads(done.stdout) for done in asked)
    assert not fugaha["abstained"] and {Path(c["source"]).name for c in fugaha["citations"]} == {GOOD.name}
    assert all("Zuwara" not in c["quote"] for c in zuwara["citations"])


def test_the_upload_check_gives_the_ingest_s_reason_for_each_hostile_file(hostile):
    from qa import Settings
    from qa.inputs import check_file

    done, _, folder = hostile
    limit = Settings.from_env({"QA_MAX_FILE_MB": "1"}).index.max_file_bytes  # as the ingest above ran
    for name, words in HOSTILE.items():
        reason = check_file(folder / name, max_bytes=limit)
        assert reason and words in reason and "\n" not in reason, (name, reason)
        [line] = [line for line in done.stderr.splitlines() if line.startswith("qa: ") and name in line]
        assert line.endswith(reason), (line, reason)


def test_a_fifo_named_on_the_command_line_is_skipped_without_being_opened(tmp_path, make_assistant):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    report = make_assistant().ingest([fifo])
    [(source, message)] = report.errors
    assert source == str(fifo) and "FIFO" in message and report.articles == 0


def test_a_socket_in_the_folder_is_skipped_with_a_reason(tmp_path, make_assistant):
    import socket

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / GOOD.name).write_bytes(GOOD.read_bytes())
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(folder / "wire.txt"))
        report = make_assistant().ingest([folder])
    [(source, message)] = report.errors
    assert source.endswith("wire.txt") and "socket" in message and report.new_articles == 1


def test_a_link_that_stays_inside_the_folder_is_read(tmp_path, make_assistant):
    folder = tmp_path / "articles"
    (folder / "2017").mkdir(parents=True)
    (folder / "2017" / "fugaha.txt").write_bytes(GOOD.read_bytes())
    (folder / "latest.txt").symlink_to(folder / "2017" / "fugaha.txt")
    report = make_assistant().ingest([folder])
    assert not report.errors and report.new_articles == 1


def test_a_link_out_of_the_folder_is_followed_only_when_the_setting_allows(tmp_path, make_assistant):
    folder = tmp_path / "articles"
    folder.mkdir()
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(OUTSIDE_STORY, encoding="utf-8")
    (folder / "zuwara.txt").symlink_to(outside)
    refused = make_assistant("refused").ingest([folder])
    [(_, message)] = refused.errors
    assert "outside the folder" in message and "QA_FOLLOW_OUTSIDE_LINKS" in message and refused.articles == 0
    followed = make_assistant("followed", index_follow_links_outside=True).ingest([folder])
    assert not followed.errors and followed.new_articles == 1


def test_a_link_named_directly_is_bounded_by_the_folder_that_holds_it(tmp_path, make_assistant):
    folder = tmp_path / "articles"
    (folder / "2017").mkdir(parents=True)
    (folder / "2017" / "fugaha.txt").write_bytes(GOOD.read_bytes())
    (folder / "2017" / "latest.txt").symlink_to(folder / "2017" / "fugaha.txt")
    (folder / "2017" / "up.txt").symlink_to(folder / "up-target.txt")
    (folder / "up-target.txt").write_text(OUTSIDE_STORY, encoding="utf-8")
    report = make_assistant().ingest([folder / "2017" / "latest.txt", folder / "2017" / "up.txt"])
    [(source, message)] = report.errors
    assert source.endswith("up.txt") and "outside the folder" in message and report.new_articles == 1


def test_a_file_deleted_during_the_ingest_is_reported_as_gone(tmp_path, make_assistant):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / GOOD.name).write_bytes(GOOD.read_bytes())
    gone = folder / "zz-gone.txt"
    gone.write_text(OUTSIDE_STORY, encoding="utf-8")

    def delete_before_it_is_read(done: int, total: int, message: str) -> None:
        if message == f"reading {gone.name}":
            gone.unlink()

    report = make_assistant().ingest([folder], on_progress=delete_before_it_is_read)
    [(source, message)] = report.errors
    assert source == str(gone) and "no longer exists" in message and "permission" not in message
    assert report.new_articles == 1
