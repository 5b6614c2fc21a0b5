"""Per-question scores of an answers.jsonl record, the metrics over a set of them, and what each metric means."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evaluation.metrics import (
    abstention_scores,
    alce_scores,
    answer_matches,
    best_sentence_scores,
    citation_supported,
    contains_evidence,
    exact_match,
    first_hit_rank,
    hit_at,
    mean,
    mean_reciprocal_rank,
    percentile,
    ratio,
    token_f1,
)

READER_K = 5  # passages a reader is handed; hit@5, MRR and reader characters use this many


def score_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Per-question scores from an answers.jsonl record (so a report can be rebuilt from the records).

    The record holds `expected` (answers, evidence, unanswerable), `answer` (an
    `Answer.to_dict()`, or None after an error), `passages` (dicts with `text`, best first)
    and `error`.
    """
    expected = record["expected"]
    evidence, accepted = expected["evidence"], expected["answers"]
    unanswerable = expected["unanswerable"]
    answer = record.get("answer")
    failed = record.get("error") is not None or answer is None
    texts = [p["text"] for p in record.get("passages", [])]
    abstained = not failed and answer["abstained"]
    answered = not failed and not abstained
    text = answer["answer"] if answer else ""
    short = ((answer or {}).get("short_answer") or {}).get("text")
    judged = short if expected.get("judge") == "short" and short else text

    if unanswerable:
        correct: bool | None = abstained
    elif accepted:
        correct = answered and answer_matches(judged, accepted)
    else:
        correct = None  # nothing to judge the answer by
    em = f1 = None
    if accepted and not unanswerable:
        if not answered:
            em, f1 = 0.0, 0.0
        elif short:  # the short answer is what EM and F1 score, as SQuAD scores a span
            em, f1 = max(exact_match(short, g) for g in accepted), max(token_f1(short, g) for g in accepted)
        else:
            em, f1 = best_sentence_scores(text, accepted)

    citations = []
    if answered:
        for c in answer["citations"]:
            ok = citation_supported(text, c["n"], c["quote"], c.get("paragraph_text", ""), evidence)
            citations.append({"n": c["n"], "supported": ok})
    cited_support = None
    if correct and not unanswerable:
        paragraphs = [c.get("paragraph_text", "") for c in answer["citations"]]
        if evidence:
            cited_support = any(contains_evidence(p, evidence) for p in paragraphs)
        else:
            cited_support = any(answer_matches(p, accepted) for p in paragraphs)

    alce = alce_scores(answer) if answered else None
    return {
        "short": short is not None,
        "alce": alce,
        "claims": len(answer.get("claims") or []) if answered else 0,
        "supported_claims": sum(1 for c in answer.get("claims") or [] if c["verdict"] != "unsupported")
        if answered
        else 0,
        "fallback": bool(answer.get("fallback")) if answer else False,
        "retrieval_scored": bool(evidence) and not unanswerable,
        "hit_rank": None if failed else first_hit_rank(texts, evidence),
        "answered": answered,
        "abstained": abstained,
        "correct": correct,
        "em": em,
        "f1": f1,
        "citations": citations,
        "cited_support": cited_support,
        "reader_chars": sum(len(t) for t in texts[:READER_K]),
    }


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The metrics over a set of scored records; a metric with no items to judge is None."""
    s = [r["scores"] for r in records]
    ranks = [x["hit_rank"] for x in s if x["retrieval_scored"]]
    judged = [x for x in s if x["correct"] is not None]
    answered = [x for x in judged if x["answered"]]
    answerable = [x for x in s if x["em"] is not None]
    citations = [c["supported"] for x in s for c in x["citations"]]
    recall = [x["cited_support"] for x in s if x["cited_support"] is not None]
    unanswerable = [r["expected"]["unanswerable"] for r in records]
    abstained = [x["abstained"] for x in s]
    latencies = [r["latency_s"] for r in records if r.get("error") is None]
    abstain_p, abstain_r = abstention_scores(abstained, unanswerable)
    alce_recall = [v for x in s if x.get("alce") for v in x["alce"]["recall"]]
    alce_precision = [v for x in s if x.get("alce") for v in x["alce"]["precision"]]
    claims = sum(x.get("claims", 0) for x in s)
    return {
        "questions": len(records),
        "errors": sum(1 for r in records if r.get("error") is not None),
        "answered": sum(1 for x in s if x["answered"]),
        "abstained": sum(abstained),
        "hit@1": hit_at(ranks, 1),
        "hit@5": hit_at(ranks, READER_K),
        "mrr": mean_reciprocal_rank(ranks, READER_K),
        "accuracy": ratio(sum(x["correct"] for x in judged), len(judged)),
        "correct_cited": ratio(
            sum(1 for x in judged if x["correct"] and x["cited_support"]),
            sum(
                1
                for r, x in zip(records, s, strict=True)
                if x["correct"] is not None and not r["expected"]["unanswerable"]
            ),
        ),
        "short_answers": ratio(sum(1 for x in s if x.get("short")), sum(1 for x in s if x["answered"])),
        "answered_precision": ratio(sum(x["correct"] for x in answered), len(answered)),
        "exact_match": mean([x["em"] for x in answerable]),
        "f1": mean([x["f1"] for x in answerable]),
        "citation_precision": ratio(sum(citations), len(citations)),
        "citation_recall": ratio(sum(recall), len(recall)),
        "abstention_precision": abstain_p,
        "abstention_recall": abstain_r,
        "supported_share": ratio(sum(x.get("supported_claims", 0) for x in s), claims),
        "alce_citation_recall": ratio(sum(alce_recall), len(alce_recall)),
        "alce_citation_precision": ratio(sum(alce_precision), len(alce_precision)),
        "fallbacks": sum(1 for x in s if x.get("fallback")),
        "latency_p50_s": percentile(latencies, 50),
        "latency_p95_s": percentile(latencies, 95),
        "reader_chars_mean": mean(
            [x["reader_chars"] for r, x in zip(records, s, strict=True) if r.get("error") is None]
        ),
    }


DEFINITIONS = {
    "hit@1": "share of questions with evidence whose top passage contains an evidence quote "
    "(whitespace- and case-normalised substring; a part of a long paragraph that holds at least half "
    "of the quote, cut at the part's edge, also counts)",
    "hit@5": f"share of questions with evidence with such a passage among the top {READER_K}",
    "mrr": f"mean of 1/rank of the first passage containing evidence, 0 when none is in the top {READER_K}",
    "accuracy": "correct / all judged questions; correct = an accepted answer's normalised tokens appear in "
    "the answer (answerable), or the assistant abstained (unanswerable); errors count as wrong",
    "answered_precision": "correct / answered (not abstained) among judged questions",
    "correct_cited": "share of answerable questions answered correctly with a citation whose paragraph holds the "
    "evidence (correct and cited)",
    "short_answers": "share of answers that lead with a short answer (a phrase of the cited sentence)",
    "exact_match": "SQuAD exact match of the short answer (or, without one, the best answer sentence) against the "
    "accepted answers (answerable questions; abstaining scores 0)",
    "f1": "SQuAD token F1 of the short answer (or, without one, the best answer sentence) against the accepted "
    "answers (answerable questions)",
    "citation_precision": "share of citations in given answers whose paragraph contains an evidence quote "
    "or covers >= 80% of the content words of the sentence citing it",
    "citation_recall": "share of correct answers to answerable questions that cite a paragraph containing "
    "an evidence quote (or an accepted answer, when the item has no evidence)",
    "supported_share": "share of answer sentences the assistant's verifier found supported by a cited paragraph",
    "alce_citation_recall": "share of answer sentences whose cited paragraphs together support them (ALCE recall), "
    "judged by this scorer's word-overlap check (>= 80% of content words), not by an NLI model",
    "alce_citation_precision": "share of citations whose paragraph supports its sentence alone or is needed for "
    "the sentence's support (ALCE precision), same word-overlap judge, not an NLI model",
    "fallbacks": "answers where the language model failed or wrote nothing supported, so quoted sentences were shown",
    "abstention_precision": "unanswerable questions abstained on / all abstentions",
    "abstention_recall": "unanswerable questions abstained on / all unanswerable questions",
    "latency_p50_s": "median seconds per question (Assistant.ask, questions without errors, "
    "after one untimed warm-up question)",
    "latency_p95_s": "95th percentile of seconds per question",
    "reader_chars_mean": f"mean characters of the top {READER_K} passages a reader is handed",
}
