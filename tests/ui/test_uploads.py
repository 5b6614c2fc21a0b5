"""Uploaded files are checked (type, size, text) and stored under safe names."""

from __future__ import annotations

from pathlib import Path

from webui.articles import check_upload, safe_name, store_uploads


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_article_formats_are_accepted(tmp_path):
    page = (
        b"<html><body><article><h1>Clashes</h1><p>"
        + b"Fighting broke out in Sabha on Monday. " * 8
        + b"</p></article></body></html>"
    )
    record = b'{"id": "n1", "title": "Clashes", "text": "Fighting broke out in Sabha on Monday."}\n'
    contents = {"a.txt": b"Some news.\n", "b.md": b"# Clashes\n\nSome news.\n", "c.html": page, "d.htm": page,
                "e.jsonl": record, "f.json": record, "G.TXT": b"Some news.\n"}  # fmt: skip
    for name, data in contents.items():
        assert check_upload(name, write(tmp_path, name, data)) is None, name


def test_other_types_are_rejected_with_the_accepted_list(tmp_path):
    reason = check_upload("setup.exe", write(tmp_path, "setup.exe", b"MZ"))
    assert reason and ".exe" in reason and ".txt" in reason


def test_files_over_the_limit_are_rejected_with_sizes(tmp_path):
    reason = check_upload("big.txt", write(tmp_path, "big.txt", b"x" * 3000), max_bytes=2048)
    assert reason and "limit" in reason


def test_empty_binary_and_undecodable_files_are_rejected_by_the_ingests_own_checks(tmp_path):
    assert "empty" in check_upload("e.txt", write(tmp_path, "e.txt", b""))
    assert "binary" in check_upload("b.txt", write(tmp_path, "b.txt", b"abc\x00def"))
    assert "PNG" in check_upload("p.txt", write(tmp_path, "p.txt", b"\x89PNG\r\n\x1a\n" + bytes(64)))
    assert "encoding" in check_upload("r.txt", write(tmp_path, "r.txt", bytes(range(128, 256)) * 4))
    # A Windows-1252 article is read (with a note when ingested), so the upload accepts it too.
    assert check_upload("l.txt", write(tmp_path, "l.txt", "café news, reported".encode("cp1252"))) is None


def test_names_cannot_leave_the_uploads_folder():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\x\\My Report (1).md") == "My_Report_1.md"
    assert safe_name("....txt") == "article.txt"


def test_good_files_are_copied_and_bad_ones_listed(tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    good = write(incoming, "news.txt", b"Hello news.\n")
    bad = write(incoming, "tool.exe", b"MZ")
    uploads = tmp_path / "uploads"

    checked = store_uploads([("news.txt", good), ("tool.exe", bad)], uploads)

    assert checked.accepted == [uploads / "news.txt"]
    assert (uploads / "news.txt").read_bytes() == b"Hello news.\n"
    assert [name for name, _ in checked.rejected] == ["tool.exe"]
    assert not (uploads / "tool.exe").exists()
