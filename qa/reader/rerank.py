"""The reader as the rerank step (`QA_RANKER=reader`): it points at the answer span in each candidate passage.

Its readings are shared by every answerer: the passage whose answer is best supported leads,
the sentence holding the span is what an extractive answer quotes, the span itself is the
short answer, and the calibrated support decides abstention.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.analysis import sentence_spans
from qa.question import Question
from qa.reader.calibrate import Calibrator, features
from qa.reader.runtime import Reader, Reading
from qa.types import Evidence, Passage

_EDGE = " \t\n,;:.!?\"'“”‘’()[]"  # trimmed from a span's ends: the answer, not its punctuation
WHOLE_SENTENCE = 0.8  # a span covering this much of its sentence is not shown as a separate short answer


@dataclass(frozen=True)
class Found:
    """The reader's best span in passage `index` (offsets in the passage's own text) and the calibrator's view of it."""

    index: int
    span: tuple[int, int]
    reading: Reading
    features: dict[str, float]


class ReaderRanker:
    """Reads the first `passages` candidates (each with the end of the paragraph before) and orders them.

    `reader` and `calibrator` default to the shipped ones.
    """

    def __init__(
        self,
        reader: Reader | None = None,
        calibrator: Calibrator | None = None,
        *,
        passages: int = 5,
        context_chars: int = 400,
    ) -> None:
        self.reader = reader or Reader()
        self._calibrator = calibrator
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
        """The passages with their evidence, best supported first (ties: the more recent first); unread ones last."""
        found = self.read(question, passages)
        supports = self.calibrator.support([f.features for f in found])
        scored = {f.index: (support, f) for f, support in zip(found, supports, strict=True)}
        order = sorted(
            range(len(passages)),
            key=lambda i: (-scored[i][0] if i in scored else 1.0, _recency(passages[i].date) if i in scored else 0, i),
        )
        out = []
        for place, index in enumerate(order):
            passage = passages[index]
            if index in scored:
                support, f = scored[index]
                passage = replace(passage, sentences=(_evidence(passage, f, support, place == 0),))
            out.append(passage)
        return out

    def read(self, question: Question, passages: Sequence[Passage]) -> list[Found]:
        """What the reader found in each of the first `passages` passages that holds a span."""
        chosen = list(range(min(self.passages, len(passages))))
        texts = [self._text(passages[i], passages) for i in chosen]
        spans: dict[int, tuple[tuple[int, int], Reading]] = {}
        for index, (text, offset), reading in zip(
            chosen, texts, self.reader.read(question.standalone, texts), strict=True
        ):
            span = _trimmed(text, reading.start, reading.end) if reading else None
            if span is not None:
                spans[index] = ((span[0] - offset, span[1] - offset), reading)
        found = []
        for index, ((a, b), reading) in spans.items():
            rivals = [r.margin for i, (_, r) in spans.items() if i != index and not _same(passages[i], passages[index])]
            lead = reading.margin - max(rivals) if rivals else 10.0
            p = passages[index]
            row = features(reading.margin, reading.score, lead, index, p.dense_rank, p.keyword_rank,
                           len(p.text[a:b].split()))  # fmt: skip
            found.append(Found(index, (a, b), reading, row))
        return found

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
    """The sentence(s) holding the span, quoted whole; the span as the short answer when it is shorter."""
    spans = list(passage.sentence_spans) or sentence_spans(passage.text) or [(0, len(passage.text))]
    a, b = found.span
    first = next((s for s in spans if s[0] <= a < s[1]), spans[0])
    last = next((s for s in spans if s[0] < b <= s[1]), first)
    start, end = first[0], max(first[1], last[1])
    short = found.span if lead and (b - a) < WHOLE_SENTENCE * (end - start) else None
    return Evidence(start, end, round(found.reading.margin, 4), round(support, 4), short=short)


def _same(a: Passage, b: Passage) -> bool:
    """Copies of one paragraph (wire copy in several articles) are not rivals."""
    return " ".join(a.text.casefold().split()) == " ".join(b.text.casefold().split())


def _recency(date: str | None) -> int:
    """A sort key putting later dates first and undated passages last."""
    digits = "".join(ch for ch in (date or "")[:10] if ch.isdigit())
    return -int(digits) if len(digits) == 8 else 0
