"""Uploaded files are checked (type, size, text) and stored under safe names that never collide."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Assistant, Settings
from qa.inputs import check_file
from tests.ui.test_library import upload
from webui.articles import safe_name, store_uploads

LIMIT = Settings().index.max_file_bytes


def check_upload(name: str, path: Path, max_bytes: int = LIMIT) -> str | None:
    return check_file(path, name, max_bytes=max_bytes)


def check(path: Path, name: str) -> str | None:
    return check_upload(name, path)


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

    checked = store_uploads([("news.txt", good), ("tool.exe", bad)], uploads, check)

    assert checked.accepted == [uploads / "news.txt"]
    assert (uploads / "news.txt").read_bytes() == b"Hello news.\n"
    assert [name for name, _ in checked.rejected] == ["tool.exe"]
    assert not (uploads / "tool.exe").exists()


def test_unicode_letters_and_digits_are_kept_in_names():
    assert safe_name("新闻 2024.txt") == "新闻_2024.txt"
    assert safe_name("Café\x00\x1f<>:|?*.md") == "Café.md"
    assert safe_name("नमस्ते.txt") == "नमस्ते.txt"  # combining vowel signs stay with their letters


def test_names_that_clean_alike_are_stored_apart(tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    first = write(incoming, "a", b"First story.\n")
    second = write(incoming, "b", b"Second story.\n")
    uploads = tmp_path / "uploads"

    checked = store_uploads([("report (1).txt", first), ("report 1.txt", second)], uploads, check)

    assert len(set(checked.accepted)) == 2
    assert sorted(p.read_bytes() for p in checked.accepted) == [b"First story.\n", b"Second story.\n"]


def test_a_name_taken_on_an_earlier_day_is_not_reused_for_another_file(tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    uploads = tmp_path / "uploads"
    first = store_uploads([("report (1).txt", write(incoming, "a", b"First story.\n"))], uploads, check).accepted[0]

    second = store_uploads([("report 1.txt", write(incoming, "b", b"Second story.\n"))], uploads, check).accepted[0]

    assert second != first
    assert first.read_bytes() == b"First story.\n" and second.read_bytes() == b"Second story.\n"


def test_reuploading_under_the_same_name_updates_that_file(tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    uploads = tmp_path / "uploads"
    store_uploads([("report (1).txt", write(incoming, "a", b"Other story.\n"))], uploads, check)
    kept = store_uploads([("report 1.txt", write(incoming, "b", b"Draft.\n"))], uploads, check).accepted[0]

    again = store_uploads([("report 1.txt", write(incoming, "c", b"Corrected.\n"))], uploads, check).accepted[0]

    assert again == kept and again.read_bytes() == b"Corrected.\n"
    assert len([p for p in uploads.iterdir() if not p.name.startswith(".")]) == 2


SALTMERE = """Saltmere ferry resumes crossings

The ferry between Saltmere and Ovin Island resumed crossings on 3 June, said the harbour master Elsa Brandt, after repairs to its engine.
"""

DUNHOLT = """Dunholt library reopens after the flood

The Dunholt public library reopened on Tuesday after the spring flood, and the head librarian Piotr Vance led the clean-up.
"""

ASHCOMBE = """Ashcombe footbridge reopens

The Ashcombe footbridge over the river Lune was reopened on Friday by the county surveyor Nadia Forsythe.
"""

TALLOW = """Tallow Creek school wins a prize

The Tallow Creek village school won the regional science prize, and its teacher Ruben Okafor accepted the award.
"""


def upload_in_browser(page, files: list[Path]) -> str:
    """Choose files in the Articles tab, press Add to index, and return the final notice."""
    page.get_by_role("tab", name="Articles").click()
    page.wait_for_selector("#articles-table table.articles")
    notice = upload(page, *files)
    page.get_by_role("tab", name="Ask").click()
    return notice


@pytest.mark.browser
@pytest.mark.parametrize(
    "names, stories",
    [
        (
            ("新闻.txt", "报道.txt"),
            ((SALTMERE, "Who said the Saltmere ferry resumed crossings?", "Elsa Brandt", "Saltmere ferry"),
             (DUNHOLT, "Who led the clean-up of the Dunholt library?", "Piotr Vance", "Dunholt library")),
        ),
        (
            ("report (1).txt", "report 1.txt"),
            ((ASHCOMBE, "Who reopened the Ashcombe footbridge?", "Nadia Forsythe", "Ashcombe footbridge"),
             (TALLOW, "Which teacher accepted the science prize for Tallow Creek school?", "Ruben Okafor",
              "Tallow Creek school")),
        ),
    ],
    ids=["non-ascii", "punctuation"],
)  # fmt: skip
def test_two_uploads_whose_names_clean_alike_become_two_answerable_articles(page, chat, tmp_path, names, stories):
    files = []
    for name, (text, *_) in zip(names, stories, strict=True):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(path)

    message = upload_in_browser(page, files)

    assert "2 articles (2 new" in message, message
    assert "same file" not in message, message
    for _, question, answer, title in stories:
        assert answer in chat.ask(question)
        first_source = page.locator("#sources section.turn").last.locator("article.source .src-title").first
        assert title in first_source.inner_text()


def test_the_upload_limit_follows_qa_max_file_mb(tmp_path):
    """The UI's check and its "up to N MB" label come from the assistant's settings, not from defaults."""
    settings = Settings.from_env({"QA_MAX_FILE_MB": "0.5"}, index_dir=tmp_path / "index")
    assistant = Assistant(settings=settings)
    assert assistant.intake.max_file_bytes == 512 * 1024 and f"{assistant.intake.max_file_mb:g}" == "0.5"
    article = write(tmp_path, "long.txt", b"Fighting broke out in Sabha on Monday.\n" * 20_000)  # 780 KB
    reason = assistant.check_file(article, "long.txt")
    assert reason and "limit" in reason
    checked = store_uploads([("long.txt", article)], tmp_path / "uploads", assistant.check_file)
    assert not checked.accepted and checked.rejected[0][0] == "long.txt"
    assert Assistant(settings=settings.replace(index_max_file_mb=2)).check_file(article) is None
