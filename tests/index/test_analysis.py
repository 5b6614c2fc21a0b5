"""Text analysis shared by ingest and answering: words, stems, sentences, numbers and facts, the shared lexicon."""

from __future__ import annotations

from index.analysis import content_words, fold, numerals, sentence_spans, stem, trim_spans, without_numerals
from index.controls import without_controls
from index.lexicon import MONTHS, NUMBER_WORDS, alternation, jaccard


def test_words_fold_and_stem_to_what_questions_and_articles_share():
    assert fold("Café") == fold("cafe")
    assert stem("claimed") == stem("claiming") == stem("claims")
    assert "the" not in content_words("The attack on the checkpoint") and "checkpoint" in content_words(
        "the checkpoint"
    )


def test_sentences_do_not_end_at_news_abbreviations():
    text = "Gen. Haftar spoke on Monday. Mr. Mismari said 11 died. It was the second attack."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Gen. Haftar spoke on Monday.", "Mr. Mismari said 11 died.", "It was the second attack."
    ]  # fmt: skip
    assert trim_spans("  one.  two. ", [(0, 7), (7, 13)]) == [(2, 6), (8, 12)]


def test_numbers_and_dates_are_found_in_digits_and_words():
    assert numerals("Eleven of 21 died on 24 August, a Monday; hundreds fled in Sept.") == [
        "eleven", "21", "24", "august", "monday", "hundreds", "sept"
    ]  # fmt: skip
    assert "21" not in without_numerals("21 members killed")


def test_the_lexicon_has_one_copy_of_each_word_list():
    assert MONTHS["sept"] == MONTHS["september"] == 9 and MONTHS["may"] == 5
    assert NUMBER_WORDS["eleven"] == 11 and NUMBER_WORDS["forty"] == 40 and NUMBER_WORDS["dozen"] == 12
    assert alternation(["sep", "september"]) == "september|sep"
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3 and jaccard(set(), {"a"}) == 0.0


def test_control_characters_and_whole_escape_sequences_are_removed():
    assert without_controls("a\x1b[2Jb\x1b]0;title\x07c\x00d") == "abcd"
    assert without_controls("line\tone\nline two\r", keep="\t\n") == "line\tone\nline two"
    assert without_controls("a\x07b", replacement=" ") == "a b"
