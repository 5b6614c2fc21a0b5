"""What the fitted ranker sees of each candidate sentence: named numbers, computed from plain values.

Term coverage (rarity-weighted, of the sentence, its paragraph and its title), the kind of
answer asked for, the question's verb, meaning similarity (the question's vector against the
sentence's, pooled at ingest), where the passage ranked, where the sentence sits, and its
neighbours. `bench/fit_ranker.py` fits weights for these names; nothing here is tuned.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from index.analysis import tokenize
from index.lexicon import jaccard
from qa.language.question import QUESTION_KINDS, Question, Term
from qa.ranker.shortanswer import fits, typed
from qa.types import Passage

KINDS = QUESTION_KINDS
# Words that attribute a statement to someone: "X said", "according to X", "X told reporters".
_REPORTED = re.compile(
    r"\b(said|says|say|told|tells|according to|stated|announced|claimed|reported|added|confirmed|denied|"
    r"warned|insisted|accused|described)\b",
    re.I,
)
RELATIVE = ("own", "own_with_earlier", "all", "paragraph", "keyword", "dense", "bigrams", "fit")
_CLOSES = re.compile(r"[.!?]['\"’”)\]]*$")


@dataclass
class Candidate:
    """One sentence of one passage, with what the ranker is told about it."""

    index: int  # the passage's place in the list handed over
    passage: Passage
    span: tuple[int, int]
    sentence: str
    hits: frozenset[str]
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0
    support: float = 0.0


def sentence_spans_of(passage: Passage) -> list[tuple[int, int]]:
    """The passage's sentences, as found at ingest (a passage made by hand falls back to Punkt)."""
    if passage.sentence_spans:
        return list(passage.sentence_spans)
    from index.analysis import sentence_spans  # Punkt: kept off the answering path when spans are stored

    return sentence_spans(passage.text) or [(0, len(passage.text))]


def candidates(
    question: Question,
    passages: Sequence[Passage],
    weight: Callable[[Term], float],
    query_vector: np.ndarray | None = None,
) -> list[Candidate]:
    """Every sentence of every passage, with its features."""
    terms = list(question.terms)
    weights = [weight(t) * (1.0 if t.focus else 0.5) * (2.0 if t.predicate else 1.0) for t in terms]
    total = sum(weights) or 1.0
    focus = [(t, w) for t, w in zip(terms, weights, strict=True) if t.focus]
    focus_total = sum(w for _, w in focus) or 1.0
    question_stems = {s for t in terms for s in t.stems}
    asked = tokenize(question.text)
    question_bigrams = set(pairwise(asked))

    def cover(found: set[str] | frozenset[str], which: Sequence[tuple[Term, float]], norm: float) -> float:
        return sum(w for t, w in which if t.text in found) / norm

    out: list[Candidate] = []
    retrieved = 0
    for index, passage in enumerate(passages):
        if _is_headline(passage):
            # The article's headline line restates its title (shown with every citation); the
            # claim it summarises is in the body, which is what an answer quotes.
            retrieved += 0 if passage.neighbour else 1
            continue
        context = f"{passage.title}\n{passage.text}"
        story = set(tokenize(context))
        para_hits = {t.text for t in terms if t.found_in(story, context)}
        title_hits = {t.text for t in terms if t.found_in(set(tokenize(passage.title)), passage.title)}
        spans = sentence_spans_of(passage)
        vectors = passage.sentence_vectors
        sims = (
            vectors @ query_vector
            if vectors is not None and query_vector is not None and len(vectors) == len(spans)
            else None
        )
        para_sim = float(_unit(vectors.mean(axis=0)) @ query_vector) if sims is not None else 0.0
        rows = []
        for a, b in spans:
            sentence = passage.text[a:b]
            stems = set(tokenize(sentence))
            hits = frozenset(t.text for t in terms if t.found_in(stems, sentence))
            rows.append(Candidate(index, passage, (a, b), sentence, hits))
        own = [cover(c.hits, focus, focus_total) for c in rows]
        # A sentence read with the ones before it in its paragraph: news names the attack once, then
        # writes "the incident".
        with_earlier, earlier = [], frozenset()
        for c in rows:
            with_earlier.append(cover(c.hits | earlier, focus, focus_total))
            earlier |= c.hits
        name_missing = any(t.focus and t.is_name and not t.found_in(story, context) for t in terms)
        kind_word = question.type_word
        title_words = set(tokenize(passage.title))
        for k, c in enumerate(rows):
            tokens = tokenize(c.sentence)
            stems = set(tokens)
            novel = len(stems - question_stems) / len(stems) if stems else 0.0
            f = {
                "own": own[k],
                "all": cover(c.hits, list(zip(terms, weights, strict=True)), total),
                "paragraph": cover(para_hits, list(zip(terms, weights, strict=True)), total),
                "paragraph_focus": cover(para_hits, focus, focus_total),
                "title": cover(title_hits, focus, focus_total),
                "previous_own": own[k - 1] if k > 0 else 0.0,
                "own_with_earlier": with_earlier[k],
                "next_own": own[k + 1] if k + 1 < len(rows) else 0.0,
                "fit": fits(question, c.sentence),
                "bigrams": _shared_bigrams(question_bigrams, tokens),
                # "Which battalion ...": the sentence (or its paragraph) names the kind of thing asked for.
                "type_word": 1.0 if kind_word is not None and kind_word.found_in(stems, c.sentence) else 0.0,
                "type_word_paragraph": 1.0 if kind_word is not None and kind_word.found_in(story, context) else 0.0,
                "asks_type": 1.0 if kind_word is not None else 0.0,
                # "How many did the spokesman SAY were killed": the claim sits in the attributed sentence.
                "reported": 1.0 if _REPORTED.search(c.sentence) else 0.0,
                "asks_reported": 1.0 if _REPORTED.search(question.text) else 0.0,
                # A sentence that restates the article's title (its headline) rarely holds the answer.
                "title_like": jaccard(stems, title_words),
                "compact": _compactness(tokens, question_stems),
                "phrases": min(typed(question, c.sentence), 3) / 3,
                "novel": novel,
                "similarity": float(sims[k]) if sims is not None else 0.0,
                "paragraph_similarity": para_sim,
                "dense": 1.0 / passage.dense_rank if passage.dense_rank else 0.0,
                "keyword": 1.0 / passage.keyword_rank if passage.keyword_rank else 0.0,
                "retrieved": 0.0 if passage.neighbour else 1.0 / (1 + retrieved),
                "neighbour": 1.0 if passage.neighbour else 0.0,
                "first_sentence": 1.0 if k == 0 else 0.0,
                "sentence_place": 1.0 / (1 + k),
                "lead": 1.0 / max(passage.paragraph, 1),
                "length": math.log1p(len(c.sentence.split())),
                "copies": 1.0 if passage.copies else 0.0,
                "name_missing": 1.0 if name_missing else 0.0,
            }
            c.features = f
            out.append(c)
        if not passage.neighbour:
            retrieved += 1
    _question_wide(question, out)
    return out


