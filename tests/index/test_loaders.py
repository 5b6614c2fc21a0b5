"""Loading files: formats, encodings, and the errors a person gets for bad input."""

from __future__ import annotations

import json

import pytest

from index.errors import IndexingError, SourceError
from index.loaders import decode, find_files, load


def test_utf8_with_bom_drops_the_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfCaf\xc3\xa9 opens.\n")
    [article] = load(path)
    assert article.text == "Café opens.\n"
    assert article.warnings == []


def test_cp1252_file_is_decoded_and_reported(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Haftar’s “militias” – 6€".encode("cp1252"))
    [article] = load(path)
    assert article.text == "Haftar’s “militias” – 6€"
    assert "cp1252" in article.warnings[0]


def test_stray_cp1252_bytes_in_utf8_keep_both_readable():
    text, encoding, warnings = decode("Café ".encode() + b"\x93quoted\x94")
    assert text == "Café “quoted”"
    assert encoding == "utf-8" and warnings


def test_undecodable_bytes_are_replaced_not_fatal():
    text, _, warnings = decode(b"abc \x81 def")
    assert text == "abc \ufffd def"
    assert "undecodable" in warnings[0]


def test_html_keeps_main_text_and_drops_navigation_and_scripts(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Clash in Sirte</title><meta property='article:published_time' content='2017-09-01'></head>"
        "<body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        "<article><h1>Clash in Sirte</h1>"
        "<p>Forces loyal to the unity government clashed with militants south of Sirte on Friday, officials said.</p>"
        "<p>The fighting lasted several hours and ended when reinforcements arrived from Misrata in the evening.</p>"
        "<div class='share'>Share on Facebook Tweet</div></article>"
        "<script>track('pageview')</script><footer>© 2017 Example News</footer></body></html>",
        encoding="utf-8",
    )
    [article] = load(path)
    assert "clashed with militants south of Sirte" in article.text
    assert "reinforcements arrived from Misrata" in article.text
    assert "track(" not in article.text and "World" not in article.text
    assert article.title == "Clash in Sirte" and article.date == "2017-09-01"


def test_jsonl_records_become_articles_and_bad_lines_are_reported(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "One", "date": "2017-08-24", "url": "http://x/1", "text": "First story."}),
        "{not json",
        json.dumps({"title": "No text"}),
        json.dumps({"text": "Second story."}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    articles = load(path)
    assert [a.record_id for a in articles] == ["a1", "feed-4"]
    assert articles[0].title == "One" and articles[0].date == "2017-08-24" and articles[0].url == "http://x/1"
    assert any("line 2" in w for w in articles[0].warnings)
    assert any("record 3" in w for w in articles[0].warnings)


def test_json_without_text_fields_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(json.dumps([{"title": "x"}]), encoding="utf-8")
    with pytest.raises(SourceError, match="text"):
        load(path)


def test_markdown_front_matter_gives_title_and_date_and_is_not_body(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("---\ntitle: A note\ndate: 2017-10-19\n---\n# Heading\n\nBody text.\n", encoding="utf-8")
    [article] = load(path)
    assert (article.title, article.date) == ("A note", "2017-10-19")
    assert article.text[article.body_start :].startswith("# Heading")


def test_unsupported_type_names_the_supported_ones(tmp_path):
    path = tmp_path / "tool.exe"
    path.write_bytes(b"MZ")
    with pytest.raises(SourceError, match=r"\.txt"):
        load(path)


def test_folders_are_searched_recursively_for_supported_files(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.txt", "a/b/two.md", "a/b/skip.pdf", "a/.hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in find_files(tmp_path)] == ["two.md", "one.txt"]


def test_missing_path_says_so(tmp_path):
    with pytest.raises(IndexingError, match="no such file"):
        find_files(tmp_path / "nope")
