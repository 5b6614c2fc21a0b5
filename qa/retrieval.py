"""Hybrid retrieval: dense (Chroma) and keyword (BM25) results fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from index.analysis import content_words
from qa.question import Question
from qa.types import Passage, Reference

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the head of each list
WEIGHTS = {"dense": 1.0, "keyword": 1.0}
DUPLICATE_OVERLAP = 0.8  # word-set overlap above which two paragraphs are the same report


class HybridRetriever:
    """Fuses the two rankings, then folds near-duplicate paragraphs into one passage.

    `dense(text, k)` and `keyword(tokens, k)` return (chunk id, score) best first;
    `lookup(chunk ids)` turns ids into unscored `Passage`s.
    """

    def __init__(
        self,
        *,
        dense: Callable[[str, int], list[tuple[str, float]]],
        keyword: Callable[[list[str], int], list[tuple[str, float]]],
        lookup: Callable[[list[str]], dict[str, Passage]],
        candidates: int = 40,
    ) -> None:
        self._dense = dense
        self._keyword = keyword
        self._lookup = lookup
        self.candidates = candidates

    def retrieve(self, question: Question, k: int) -> list[Passage]:
        query = question.standalone
        if question.expansions:
            query += " (" + ", ".join(question.expansions) + ")"
        dense = self._dense(query, self.candidates)
        keyword = self._keyword(question.search_tokens, self.candidates)
        fused: dict[str, float] = {}
        ranks: dict[str, dict[str, int]] = {}
        for name, ranking in (("dense", dense), ("keyword", keyword)):
            for rank, (chunk_id, _) in enumerate(ranking, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + WEIGHTS[name] / (RRF_K + rank)
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
        return group_duplicates(passages)[:k]


def group_duplicates(passages: list[Passage]) -> list[Passage]:
    """Keep the best-ranked copy of each report; note the other articles that carry it."""
    kept: list[Passage] = []
    words: list[set[str]] = []
    copies: dict[int, list[Passage]] = {}
    for passage in passages:
        own = set(content_words(passage.text))
        twin = next((i for i, w in enumerate(words) if _overlap(own, w) >= DUPLICATE_OVERLAP), None)
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
