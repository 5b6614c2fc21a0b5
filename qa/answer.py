"""Answerers behind one interface; the default picks cited sentences without any LLM."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from index.analysis import sentence_spans, tokenize
from qa.citations import cite, matching_sentence
from qa.question import Question, Term
from qa.templates import render
from qa.types import Answer, Citation, Passage

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


_OPENERS = {
    "the",
    "a",
    "an",
    "on",
    "in",
    "at",
    "it",
    "this",
    "that",
    "he",
    "she",
    "they",
    "we",
    "after",
    "before",
    "but",
    "and",
    "during",
}
RERANK = 8  # leading sentences compared by meaning with the question
SIM_WEIGHT = 0.4


class Answerer(Protocol):
    """Turns a question and retrieved passages into a cited Answer (or an abstention)."""

    name: str

    def answer(self, question: Question, passages: Sequence[Passage], more: Sequence[Passage] = ()) -> Answer:
        """`passages` are the retrieved ones, best first; `more` are their neighbouring
        paragraphs, which may hold the answer but were not retrieved themselves."""
        ...


@dataclass(frozen=True)
class Scored:
    passage: Passage
    span: tuple[int, int]
    score: float
    support: float
    covered: frozenset[str]
    similarity: float = 0.0


class ExtractiveAnswerer:
    """Answers with the retrieved sentences that best fit the question, each one cited.

    A sentence scores by the share of the question's key terms (weighted by rarity) it and
    its paragraph contain, whether it holds the kind of thing asked for (a number for "how
    many", a date for "when", a name for "who"), and whether it holds the question's verb.
    When the best evidence covers too little of the question, the answer abstains.
    """

    name = "extractive"

    def __init__(
        self,
        weight: Callable[[Term], float],
        *,
        similarity: Callable[[str, list[str]], list[float]] | None = None,
        min_support: float = 0.40,
    ) -> None:
        self.weight = weight
        self.similarity = similarity
        self.min_support = min_support

    def answer(self, question: Question, passages: Sequence[Passage], more: Sequence[Passage] = ()) -> Answer:
        scored = self.rank(question, [*passages, *more])
        best = scored[0] if scored else None
        if best is None or best.support < self.min_support:
            return self._abstain(question, passages, scored)
        chosen = [best]
        context = self._context(question, best, scored)
        if context:
            chosen.insert(0, context)
        follower = self._naming_follower(question, best, scored)
        if follower:
            chosen.append(follower)
        citations: list[Citation] = []
        sentences: list[str] = []
        for pick in chosen:
            citations.append(cite(len(citations) + 1, pick.passage, pick.span, pick.score))
            sentences.append(f"{citations[-1].quote} [{citations[-1].n}]")
        copies = best.passage.copies
        if copies:
            markers = []
            for copy in copies:
                span = matching_sentence(copy, citations[-1].quote)
                citations.append(cite(len(citations) + 1, copy, span, best.score))
                markers.append(f"“{copy.title}” [{citations[-1].n}]")
            sentences.append(render("also_reported", titles=" and ".join(markers)))
        return Answer(
            question=question.text,
            text=" ".join(sentences),
            abstained=False,
            citations=tuple(citations),
            standalone_question=question.standalone,
            # A neighbouring paragraph the answer cites was, in effect, retrieved too.
            passages=by_evidence(
                [*passages, *(m for m in more if m.chunk_id in {p.passage.chunk_id for p in chosen})], scored
            ),
        )

    def rank(self, question: Question, passages: Sequence[Passage]) -> list[Scored]:
        """Every sentence of every passage, best first."""
        terms = [t for t in question.terms]
        weights = [self.weight(t) * (1.0 if t.focus else 0.5) * (2.0 if t.predicate else 1.0) for t in terms]
        total = sum(weights) or 1.0
        units = []
        for rank, passage in enumerate(passages):
            # The title is context for every paragraph: it often names the story's place.
            context = f"{passage.title}\n{passage.text}"
            para_stems = set(tokenize(context))
            para_hits = {t.text for t in terms if t.found_in(para_stems, context)}
            for span in sentence_spans(passage.text) or [(0, len(passage.text))]:
                sentence = passage.text[span[0] : span[1]]
                stems = set(tokenize(sentence))
                hits = {t.text for t in terms if t.found_in(stems, sentence)}
                units.append((rank, passage, span, sentence, hits, para_hits))
        predicate = question.predicate
        predicate_seen = predicate is not None and any(predicate.text in u[4] for u in units)
        scored = []
        focus = [(t, w) for t, w in zip(terms, weights, strict=True) if t.focus]
        focus_total = sum(w for _, w in focus) or 1.0
        for rank, passage, span, sentence, hits, para_hits in units:
            # The sentence must carry the question's own terms; terms borrowed from an
            # earlier question only say which story (paragraph) is meant.
            own = sum(w for t, w in focus if t.text in hits) / focus_total
            para = sum(w for t, w in zip(terms, weights, strict=True) if t.text in para_hits) / total
            fit = _fits(question, sentence)
            # Support counts only the question's own terms; words borrowed from earlier
            # questions steer the ranking but cannot make weak evidence look strong.
            para_focus = sum(w for t, w in focus if t.text in para_hits) / focus_total
            support = 0.6 * own + 0.4 * para_focus
            score = 0.6 * own + 0.4 * para + 0.15 * fit - 0.01 * rank
            if predicate_seen and predicate.text not in hits:
                score *= 0.5
                support *= 0.8
            if question.kind in ("how many", "when") and not fit:
                support *= 0.85
            if any(t.focus and t.is_name and t.text not in para_hits for t in terms):
                # A name the question asks about is absent from this story: not an answer.
                support *= 0.5
                score *= 0.5
            scored.append(Scored(passage, span, score, support, frozenset(hits)))
        scored.sort(key=lambda s: s.score, reverse=True)
        return self._rerank(question, scored) if self.similarity else scored

    def _rerank(self, question: Question, scored: list[Scored]) -> list[Scored]:
        """Blend in the meaning-level similarity of the leading sentences to the question.

        Word overlap misses paraphrase ("died" / "death"); the embedding model does not.
        """
        head = scored[:RERANK]
        if not head:
            return scored
        sims = self.similarity(question.standalone, [s.passage.text[s.span[0] : s.span[1]] for s in head])
        blended = [
            replace(
                s,
                score=s.score + SIM_WEIGHT * sim,
                support=(1 - SIM_WEIGHT) * s.support + SIM_WEIGHT * sim,
                similarity=sim,
            )
            for s, sim in zip(head, sims, strict=True)
        ]
        blended.sort(key=lambda s: s.score, reverse=True)
        return blended + scored[RERANK:]

    def _context(self, question: Question, best: Scored, scored: list[Scored]) -> Scored | None:
        """An earlier sentence of the same paragraph naming what the best one leaves out."""
        missing = {t.text for t in question.terms if t.focus and not t.predicate} - best.covered
        if not missing:
            return None
        options = [
            s
            for s in scored
            if s.passage.chunk_id == best.passage.chunk_id and s.span[1] <= best.span[0] and s.covered & missing
        ]
        return max(options, key=lambda s: len(s.covered & missing), default=None)

    def _naming_follower(self, question: Question, best: Scored, scored: list[Scored]) -> Scored | None:
        """For "who": the next sentence when it opens with the name the best one only describes.

        "...arrested a former ISIS member." + "Anis Bujeela al-Awami purportedly joined..."
        """
        if question.kind != "who":
            return None
        after = [s for s in scored if s.passage.chunk_id == best.passage.chunk_id and s.span[0] >= best.span[1]]
        if not after:
            return None
        following = min(after, key=lambda s: s.span[0])
        text = best.passage.text
        gap = text[best.span[1] : following.span[0]]
        opening = text[following.span[0] : following.span[1]].split()[:2]
        names_it = len(opening) == 2 and all(w[:1].isupper() for w in opening)
        return following if names_it and not gap.strip() and opening[0].lower() not in _OPENERS else None

    def _abstain(self, question: Question, passages: Sequence[Passage], scored: list[Scored]) -> Answer:
        citations: list[Citation] = []
        for passage in passages[:3]:
            sentences = [s for s in scored if s.passage.chunk_id == passage.chunk_id]
            span = sentences[0].span if sentences else (0, len(passage.text))
            citations.append(cite(len(citations) + 1, passage, span, sentences[0].score if sentences else 0.0))
        topic = _topic(question.standalone)
        if citations:
            text = render("abstain", topic=topic, markers=" ".join(f"[{c.n}]" for c in citations))
        else:
            text = render("abstain_empty", topic=topic)
        return Answer(
            question=question.text,
            text=text,
            abstained=True,
            citations=tuple(citations),
            standalone_question=question.standalone,
            passages=by_evidence(passages, scored),
        )


def by_evidence(passages: Sequence[Passage], scored: list[Scored]) -> tuple[Passage, ...]:
    """The retrieved passages, reordered by their best sentence's score (a second-stage rerank)."""
    best: dict[str, float] = {}
    for s in scored:
        best.setdefault(s.passage.chunk_id, s.score)
    return tuple(sorted(passages, key=lambda p: -best.get(p.chunk_id, float("-inf"))))


def _fits(question: Question, sentence: str) -> float:
    """1.0 when the sentence holds the kind of thing asked for, else 0."""
    if question.kind == "how many":
        return (
            1.0
            if any(not _NOT_A_COUNT.search(_neighbourhood(sentence, m)) for m in _NUMBER.finditer(sentence))
            else 0.0
        )
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


def _topic(question: str) -> str:
    """'How many people live in Sirte?' -> 'how many people live in Sirte'."""
    text = re.sub(r"\s*\(following:.*\)$", "", question.strip()).rstrip("?.! ")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
