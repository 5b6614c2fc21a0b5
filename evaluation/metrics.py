"""Evaluation metrics: retrieval hits, answer matching, citation support, abstention, latency, and their summaries.

The scorer keeps its own sentence splitter, stop words and marker pattern on purpose: it
must not share its mistakes with the assistant it scores.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

READER_K = 5  # passages a reader is handed; hit@5, MRR and reader characters use this many
_MARKER = re.compile(r"\s*\[\d+\]")
_MARKER_GROUP = re.compile(r"(?:\s*\[\d+\])+")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
# A sentence ends at . ! or ? (optionally closed by a quote or bracket) followed by
# whitespace; good enough for news prose and Wikipedia, and it never loses characters.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+")
_STOPWORD_TEXT = """a an the and or but if of to in on at by for with from as into about over after before
between during under than then so that this these those there here is are was were be been
being has have had do does did it its he she they them his her their we you i who whom
whose which what when where why how not no also said says will would can could may might"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


# --- normalisation ---------------------------------------------------------------


def normalize_space(text: str) -> str:
    """Unicode-normalise (NFKC), casefold and collapse whitespace: the form used for evidence containment."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalize_answer(text: str, punctuation: str = "") -> str:
    """SQuAD answer normalisation: lower case, drop punctuation and symbols, drop articles, collapse spaces.

    SQuAD drops ASCII punctuation (which includes $ + < = > ^ ` | ~); here every Unicode
    punctuation mark and symbol goes, so "€6" reads "6" as "$6" does. `punctuation`
    replaces each mark: "" (SQuAD's choice) joins "U.S." into "us", " " splits "six-time".
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(punctuation if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def strip_markers(text: str) -> str:
    """Remove citation markers such as `[1]` so their digits never count as answer tokens."""
    return _MARKER.sub("", text)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences on terminal punctuation followed by whitespace."""
    return [text[start:end].strip() for start, end in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans `(start, end)` of the sentences of `text`, covering it without gaps in content."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# --- retrieval -------------------------------------------------------------------


def contains_evidence(passage: str, evidence: Iterable[str]) -> bool:
    """True when any evidence quote, normalised, is a substring of the normalised passage.

    A passage that is one part of a long paragraph may end (or start) inside the quote;
    it still counts when at least half of the quote runs up to its end (or from its start).
    """
    haystack = normalize_space(passage)
    quotes = (normalize_space(q) for q in evidence)
    return any(q and (q in haystack or _straddles(haystack, q)) for q in quotes)


def _straddles(passage: str, quote: str) -> bool:
    half = max(1, math.ceil(len(quote) / 2))
    return any(
        passage.endswith(quote[:k]) or passage.startswith(quote[-k:]) for k in range(len(quote) - 1, half - 1, -1)
    )


def first_hit_rank(passages: Sequence[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first passage holding an evidence quote, or None when none does."""
    for rank, text in enumerate(passages, start=1):
        if contains_evidence(text, evidence):
            return rank
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose first hit is within the top `k` (None for no questions)."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None], cutoff: int = 5) -> float | None:
    """Mean of 1/rank of the first hit, counting misses and hits below `cutoff` as 0."""
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r is not None and r <= cutoff) / len(ranks)


# --- answers ---------------------------------------------------------------------


def answer_matches(answer: str, accepted: Iterable[str]) -> bool:
    """True when an accepted answer's normalised tokens appear, contiguously, in the normalised answer.

    Token-level containment keeps "1" from matching "10" and ignores case, punctuation and
    articles; citation markers are removed first. Punctuation is tried both deleted ("U.S."
    = "US") and as a space ("Six" in "Six-time").
    """
    answer = strip_markers(answer)
    for punctuation in ("", " "):
        tokens = normalize_answer(answer, punctuation).split()
        for gold in accepted:
            want = normalize_answer(gold, punctuation).split()
            if want and any(tokens[i : i + len(want)] == want for i in range(len(tokens) - len(want) + 1)):
                return True
    return False


def exact_match(prediction: str, gold: str) -> float:
    """SQuAD exact match: 1.0 when the normalised strings are equal."""
    return float(normalize_answer(prediction) == normalize_answer(gold))


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD token F1 between the normalised prediction and gold answer."""
    pred, want = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not want:
        return float(pred == want)
    overlap = sum((Counter(pred) & Counter(want)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(pred), overlap / len(want)
    return 2 * precision * recall / (precision + recall)


def best_sentence_scores(answer: str, accepted: Sequence[str]) -> tuple[float, float]:
    """(EM, F1) of the answer sentence that scores best against any accepted answer."""
    sentences = split_sentences(strip_markers(answer)) or [""]
    if not accepted:
        return 0.0, 0.0
    em = max(exact_match(s, g) for s in sentences for g in accepted)
    f1 = max(token_f1(s, g) for s in sentences for g in accepted)
    return em, f1


# --- citations -------------------------------------------------------------------


def cited_sentences(answer: str, n: int) -> list[str]:
    """The text each `[n]` marker closes: from the previous marker group (or the start) up to it.

    Works whether the marker sits before the full stop ("Fact [1].") or after it ("Fact. [1]").
    """
    claims: list[str] = []
    last = 0
    for group in _MARKER_GROUP.finditer(answer):
        if str(n) in re.findall(r"\[(\d+)\]", group.group(0)):
            claims.append(answer[last : group.start()].strip(" .,;:!?\n\t"))
        last = group.end()
    return [c for c in claims if c]


def content_tokens(text: str) -> list[str]:
    """Normalised tokens of `text` without stop words."""
    return [t for t in normalize_answer(text).split() if t not in _STOPWORDS]


def supports(paragraph: str, claim: str, threshold: float = 0.8) -> bool:
    """True when at least `threshold` of the claim's content words occur in the paragraph.

    A lexical stand-in for the NLI judge ALCE uses: enough for extractive answers, whose
    sentences are quotes, to tell a right paragraph from a wrong one.
    """
    claim_tokens = content_tokens(claim)
    if not claim_tokens:
        return False
    vocabulary = set(normalize_answer(paragraph).split())
    return sum(t in vocabulary for t in claim_tokens) / len(claim_tokens) >= threshold


def citation_supported(answer: str, citation_n: int, quote: str, paragraph: str, evidence: Sequence[str]) -> bool:
    """A citation is correct when its paragraph holds the evidence or supports the sentence citing it.

    When no answer sentence carries the marker, the citation's own quote stands for the claim.
    """
    if evidence and contains_evidence(paragraph, evidence):
        return True
    claims = cited_sentences(answer, citation_n) or [quote]
    return any(supports(paragraph, claim) for claim in claims)


def alce_scores(answer: Mapping[str, Any]) -> dict[str, list[bool]]:
    """Citation recall and precision in the ALCE sense, judged by this scorer's lexical `supports`.

    Recall, per sentence: its cited paragraphs together support it (no citation: not).
    Precision, per citation: its paragraph alone supports the sentence, or the sentence is
    supported by all its citations and no longer without this one. `supports` is a word
    check, not the NLI judge ALCE uses.
    """
    by_n = {c["n"]: c.get("paragraph_text") or c.get("quote", "") for c in answer["citations"]}
    recall: list[bool] = []
    precision: list[bool] = []
    for claim in answer.get("claims") or []:
        texts = [by_n[n] for n in claim["citations"] if n in by_n]
        whole = bool(texts) and supports(" ".join(texts), claim["text"])
        recall.append(whole)
        for i, text in enumerate(texts):
            others = texts[:i] + texts[i + 1 :]
            alone = supports(text, claim["text"])
            needed = whole and not (others and supports(" ".join(others), claim["text"]))
            precision.append(alone or needed)
    return {"recall": recall, "precision": precision}


# --- abstention and summaries ------------------------------------------------------


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0 (the metric is undefined)."""
    return numerator / denominator if denominator else None


def abstention_scores(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> tuple[float | None, float | None]:
    """(precision, recall) of abstaining, treating `unanswerable` items as the positives."""
    both = sum(1 for a, u in zip(abstained, unanswerable, strict=True) if a and u)
    return ratio(both, sum(abstained)), ratio(both, sum(unanswerable))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None when empty."""
    return sum(values) / len(values) if values else None


# --- a question record, and a set of them ------------------------------------------


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
