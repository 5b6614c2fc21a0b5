"""The support judge's training path end to end on a handful of claims: it writes an artifact that loads and judges.

Its quality is not tested here (a few steps teach nothing); `make bench-verify` reports that.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from qa.reader import artifact
from qa.reader.judge import Judge
from tests.bench.conftest import REPO


@pytest.fixture(scope="module")
def tiny(bench_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit-judge")
    done = subprocess.run(
        [sys.executable, "-m", "bench.fit_judge", "--squad2", str(bench_data / "squad" / "dev-v2.0.json"),
         "--realtimeqa", str(bench_data / "realtimeqa" / "realtimeqa-questions-2020-2026.jsonl.gz"),
         "--out", str(out), "--artifact", str(out / "judge.npz"), "--pairs", "64", "--epochs", "1",
         "--fold-pairs", "24", "--rank", "4", "--alpha", "8"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout


def test_a_tiny_fit_prints_what_it_trained_on_and_keeps_the_fold_apart(tiny):
    out, printed = tiny
    assert '"pairs": 64' in printed and '"kinds"' in printed and "held-out fold, calibrated" in printed
    record = json.loads((out / "fit.json").read_text(encoding="utf-8"))
    trained = record["trained_on"]
    assert trained["squad2_articles"] and not set(trained["squad2_articles"]) & set(trained["held_out_fold"])
    assert {"scale", "shift"} == set(record["calibration"])


def test_the_judge_artifact_records_its_base_is_small_and_judges(tiny):
    out, _ = tiny
    weights, info = artifact.load(out / "judge.npz")
    assert info["kind"] == "judge" and info["base_sha256"] == artifact.base_hash(artifact.base_dir())
    assert weights["head.weight"].shape == (1, 384)
    assert (out / "judge.npz").stat().st_size < 2_000_000
    span = "On 24 August, the ISIS Amaq news agency released a statement claiming responsibility."
    found = Judge(out / "judge.npz", runtime="onnx")([(span, "Amaq claimed it."), (span, "Nobody claimed it.")])
    assert len(found) == 2 and all(0.0 <= p <= 1.0 for p in found) and np.isfinite(found).all()


def test_a_judge_fitted_on_another_base_is_refused_in_one_line(tiny, tmp_path):
    out, _ = tiny
    weights, info = artifact.load(out / "judge.npz")
    other = tmp_path / "other.npz"
    artifact.save(other, weights, {**info, "base_sha256": "0" * 64})
    with pytest.raises(artifact.ReaderError) as refused:
        Judge(other)([("A span.", "A claim.")])
    assert "\n" not in str(refused.value) and "fitted on base weights 000000000000" in str(refused.value)
