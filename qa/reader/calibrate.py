"""Calibrated support: the evidence for a candidate sentence turned into the probability that its answer is right.

One logistic model, fitted by `bench/fit_calibrator.py` on questions the reader never trained
on, scores each candidate sentence: the reader's best span in it (its score, its margin over
"no answer", how far it leads the best rival), how its passage ranked in each search, and the
word-feature ranker's view of the same sentence (the fitted trees of `qa/ranker/rerank.py`; on the
fold, a copy of them fitted without the fold's questions). Its
default threshold is the one gate for every answerer. The fitted numbers live in
`calibrator.json` beside this module.
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
FEATURES = ("margin", "score", "lead", "place", "dense", "keyword", "short_words", "trees", "trees_support")
UNRANKED = 50  # the rank given to a passage one search did not find
LEAD_CAP = 10.0  # a lead (in score or margin) counts up to this much


def features(
    margin: float,
    score: float,
    lead: float,
    place: int,
    dense_rank: int | None,
    keyword_rank: int | None,
    short_words: int,
    trees: float,
    trees_support: float,
) -> dict[str, float]:
    """The calibrator's view of one candidate sentence and the reader's best span in it.

    `lead` is its margin minus the best rival's (another sentence, not a copy of this one);
    `trees` and `trees_support` are the word-feature ranker's probability that the sentence
    answers, and its calibrated support (0 for a sentence it does not score, a headline).
    """
    p = min(max(trees, 1e-4), 1 - 1e-4)
    return {
        "margin": margin,
        "score": score,
        "lead": max(min(lead, LEAD_CAP), -LEAD_CAP),
        "place": math.log1p(place),
        "dense": math.log(dense_rank or UNRANKED),
        "keyword": math.log(keyword_rank or UNRANKED),
        "short_words": math.log1p(short_words),
        "trees": math.log(p / (1 - p)),
        "trees_support": trees_support,
    }


@dataclass(frozen=True)
class Calibrator:
    """Two logistic models and the default abstention threshold.

    The first scores every candidate against the others of its question (`scores`); the
    second turns a candidate's score, and how far it leads the best rival, into the
    probability that its answer is right (`support`), fitted on the leading candidates only:
    those an answer comes from.
    """

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    lead_weights: tuple[float, float]  # on the score, and on its lead over the best rival
    lead_bias: float
    threshold: float
    info: Mapping[str, object]

    def scores(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = np.array([[row[f] for f in FEATURES] for row in rows], dtype=float)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.weights) + self.bias

    def support(self, rows: Sequence[Mapping[str, float]], keys: Sequence[str] | None = None) -> list[float]:
        """Each candidate's probability of being right if it leads; `keys` mark copies (not rivals) alike."""
        z = self.scores(rows)
        gaps = leads(z, keys)
        return (1 / (1 + np.exp(-(self.lead_weights[0] * z + self.lead_weights[1] * gaps + self.lead_bias)))).tolist()

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias, "mean": list(self.mean),
                "scale": list(self.scale), "lead_weights": list(self.lead_weights), "lead_bias": self.lead_bias,
                "threshold": self.threshold, "info": dict(self.info)}  # fmt: skip

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Calibrator:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if tuple(data["features"]) != FEATURES:
                raise ValueError(f"features {data['features']} are not {list(FEATURES)}")
            a, b = data["lead_weights"]
            return cls(tuple(data["weights"]), float(data["bias"]), tuple(data["mean"]), tuple(data["scale"]),
                       (float(a), float(b)), float(data["lead_bias"]), float(data["threshold"]),
                       data.get("info", {}))  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReaderError(f"cannot read the calibrator {path} ({exc}): run `make fit` to fit it again") from exc


def leads(scores: np.ndarray, keys: Sequence[str] | None = None) -> np.ndarray:
    """How far each score leads the best other one (a copy, by `keys`, is not a rival), within +-10."""
    out = np.full(len(scores), LEAD_CAP)
    for i in range(len(scores)):
        rivals = [scores[j] for j in range(len(scores)) if j != i and (keys is None or keys[j] != keys[i])]
        if rivals:
            out[i] = scores[i] - max(rivals)
    return np.clip(out, -LEAD_CAP, LEAD_CAP)
