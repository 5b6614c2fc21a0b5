"""The rerank step of retrieval: every sentence of the candidate passages is scored as an answer.

The scores are shared by every answerer: they order the passages, pick the sentences an
extractive answer quotes, and decide abstention (the best sentence's `support`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from index.analysis import sentence_spans, tokenize
from qa.question import Question, Term
from qa.types import Evidence, Passage

_MONTH = r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)"
_DATE = re.compile(
    rf"\b(\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}|(19|20)\d\d|"
    r"(mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|last (week|month|year)|early|late)\b",
    re.I,
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundreds?|thousands?|millions?|billions?|dozens?|several|scores"
)
_NUMBER = re.compile(rf"\b(\d[\d,.]*|{_NUMBER_WORDS})\b", re.I)
_NOT_A_COUNT = re.compile(rf"^({_MONTH}|(19|20)\d\d)$|\bno\.$", re.I)
_PLACE = re.compile(r"\b(in|at|near|from|to|of|outside|inside)\s+(the\s+)?[A-Z#][\w-]+")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]*[A-Za-z]|\b[A-Z]{2,}\b")
# Sentence openers that are not names: "The ...", "After ...", pronouns.
_OPENERS = frozenset(
    "the a an on in at it this that he she they we after before but and during".split()
)


@dataclass(frozen=True)
class Weights:
    """How the evidence of a sentence is put together (hand-set)."""

    own: float = 0.6  # share of the question's own key terms in the sentence
    paragraph: float = 0.4  # share of all key terms in its paragraph (and title)
    fit: float = 0.15  # the sentence holds the kind of thing asked for
    rank: float = 0.01  # penalty per place down the retrieved list
    similarity: float = 0.4  # meaning-level similarity to the question (leading sentences only)


class Reranker:
    """Scores each sentence of the passages and orders the passages by their best sentence.

    `weight(term)` is a term's rarity; `similarity(query, texts)` its meaning-level
    similarity to each text (optional: without it only words count).
    """

    def __init__(
        self,
        weight: Callable[[Term], float],
        *,
        similarity: Callable[[str, list[str]], list[float]] | None = None,
        compare: int = 8,
        weights: Weights | None = None,
    ) -> None:
        self.weight = weight
        self.similarity = similarity
        self.compare = compare
        self.weights = weights or Weights(similarity=0.4)

    def rerank(self, question: Question, passages: Sequence[Passage]) -> list[Passage]:
        """The passages with their scored sentences, best evidence first."""
        units = self.score(question, passages)
        by_passage: dict[int, list[_Unit]] = {}
        for unit in units:
            by_passage.setdefault(unit.index, []).append(unit)
        out = []
        for index, passage in enumerate(passages):
            mine = by_passage.get(index, [])
            evidence = [
                Evidence(u.span[0], u.span[1], round(u.score, 4), round(u.support, 4),
                         companions=self._companions(question, u, mine) if k == 0 else ())
                for k, u in enumerate(mine)
            ]  # fmt: skip
            out.append(replace(passage, sentences=tuple(evidence)))
        order = {id(p): i for i, p in enumerate(out)}
        return sorted(out, key=lambda p: (-(p.sentences[0].score if p.sentences else float("-inf")), order[id(p)]))

    def score(self, question: Question, passages: Sequence[Passage]) -> list[_Unit]:
        """Every sentence of every passage, best first."""
        w = self.weights
        terms = list(question.terms)
        weights = [self.weight(t) * (1.0 if t.focus else 0.5) * (2.0 if t.predicate else 1.0) for t in terms]
        total = sum(weights) or 1.0
        focus = [(t, x) for t, x in zip(terms, weights, strict=True) if t.focus]
        focus_total = sum(x for _, x in focus) or 1.0
        units: list[_Unit] = []
        for rank, passage in enumerate(passages):
            # The title is context for every paragraph: it often names the story's place.
            context = f"{passage.title}\n{passage.text}"
            para_hits = {t.text for t in terms if t.found_in(set(tokenize(context)), context)}
            # Sentences were found at ingest; splitting here would put Punkt (and nltk) on the answering path.
            spans = passage.sentence_spans or sentence_spans(passage.text) or [(0, len(passage.text))]
            for span in spans:
                sentence = passage.text[span[0] : span[1]]
                stems = set(tokenize(sentence))
                hits = frozenset(t.text for t in terms if t.found_in(stems, sentence))
                units.append(_Unit(rank, passage, span, sentence, hits, para_hits))
        predicate = question.predicate
        predicate_seen = predicate is not None and any(predicate.text in u.hits for u in units)
        for u in units:
            # The sentence must carry the question's own terms; terms borrowed from an
            # earlier question only say which story (paragraph) is meant.
            own = sum(x for t, x in focus if t.text in u.hits) / focus_total
            para = sum(x for t, x in zip(terms, weights, strict=True) if t.text in u.para_hits) / total
            para_focus = sum(x for t, x in focus if t.text in u.para_hits) / focus_total
            fit = fits(question, u.sentence)
            u.support = 0.6 * own + 0.4 * para_focus
            u.score = w.own * own + w.paragraph * para + w.fit * fit - w.rank * u.index
            if predicate_seen and predicate.text not in u.hits:
                u.score *= 0.5
                u.support *= 0.8
            if question.kind in ("how many", "when") and not fit:
                u.support *= 0.85
            if any(t.focus and t.is_name and t.text not in u.para_hits for t in terms):
                # A name the question asks about is absent from this story: not an answer.
                u.support *= 0.5
                u.score *= 0.5
        units.sort(key=lambda u: u.score, reverse=True)
        return self._blend_similarity(question, units) if self.similarity else units

    def _blend_similarity(self, question: Question, units: list[_Unit]) -> list[_Unit]:
        """Word overlap misses paraphrase ("died" / "death"); the embedding model does not."""
        head = units[: self.compare]
        if not head:
            return units
        sims = self.similarity(question.standalone, [u.sentence for u in head])
        share = self.weights.similarity
        for u, sim in zip(head, sims, strict=True):
            u.score += share * sim
            u.support = (1 - share) * u.support + share * sim
        head.sort(key=lambda u: u.score, reverse=True)
        return head + units[self.compare :]

    def _companions(self, question: Question, best: _Unit, mine: list[_Unit]) -> tuple[tuple[int, int], ...]:
        found = []
        context = _context(question, best, mine)
        if context:
            found.append(context.span)
        follower = _naming_follower(question, best, mine)
        if follower:
            found.append(follower.span)
        return tuple(found)


@dataclass
class _Unit:
    index: int
    passage: Passage
    span: tuple[int, int]
    sentence: str
    hits: frozenset[str]
    para_hits: set[str]
    score: float = 0.0
    support: float = 0.0


def _context(question: Question, best: _Unit, mine: list[_Unit]) -> _Unit | None:
    """An earlier sentence of the same paragraph naming what the best one leaves out."""
    missing = {t.text for t in question.terms if t.focus and not t.predicate} - best.hits
    if not missing:
        return None
    options = [u for u in mine if u.span[1] <= best.span[0] and u.hits & missing]
    return max(options, key=lambda u: len(u.hits & missing), default=None)


def _naming_follower(question: Question, best: _Unit, mine: list[_Unit]) -> _Unit | None:
    """For "who": the next sentence when it opens with the name the best one only describes.

    "...arrested a former ISIS member." + "Anis Bujeela al-Awami purportedly joined..."
    """
    if question.kind != "who":
        return None
    after = [u for u in mine if u.span[0] >= best.span[1]]
    if not after:
        return None
    following = min(after, key=lambda u: u.span[0])
    text = best.passage.text
    gap = text[best.span[1] : following.span[0]]
    opening = following.sentence.split()[:2]
    names_it = len(opening) == 2 and all(w[:1].isupper() for w in opening)
    return following if names_it and not gap.strip() and opening[0].lower() not in _OPENERS else None


def fits(question: Question, sentence: str) -> float:
    """1.0 when the sentence holds the kind of thing asked for, else 0."""
    if question.kind == "how many":
        return 1.0 if any(not _NOT_A_COUNT.search(_neighbourhood(sentence, m)) for m in _NUMBER.finditer(sentence)) else 0.0
    if question.kind == "when":
        return 1.0 if _DATE.search(sentence) else 0.0
    if question.kind == "where":
        return 1.0 if _PLACE.search(sentence) else 0.0
    if question.kind == "who":
        asked = {t.text.lower() for t in question.terms}
        return 1.0 if any(m.group().lower() not in asked for m in _NAME.finditer(sentence)) else 0.0
    return 0.0


def _neighbourhood(sentence: str, match: re.Match[str]) -> str:
    """The number with its neighbouring word, to tell '24 July' and 'no. 141' from counts."""
    before = sentence[max(0, match.start() - 4) : match.start()]
    after = re.match(r"\s*(\w+)", sentence[match.end() :])
    word = after.group(1) if after else ""
    if re.search(r"no\.\s*$", before, re.I):
        return "no."
    if match.group().isdigit() and len(match.group()) == 4 and match.group()[:2] in ("19", "20"):
        return match.group()
    return word if re.fullmatch(_MONTH, word, re.I) else match.group()
