"""The fast query encoder: the embedding model exported once to ONNX, run with ONNX Runtime and `tokenizers`.

Answering from an existing index then never imports PyTorch (5 s and 300 MB to load, against
0.2 s for ONNX Runtime). The export is made at the first ingest, offline, with the installed
PyTorch, and cached in the user's cache folder keyed by the model file's path, size and time.
Its vectors agree with PyTorch's (cosine >= 0.99, checked by the tests), so either can query
an index the other built. Only models pooled by the mean of their token vectors (as
all-MiniLM-L6-v2 is) are exported; others are encoded with PyTorch.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from index.environment import cache_root
from index.errors import IndexingError

MAX_TOKENS = 256
ONNX_FILE = "model.onnx"


def cache_path(model_dir: Path) -> Path | None:
    """Where the ONNX export of a model folder lives (or would), None when the model cannot be exported."""
    weights = next(
        (model_dir / n for n in ("model.safetensors", "pytorch_model.bin") if (model_dir / n).is_file()), None
    )
    if weights is None or not (model_dir / "tokenizer.json").is_file() or not _mean_pooled(model_dir):
        return None
    stat = weights.stat()
    key = hashlib.sha1(f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_root() / "onnx" / f"{model_dir.name}-{key}" / ONNX_FILE


def _mean_pooled(model_dir: Path) -> bool:
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        pooling = next(m for m in modules if m.get("type", "").endswith("Pooling"))
        config = json.loads((model_dir / pooling["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, StopIteration, KeyError):
        return False
    return bool(config.get("pooling_mode_mean_tokens")) and not config.get("pooling_mode_cls_token")


def export(model_dir: Path, target: Path) -> Path:
    """Export the transformer to ONNX (its token vectors; pooling is done here). Needs PyTorch."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(model_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    sample = tokenizer(["a short sentence", "and a somewhat longer one to pad"], padding=True, return_tensors="pt")

    class TokenVectors(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "token_vectors"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")  # two processes exporting at once never share one
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shape-dependent branches
        torch.onnx.export(
            TokenVectors(model), tuple(sample[n] for n in names), str(partial), input_names=names,
            output_names=["token_vectors"], dynamic_axes=axes, opset_version=17, dynamo=False,
        )  # fmt: skip
    partial.replace(target)  # whole or not at all: a reader never loads half a file
    return target


def read_tokenizer(model_dir: Path, truncate_at: int | None, *, pad: bool = False):
    """The model's `tokenizer.json` read by `tokenizers`: cut at `truncate_at` tokens (None: never), padded or not."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    if truncate_at is None:
        tokenizer.no_truncation()
    else:
        tokenizer.enable_truncation(truncate_at)
    if pad:
        tokenizer.enable_padding()
    else:
        tokenizer.no_padding()
    return tokenizer


class OnnxEncoder:
    """Unit vectors from the exported model: mean of the token vectors, as sentence-transformers pools them."""

    def __init__(self, model_dir: Path, onnx_path: Path, threads: int = 1) -> None:
        import onnxruntime

        onnxruntime.disable_telemetry_events()  # no usage reports leave the machine
        try:
            self.tokenizer = read_tokenizer(model_dir, MAX_TOKENS, pad=True)
            options = onnxruntime.SessionOptions()
            # One thread per question: answers stay quick when another process (an ingest) is busy.
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise IndexingError(f"cannot load the query encoder {onnx_path} ({type(exc).__name__}): "
                                "run `qa ingest` again to export it afresh") from exc  # fmt: skip
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # the tokenizer's padding settings are shared state
            encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        types = np.array([e.type_ids for e in encoded], dtype=np.int64)
        tokens = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        summed = (tokens * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return (summed / np.linalg.norm(summed, axis=1, keepdims=True)).astype(np.float32)
