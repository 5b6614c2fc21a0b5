"""The verify stage alone: sentences of a written answer checked against the paragraphs they cite."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.answerers import Draft
from qa.config import VerifySettings
from qa.language.names import Names
from qa.types import Passage
from qa.verify import Verifier, facts, name_swaps, split_claims

FUGAHA = (
    "On 23 August, Islamic State (ISIS) fighters attacked the al-Fugaha checkpoint in Jufra. "
    "On 24 August, the ISIS Amaq news agency released a statement claiming responsibility for the incident. "
    "LNA spokesman Ahmed Mismari said that eleven people were beheaded."
)
SIRTE = "Sirte was retaken from ISIS in December 2016 after a seven-month campaign by Misratan forces."
CORPUS_NAMES = {"FKH": ["fugaha", "fuqaha"]}


def passage(cid: str, text: str) -> Passage:
    return Passage(cid, cid, f"Report {cid}", f"/{cid}.txt", 1, 10, 10 + len(text), text, 0.0)


SOURCES = (passage("fugaha", FUGAHA), passage("sirte", SIRTE))


def accept(pairs):
    """A judge that takes every span: what the exact rules and the copy check decide alone."""
    return [0.9] * len(pairs)


def verify(text: str, sources=SOURCES, **kwargs):
    verifier = Verifier(names=lambda: Names.load(corpus_names=CORPUS_NAMES), **kwargs)
    return verifier.verify(Draft(text, sources=tuple(sources)), sources)


def test_a_supported_sentence_keeps_its_marker_and_gets_an_exact_quote():
    result = verify("The ISIS Amaq news agency claimed responsibility for the attack [1].")
    [claim] = result.claims
    assert claim.verdict == "supported" and claim.citations == (1,)
    [citation] = result.citations
    assert citation.quote in FUGAHA and "Amaq" in citation.quote
    assert FUGAHA[citation.start - 10 : citation.end - 10] == citation.quote


def test_the_wrong_paragraph_is_replaced_by_the_one_that_supports_it():
    [claim] = verify("The ISIS Amaq news agency claimed responsibility for the attack [2].").claims
    assert claim.verdict == "re-cited"


def test_an_invented_number_is_unsupported_and_named_in_the_reason():
    [claim] = verify("LNA spokesman Ahmed Mismari said that 45 people were beheaded [1].").claims
    assert claim.verdict == "unsupported" and "45" in claim.reason and claim.citations == ()


def test_a_number_from_elsewhere_in_the_paragraph_does_not_count():
    [claim] = verify("LNA spokesman Ahmed Mismari said that 23 people were beheaded [1].").claims
    assert claim.verdict == "unsupported"


def test_number_words_and_digits_are_the_same_number():
    [claim] = verify("Ahmed Mismari said 11 people were beheaded [1].").claims
    assert claim.verdict == "supported"


def test_name_variants_the_retriever_knows_count_as_the_same_name():
    [claim] = verify("Islamic State fighters attacked the Fuqaha checkpoint in Jufra [1].").claims
    assert claim.verdict == "supported"


def test_a_marker_pointing_at_no_source_is_dropped():
    result = verify("The ISIS Amaq news agency claimed responsibility for the attack [7].")
    assert "[7]" not in result.text and result.claims[0].citations == (1,)


def test_a_sentence_without_a_marker_is_re_cited_when_a_source_supports_it():
    [claim] = verify("Sirte was retaken from ISIS in December 2016.").claims
    assert claim.verdict == "re-cited" and claim.citations == (1,)


def test_text_with_nothing_to_check_is_unsupported():
    [claim] = verify("Yes.").claims
    assert claim.verdict == "unsupported"


def test_a_judge_decides_among_the_spans_the_rules_let_through():
    seen = []

    def judge(pairs):
        seen.extend(pairs)
        return [0.9 if "Amaq" in span else 0.1 for span, _ in pairs]

    sentence = "ISIS claimed responsibility for the incident through its Amaq news agency [1]."
    [kept] = verify(sentence, judge=judge).claims
    assert kept.verdict == "supported" and kept.support == 0.9
    # (its two names stand side by side in the span, "the ISIS Amaq news agency": no swap of them is read)
    assert seen and all(claim == sentence.replace(" [1]", "") for _, claim in seen)
    assert all("ISIS" in span for span, _ in seen)  # a span without the claim's names is never judged

    [refused] = verify(sentence, judge=lambda pairs: [0.1 for _ in pairs]).claims
    assert refused.verdict == "unsupported" and refused.reason == "the sources do not say this"


LNA_ATTACK = (
    "On 23 August, Islamic State (ISIS) fighters attacked the Libyan National Army (LNA)-controlled al-Fugaha "
    "checkpoint in Jufra around 400km south of Sirte."
)


def test_the_shipped_judge_refuses_roles_swapped_between_two_names_of_the_span():
    from qa.reader.judge import Judge

    judge, source = Judge(), (passage("lna", LNA_ATTACK),)
    swapped = "On 23 August, Libyan National Army fighters attacked the ISIS-controlled al-Fugaha checkpoint [1]."
    assert ("Libyan National Army", "ISIS") in [(a, b) for _, a, b, _ in name_swaps(swapped)]
    # A bar low enough that the judge, reading the sentence alone, lets the swap through (and the copy check off) ...
    lenient = replace(VerifySettings(), judge_min_support=0.3, copy_share=0)
    [alone] = verify(swapped, source, judge=judge, settings=replace(lenient, judge_swap_margin=0)).claims
    assert alone.verdict == "supported"
    # ... and reading it against its names turned back, it does not.
    [refused] = verify(swapped, source, judge=judge, settings=lenient).claims
    assert refused.verdict == "unsupported" and refused.citations == ()
    assert refused.reason == "the sources have Libyan National Army and ISIS the other way round"
    # The copy check alone refuses it as well: the sentence copies the span with the two names traded.
    [copied] = verify(
        swapped, source, judge=judge, settings=replace(lenient, judge_swap_margin=0, copy_share=0.6)
    ).claims
    assert copied.verdict == "unsupported" and copied.reason.startswith("the sources have ")
    # The true sentence stays.
    true = "On 23 August, ISIS fighters attacked the Libyan National Army-controlled al-Fugaha checkpoint [1]."
    for settings in (lenient, VerifySettings()):
        [kept] = verify(true, source, judge=judge, settings=settings).claims
        assert kept.verdict == "supported"


def test_with_a_judge_a_missing_number_is_still_refused_by_rule():
    [claim] = verify(
        "LNA spokesman Ahmed Mismari said that 45 people were beheaded [1].", judge=lambda p: [1.0] * len(p)
    ).claims
    assert claim.verdict == "unsupported" and "45" in claim.reason


def test_a_sentence_quoted_word_for_word_holds_without_the_judge():
    seen = []

    def judge(pairs):
        seen.extend(pairs)
        return [0.0 for _ in pairs]

    [claim] = verify("The ISIS Amaq news agency released a statement claiming responsibility [1].", judge=judge).claims
    assert claim.verdict == "supported" and claim.support == 1.0 and seen == []
    # One word changed, and the judge decides again.
    [changed] = verify("The ISIS Amaq news agency released a statement denying responsibility [1].", judge=judge).claims
    assert changed.verdict == "unsupported" and seen


def test_a_copy_of_the_span_with_another_of_its_names_put_in_is_unsupported():
    # Every name stands in the paragraph, and a judge would take it; the copy shows where Amaq was.
    sentence = "On 24 August, the ISIS Mismari news agency released a statement claiming responsibility [1]."
    [claim] = verify(sentence, judge=accept).claims
    assert claim.verdict == "unsupported" and claim.reason == "the sources have Amaq where the sentence has Mismari"
    # The same with a number of the paragraph put in another's place, where the same-context rule is off.
    sentence = "On 24 August, Islamic State fighters attacked the al-Fugaha checkpoint [1]."
    [number] = verify(sentence, judge=accept, settings=replace(VerifySettings(), judge_anchors="off")).claims
    assert number.verdict == "unsupported" and number.reason == "the sources have 23 where the sentence has 24"
    # A name the retriever knows as the same, or a name where the span has none, is no substitution.
    for kept in (
        "On 24 August, the Islamic State Amaq news agency released a statement claiming responsibility [1].",
        "ISIS claimed responsibility for the Fugaha attack through its Amaq news agency [1].",
    ):
        assert verify(kept, judge=accept).claims[0].verdict == "supported", kept


def test_the_copy_check_reads_the_sentence_copied_even_where_another_span_holds_the_names():
    gorge = (
        "Between Bingen and Bonn, the Middle Rhine flows through the Rhine Gorge. "
        "In the Middle Ages, the Rhine Gorge was a toll road lined with castles."
    )
    source = (passage("gorge", gorge),)
    # The second sentence holds every name and the judge takes it alone; the first is the one the claim copies.
    second = lambda pairs: [0.9 if "Bingen" not in span else 0.2 for span, _ in pairs]  # noqa: E731
    [claim] = verify("The Middle Ages flows through the Rhine Gorge [1].", source, judge=second).claims
    assert claim.verdict == "unsupported" and claim.reason == "the sources have Rhine where the sentence has Ages"
    [kept] = verify("The Middle Rhine flows through the Rhine Gorge [1].", source, judge=accept).claims
    assert kept.verdict == "supported"


def test_a_copy_that_skips_a_clause_to_join_a_later_name_is_unsupported():
    shore = (
        "Its shorelines lie in the German states of Bavaria and Baden-Württemberg, the Austrian state of "
        "Vorarlberg, and the Swiss cantons of Thurgau and St. Gallen."
    )
    source = (passage("shore", shore),)
    [claim] = verify("Its shorelines lie in the German states of Bavaria and Thurgau [1].", source, judge=accept).claims
    assert claim.verdict == "unsupported"
    assert claim.reason == "the sources have Baden-Württemberg where the sentence has Thurgau"
    # A shortened list, and a name's title left out, skip no clause.
    for kept in (
        "Its shorelines lie in the Swiss cantons of Thurgau and St. Gallen [1].",
        "Its shorelines lie in the German states of Bavaria and Baden-Württemberg [1].",
    ):
        assert verify(kept, source, judge=accept).claims[0].verdict == "supported", kept
    met = "During his visit he also met Government of National Accord (GNA) Prime Minister Fayez al-Serraj in Tripoli."
    [title] = verify("During his visit he also met Prime Minister Fayez al-Serraj in Tripoli [1].",
                     (passage("met", met),), judge=accept).claims  # fmt: skip
    assert title.verdict == "supported"


def test_a_name_in_the_articles_title_counts_as_stated_by_its_paragraphs():
    source = (Passage("lib", "lib", "Libya: Sirte campaign", "/lib.txt", 2, 0, len(SIRTE), SIRTE, 0.0),)
    claim = "Misratan forces retook the city in Libya in December 2016 [1]."
    [kept] = verify(claim, source, judge=accept).claims
    assert kept.verdict == "supported"
    [refused] = verify(claim.replace("Libya", "Syria"), source, judge=accept).claims
    assert refused.verdict == "unsupported" and "Syria" in refused.reason


def test_with_a_judge_a_number_must_still_stand_in_the_claims_context():
    # 23 is in the paragraph, but as a date, not as the number beheaded.
    sentence = "LNA spokesman Ahmed Mismari said that 23 people were beheaded [1]."
    [refused] = verify(sentence, judge=accept, settings=replace(VerifySettings(), judge_anchors="numbers")).claims
    assert refused.verdict == "unsupported" and "23" in refused.reason
    off = replace(VerifySettings(), judge_anchors="off")
    [copied] = verify(sentence, judge=accept, settings=off).claims  # a copy of the span with eleven made 23
    assert copied.verdict == "unsupported" and copied.reason == "the sources have eleven where the sentence has 23"
    [through] = verify(sentence, judge=accept, settings=replace(off, copy_share=0)).claims
    assert through.verdict == "supported"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ISIS claimed it [1]. Eleven died [2].", [("ISIS claimed it.", [1]), ("Eleven died.", [2])]),
        (
            "ISIS claimed it. [1] The U.S. Army left [1, 2].",
            [("ISIS claimed it.", [1]), ("The U.S. Army left.", [1, 2])],
        ),
        ("Dr. Smith said so [3][4]", [("Dr. Smith said so", [3, 4])]),
    ],
)
def test_answers_split_into_sentences_with_their_markers(text, expected):
    assert split_claims(text) == expected


def test_facts_are_names_numbers_and_dates():
    found = {f.text: f.kind for f in facts("On 24 August the Islamic State killed eleven LNA soldiers.", Names.load())}
    assert found == {"24": "number", "August": "date", "Islamic State": "name", "eleven": "number", "LNA": "name"}
