"""Ingestion never blocks the chat: progress on first start, answers while uploads are indexed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

UPLOADS = 120


def market_reports(folder: Path, count: int) -> list[Path]:
    """Small distinct articles about made-up markets (nothing the chat tests ask about)."""
    files = []
    for i in range(count):
        town = f"Marrowby{i}"
        text = (
            f"Market report {i}: {town} weighs its harvest\n\n"
            f"Traders in {town} said on day {i} that barley prices rose by {i + 3} percent after a wet spring.\n\n"
            f"The council of {town} plans {i % 5 + 2} new stalls, according to clerk number {i * 7 + 1}.\n\n"
            f"Visitors to {town} counted {i * 11 + 40} carts at the gate in week {i % 9 + 1}.\n"
        )
        path = folder / f"market_report_{i:02d}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def test_first_start_reports_indexing_progress(app_server):
    progress = [m for m in app_server.startup_messages if re.search(r"\d+/\d+", m)]
    assert progress, app_server.startup_messages
    assert progress[0].startswith("Indexing")


def test_questions_are_answered_while_uploads_are_indexed(page, chat, tmp_path):
    files = market_reports(tmp_path, UPLOADS)
    chat.ask(
        "How many people were beheaded at the al-Fugaha checkpoint?"
    )  # a first question, so only indexing can slow the next
    page.get_by_role("tab", name="Articles").click()
    page.set_input_files("#upload input[type=file]", [str(f) for f in files])
    page.wait_for_function("n => document.querySelectorAll('#upload a.download-link').length >= n", arg=UPLOADS)
    page.click("#add")
    page.locator("#articles-notice .notice.info").wait_for()

    page.get_by_role("tab", name="Ask").click()
    answer = chat.ask("How many people were beheaded?")

    assert "eleven" in answer
    assert page.locator("#status .status.busy").count() == 1, "indexing ended before the answer came"
    page.get_by_role("tab", name="Articles").click()
    done = page.locator("#articles-notice .notice.ok")
    done.wait_for(timeout=120_000)
    assert str(UPLOADS) in done.inner_text()
