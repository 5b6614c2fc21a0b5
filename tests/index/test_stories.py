"""Wire copies are news, not boilerplate: copies of one story are grouped; a blurb under different stories goes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ARTICLES

STORY = (ARTICLES / "002_87556d76f135b60a.txt").read_text(encoding="utf-8")
OUTLETS = ("Libya Herald", "Tripoli Post", "Sahara Wire")
BLURB = "Sign up to The Maghreb Brief, our free daily newsletter on North African politics and security."
OTHER_STORIES = [
    "Oil output at Ras Lanuf rose to 300,000 barrels a day in September, the National Oil Corporation said.",
    "The UN envoy met delegations from both parliaments in Tunis on Monday to discuss a new election law.",
    "Heavy rain flooded parts of Benghazi overnight, closing schools and the main coastal road.",
]


def outlet_copy(folder: Path, outlet: str) -> Path:
    path = folder / f"{outlet.lower().replace(' ', '-')}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{STORY.rstrip()}\n\nThis story was first published by {outlet}.\n", encoding="utf-8")
    return path


def test_one_story_from_three_outlets_in_three_runs_stays_answerable(make_assistant, tmp_path):
    assistant = make_assistant()
    for outlet in OUTLETS:  # as an archive grows: one outlet at a time
        report = assistant.ingest([outlet_copy(tmp_path / outlet, outlet)])
        assert report.added > 0 and report.removed == 0
    answer = assistant.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert not answer.abstained and "eleven" in answer.text
    cited = {c.article_id for c in answer.citations}
    assert len(cited) == 3  # the answer notes where else the report appears
    assert "The same report appears in" in answer.text
    stories = {a.story for a in assistant.articles()}
    assert len(stories) == 1  # grouped as copies of one report


def test_a_blurb_under_three_different_stories_is_dropped_and_the_removal_reported(make_assistant, tmp_path):
    assistant = make_assistant()
    reports = []
    for n, text in enumerate(OTHER_STORIES):
        path = tmp_path / f"story-{n}.txt"
        path.write_text(f"{text}\n\nMore details emerged later in the day.\n\n{BLURB}\n", encoding="utf-8")
        reports.append(assistant.ingest([path]))
    assert all(not r.warnings for r in reports[:2])
    assert any("repeat across 3 or more stories" in message for _, message in reports[2].warnings)
    for article in assistant.articles():
        view = assistant.article(article.article_id)
        blurb = next(p for p in view.paragraphs if view.text[p.start : p.end] == BLURB)
        assert not blurb.indexed
    answer = assistant.ask("What newsletter can I sign up to?")
    assert all(BLURB not in c.paragraph_text for c in answer.citations)


def test_the_same_folder_ingested_from_three_places_keeps_every_paragraph(make_assistant, tmp_path):
    assistant = make_assistant()
    for place in ("one", "two", "three"):
        folder = tmp_path / place
        folder.mkdir()
        for path in ARTICLES.iterdir():
            (folder / path.name).write_bytes(path.read_bytes())
        assistant.ingest([folder])
    assert assistant.status()["chunks"] == 29  # byte-identical copies are one article each
    assert "eleven" in assistant.ask("how many people were beheaded at the al-Fugaha checkpoint?").text
