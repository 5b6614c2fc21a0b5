"""The Chroma adapter: a local folder or a server by URL; idempotent upserts keyed by chunk id."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from index import generations
from index.chunking import Chunk
from index.errors import IndexingError, ModelMismatchError


class VectorStore:
    """Paragraph vectors in one Chroma collection, with the model name recorded on it."""

    def __init__(
        self, path: Path | None = None, *, url: str | None = None, collection: str = "paragraphs", model: str = ""
    ) -> None:
        import chromadb  # lazy: heavy
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self.remote = bool(url)
        try:
            if url:
                self.client = http_client(url)
                self.location = url
                collection = generations.live_collection(self.client, collection)  # after a rebuild, its newest
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
                self.location = str(path)
            self.collection = self.client.get_or_create_collection(
                collection,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"model": model},
                embedding_function=None,
            )
        except IndexingError:
            raise
        except Exception as exc:  # chromadb raises builtins and its own errors alike
            where = url or path
            raise IndexingError(
                f"cannot open the Chroma store at {where} ({exc}): check the path or that the server runs"
            ) from exc
        stored = (self.collection.metadata or {}).get("model")
        if model and stored and stored != model:
            raise ModelMismatchError(
                f"the index at {self.location} was built with model {stored!r}, not {model!r}: "
                "use the same model or a new --index folder"
            )

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], metadata: Sequence[dict]) -> None:
        try:
            for begin in range(0, len(chunks), 1000):
                part = slice(begin, begin + 1000)
                self.collection.upsert(
                    ids=[c.chunk_id for c in chunks[part]],
                    embeddings=np.asarray(vectors[part], dtype=np.float32),
                    # Texts are stored only on a server, where they are the index's only copy.
                    # A local index keeps them in its catalog: Chroma's full-text index of them
                    # would be never used, and cost as much time as the vectors themselves.
                    documents=[c.text for c in chunks[part]] if self.remote else None,
                    metadatas=list(metadata[part]),
                )
        except Exception as exc:
            raise IndexingError(f"the vector store at {self.location} refused the vectors ({type(exc).__name__}: "
                                f"{exc}): check that the Chroma server runs") from exc  # fmt: skip

    def delete(self, chunk_ids: Sequence[str]) -> None:
        try:
            for begin in range(0, len(chunk_ids), 1000):
                self.collection.delete(ids=list(chunk_ids[begin : begin + 1000]))
        except Exception as exc:
            raise IndexingError(f"the vector store at {self.location} did not answer ({type(exc).__name__}): "
                                "check that the Chroma server runs") from exc  # fmt: skip

    def query(
        self, vector: Sequence[float], k: int, *, since: int | None = None, until: int | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, best first; dated within [since, until] if given."""
        try:
            k = min(k, self.count())
        except Exception as exc:  # a stopped server, a dropped connection
            raise IndexingError(f"the vector store at {self.location} did not answer ({type(exc).__name__}): "
                                "check that the Chroma server runs") from exc  # fmt: skip
        if k <= 0:
            return []
        bounds = [{"day": {op: value}} for op, value in (("$gte", since), ("$lte", until)) if value is not None]
        where = None if not bounds else bounds[0] if len(bounds) == 1 else {"$and": bounds}
        try:
            result = self.collection.query(
                query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                n_results=k,
                include=["distances"],
                where=where,
            )
        except Exception as exc:  # a stopped server, a dropped connection
            raise IndexingError(f"the vector store at {self.location} did not answer ({type(exc).__name__}): "
                                "check that the Chroma server runs") from exc  # fmt: skip
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]


def http_client(url: str):
    """A Chroma client for the server at `url` (http://host:port; https too), telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url)
    if not parsed.hostname:
        raise IndexingError(f"Chroma URL {url!r} has no host: use e.g. http://localhost:8000")
    return chromadb.HttpClient(
        host=parsed.hostname,
        port=parsed.port or (443 if parsed.scheme == "https" else 8000),
        ssl=parsed.scheme == "https",
        settings=ChromaSettings(anonymized_telemetry=False),
    )
