"""Wire copies are news, not boilerplate: copies of one story are grouped; a blurb under different stories goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.clean import fingerprint
from index.stories import assign_stories
from qa import Assistant, Settings
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


DISTRICTS = 60
VOTE = ["The full plan will be published next week.", "The vote was unanimous.", "The mayor thanked the residents."]


def district(i: int) -> str:
    """A templated story: only the numbers of its first paragraph tell it from the others."""
    lead = (
        f"The Dunmere district number {i} approved a budget of {i * 13} thousand euros on Monday. The council said "
        "the money would go to roads, schools and parks. The vote followed a long debate in the town hall."
    )
    return "\n\n".join([lead, *VOTE]) + "\n"


def test_templated_articles_differing_in_a_number_are_not_one_story_but_a_wire_copy_is():
    fps = {i: {fingerprint(p) for p in district(i).split("\n\n")} for i in (42, 43)}
    copy = fps[42] | {fingerprint("This story was first published by the Dunmere Herald.")}
    assert assign_stories({"d42": fps[42], "d43": fps[43], "wire": copy}, {}, Settings().index.story_overlap) == {
        "d42": "d42", "d43": "d43", "wire": "d42"
    }  # fmt: skip


@pytest.fixture(scope="module")
def districts(tmp_path_factory, embedder) -> Assistant:
    """60 templated district stories, and district 7's story twice more, as two outlets printed it."""
    folder = tmp_path_factory.mktemp("districts")
    for i in range(1, DISTRICTS + 1):
        (folder / f"district-{i:03d}.txt").write_text(district(i), encoding="utf-8")
    for outlet in ("Dunmere Herald", "Valley Post"):
        (folder / f"district-007-{outlet.split()[1].lower()}.txt").write_text(
            f"{district(7)}\nThis story was first published by the {outlet}.\n", encoding="utf-8"
        )
    assistant = Assistant(settings=Settings().replace(index_dir=folder / "index"), embedder=embedder)
    assert not assistant.ingest([folder]).errors
    return assistant


def test_a_templated_story_is_answered_alone_with_its_own_budget(districts):
    answer = districts.ask("What budget did the Dunmere district number 42 approve?")
    assert not answer.abstained and "546 thousand euros" in answer.text
    assert "The same report appears in" not in answer.text
    assert {c.article_id for c in answer.citations} == {"district-042"}
    assert not any(c.also_in for c in answer.citations)
    [passage] = [p for p in answer.passages if p.article_id == "district-042"]
    assert not passage.also_in and not passage.copies
    stories = {a.story for a in districts.articles()}
    assert len(stories) == DISTRICTS  # 60 stories: the two wire copies join district 7's


def test_wire_copies_of_one_templated_story_are_still_grouped_and_named(districts):
    by_file = {Path(a.source).name: a for a in districts.articles()}
    copies = [by_file[f"district-007-{outlet}.txt"] for outlet in ("herald", "post")]
    assert {a.story for a in copies} == {by_file["district-007.txt"].story}
    answer = districts.ask("What budget did the Dunmere district number 7 approve?")
    assert "91 thousand euros" in answer.text and "The same report appears in" in answer.text
    assert {c.article_id for c in answer.citations} == {by_file["district-007.txt"].article_id} | {
        a.article_id for a in copies
    }
