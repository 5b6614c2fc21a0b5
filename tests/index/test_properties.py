"""Properties of loading, cleaning and chunking, for any text: spans round-trip, no paragraph is lost or
doubled, nothing raises."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunking import chunk_paragraph, paragraphs
from index.clean import Rules
from index.errors import SourceError
from index.loaders import decode, load

RULES = Rules.load()
# Text built from pieces news copy is made of, so wrapping, blank lines and odd characters all occur.
PIECES = st.sampled_from(
    ["On 24 August, ISIS fighters attacked the checkpoint.", "Home / News", "Share this:", "#Libya #ISIS",
     "  ", "\t", "\n", "\n\n", "\r\n", "\u00a0", "—", "“quoted”", "Mr. Smith said so.", "x" * 90, "é", "\u200b",
     "Read also:", "Leave a reply", "1,200", "U.S.", "\x1b[0m", "no. 7"]
)  # fmt: skip
TEXTS = st.one_of(st.lists(PIECES, max_size=40).map("".join), st.text(max_size=400))


def count_tokens(text: str) -> int:
    return len(text.split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_paragraph_spans_round_trip_and_cover_every_line_once(text):
    found = paragraphs(text)
    assert [p.n for p in found] == list(range(1, len(found) + 1))
    for p in found:
        body = text[p.start : p.end]
        assert body and body == body.strip() and not body[0].isspace()
    # In order, never overlapping: no paragraph is doubled.
    assert all(a.end <= b.start for a, b in pairwise(found))
    # Every non-blank character of the text lies in exactly one paragraph: none is lost.
    covered = [False] * len(text)
    for p in found:
        for i in range(p.start, p.end):
            assert not covered[i]
            covered[i] = True
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(min_value=3, max_value=40))
def test_chunks_round_trip_and_cover_their_paragraph(text, limit):
    for p in paragraphs(text):
        chunks = chunk_paragraph("a", text, p, count_tokens, limit)
        assert chunks
        for c in chunks:
            assert text[c.start : c.end] == c.text and c.paragraph == p.n
            for a, b in c.sentences:
                assert 0 <= a < b <= len(c.text)
        # In order, inside the paragraph, with nothing but white space between them: nothing lost or doubled.
        edges = [p.start, *(x for c in chunks for x in (c.start, c.end)), p.end]
        assert edges == sorted(edges)
        assert all(not text[a:b].strip() for a, b in zip(edges[::2], edges[1::2], strict=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=12))
def test_cleaning_gives_a_verdict_per_paragraph_and_never_raises(texts):
    verdicts = RULES.classify(texts)
    assert len(verdicts) == len(texts)
    assert all(v is None or isinstance(v, str) for v in verdicts)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_decoding_any_bytes_gives_text_or_a_reason(data):
    try:
        text, encoding, notes = decode(data)
    except SourceError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str) and encoding and isinstance(notes, list)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXTS, st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl"]))
def test_loading_any_file_gives_articles_or_one_reason(tmp_path, text, suffix):
    path = Path(tmp_path) / f"article{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        articles = load(path)
    except SourceError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert articles and all(a.text.strip() for a in articles)
