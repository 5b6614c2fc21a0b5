"""Citations: the marker syntax, quotes cut by offsets, and the round-trip check that refuses a wrong offset."""

from __future__ import annotations

import pytest

from qa.citations import check_round_trip, cite, marker_numbers, matching_sentence
from qa.errors import QAError
from qa.types import Passage, ShortAnswer

ARTICLE = "Title line.\n\nOn 23 August, ISIS fighters attacked the checkpoint. Amaq claimed it on 24 August."
START = ARTICLE.index("On 23")


def passage() -> Passage:
    text = ARTICLE[START:]
    return Passage("a:1", "a", "Title line.", "a.txt", 1, START, len(ARTICLE), text, 0.5)


def test_markers_single_grouped_and_listed_give_their_numbers_in_order():
    assert marker_numbers("One [1]. Two [2][3]. Three [4, 5].") == [1, 2, 3, 4, 5]
    assert marker_numbers("no markers, [x] or [ 1 ]") == []


def test_a_citation_quotes_the_span_with_offsets_into_the_article():
    p = passage()
    span = (p.text.index("Amaq"), len(p.text))
    c = cite(2, p, span, 0.81234)
    assert c.n == 2 and c.quote == "Amaq claimed it on 24 August." and c.score == 0.8123
    assert ARTICLE[c.start : c.end] == c.quote and c.paragraph_text == p.text
    check_round_trip((c,), lambda _: ARTICLE)


def test_a_quote_that_does_not_match_its_offsets_is_refused():
    c = cite(1, passage(), (0, 10), 1.0)
    with pytest.raises(QAError, match=r"citation \[1\] does not match"):
        check_round_trip((c,), lambda _: "x" + ARTICLE)
    short = ShortAnswer("Amaq", 1, c.start, c.start + 4)
    with pytest.raises(QAError, match="short answer does not match"):
        check_round_trip((c,), lambda _: ARTICLE, short)


def test_the_matching_sentence_of_a_copy_is_the_one_sharing_most_words():
    p = passage()
    a, b = matching_sentence(p, "Amaq claimed the attack")
    assert p.text[a:b].startswith("Amaq claimed it")


def test_split_markers_gives_the_text_between_markers_and_the_numbers_they_cite():
    from qa import split_markers

    assert split_markers("Amaq said so [1, 2]. Eleven died [3][1]") == ["Amaq said so ", 1, 2, ". Eleven died ", 3, 1]
    assert split_markers("[2] first") == [2, " first"]
    assert split_markers("no markers, [x] or [] here") == ["no markers, [x] or [] here"]
    assert split_markers("") == []
