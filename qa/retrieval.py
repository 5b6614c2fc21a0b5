"""The retrieve stage: dense (Chroma) and keyword (BM25) rankings fused by reciprocal rank,
neighbouring paragraphs read too, near-duplicates folded, then every sentence reranked.

llama-index has a fusion retriever and a neighbour postprocessor, but both work on its own
node objects, lose our exact character spans and content-keyed ids, and importing
`llama_index.core` costs more than a whole warm answer; the few lines here do the same job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from index.analysis import content_words
from qa.config import RetrievalSettings
from qa.names import Names
from qa.question import Question, analyze
from qa.rerank import Reranker
from qa.types import Passage, Query, Reference

Ranking = list[tuple[str, float]]  # (chunk id, score), best first


@dataclass(frozen=True)
class Retrieved:
    """The retrieve stage's output: what kind of question it is, and the scored passages.

    `passages` are best evidence first; those with `neighbour=True` were read because they
    sit beside a retrieved paragraph.
    """

    question: Question
    passages: tuple[Passage, ...]

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def support(self) -> float:
        """The strength of the best evidence found (0 when nothing was found)."""
        return max((p.support for p in self.passages), default=0.0)


class Retriever:
    """Finds and scores the passages for a query.

    `dense(text, k)` and `keyword(tokens, k)` rank chunk ids; `lookup(ids)` turns ids into
    unscored passages; `neighbours(passage)` gives the chunk ids beside a passage;
    `names()` the current name table (aliases and the corpus's spellings).
    """

    name = "retrieve"

    def __init__(
        self,
        *,
        dense: Callable[[str, int], Ranking],
        keyword: Callable[[list[str], int], Ranking],
        lookup: Callable[[list[str]], dict[str, Passage]],
        neighbours: Callable[[Passage], list[str]],
        names: Callable[[], Names],
        reranker: Reranker,
        settings: RetrievalSettings | None = None,
    ) -> None:
        self._dense = dense
        self._keyword = keyword
        self._lookup = lookup
        self._neighbours = neighbours
        self._names = names
        self.reranker = reranker
        self.settings = settings or RetrievalSettings()

    def retrieve(self, query: Query, k: int | None = None) -> Retrieved:
        question = analyze(query, self._names())
        found = self.search(question, k or self.settings.top_k)
        extra = self._beside(found) if self.settings.neighbours else []
        return Retrieved(question, tuple(self.reranker.rerank(question, [*found, *extra])))

    def search(self, question: Question, k: int) -> list[Passage]:
        """The top k passages by fused rank, near-duplicates folded."""
        s = self.settings
        text = question.standalone
        if question.expansions:
            text += " (" + ", ".join(question.expansions) + ")"
        rankings = (
            ("dense", s.dense_weight, self._dense(text, s.candidates)),
            ("keyword", s.keyword_weight, self._keyword(question.search_tokens, s.candidates)),
        )
        fused: dict[str, float] = {}
        ranks: dict[str, dict[str, int]] = {}
        for name, weight, ranking in rankings:
            for rank, (chunk_id, _) in enumerate(ranking, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (s.rrf_k + rank)
                ranks.setdefault(chunk_id, {})[name] = rank
        order = sorted(fused, key=fused.get, reverse=True)
        found = self._lookup(order)
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
        return group_duplicates(passages, s.duplicate_overlap)[:k]

    def search_for(self, query: Query, k: int) -> list[Passage]:
        """`search` for a plain query (no rerank): the fused top k."""
        return self.search(analyze(query, self._names()), k)

    def _beside(self, passages: list[Passage]) -> list[Passage]:
        """Paragraphs beside the retrieved ones: a story often names its subject one paragraph up."""
        have = {p.chunk_id for p in passages}
        ids = list(dict.fromkeys(cid for p in passages for cid in self._neighbours(p) if cid not in have))
        found = self._lookup(ids)
        return [replace(found[cid], neighbour=True) for cid in ids if cid in found]


def group_duplicates(passages: list[Passage], threshold: float = 0.8) -> list[Passage]:
    """Keep the best-ranked copy of each report; note the other articles that carry it."""
    kept: list[Passage] = []
    words: list[set[str]] = []
    copies: dict[int, list[Passage]] = {}
    for passage in passages:
        own = set(content_words(passage.text))
        twin = next((i for i, w in enumerate(words) if _overlap(own, w) >= threshold), None)
        if twin is None:
            kept.append(passage)
            words.append(own)
        elif passage.article_id != kept[twin].article_id:
            copies.setdefault(twin, []).append(passage)
    return [
        replace(p, also_in=tuple(_reference(c) for c in copies.get(i, [])), copies=tuple(copies.get(i, [])))
        for i, p in enumerate(kept)
    ]


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _reference(p: Passage) -> Reference:
    return Reference(p.article_id, p.title, p.source, p.paragraph, p.date)
