"""Dated news: dates read from metadata or a dateline, a date range on questions, copies' dates in answers."""

from __future__ import annotations

import pytest

from index.dates import dateline, normalize_date
from qa import QAError

REPORT = "The council in {town} voted on {day} to reopen the port, officials said, after weeks of talks."


@pytest.mark.parametrize(
    ("value", "iso"),
    [("2017-08-24T10:00:00Z", "2017-08-24"), ("24 August 2017", "2017-08-24"), ("Aug. 24, 2017", "2017-08-24"),
     ("24/08/2017", "2017-08-24"), ("last Tuesday", None), ("", None)],
)  # fmt: skip
def test_metadata_dates_are_normalised(value, iso):
    assert normalize_date(value) == iso


def test_a_dateline_at_the_top_of_the_story_dates_it():
    assert dateline("TRIPOLI, 24 August 2017 (Reuters) - The council voted ...") == "2017-08-24"
    assert dateline("The council voted. " * 30 + "On 24 August 2017 it met again.") is None


@pytest.fixture
def dated(make_assistant, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, (town, date) in enumerate((("Misrata", "2017-03-02"), ("Zuwara", "2018-06-11"), ("Tobruk", "2019-09-20"))):
        (folder / f"{n}.md").write_text(f"---\ntitle: Port news {town}\ndate: {date}\n---\n\n"
                                        f"{REPORT.format(town=town, day='Monday')}\n", encoding="utf-8")  # fmt: skip
    (folder / "wire.txt").write_text("MISRATA, 5 May 2020 (Wire) - " + REPORT.format(town="Sirte", day="Monday") + "\n",
                                     encoding="utf-8")  # fmt: skip
    assistant = make_assistant()
    assistant.ingest([folder])
    return assistant


def test_articles_carry_their_dates_and_citations_show_them(dated):
    assert sorted(a.date for a in dated.articles()) == ["2017-03-02", "2018-06-11", "2019-09-20", "2020-05-05"]
    answer = dated.ask("Which council voted to reopen the port?")
    assert answer.citations and all(c.date for c in answer.citations)


def test_a_date_range_keeps_to_articles_published_in_it(dated):
    answer = dated.ask("Which council voted to reopen the port?", since="2018-01-01", until="2018-12-31")
    assert {c.date for c in answer.citations} == {"2018-06-11"}
    assert all(p.date == "2018-06-11" for p in answer.passages)


def test_a_bad_date_is_a_clear_error(dated):
    with pytest.raises(QAError, match="YYYY-MM-DD"):
        dated.ask("Which council voted?", since="next week")
    with pytest.raises(QAError, match="swap"):
        dated.ask("Which council voted?", since="2020-01-01", until="2019-01-01")


def test_copies_published_on_different_days_say_when_each_was(make_assistant, tmp_path):
    story = REPORT.format(town="Misrata", day="Monday") + "\nThe vote was close.\n"
    for name, date in (("first.md", "2017-03-02"), ("second.md", "2017-03-04")):
        (tmp_path / name).write_text(f"---\ntitle: {name}\ndate: {date}\n---\n\n{story}", encoding="utf-8")
    assistant = make_assistant()
    assistant.ingest([tmp_path / "first.md", tmp_path / "second.md"])
    answer = assistant.ask("Which council voted to reopen the port?")
    assert "published 2017-03-04" in answer.text and "published 2017-03-02" in answer.text
    assert answer.citations[0].date == "2017-03-04"  # the more recent copy leads
