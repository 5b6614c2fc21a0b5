"""The retrieve stage: dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank,
neighbouring paragraphs read too, near-duplicates folded, then every sentence reranked.

llama-index has a fusion retriever and a neighbour postprocessor, but both work on its own
node objects, lose our exact character spans and content-keyed ids, and importing
`llama_index.core` costs more than a whole warm answer; the few lines here do the same job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from index.analysis import content_words, facts
from index.lexicon import jaccard
from qa.config import RetrievalSettings
from qa.language.names import Names
from qa.language.question import Question, analyze
from qa.ranker.rerank import Reranker
from qa.types import Passage, Query, Reference

Ranking = list[tuple[str, float]]  # (chunk id, score), best first


@dataclass(frozen=True)
class Window:
    """Article dates a question is limited to, as YYYYMMDD numbers (None: open)."""

    since: int | None = None
    until: int | None = None


@dataclass(frozen=True)
class Retrieved:
    """The retrieve stage's output: what kind of question it is, and the scored passages.

    `passages` are best evidence first; those with `neighbour=True` were read because they
    sit beside a retrieved paragraph. `threshold` is the support below which the scorer that
    made these supports finds an answer more likely wrong than right (its fitted default).
    """

    question: Question
    passages: tuple[Passage, ...]
    threshold: float = 0.5

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def support(self) -> float:
        """The strength of the best evidence found (0 when nothing was found)."""
        return max((p.support for p in self.passages), default=0.0)


class Retriever:
    """Finds and scores the passages for a query.

    `encode(text)` gives a query's unit vector; `dense(vector, k, window)` and
    `keyword(tokens, k)` rank chunk ids; `lookup(ids, window)` turns ids into unscored
    passages (dropping those dated outside the window); `neighbours(passage)` gives the
    chunk ids beside a passage; `names()` the current name table (aliases and the
    corpus's spellings).
    """

    name = "retrieve"

    def __init__(
        self,
        *,
        encode: Callable[[str], np.ndarray],
        dense: Callable[[np.ndarray, int, Window], Ranking],
        keyword: Callable[[list[str], int], Ranking],
        lookup: Callable[[list[str], Window], dict[str, Passage]],
        neighbours: Callable[[Passage], list[str]],
        names: Callable[[], Names],
        reranker: Reranker,
        settings: RetrievalSettings | None = None,
    ) -> None:
        self._encode = encode
        self._dense = dense
        self._keyword = keyword
        self._lookup = lookup
        self._neighbours = neighbours
        self._names = names
        self.reranker = reranker
        self.settings = settings or RetrievalSettings()

    def retrieve(self, query: Query, k: int | None = None, window: Window = Window()) -> Retrieved:
        question, passages, vector = self.gather(query, k, window)
        return Retrieved(question, tuple(self.reranker.rerank(question, passages, vector)), self.reranker.threshold)

    def gather(
        self, query: Query, k: int | None = None, window: Window = Window()
    ) -> tuple[Question, list[Passage], np.ndarray]:
        """The question's analysis, the passages to score (retrieved, then neighbours) and the query vector."""
        question = analyze(query, self._names())
        text = question.standalone
        if question.expansions:
            text += " (" + ", ".join(question.expansions) + ")"
        vector = self._encode(text)
        found = self.search(question, vector, k or self.settings.top_k, window)
        extra = self._beside(found, window) if self.settings.neighbours else []
        return question, [*found, *extra], vector

    def search(self, question: Question, vector: np.ndarray, k: int, window: Window = Window()) -> list[Passage]:
        """The top k passages by fused rank, near-duplicates folded."""
        s = self.settings
        rankings = (
            ("dense", s.dense_weight, self._dense(vector, s.candidates, window)),
            ("keyword", s.keyword_weight, self._keyword(question.search_tokens, s.candidates)),
        )
        fused: dict[str, float] = {}
        ranks: dict[str, dict[str, int]] = {}
        for name, weight, ranking in rankings:
            for rank, (chunk_id, _) in enumerate(ranking, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (s.rrf_k + rank)
                ranks.setdefault(chunk_id, {})[name] = rank
        order = sorted(fused, key=fused.get, reverse=True)
        found = self._lookup(order, window)
        passages = [
            replace(
                found[cid],
                score=round(fused[cid], 6),
                dense_rank=ranks[cid].get("dense"),
                keyword_rank=ranks[cid].get("keyword"),
            )
            for cid in order
            if cid in found
        ]
        return group_duplicates(passages, s.duplicate_overlap, limit=k, names=self._names())

    def _beside(self, passages: list[Passage], window: Window) -> list[Passage]:
        """Paragraphs beside the retrieved ones: a story often names its subject one paragraph up."""
        have = {p.chunk_id for p in passages}
        ids = list(dict.fromkeys(cid for p in passages for cid in self._neighbours(p) if cid not in have))
        found = self._lookup(ids, window)
        return [replace(found[cid], neighbour=True) for cid in ids if cid in found]


def group_duplicates(
    passages: list[Passage], threshold: float = 0.8, limit: int | None = None, names: Names | None = None
) -> list[Passage]:
    """Keep one copy of each report; note the other articles that carry it.

    Copies say the same, so the most recent copy (of those ranked) stands for the report.
    Passages are copies when their words overlap by `threshold` and they state the same
    numbers, dates and names (`names` makes aliases one name: ISIS, IS); a look-alike giving
    another budget is another report. With a `limit`, only the first `limit` reports are kept;
    later passages are still checked against them, as copies.
    """
    kept: list[Passage] = []
    words: list[tuple[set[str], frozenset[str]]] = []
    copies: dict[int, list[Passage]] = {}
    for passage in passages:
        own = set(content_words(passage.text)), report_facts(passage.text, names)
        twin = next((i for i, (w, f) in enumerate(words) if f == own[1] and _same_report(own[0], w, threshold)), None)
        if twin is None:
            if limit is None or len(kept) < limit:
                kept.append(passage)
                words.append(own)
        elif passage.article_id != kept[twin].article_id:
            copies.setdefault(twin, []).append(passage)
    out = []
    for i, first in enumerate(kept):
        group = [first, *copies.get(i, [])]
        lead = max(group, key=lambda p: (p.date or "", -group.index(p)))
        lead = replace(lead, score=first.score, dense_rank=first.dense_rank, keyword_rank=first.keyword_rank)
        rest = [p for p in group if p.chunk_id != lead.chunk_id]
        out.append(replace(lead, also_in=tuple(_reference(c) for c in rest), copies=tuple(rest)))
    return out


def report_facts(text: str, names: Names | None = None) -> frozenset[str]:
    """The numbers, dates and names `text` states (`index.analysis.facts`), an alias counting as its group."""
    mentions = names.mentions(text) if names is not None else []
    for mention in reversed(mentions):
        text = f"{text[: mention.start]} {text[mention.end :]}"
    return facts(text) | {f"={mention.aliases[0]}" for mention in mentions}


def _same_report(a: set[str], b: set[str], threshold: float) -> bool:
    """Whether two word sets overlap (Jaccard) by at least `threshold`."""
    if not a or not b:
        return False
    small, large = sorted((len(a), len(b)))
    if small < threshold * large:  # the overlap is at most small/large: no need to intersect
        return False
    return jaccard(a, b) >= threshold


def _reference(p: Passage) -> Reference:
    return Reference(p.article_id, p.title, p.source, p.paragraph, p.date, p.url)
