"""Server mode: the Chroma server holds the whole index; the local catalog is a cache of it.

With `--chroma-url`, every batch writes to the server everything needed to answer: the
paragraph vectors with each chunk's text, span, sentences, fingerprint and sentence vectors
(`paragraphs`), and each article's text, title, date, paragraphs and sources (a second
collection, `<name>_articles`). A generation number on the server grows with every batch.
A reader whose local catalog is missing or older than the server's generation rebuilds it
from the server, so a second machine given only the URL answers the same.

Two machines ingesting at once: writes are idempotent (ids are keyed by content), each
batch is whole on the server before its generation is bumped, and the last writer's
version of an article wins; readers refresh when the generation moves.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence

import numpy as np

from index.analysis import capitalised_names, tokenize
from index.catalog import Catalog
from index.chunking import Chunk, Paragraph, searchable_text
from index.errors import IndexingError
from index.records import ArticleRow, ArticleWrite, StoredChunk, paragraphs_json

META_ID = "__generation__"
PAGE = 500


class Mirror:
    """Reads and writes the index's records on a Chroma server (through the store's client)."""

    def __init__(self, client, collection: str) -> None:
        self.client = client
        self.name = collection
        try:
            self.articles = client.get_or_create_collection(
                f"{collection}_articles", configuration={"hnsw": {"space": "l2"}}, embedding_function=None
            )
        except Exception as exc:
            raise IndexingError(
                f"cannot open the articles on the Chroma server ({type(exc).__name__}): is it running?"
            ) from exc

    # -- writing ------------------------------------------------------------------------------
    def put(self, writes: Sequence[ArticleWrite], sources: Sequence[tuple[str, str, str]] = ()) -> None:
        """Store articles (their text, paragraphs and sources); chunks go with their vectors."""
        extra: dict[str, list[str]] = {}
        for path, article_id, _ in sources:
            extra.setdefault(article_id, []).append(path)
        rows = [w.row for w in writes]
        known = self._sources([r.article_id for r in rows if r.article_id not in extra] + list(extra))
        if rows:
            self.articles.upsert(
                ids=[r.article_id for r in rows],
                embeddings=[[1.0] for _ in rows],
                documents=[r.text for r in rows],
                metadatas=[
                    _article_meta(w.row, sorted(set(w.paths) | set(known.get(w.row.article_id, [])))) for w in writes
                ],
            )
        for article_id, paths in extra.items():
            got = self.articles.get(ids=[article_id], include=["metadatas"])
            if got["ids"]:
                meta = dict(got["metadatas"][0])
                meta["sources"] = json.dumps(sorted(set(json.loads(meta.get("sources") or "[]")) | set(paths)))
                self.articles.update(ids=[article_id], metadatas=[meta])

    def remove(self, article_ids: Sequence[str]) -> None:
        if article_ids:
            self.articles.delete(ids=list(article_ids))

    def mark_dropped(self, article: ArticleRow) -> None:
        """An article whose paragraphs were dropped as boilerplate later: its paragraphs' verdicts change."""
        self.articles.update(
            ids=[article.article_id],
            metadatas=[_article_meta(article, self._sources([article.article_id]).get(article.article_id, []))],
        )

    def bump(self) -> int:
        """Say that the index changed: readers elsewhere refresh their caches."""
        generation = self.generation() + 1
        self.articles.upsert(ids=[META_ID], embeddings=[[0.0]], documents=[""], metadatas=[{"generation": generation}])
        return generation

    def generation(self) -> int:
        got = self.articles.get(ids=[META_ID], include=["metadatas"])
        return int(got["metadatas"][0]["generation"]) if got["ids"] else 0

    # -- rebuilding the local cache -------------------------------------------------------------
    def rebuild(self, catalog: Catalog, paragraphs) -> None:
        """Fill an empty local catalog with everything the server holds."""
        chunks: dict[str, list[StoredChunk]] = {}
        for cid, text, meta in _pages(paragraphs, ["documents", "metadatas"]):
            stored = _chunk(cid, text, meta)
            chunks.setdefault(stored.chunk.article_id, []).append(stored)
        writes = []
        for article_id, text, meta in _pages(self.articles, ["documents", "metadatas"]):
            if article_id == META_ID:
                continue
            row = _row(article_id, text, meta)
            mine = sorted(chunks.get(article_id, []), key=lambda s: (s.chunk.paragraph, s.chunk.part))
            writes.append(
                ArticleWrite(row, mine, {s.fingerprint for s in mine}, json.loads(meta.get("sources") or "[]"))
            )
        catalog.commit_batch(writes)

    def _sources(self, article_ids: Sequence[str]) -> dict[str, list[str]]:
        if not article_ids:
            return {}
        got = self.articles.get(ids=list(article_ids), include=["metadatas"])
        return {i: json.loads(m.get("sources") or "[]") for i, m in zip(got["ids"], got["metadatas"], strict=True)}


def chunk_metadata(chunk: StoredChunk) -> dict:
    """What a chunk's vector carries on a server, beyond the listing fields: enough to rebuild it."""
    meta = {"sentences": json.dumps(chunk.chunk.sentences), "fingerprint": chunk.fingerprint}
    if chunk.vectors is not None:
        meta["vectors"] = base64.b64encode(np.asarray(chunk.vectors, dtype=np.float16).tobytes()).decode("ascii")
    return meta


def _chunk(chunk_id: str, text: str, meta: dict) -> StoredChunk:
    sentences = tuple(tuple(s) for s in json.loads(meta.get("sentences") or "[]")) or ((0, len(text)),)
    searchable = searchable_text(text, sentences)
    chunk = Chunk(chunk_id, meta["article_id"], int(meta["paragraph"]), int(meta.get("part", 1)), int(meta["start"]),
                  int(meta["end"]), text, searchable, sentences)  # fmt: skip
    vectors = None
    if meta.get("vectors"):
        vectors = np.frombuffer(base64.b64decode(meta["vectors"]), dtype=np.float16).reshape(len(sentences), -1)
    return StoredChunk(
        chunk, meta.get("fingerprint", ""), tuple(tokenize(searchable)), tuple(capitalised_names(searchable)), vectors
    )


def _article_meta(row: ArticleRow, sources: Sequence[str]) -> dict:
    meta = {
        "source": row.source,
        "sha256": row.sha256,
        "title": row.title,
        "paragraphs": paragraphs_json(row.paragraphs),
        "chunk_count": row.chunk_count,
        "sources": json.dumps(list(sources)),
    }
    for key in ("record_id", "date", "url", "story"):
        value = getattr(row, key)
        if value:
            meta[key] = value
    return meta


def _row(article_id: str, text: str, meta: dict) -> ArticleRow:
    return ArticleRow(
        article_id=article_id, source=meta["source"], record_id=meta.get("record_id"), sha256=meta["sha256"],
        title=meta["title"], date=meta.get("date"), url=meta.get("url"), text=text,
        paragraphs=tuple(Paragraph(*p) for p in json.loads(meta["paragraphs"])),
        chunk_count=int(meta.get("chunk_count", 0)), story=meta.get("story"),
    )  # fmt: skip


def _pages(collection, include: list[str]) -> Iterator[tuple[str, str, dict]]:
    offset = 0
    while True:
        got = collection.get(include=include, limit=PAGE, offset=offset)
        if not got["ids"]:
            return
        yield from zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        offset += len(got["ids"])
