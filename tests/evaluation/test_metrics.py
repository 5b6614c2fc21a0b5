"""Every evaluation metric against values computed by hand on a tiny set."""

from __future__ import annotations

import pytest

from evaluation import metrics, scoring

# --- normalisation and matching ----------------------------------------------------


def test_normalize_answer_drops_case_punctuation_and_articles() -> None:
    assert metrics.normalize_answer("The  U.S. Army\u2019s \u201cbest\u201d!") == "us armys best"


def test_normalize_answer_can_turn_punctuation_into_spaces() -> None:
    assert metrics.normalize_answer("Six-time winner", punctuation=" ") == "six time winner"


def test_normalize_space_collapses_whitespace_and_case() -> None:
    assert metrics.normalize_space("  Hello\n\n  World\t!") == "hello world !"


def test_answer_matches_whole_tokens_only() -> None:
    assert not metrics.answer_matches("They hired 10 workers.", ["1"])
    assert metrics.answer_matches("They hired 10 workers.", ["10"])


def test_answer_matches_ignores_citation_marker_digits() -> None:
    assert not metrics.answer_matches("Nobody was hurt [1].", ["1"])


def test_answer_matches_punctuation_either_way() -> None:
    assert metrics.answer_matches("The U.S. Army won [2].", ["US army"])
    assert metrics.answer_matches("A Six-time Grammy winner sang.", ["Six"])


def test_answer_matches_amounts_behind_currency_signs() -> None:
    assert metrics.answer_matches("The EU should pay \u20ac6 billion to Libya [1].", ["6 billion"])
    assert metrics.answer_matches("It cost $6 billion.", ["6 billion"])


def test_answer_matches_any_accepted_answer() -> None:
    assert metrics.answer_matches("It happened in Paris, France.", ["London", "paris"])
    assert not metrics.answer_matches("It happened in Paris.", [])


# --- SQuAD EM and F1 --------------------------------------------------------------


def test_exact_match_after_normalisation() -> None:
    assert metrics.exact_match("the Denver Broncos.", "Denver Broncos") == 1.0
    assert metrics.exact_match("Denver", "Denver Broncos") == 0.0


def test_token_f1_by_hand() -> None:
    # pred tokens: denver broncos won; gold: denver broncos -> P 2/3, R 1, F1 0.8
    assert metrics.token_f1("The Denver Broncos won", "Denver Broncos") == pytest.approx(0.8)
    assert metrics.token_f1("Carolina", "Denver Broncos") == 0.0


def test_best_sentence_scores_pick_the_best_sentence() -> None:
    answer = "Super Bowl 50 was played in 2016 [1]. Denver Broncos [2]."
    assert metrics.best_sentence_scores(answer, ["Denver Broncos"]) == (1.0, 1.0)


def test_best_sentence_scores_without_answers_are_zero() -> None:
    assert metrics.best_sentence_scores("Anything.", []) == (0.0, 0.0)


# --- sentences ------------------------------------------------------------------------


def test_split_sentences_keeps_closing_quotes() -> None:
    text = 'He said "Hi." Then he left! Was it 3.5 p.m.? Yes.'
    assert metrics.split_sentences(text) == ['He said "Hi."', "Then he left!", "Was it 3.5 p.m.?", "Yes."]


def test_sentence_spans_point_into_the_text() -> None:
    text = "One. Two two!  Three?"
    assert [text[s:e] for s, e in metrics.sentence_spans(text)] == ["One.", "Two two!", "Three?"]


# --- retrieval ----------------------------------------------------------------------


def test_contains_evidence_ignores_whitespace_and_case() -> None:
    passage = "In 2016 the Denver Broncos\nwon.  The BRONCOS beat the Panthers."
    assert metrics.contains_evidence(passage, ["The Broncos beat   the Panthers."])
    assert not metrics.contains_evidence(passage, ["The Panthers beat the Broncos."])
    assert not metrics.contains_evidence(passage, [""])


