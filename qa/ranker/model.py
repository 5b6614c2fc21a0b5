"""The fitted models, as plain numbers evaluated with numpy (no scikit-learn at answer time).

`qa/ranker/ranker.json` holds three of them, fitted by `bench/fit_ranker.py` (`make fit`):
`sentence` (does this sentence hold the answer? gradient-boosted trees, stored as arrays),
`answerable` (the calibrated probability that the best sentence answers the question, which
decides abstention; a logistic regression) and `phrase` (which phrase of the sentence is the
short answer; a logistic regression). The file also records what it was fitted on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from qa.errors import QAError

MODEL_FILE = Path(__file__).with_name("ranker.json")
FORMAT = 1


def matrix(features: Sequence[str], rows: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Rows of named features as a matrix in the model's order (a missing feature is 0)."""
    return np.array([[row.get(f, 0.0) for f in features] for row in rows], dtype=float).reshape(
        len(rows), len(features)
    )


@dataclass(frozen=True)
class Linear:
    """A standardised logistic regression: P = sigmoid(((x - mean) / scale) . coef + intercept)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: Mapping) -> Linear:
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=float),
            np.asarray(data["scale"], dtype=float),
            np.asarray(data["coef"], dtype=float),
            float(data["intercept"]),
        )

    def to_dict(self) -> dict:
        return {
            "features": list(self.features),
            "mean": [round(float(x), 6) for x in self.mean],
            "scale": [round(float(x), 6) for x in self.scale],
            "coef": [round(float(x), 6) for x in self.coef],
            "intercept": round(self.intercept, 6),
        }

    def probability(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        z = ((matrix(self.features, rows) - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class Trees:
    """Boosted regression trees with a logistic link, as padded arrays (one row per tree), walked with numpy.

    At a node, a row goes left when its feature is at most the threshold; a leaf has feature -1.
    """

    features: tuple[str, ...]
    baseline: float
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray

    @classmethod
    def from_dict(cls, data: Mapping) -> Trees:
        trees = data["trees"]
        width = max(len(t["feature"]) for t in trees)

        def pad(key: str, fill: float, kind: type) -> np.ndarray:
            return np.array([t[key] + [fill] * (width - len(t[key])) for t in trees], dtype=kind)

        return cls(
            tuple(data["features"]), float(data["baseline"]), pad("feature", -1, np.int64),
            pad("threshold", 0.0, float), pad("left", 0, np.int64), pad("right", 0, np.int64), pad("value", 0.0, float),
        )  # fmt: skip

    def to_dict(self) -> dict:
        trees = []
        for t in range(self.feature.shape[0]):
            used = int((self.left[t] > 0).sum() + (self.right[t] > 0).sum()) + 1
            trees.append({
                "feature": self.feature[t, :used].tolist(),
                "threshold": [round(float(x), 6) for x in self.threshold[t, :used]],
                "left": self.left[t, :used].tolist(),
                "right": self.right[t, :used].tolist(),
                "value": [round(float(x), 6) for x in self.value[t, :used]],
            })  # fmt: skip
        return {"kind": "trees", "features": list(self.features), "baseline": round(self.baseline, 6), "trees": trees}

    def probability(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = matrix(self.features, rows)
        trees, count = self.feature.shape[0], x.shape[0]
        node = np.zeros((trees, count), dtype=np.int64)
        rows_index = np.arange(count)[None, :]
        tree_index = np.arange(trees)[:, None]
        while True:
            feature = self.feature[tree_index, node]
            inner = feature >= 0
            if not inner.any():
                break
            goes_left = x[rows_index, np.where(inner, feature, 0)] <= self.threshold[tree_index, node]
            step = np.where(goes_left, self.left[tree_index, node], self.right[tree_index, node])
            node = np.where(inner, step, node)
        z = self.baseline + self.value[tree_index, node].sum(axis=0)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def model_from_dict(data: Mapping) -> Linear | Trees:
    return Trees.from_dict(data) if data.get("kind") == "trees" else Linear.from_dict(data)


@dataclass(frozen=True)
class FittedModels:
    sentence: Linear | Trees
    answerable: Linear
    phrase: Linear
    threshold: float  # the answerable probability at which answered precision reached the target when fitted
    info: Mapping

    @classmethod
    def from_dict(cls, data: Mapping) -> FittedModels:
        if data.get("format") != FORMAT:
            raise QAError(f"the ranker file has format {data.get('format')!r}, expected {FORMAT}: re-fit it (make fit)")
        return cls(
            model_from_dict(data["sentence"]),
            Linear.from_dict(data["answerable"]),
            Linear.from_dict(data["phrase"]),
            float(data["threshold"]),
            data.get("info", {}),
        )


@cache
def load(path: Path | None = None) -> FittedModels:
    """The shipped (or given) fitted models."""
    path = Path(path or MODEL_FILE)
    try:
        return FittedModels.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        raise QAError(
            f"the fitted ranker at {path} is unusable ({exc}): reinstall the package or run `make fit`"
        ) from exc
