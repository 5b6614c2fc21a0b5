"""The first thing a newcomer does after `make run`: ask while the sample articles are still being indexed."""

from __future__ import annotations

import time

from tests.conftest import ARTICLES
from tests.ui.conftest import STARTUP_TIMEOUT, start_app, wait_until_ready

FILLER = 30


def test_a_question_during_the_first_ingest_says_indexing_is_under_way_then_gets_its_answer(tmp_path):
    from gradio_client import Client

    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(FILLER):  # filler first, so the question surely comes before the story that answers it
        (folder / f"a{n:03d}-market.txt").write_text(
            f"Market report {n}\n\nTraders in Misrata said grain prices rose by {n + 2} percent this week.\n"
            f"Fuel queues in Tripoli grew longer on day {n + 1} of the shortage.\n",
            encoding="utf-8",
        )
    for path in ARTICLES.iterdir():
        (folder / f"z-{path.name}").write_bytes(path.read_bytes())
    app = start_app(tmp_path / "app", "--articles", str(folder), env={"QA_INGEST_BATCH_FILES": "1"})
    try:
        client = None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert time.monotonic() < deadline, app.log()[-3000:]
            try:
                client = client or Client(app.url, verbose=False)
                if client.predict(api_name="/status")["indexing"]:
                    break
            except Exception:
                pass
            time.sleep(0.2)
        during = client.predict("how many people were beheaded at the al-Fugaha checkpoint?", api_name="/ask")
        wait_until_ready(app, articles=FILLER + 5)
        after = client.predict("how many people were beheaded at the al-Fugaha checkpoint?", api_name="/ask")
    finally:
        app.stop()
    said = f"{during['answer']} {during.get('notice') or ''}"
    assert "still being indexed" in said or "Indexing is still under way" in said, said
    assert not during["answer"].startswith("The articles don't say")
    assert "eleven" in after["answer"] and not after.get("notice")