def test_contains_evidence_across_the_edge_of_a_paragraph_part() -> None:
    quote = "The council met on Monday. It voted to close the bridge."
    assert metrics.contains_evidence("Earlier news. The council met on Monday. It voted", [quote])
    assert metrics.contains_evidence("met on Monday. It voted to close the bridge. Later news.", [quote])
    assert not metrics.contains_evidence("Earlier news. The council met", [quote])  # under half of the quote


def test_first_hit_rank_is_one_based() -> None:
    passages = ["Rain fell.", "Nothing here.", "They hired 1,000 workers in May."]
    assert metrics.first_hit_rank(passages, ["They hired 1,000 workers"]) == 3
    assert metrics.first_hit_rank(passages, ["absent"]) is None


def test_hit_at_and_mrr_by_hand() -> None:
    ranks = [1, 3, None, 2]
    assert metrics.hit_at(ranks, 1) == 0.25
    assert metrics.hit_at(ranks, 5) == 0.75
    assert metrics.mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)


def test_mrr_counts_hits_below_the_cutoff_as_misses() -> None:
    assert metrics.mean_reciprocal_rank([7, 1], cutoff=5) == 0.5


def test_retrieval_metrics_are_undefined_without_questions() -> None:
    assert metrics.hit_at([], 1) is None
    assert metrics.mean_reciprocal_rank([]) is None


# --- citations ----------------------------------------------------------------------


def test_citation_supported_by_evidence_in_its_paragraph() -> None:
    assert metrics.citation_supported(
        "Broncos won [1].", 1, "Broncos", "The Broncos beat the Panthers.", ["the broncos beat the panthers."]
    )


def test_citation_supported_by_the_sentence_citing_it() -> None:
    answer = "They hired 10 workers [1]. Costs rose [2]."
    assert metrics.citation_supported(answer, 1, "hired", "In May they hired 10 workers.", [])
    assert not metrics.citation_supported(answer, 2, "Costs rose", "Rain fell all week.", [])


def test_cited_sentences_with_the_marker_before_or_after_the_full_stop() -> None:
    assert metrics.cited_sentences("Rain fell [1]. Costs rose [2][1].", 1) == ["Rain fell", "Costs rose"]
    assert metrics.cited_sentences("Rain fell. [1] Costs rose. [2]", 2) == ["Costs rose"]


def test_citation_supported_when_the_marker_follows_the_full_stop() -> None:
    answer = "The mayor opened the new bridge. [1]"
    assert metrics.citation_supported(answer, 1, "", "On Monday the mayor opened the new bridge.", [])


def test_citation_without_marker_falls_back_to_its_quote() -> None:
    assert metrics.citation_supported("No markers here.", 3, "rain fell all week", "Rain fell all week.", [])


def test_supports_needs_most_content_words() -> None:
    paragraph = "The mayor opened the new bridge on Monday."
    assert metrics.supports(paragraph, "The mayor opened the bridge.")
    assert not metrics.supports(paragraph, "The governor closed the tunnel.")
    assert not metrics.supports(paragraph, "It was the.")  # no content words


# --- abstention and summaries ------------------------------------------------------


def test_abstention_scores_by_hand() -> None:
    assert metrics.abstention_scores([True, True, False, False], [True, False, True, False]) == (0.5, 0.5)
    assert metrics.abstention_scores([False], [False]) == (None, None)


def test_percentile_interpolates_like_numpy() -> None:
    assert metrics.percentile([4, 1, 3, 2], 50) == 2.5
    assert metrics.percentile([1, 2, 3, 4], 95) == pytest.approx(3.85)
    assert metrics.percentile([], 50) is None


# --- a tiny scored set ------------------------------------------------------------


