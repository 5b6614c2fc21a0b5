"""Evaluation metrics: retrieval hits, answer matching, citation support, abstention and latency.

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


# --- abstention, percentiles and means ---------------------------------------------


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
