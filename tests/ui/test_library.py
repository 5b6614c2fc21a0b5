"""The Articles tab in a real browser: list, upload (checked), ingest with progress, remove."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

LIGHTHOUSE = """Port Venn lights its new lighthouse

Harbour officials in Port Venn said the new lighthouse was lit on 12 May by the engineer Mara Quill, who designed its rotating lamp.

The lighthouse replaces a tower that storms destroyed two winters ago.
"""

ORCHARD = """Glenmarrow orchard opens to visitors

The Glenmarrow cider orchard opened its gates to visitors on Saturday after a three-year restoration led by the grower Tobin Ashe.
"""


def open_articles_tab(page) -> None:
    page.get_by_role("tab", name="Articles").click()
    page.wait_for_selector("#articles-table table.articles")


def upload(page, *files: Path) -> str:
    """Choose files, press Add to index, and return the final notice once indexing is over."""
    page.set_input_files("#upload input[type=file]", [str(f) for f in files])
    for f in files:  # an upload is done once the file list offers it for download
        page.locator(f'#upload a.download-link[download="{f.name}"]').wait_for()
    page.click("#add")
    notice = page.locator("#articles-notice .notice.ok, #articles-notice .notice.error")
    notice.wait_for()
    return notice.inner_text()


def test_the_articles_tab_lists_the_indexed_articles(page):
    open_articles_tab(page)
    table = page.locator("#articles-table table.articles")
    row = table.locator("tr[data-article='002_87556d76f135b60a']")
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert "Fugaha" in cells[0] or "Islamic State" in cells[0]
    assert int(cells[2]) >= 5  # paragraph count
    assert table.locator("tbody tr").count() >= 5


def test_an_uploaded_article_is_indexed_and_answers_questions(page, chat, tmp_path):
    article = tmp_path / "port_venn_lighthouse.txt"
    article.write_text(LIGHTHOUSE, encoding="utf-8")
    open_articles_tab(page)

    message = upload(page, article)

    assert "1 added" in message.lower() or "added" in message.lower(), message
    assert page.locator("#articles-table tr[data-article='port_venn_lighthouse']").count() == 1
    page.get_by_role("tab", name="Ask").click()
    answer = chat.ask("Who lit the new lighthouse in Port Venn?")
    assert "Mara Quill" in answer
    assert "Port Venn" in page.locator("#sources section.turn").last.inner_text()


def test_files_of_the_wrong_type_or_size_are_rejected_with_a_reason(page, tmp_path):
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00" + bytes(200))
    huge = tmp_path / "huge.txt"
    huge.write_text("A very long article. " * 1_100_000, encoding="utf-8")  # about 23 MB, over the 20 MB limit
    open_articles_tab(page)

    message = upload(page, program, huge)

    assert page.locator("#articles-notice .notice.error").count() == 1
    assert "setup.exe" in message and ".exe" in message and "not accepted" in message
    assert "huge.txt" in message and "limit" in message
    assert page.locator("#articles-table tr[data-article='setup']").count() == 0
    assert page.locator("#articles-table tr[data-article='huge']").count() == 0


def test_a_removed_article_leaves_the_list(page, tmp_path):
    article = tmp_path / "glenmarrow_orchard.txt"
    article.write_text(ORCHARD, encoding="utf-8")
    open_articles_tab(page)
    upload(page, article)
    assert page.locator("#articles-table tr[data-article='glenmarrow_orchard']").count() == 1

    page.locator("#remove-pick input").click()
    page.get_by_role("option", name="glenmarrow_orchard", exact=False).click()
    page.click("#remove")

    page.wait_for_selector("#remove-notice .notice.ok")
    assert "Removed" in page.locator("#remove-notice").inner_text()
    assert page.locator("#articles-table tr[data-article='glenmarrow_orchard']").count() == 0
