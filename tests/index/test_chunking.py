"""Paragraphs as a reader sees them, with exact spans; long paragraphs split by sentence."""

from __future__ import annotations

from index.chunking import chunk_paragraph, paragraphs
from tests.conftest import ARTICLES


def test_single_newlines_separate_paragraphs():
    text = (ARTICLES / "001_f168f04d7b59aaf8.txt").read_text(encoding="utf-8")
    found = paragraphs(text)
    assert len(found) == 5
    assert text[found[1].start : found[1].end].startswith("The Libyan National Army")


def test_spans_are_exact_and_numbers_follow_reading_order():
    text = "  First one.\r\n\r\nSecond\u00a0one.  \nThird.\n\n\n"
    found = paragraphs(text)
    assert [text[p.start : p.end] for p in found] == ["First one.", "Second\u00a0one.", "Third."]
    assert [p.n for p in found] == [1, 2, 3]


def test_long_paragraph_splits_at_sentences_and_keeps_its_number(embedder):
    sentence = "The council met in Tripoli to discuss the budget, the oil ports and the elections. "
    text = "Intro.\n" + sentence * 40
    para = paragraphs(text)[1]
    chunks = chunk_paragraph("a", text, para, embedder.count_tokens, embedder.max_tokens)
    assert len(chunks) > 1
    assert {c.paragraph for c in chunks} == {2}
    assert all(embedder.count_tokens(c.search_text) <= embedder.max_tokens for c in chunks)
    assert all(text[c.start : c.end] == c.text and c.text.endswith(".") for c in chunks)
    assert chunks[0].start == para.start and chunks[-1].end == para.end


def test_chunk_ids_depend_on_content(embedder):
    text = "One paragraph here."
    para = paragraphs(text)[0]
    first = chunk_paragraph("a", text, para, embedder.count_tokens, embedder.max_tokens)
    again = chunk_paragraph("a", text, para, embedder.count_tokens, embedder.max_tokens)
    other = chunk_paragraph("a", "One paragraph there.", para, embedder.count_tokens, embedder.max_tokens)
    assert first[0].chunk_id == again[0].chunk_id != other[0].chunk_id


def test_hashtags_are_searchable_as_words_but_text_is_untouched(embedder):
    text = "Attack near #Al_Jufrah by #ISIS."
    [chunk] = chunk_paragraph("a", text, paragraphs(text)[0], embedder.count_tokens, embedder.max_tokens)
    assert chunk.text == text
    assert chunk.search_text == "Attack near Al Jufrah by ISIS."


def test_hard_wrapped_lines_join_into_the_paragraph_a_reader_sees():
    import textwrap

    story = (ARTICLES / "002_87556d76f135b60a.txt").read_text(encoding="utf-8")
    originals = [p for p in story.split("\n\n") if p.strip()]
    wrapped = "\n\n".join(textwrap.fill(p, 72, break_on_hyphens=False) for p in originals)
    found = paragraphs(wrapped)
    assert len(found) == len(originals)
    for p, original in zip(found, originals, strict=True):
        assert "".join(wrapped[p.start : p.end].split()) == "".join(original.split())
        assert "\n" in wrapped[p.start : p.end] or len(original) <= 72  # the span covers the line breaks


def test_sample_articles_keep_their_paragraphs_exactly():
    for path in sorted(ARTICLES.iterdir()):
        text = path.read_text(encoding="utf-8")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert [text[p.start : p.end] for p in paragraphs(text)] == lines, path.name


def test_short_lines_of_a_list_stay_separate_paragraphs():
    text = "Casualties by town:\nSirte: 4\nDerna: 11\nBenghazi: 2\n"
    assert len(paragraphs(text)) == 4