def _is_headline(passage: Passage) -> bool:
    """The first paragraph, one line without a closing full stop: the headline of a plain-text article."""
    text = passage.text.strip()
    return passage.paragraph == 1 and "\n" not in text and len(text) < 200 and not _CLOSES.search(text)


def _question_wide(question: Question, found: list[Candidate]) -> None:
    """Features that compare a sentence with the others: the verb seen elsewhere, the best similarity."""
    if not found:
        return
    predicate = question.predicate
    seen = predicate is not None and any(predicate.text in c.hits for c in found)
    best_sim = max((c.features["similarity"] for c in found), default=0.0)
    order = sorted(range(len(found)), key=lambda i: -found[i].features["similarity"])
    sim_rank = {i: r for r, i in enumerate(order)}
    for i, c in enumerate(found):
        f = c.features
        f["predicate"] = 1.0 if predicate is not None and predicate.text in c.hits else 0.0
        f["predicate_elsewhere"] = 1.0 if seen and predicate.text not in c.hits else 0.0
        f["similarity_gap"] = best_sim - f["similarity"]
        f["similarity_rank"] = 1.0 / (1 + sim_rank[i])
        for kind in KINDS:
            f[f"kind_{kind}"] = 1.0 if question.kind == kind else 0.0
            f[f"fit_{kind}"] = f["fit"] if question.kind == kind else 0.0
        f["question_terms"] = math.log1p(len([t for t in question.terms if t.focus]))
    # How each sentence stands against the best of the others (a tree cannot compare rows itself).
    for key in RELATIVE:
        best = max(c.features[key] for c in found)
        for c in found:
            c.features[f"{key}_gap"] = c.features[key] - best


def _shared_bigrams(wanted: set[tuple[str, str]], tokens: list[str]) -> float:
    """Share of the question's word pairs (in order) the sentence has too."""
    if not wanted:
        return 0.0
    return len(wanted & set(pairwise(tokens))) / len(wanted)


def _compactness(tokens: list[str], asked: set[str]) -> float:
    """How closely the question's words sit together in the sentence (1: side by side; 0: none or one)."""
    places = [i for i, t in enumerate(tokens) if t in asked]
    if len(places) < 2:
        return 0.0
    return (len(places) - 1) / (places[-1] - places[0])


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)