def record(
    expected: tuple[list[str], list[str], bool],
    answer: str = "",
    *,
    abstained: bool = False,
    citations: tuple[tuple[int, str], ...] = (),
    passages: tuple[str, ...] = (),
    latency: float = 0.1,
    error: str | None = None,
) -> dict:
    answers, evidence, unanswerable = expected
    rec = {
        "expected": {"answers": answers, "evidence": evidence, "unanswerable": unanswerable},
        "answer": None
        if error
        else {
            "answer": answer,
            "abstained": abstained,
            "citations": [{"n": n, "quote": "", "paragraph_text": p} for n, p in citations],
        },
        "passages": [{"text": t} for t in passages],
        "latency_s": latency,
        "error": error,
    }
    rec["scores"] = scoring.score_record(rec)
    return rec


BRONCOS = "In 2016 the Denver Broncos won Super Bowl 50. The Broncos beat the Panthers."


@pytest.fixture
def tiny_set() -> list[dict]:
    return [
        # right answer, evidence at rank 1, one supported citation
        record(
            (["Denver Broncos"], ["The Broncos beat the Panthers."], False),
            "The Denver Broncos won Super Bowl 50 [1].",
            citations=((1, BRONCOS),),
            passages=(BRONCOS, "Rain fell."),
            latency=0.1,
        ),
        # wrong answer, evidence at rank 3, one supported and one unsupported citation
        record(
            (["1,000"], ["They hired 1,000 workers."], False),
            "They hired 10 workers [1]. Costs rose [2].",
            citations=((1, "In May they hired 10 workers."), (2, "Rain fell all week.")),
            passages=("Rain fell.", "Nothing.", "They hired 1,000 workers."),
            latency=0.3,
        ),
        # unanswerable, rightly abstained; its nearest passages do not count as citations
        record(
            ([], [], True),
            "The articles don't say.",
            abstained=True,
            citations=((1, "Rain fell."),),
            passages=("Rain fell.",),
            latency=0.2,
        ),
        # the assistant raised
        record((["Paris"], ["The summit was held in Paris."], False), error="RuntimeError: boom", latency=0.9),
    ]


def test_score_record_judges_one_question(tiny_set: list[dict]) -> None:
    first = tiny_set[0]["scores"]
    assert first["hit_rank"] == 1
    assert first["correct"] is True
    assert first["em"] == 0.0
    assert first["f1"] == pytest.approx(0.5)  # 2 of 6 sentence tokens, both gold tokens
    assert first["citations"] == [{"n": 1, "supported": True}]
    assert first["cited_support"] is True
    assert first["reader_chars"] == len(BRONCOS) + len("Rain fell.")


def test_score_record_of_an_error(tiny_set: list[dict]) -> None:
    last = tiny_set[3]["scores"]
    assert (last["correct"], last["answered"], last["hit_rank"], last["f1"]) == (False, False, None, 0.0)


def test_summarize_by_hand(tiny_set: list[dict]) -> None:
    s = scoring.summarize(tiny_set)
    assert (s["questions"], s["errors"], s["answered"], s["abstained"]) == (4, 1, 2, 1)
    assert s["hit@1"] == pytest.approx(1 / 3)  # ranks 1, 3, miss
    assert s["hit@5"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx((1 + 1 / 3) / 3)
    assert s["accuracy"] == 0.5  # right, wrong, right abstention, error
    assert s["answered_precision"] == 0.5
    assert s["exact_match"] == 0.0
    assert s["f1"] == pytest.approx(0.5 / 3)
    assert s["citation_precision"] == pytest.approx(2 / 3)
    assert s["citation_recall"] == 1.0
    assert (s["abstention_precision"], s["abstention_recall"]) == (1.0, 1.0)
    assert s["latency_p50_s"] == pytest.approx(0.2)  # the error's 0.9 s is left out
    assert s["latency_p95_s"] == pytest.approx(0.29)


def test_summarize_leaves_undefined_metrics_empty() -> None:
    s = scoring.summarize([record(([], [], True), "x", abstained=True)])
    assert s["hit@1"] is None and s["exact_match"] is None and s["citation_precision"] is None
    assert s["accuracy"] == 1.0
