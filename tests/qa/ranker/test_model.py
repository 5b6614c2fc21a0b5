"""The fitted models: the shipped file loads and says what it was fitted on; re-fitting a tiny slice runs."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from qa.ranker import model
from tests.bench.conftest import bench_data  # noqa: F401 - the shared benchmark data, or a clear failure
from tests.conftest import ROOT


def test_the_shipped_models_load_and_say_what_they_were_fitted_on():
    fitted = model.load()
    assert "squad_v2_dev" in fitted.info["fitted_on"] and "realtimeqa" in fitted.info["fitted_on"]
    assert 0.0 < fitted.threshold < 1.0
    for linear in (fitted.answerable, fitted.phrase):
        assert len(linear.features) == len(linear.coef) == len(linear.mean) == len(linear.scale)
    for each in (fitted.sentence, fitted.answerable, fitted.phrase):
        p = each.probability([{name: 1.0 for name in each.features}, {}])
        assert p.shape == (2,) and np.all((p >= 0) & (p <= 1))


def test_the_fitted_models_round_trip_as_plain_numbers():
    fitted = model.load()
    for each in (fitted.sentence, fitted.answerable, fitted.phrase):
        again = model.model_from_dict(each.to_dict())
        rows = [{name: 0.5 for name in each.features}, {name: float(i % 3) for i, name in enumerate(each.features)}]
        assert np.allclose(again.probability(rows), each.probability(rows), atol=1e-4)


def test_trees_walk_each_row_to_its_own_leaf():
    # one stump: feature 0 <= 0.5 goes to leaf 1 (-2), else leaf 2 (+2)
    stump = {
        "feature": [0, -1, -1],
        "threshold": [0.5, 0, 0],
        "left": [1, 0, 0],
        "right": [2, 0, 0],
        "value": [0, -2, 2],
    }
    trees = model.Trees.from_dict({"kind": "trees", "features": ["x"], "baseline": 0.0, "trees": [stump, stump]})
    p = trees.probability([{"x": 0.0}, {"x": 1.0}])
    assert np.allclose(p, [1 / (1 + np.exp(4)), 1 / (1 + np.exp(-4))])


def test_answering_imports_no_scikit_learn():
    code = "import sys, qa.ranker.rerank, qa.ranker.model; qa.ranker.model.load(); print('sklearn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def test_refitting_on_a_tiny_slice_runs(bench_data, tmp_path):  # noqa: F811
    out = tmp_path / "fit"
    target = tmp_path / "ranker.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.fit_ranker", "--tiny", "--squad2", str(bench_data / "squad" / "dev-v2.0.json"),
         "--realtimeqa", str(bench_data / "realtimeqa" / "realtimeqa-questions-2020-2026.jsonl.gz"),
         "--squad-questions", "40", "--realtimeqa-questions", "15", "--out", str(out), "--model", str(target)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fitted on:" in done.stdout
    refitted = model.load(target)
    assert refitted.sentence.features and (out / "abstention.png").stat().st_size > 1000
    # The copy fitted without the reader's held-out fold, for the reader's calibrator, loads too.
    assert model.load(out / "ranker-out-of-fold.json").sentence.features == refitted.sentence.features
