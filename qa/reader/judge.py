"""The support judge: how likely a span of a source states what a claim says (0-1), one forward pass per span.

A LoRA adapter and a one-logit head on the bundled MiniLM, fitted by `bench.fit_judge` on
claims made from the fitting data, and calibrated there (a scale and a shift on the logit,
fitted on its held-out fold). It reads the claim where the reader reads a question and the
span where it reads a passage (`windows`), so fitting and judging share one input.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.reader.runtime import Fitted
from qa.reader.windows import batch, windows

SHIPPED = Path(__file__).with_name("judge.npz")


def inputs(tokenizer, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """(span, claim) pairs as the model's input arrays: the claim first, the span after; a long span is cut."""
    return batch([windows(tokenizer, claim, span)[0] for span, claim in pairs])


class Judge(Fitted):
    """`judge([(span, claim), ...])` -> the calibrated probability that each span supports its claim."""

    label = "support judge"

    def __init__(self, path: Path = SHIPPED, **options) -> None:
        super().__init__(path, **options)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        run, tokenizer = self._ready()
        (logit,) = run(inputs(tokenizer, pairs))
        return logit

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        calibration = self.info.get("calibration") or {}
        scale, shift = calibration.get("scale", 1.0), calibration.get("shift", 0.0)
        return [float(p) for p in 1 / (1 + np.exp(-(scale * self.logits(pairs) + shift)))]
