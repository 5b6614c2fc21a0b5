"""The keyword index (BM25 via bm25s), built at ingest time and persisted beside the catalog."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from index.analysis import fold, name_key, tokenize, words


class KeywordIndex:
    """BM25 over chunks' search text; also knows document frequencies for term weighting."""

    def __init__(self, retriever, chunk_ids: list[str], doc_freq: dict[str, int], names: dict[str, list[str]]) -> None:
        self._bm25 = retriever
        self.chunk_ids = chunk_ids
        self.doc_freq = doc_freq
        self.names = names  # sound key -> the corpus's spellings of capitalised names

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    @classmethod
    def build(cls, chunks: Sequence[tuple[str, str]]) -> KeywordIndex:
        """From (chunk id, search text) pairs."""
        import bm25s

        tokens = [tokenize(text) for _, text in chunks]
        retriever = bm25s.BM25()
        if tokens:
            retriever.index(tokens, show_progress=False)
        doc_freq = Counter(t for doc in tokens for t in set(doc))
        names: dict[str, set[str]] = {}
        for _, text in chunks:
            for word in words(text):
                key = name_key(word) if word[0].isupper() else None
                if key:
                    names.setdefault(key, set()).add(fold(word))
        return cls(retriever, [cid for cid, _ in chunks], dict(doc_freq), {k: sorted(v) for k, v in names.items()})

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.chunk_ids:
            self._bm25.save(str(tmp), show_progress=False)
        (tmp / "chunks.json").write_text(json.dumps({"ids": self.chunk_ids, "df": self.doc_freq, "names": self.names}))
        # Swap in whole, so a reader never sees half an index.
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex | None:
        meta = folder / "chunks.json"
        if not meta.is_file():
            return None
        import bm25s

        data = json.loads(meta.read_text())
        retriever = bm25s.BM25.load(str(folder), show_progress=False) if data["ids"] else bm25s.BM25()
        return cls(retriever, data["ids"], data["df"], data.get("names", {}))

    def search(self, query_tokens: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of up to k chunks with a positive score, best first."""
        if not self.chunk_ids:
            return []
        known = [t for t in query_tokens if t in self.doc_freq]
        if not known:
            return []
        scores = self._bm25.get_scores(known)
        k = min(k, len(self.chunk_ids))
        top = scores.argsort()[::-1][:k]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def idf(self, token: str) -> float:
        """Inverse document frequency; unseen terms get the highest weight."""
        n = max(self.size, 1)
        df = self.doc_freq.get(token, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))
