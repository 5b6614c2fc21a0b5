"""The store-only run of `make bench-perf`: vector and keyword query latency as synthetic data grows, with no model."""

from __future__ import annotations

import random
import shutil
import statistics
import time
from pathlib import Path


def store_scaling(work: Path, sizes: list[int], dim: int = 384) -> list[dict]:
    """Vector and keyword query latency on synthetic data of growing size (no model involved)."""
    import numpy as np

    from index.catalog import Catalog
    from index.chunking import Chunk, Paragraph
    from index.records import ArticleRow, ArticleWrite, StoredChunk
    from index.store import VectorStore

    rng = np.random.default_rng(0)
    vocabulary = [f"w{n}" for n in range(20_000)]
    out = []
    for size in sizes:
        folder = work / f"scale-{size}"
        store = VectorStore(folder / "chroma", collection="scale")
        catalog = Catalog(folder)
        for begin in range(0, size, 5000):
            n = min(5000, size - begin)
            vectors = rng.normal(size=(n, dim)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            chunks = [Chunk(f"c{begin + i}", "a", 1, 1, 0, 1, "x", "x") for i in range(n)]
            store.upsert(chunks, vectors, [{"article_id": "a"} for _ in chunks])
            writes = []
            for i, chunk in enumerate(chunks):
                row = ArticleRow(f"a{begin + i}", "s", None, "h", "t", None, None, "x", (Paragraph(1, 0, 1),), 1)
                words = tuple(random.Random(begin + i).choices(vocabulary, k=40))
                c = Chunk(chunk.chunk_id, row.article_id, 1, 1, 0, 1, "x", "x")
                writes.append(ArticleWrite(row, [StoredChunk(c, "f", words)]))
            catalog.commit_batch(writes)
        queries = rng.normal(size=(30, dim)).astype(np.float32)
        vector_ms, keyword_ms = [], []
        for q in queries:
            started = time.perf_counter()
            store.query(q / np.linalg.norm(q), 40)
            vector_ms.append((time.perf_counter() - started) * 1000)
            tokens = random.Random(int(q[0] * 1e6)).choices(vocabulary[:2000], k=6)
            started = time.perf_counter()
            catalog.search(tokens, 40)
            keyword_ms.append((time.perf_counter() - started) * 1000)
        out.append({"chunks": size, "vector_query_ms": round(statistics.median(vector_ms), 2),
                    "keyword_query_ms": round(statistics.median(keyword_ms), 2)})  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
    return out
