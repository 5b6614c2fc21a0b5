"""Running the fitted models: the reader's best answer span of each passage (or of each sentence), and its scores.

A one-shot answer never imports PyTorch: the model was exported once (see `artifact`), and
ONNX Runtime and `tokenizers` read. A process that has PyTorch loaded already (the app, which
ingests) reads in PyTorch instead, where it is 3-4 times faster (`Fitted.uses_torch`). All
windows of one question go through the model in one batch of one padded shape.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.reader import artifact
from qa.reader.windows import answer_mask, batch, best_span, windows

log = logging.getLogger(__name__)
_exporting = threading.Lock()


@dataclass(frozen=True)
class Reading:
    """What the reader found in one passage: the answer's characters, its score, and the no-answer score."""

    start: int
    end: int
    score: float
    null: float

    @property
    def margin(self) -> float:
        """How far the best span beats "no answer here" (positive: the reader thinks it answers)."""
        return self.score - self.null


class Fitted:
    """A fitted artifact behind one call: the ONNX export is made (once) on first use if missing.

    A process that has PyTorch loaded already (the app, which ingests) runs the merged model in
    PyTorch instead, where it is 3-4 times faster (`uses_torch`).
    """

    label = "reader"

    def __init__(
        self, path: Path = artifact.SHIPPED, *, threads: int = 1, precision: str = "fp32", runtime: str = "auto"
    ) -> None:
        self.path = Path(path)
        self.threads = threads
        self.precision = precision  # of the ONNX export
        self.runtime = runtime  # auto, onnx or torch
        self._info = None
        self._run = None
        self._tokenizer = None
        self._lock = threading.Lock()

    @property
    def info(self) -> dict:
        if self._info is None:
            _, self._info = artifact.load(self.path)
        return self._info

    def prepare(self, on_message: Callable[[str], None] | None = None) -> Path:
        """Make sure the merged ONNX model exists (exporting it once, which needs PyTorch); return its path."""
        base = artifact.base_dir()
        artifact.check_base(self.info, base, self.path)
        target = artifact.export_path(self.path, base, self.precision)
        with _exporting:  # an ingest thread and a first question may both find it missing
            if not target.is_file():
                if on_message:
                    on_message(f"preparing the {self.label} model (once, about 20 s)")
                try:
                    artifact.export(self.path, base, target, self.precision)
                except artifact.ReaderError:
                    raise
                except Exception as exc:
                    raise artifact.ReaderError(
                        f"cannot export the {self.label} model ({type(exc).__name__}: {exc}): check that PyTorch is "
                        "installed (`make setup`) and the cache folder is writable"
                    ) from exc
        return target

    def uses_torch(self) -> bool:
        """Whether the model runs in PyTorch: asked for, or (`auto`) when this process has loaded it already.

        A long-running process that ingests (the app) has PyTorch loaded, and there it reads 3-4 times
        faster than ONNX Runtime (bfloat16 where the CPU computes it natively); a one-shot answer never
        imports it.
        """
        return self.runtime == "torch" or (self.runtime == "auto" and "torch" in sys.modules)

    def _ready(self) -> tuple[Callable[[dict[str, np.ndarray]], tuple[np.ndarray, ...]], object]:
        with self._lock:
            if self._run is None:
                self._run = self._torch_runner() if self.uses_torch() else self._onnx_runner()
                self._tokenizer = artifact.tokenizer(artifact.base_dir())
            return self._run, self._tokenizer

    def _onnx_runner(self):
        import onnxruntime

        onnxruntime.disable_telemetry_events()  # no usage reports leave the machine
        target = self.prepare(lambda m: log.warning("%s", m))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        try:
            session = onnxruntime.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise artifact.ReaderError(
                f"cannot load the {self.label} {target} ({type(exc).__name__}): delete that folder and ask again"
            ) from exc
        return lambda inputs: tuple(session.run(None, inputs))

    def _torch_runner(self):
        import torch

        from index.embedding import cpu_has_bf16

        try:
            model = artifact.merged_model(self.path, artifact.base_dir())
        except artifact.ReaderError:
            raise
        except Exception as exc:
            raise artifact.ReaderError(
                f"cannot load the {self.label} {self.path} ({type(exc).__name__}: {exc}): run `make fit` to fit it "
                "again"
            ) from exc
        bf16 = cpu_has_bf16()

        def run(inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
            tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                found = model(**tensors)
            return tuple(t.float().numpy() for t in found)

        return run


class Reader(Fitted):
    """The span model: the best answer span of each passage (or of each part of it)."""

    def read(self, question: str, texts: Sequence[tuple[str, int]]) -> list[Reading | None]:
        """For each (text, answer_from), the best span at or after `answer_from`; None for an empty text."""
        return [best[0] for best in self.read_parts(question, [(t, a, [(a, len(t))]) for t, a in texts])]

    def read_parts(
        self, question: str, texts: Sequence[tuple[str, int, Sequence[tuple[int, int]]]]
    ) -> list[list[Reading | None]]:
        """For each (text, answer_from, parts), the best span inside each part (a sentence, say) of the text.

        A part is a (start, end) character range at or after `answer_from`; a span lies wholly
        inside it. All windows of all texts go through the model in one batch.
        """
        run, tokenizer = self._ready()
        limit = int(self.info.get("max_answer_tokens", 30))
        items, owners = [], []
        for n, (text, answer_from, _) in enumerate(texts):
            if text[answer_from:].strip():
                for w in windows(tokenizer, question, text, answer_from):
                    items.append(w)
                    owners.append(n)
        found: list[list[Reading | None]] = [[None] * len(parts) for _, _, parts in texts]
        if not items:
            return found
        inputs = batch(items)
        start, end = run(inputs)
        allowed = answer_mask(items, inputs["input_ids"].shape[1])
        for i, (w, n) in enumerate(zip(items, owners, strict=True)):
            null = float(start[i, 0] + end[i, 0])
            first, last = np.full(allowed.shape[1], -1), np.full(allowed.shape[1], -1)
            first[: w.length], last[: w.length] = w.offsets[:, 0], w.offsets[:, 1]
            for k, (a, b) in enumerate(texts[n][2]):
                inside = allowed[i] & (first >= a) & (last <= b)
                if not inside.any():
                    continue
                s, e, score = best_span(start[i], end[i], inside, limit)
                best = found[n][k]
                if best is None or score - null > best.margin:
                    found[n][k] = Reading(int(w.offsets[s, 0]), int(w.offsets[e, 1]), score, null)
        return found
