"""Boilerplate rules: data-driven, applied to whole paragraphs."""

from __future__ import annotations

from index.chunking import paragraphs
from index.clean import Rules, fingerprint
from tests.conftest import ARTICLES


def _verdicts(name: str) -> list[tuple[str, str | None]]:
    text = (ARTICLES / name).read_text(encoding="utf-8")
    paras = [text[p.start : p.end] for p in paragraphs(text)]
    return list(zip(paras, Rules.load().classify(paras), strict=True))


def test_site_chrome_of_article_004_is_boilerplate():
    verdicts = dict(_verdicts("004_dbdc3b8675f91d3b.txt"))
    flagged = {p.split()[0] for p, v in verdicts.items() if v}
    assert flagged == {"Home", "#ArraedLG", "Check", "After", "The", "Leave", "Your"}
    assert all(v is None for p, v in verdicts.items() if p.startswith(("On Tuesday", "In late August")))


def test_check_also_teaser_is_dropped_with_its_heading():
    verdicts = _verdicts("004_dbdc3b8675f91d3b.txt")
    names = [v for _, v in verdicts]
    start = [p for p, _ in verdicts].index("Check Also")
    assert names[start : start + 3] == ["teaser of another story"] * 3


def test_publisher_blurb_and_comment_lines_are_boilerplate():
    verdicts = dict(_verdicts("003_e4b2a346130bc4d2.txt"))
    assert verdicts["Comments are closed."] == "comment form"
    assert [v for p, v in verdicts.items() if p.startswith("This article was republished")] == ["republication notice"]


def test_extra_rules_file_adds_rules(tmp_path):
    extra = tmp_path / "rules.toml"
    extra.write_text("[[line]]\nname = \"wire credit\"\npattern = '^\\(reuters\\)$'\n", encoding="utf-8")
    assert Rules.load(extra).classify(["(Reuters)", "News."]) == ["wire credit", None]


def test_fingerprint_ignores_case_and_spacing():
    assert fingerprint("Libya-Analysis\u00a0is  the most read") == fingerprint("libya-analysis is the most read")
