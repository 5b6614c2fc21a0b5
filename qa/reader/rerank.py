"""The reader as the rerank step (`QA_RANKER=reader`): it points at the answer span in each candidate passage.

Its readings are shared by every answerer: the passage whose answer is best supported leads,
the sentence holding the span is what an extractive answer quotes, the span itself is the
short answer, and the calibrated support decides abstention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from qa.language.question import Question
from qa.ranker.features import sentence_spans_of
from qa.ranker.rerank import Reranker, copy_key
from qa.reader.calibrate import LEAD_CAP, Calibrator, features
from qa.reader.runtime import Reader, Reading
from qa.types import Evidence, Passage

_EDGE = " \t\n,;:.!?\"'“”‘’()[]"  # trimmed from a span's ends: the answer, not its punctuation
WHOLE_SENTENCE = 0.8  # a span covering this much of its sentence is not shown as a separate short answer


@dataclass(frozen=True)
class Found:
    """The reader's best span in one sentence of passage `index` (offsets in the passage's own text), and its features."""

    index: int
    sentence: tuple[int, int]
    key: str  # the sentence as its copies spell it too: a copy is no rival
    span: tuple[int, int]
    reading: Reading
    features: dict[str, float]


class ReaderRanker:
    """Reads the first `passages` candidates (each with the end of the paragraph before) and orders them.

    Every sentence of a read passage is a candidate: the reader's best span inside it, and the
    word-feature ranker's (`trees`) view of it, go to the calibrator, whose support picks the
    sentence that leads. `reader` and `calibrator` default to the shipped ones.
    """

    def __init__(
        self,
        reader: Reader | None = None,
        calibrator: Calibrator | None = None,
        *,
        trees: Reranker | None = None,
        passages: int = 5,
        context_chars: int = 400,
    ) -> None:
        self.reader = reader or Reader()
        self._calibrator = calibrator
        self.trees = trees
        self.passages = passages
        self.context_chars = context_chars

    @property
    def calibrator(self) -> Calibrator:
        if self._calibrator is None:
            self._calibrator = Calibrator.load()
        return self._calibrator

    @property
    def threshold(self) -> float:
        """The calibrated support below which the assistant abstains, unless a setting says otherwise."""
        return self.calibrator.threshold

    def rerank(
        self, question: Question, passages: Sequence[Passage], query_vector: np.ndarray | None = None
    ) -> list[Passage]:
        """The passages with their best candidate as evidence, best supported first (ties: the more recent
        first); unread ones last."""
        found = self.read(question, passages, query_vector)
        supports = self.calibrator.support([f.features for f in found], [f.key for f in found])
        best: dict[int, tuple[float, Found]] = {}
        for f, support in zip(found, supports, strict=True):
            if f.index not in best or support > best[f.index][0]:
                best[f.index] = (support, f)
        order = sorted(
            range(len(passages)),
            key=lambda i: (-best[i][0] if i in best else 1.0, _recency(passages[i].date) if i in best else 0, i),
        )
        out = []
        for place, index in enumerate(order):
            passage = passages[index]
            if index in best:
                support, f = best[index]
                passage = replace(passage, sentences=(_evidence(passage, f, support, place == 0),))
            out.append(passage)
        return out

    def read(
        self, question: Question, passages: Sequence[Passage], query_vector: np.ndarray | None = None
    ) -> list[Found]:
        """Each sentence of the first `passages` passages that holds a span, with the calibrator's features."""
        chosen = list(range(min(self.passages, len(passages))))
        sentences = [sentence_spans_of(passages[i]) for i in chosen]
        parts = []
        for i, spans in zip(chosen, sentences, strict=True):
            text, offset = self._text(passages[i], passages)
            parts.append((text, offset, [(a + offset, b + offset) for a, b in spans]))
        readings = self.reader.read_parts(question.standalone, parts)
        trees = self._trees(question, passages, query_vector)
        spans = []
        for index, (text, offset, _), own, per_sentence in zip(chosen, parts, sentences, readings, strict=True):
            for sentence, reading in zip(own, per_sentence, strict=True):
                span = _trimmed(text, reading.start, reading.end) if reading else None
                if span is not None:
                    key = copy_key(passages[index].text[sentence[0] : sentence[1]])
                    spans.append((index, sentence, key, (span[0] - offset, span[1] - offset), reading))
        found = []
        for index, sentence, key, (a, b), reading in spans:
            p = passages[index]
            rivals = [r.margin for _, _, k, _, r in spans if k != key]
            lead = reading.margin - max(rivals) if rivals else LEAD_CAP
            probability, support = trees.get((index, sentence[0]), (0.0, 0.0))
            row = features(reading.margin, reading.score, lead, index, p.dense_rank, p.keyword_rank,
                           len(p.text[a:b].split()), probability, support)  # fmt: skip
            found.append(Found(index, sentence, key, (a, b), reading, row))
        return found

    def _trees(
        self, question: Question, passages: Sequence[Passage], query_vector: np.ndarray | None
    ) -> dict[tuple[int, int], tuple[float, float]]:
        """The word-feature ranker's (probability, support) of each sentence, keyed by (passage, sentence start)."""
        if self.trees is None:
            return {}
        return {
            (c.index, c.span[0]): (c.probability, c.support) for c in self.trees.score(question, passages, query_vector)
        }

    def _text(self, passage: Passage, passages: Sequence[Passage]) -> tuple[str, int]:
        """The passage's text, after the end of the paragraph before it when that was retrieved too."""
        before = next(
            (p for p in passages if p.article_id == passage.article_id and p.end <= passage.start
             and p.paragraph in (passage.paragraph - 1, passage.paragraph)),
            None,
        )  # fmt: skip
        if before is None or self.context_chars <= 0:
            return passage.text, 0
        prefix = before.text[-self.context_chars :] + "\n\n"
        return prefix + passage.text, len(prefix)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return (start, end) if end > start else None


def _evidence(passage: Passage, found: Found, support: float, lead: bool) -> Evidence:
    """The sentence holding the span, quoted whole; the span as the short answer when it is shorter."""
    a, b = found.span
    start, end = found.sentence
    short = found.span if lead and (b - a) < WHOLE_SENTENCE * (end - start) else None
    return Evidence(start, end, round(found.reading.margin, 4), round(support, 4), short=short)


def _recency(date: str | None) -> int:
    """A sort key putting later dates first and undated passages last."""
    digits = "".join(ch for ch in (date or "")[:10] if ch.isdigit())
    return -int(digits) if len(digits) == 8 else 0
