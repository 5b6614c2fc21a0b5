"""Calibrated support: the reader's evidence for a passage turned into the probability that its answer is right.

One logistic model, fitted by `bench/fit_calibrator.py` on questions the reader never trained
on, reads the best span's score, its margin over "no answer", how far it leads the next
passage, and how the passage ranked in each search. Its default threshold is the one gate
for every answerer. The fitted numbers live in `calibrator.json` beside this module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.reader.artifact import ReaderError

SHIPPED = Path(__file__).with_name("calibrator.json")
FEATURES = ("margin", "score", "lead", "place", "dense", "keyword", "short_words")
UNRANKED = 50  # the rank given to a passage one search did not find


def features(
    margin: float,
    score: float,
    lead: float,
    place: int,
    dense_rank: int | None,
    keyword_rank: int | None,
    short_words: int,
) -> dict[str, float]:
    """The calibrator's view of one read passage (`lead`: its margin minus the best other passage's)."""
    return {
        "margin": margin,
        "score": score,
        "lead": max(min(lead, 10.0), -10.0),
        "place": math.log1p(place),
        "dense": math.log(dense_rank or UNRANKED),
        "keyword": math.log(keyword_rank or UNRANKED),
        "short_words": math.log1p(short_words),
    }


@dataclass(frozen=True)
class Calibrator:
    """A logistic model over standardised features, and the default abstention threshold."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    info: Mapping[str, object]

    def support(self, rows: Sequence[Mapping[str, float]]) -> list[float]:
        if not rows:
            return []
        x = np.array([[row[f] for f in FEATURES] for row in rows], dtype=float)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return (1 / (1 + np.exp(-(z @ np.array(self.weights) + self.bias)))).tolist()

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias, "mean": list(self.mean),
                "scale": list(self.scale), "threshold": self.threshold, "info": dict(self.info)}  # fmt: skip

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Calibrator:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if tuple(data["features"]) != FEATURES:
                raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
            return cls(tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]), tuple(data["scale"]),
                       float(data["threshold"]), data.get("info", {}))  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReaderError(f"cannot read the calibrator {path} ({exc}): run `make fit` to fit it again") from exc
