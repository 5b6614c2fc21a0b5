"""The rerank step of retrieval: every sentence of the candidate passages scored as an answer by the fitted ranker.

The scores are shared by every answerer: they order the passages, pick the sentence (and the
short answer) an extractive answer quotes, and decide abstention: a sentence's `support` is the
calibrated probability that it answers the question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from index.lexicon import SENTENCE_OPENERS
from qa.language.question import Question, Term
from qa.ranker import model as fitted
from qa.ranker.features import KINDS, Candidate, candidates
from qa.ranker.shortanswer import candidates as phrase_candidates
from qa.ranker.shortanswer import describe
from qa.types import Evidence, Passage


class Reranker:
    """Scores each sentence of the passages and orders the passages by their best sentence.

    `weight(term)` is a term's rarity; `models` the fitted models (default: the shipped file).
    """

    def __init__(self, weight: Callable[[Term], float], *, models: fitted.FittedModels | None = None) -> None:
        self.weight = weight
        self._models = models

    @property
    def models(self) -> fitted.FittedModels:
        if self._models is None:
            self._models = fitted.load()
        return self._models

    @property
    def threshold(self) -> float:
        """The calibrated support below which the assistant abstains, unless a setting says otherwise."""
        return self.models.threshold

    def rerank(
        self, question: Question, passages: Sequence[Passage], query_vector: np.ndarray | None = None
    ) -> list[Passage]:
        """The passages with their scored sentences, best evidence first (ties: the more recent first).

        The best sentence of the best passage also gets its short answer, if one is likely.
        """
        found = self.score(question, passages, query_vector)
        by_passage: dict[int, list[Candidate]] = {}
        for c in sorted(found, key=lambda c: -c.probability):
            by_passage.setdefault(c.index, []).append(c)
        order = sorted(
            range(len(passages)),
            key=lambda i: (-(by_passage[i][0].probability if i in by_passage else -1.0), _recency(passages[i].date), i),
        )
        out = []
        for place, index in enumerate(order):
            mine = by_passage.get(index, [])
            evidence = [
                Evidence(
                    c.span[0], c.span[1], round(c.probability, 4), round(c.support, 4),
                    short=self.short_answer(question, c) if place == 0 and k == 0 else None,
                    companions=_companions(question, c, mine) if k == 0 else (),
                )
                for k, c in enumerate(mine)
            ]  # fmt: skip
            out.append(replace(passages[index], sentences=tuple(evidence)))
        return out

    def score(
        self, question: Question, passages: Sequence[Passage], query_vector: np.ndarray | None = None
    ) -> list[Candidate]:
        """Every sentence with its probability of holding the answer and its calibrated support."""
        found = candidates(question, passages, self.weight, query_vector)
        if not found:
            return found
        probabilities = self.models.sentence.probability([c.features for c in found])
        # Copies of one sentence (wire copy in several articles) are equally good evidence, wherever
        # they were ranked: each gets the best copy's score, and recency orders them.
        best: dict[str, float] = {}
        for c, p in zip(found, probabilities, strict=True):
            best[copy_key(c.sentence)] = max(best.get(copy_key(c.sentence), 0.0), float(p))
        for c in found:
            c.probability = best[copy_key(c.sentence)]
        rows = answerable_features(
            [c.probability for c in found], [c.features for c in found], [c.sentence for c in found]
        )
        for c, p in zip(found, self.models.answerable.probability(rows), strict=True):
            c.support = float(p)
        return found

    def short_answer(self, question: Question, best: Candidate) -> tuple[int, int] | None:
        """The phrase of the sentence that answers the question, as a span of the passage, if one is likely."""
        phrases = phrase_candidates(question, best.sentence)
        if not phrases:
            return None
        describe(question, best.sentence, phrases)
        scores = self.models.phrase.probability([p.features for p in phrases])
        top = int(np.argmax(scores))
        if scores[top] < float(self.models.info.get("phrase_threshold", 0.5)):
            return None
        start = best.span[0] + phrases[top].start
        return start, start + len(phrases[top].text)


def answerable_features(
    probabilities: Sequence[float], features: Sequence[Mapping[str, float]], sentences: Sequence[str] | None = None
) -> list[dict[str, float]]:
    """What the calibrator sees of each sentence: its own probability against the others', and its evidence.

    The runner-up is the best *other* sentence: a copy of the same sentence (wire copy in
    another article) is not a rival and must not make the assistant less sure.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    keys = [copy_key(s) for s in sentences] if sentences is not None else None
    out = []
    for i, f in enumerate(features):
        rivals = [j for j in range(len(probabilities)) if j != i and (keys is None or keys[j] != keys[i])]
        runner_up = float(probabilities[rivals].max()) if rivals else 0.0
        p = min(max(float(probabilities[i]), 1e-6), 1 - 1e-6)
        row = {
            "logit": float(np.log(p / (1 - p))),
            "margin": float(probabilities[i]) - runner_up,
            "strong": float((probabilities > 0.5).sum()) / len(probabilities),
            "own": f["own"],
            "paragraph_focus": f["paragraph_focus"],
            "name_missing": f["name_missing"],
            "fit": f["fit"],
            "similarity": f["similarity"],
            "predicate_elsewhere": f["predicate_elsewhere"],
            "question_terms": f["question_terms"],
        }
        row.update({f"kind_{k}": f[f"kind_{k}"] for k in KINDS})
        out.append(row)
    return out


def copy_key(sentence: str) -> str:
    """A sentence as its copies in other articles spell it too (case and spacing aside)."""
    return " ".join(sentence.casefold().split())


def _recency(date: str | None) -> int:
    """A sort key putting later dates first and undated passages last."""
    digits = "".join(ch for ch in (date or "")[:10] if ch.isdigit())
    return -int(digits) if len(digits) == 8 else 0


def _companions(question: Question, best: Candidate, mine: list[Candidate]) -> tuple[tuple[int, int], ...]:
    found = []
    context = _context(question, best, mine)
    if context:
        found.append(context.span)
    follower = _naming_follower(question, best, mine)
    if follower:
        found.append(follower.span)
    return tuple(found)


def _context(question: Question, best: Candidate, mine: list[Candidate]) -> Candidate | None:
    """An earlier sentence of the same paragraph naming what the best one leaves out."""
    missing = {t.text for t in question.terms if t.focus and not t.predicate} - best.hits
    if not missing:
        return None
    options = [c for c in mine if c.span[1] <= best.span[0] and c.hits & missing]
    return max(options, key=lambda c: len(c.hits & missing), default=None)


def _naming_follower(question: Question, best: Candidate, mine: list[Candidate]) -> Candidate | None:
    """For "who": the next sentence when it opens with the name the best one only describes.

    "...arrested a former ISIS member." + "Anis Bujeela al-Awami purportedly joined..."
    """
    if question.kind != "who":
        return None
    after = [c for c in mine if c.span[0] >= best.span[1]]
    if not after:
        return None
    following = min(after, key=lambda c: c.span[0])
    gap = best.passage.text[best.span[1] : following.span[0]]
    opening = following.sentence.split()[:2]
    names_it = len(opening) == 2 and all(w[:1].isupper() for w in opening)
    return following if names_it and not gap.strip() and opening[0].lower() not in SENTENCE_OPENERS else None
