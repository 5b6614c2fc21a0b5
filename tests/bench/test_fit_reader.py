"""The reader's training path end to end on a handful of examples: it writes an artifact that loads and reads.

Its quality is not tested here (a few steps teach nothing); `make fit` reports that.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pytest

from qa.reader import artifact
from qa.reader.runtime import Reader
from tests.bench.conftest import REPO


@pytest.fixture(scope="module")
def tiny(bench_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit-reader")
    return out, fit(bench_data, out, out / "reader.npz").stdout


def fit(bench_data, out, artifact_path) -> subprocess.CompletedProcess:
    """A few steps of `bench.fit_reader` on 24 questions, writing its checkpoint in `out`."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.fit_reader", "--squad2", str(bench_data / "squad" / "dev-v2.0.json"),
         "--realtimeqa", str(bench_data / "realtimeqa" / "realtimeqa-questions-2020-2026.jsonl.gz"),
         "--out", str(out), "--artifact", str(artifact_path), "--limit", "24", "--epochs", "1",
         "--eval-questions", "6", "--rank", "4", "--alpha", "8"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_a_tiny_fit_prints_what_it_trained_on_and_the_held_out_figures(tiny):
    out, printed = tiny
    assert '"squad2_questions"' in printed and '"realtimeqa_questions"' in printed
    assert "held-out fold at step" in printed
    record = json.loads((out / "fit.json").read_text(encoding="utf-8"))
    assert record["trained_on"]["squad2_articles"] and record["held_out_fold"]["questions"] > 0
    assert not set(record["trained_on"]["squad2_articles"]) & set(record["trained_on"]["held_out_fold"])


def test_the_artifact_records_its_base_and_is_small(tiny):
    out, _ = tiny
    weights, info = artifact.load(out / "reader.npz")
    assert info["base_sha256"] == artifact.base_hash(artifact.base_dir())
    assert {"head.weight", "head.bias"} <= set(weights)
    assert (out / "reader.npz").stat().st_size < 2_000_000


def test_the_artifact_exports_and_reads_a_span_of_the_passage(tiny):
    out, _ = tiny
    text = "On 24 August, the ISIS Amaq news agency released a statement claiming responsibility."
    [reading] = Reader(out / "reader.npz").read("Who claimed responsibility?", [(text, 0)])
    assert 0 <= reading.start < reading.end <= len(text)
    assert np.isfinite(reading.score) and np.isfinite(reading.null)


def test_a_fit_resumes_from_its_checkpoint(tiny, bench_data):
    out, _ = tiny
    assert "resumed at step" in fit(bench_data, out, out / "again.npz").stdout


def test_a_distractor_shares_the_questions_words_but_never_holds_its_answer():
    from bench.fit_reader import Example, distractors

    def example(question, text, answers=(), group="Rhine"):
        return Example(question, text, "", answers, group, "squad2")

    asked = example("Where does the Rhine rise?", "The Rhine rises in the Swiss Alps.", ((22, "Swiss Alps"),))
    pool = [
        asked,
        example("Q1", "The Rhine flows north; it rises near the Swiss Alps, some say."),  # holds the answer
        example("Q2", "Where the Rhine meets the sea, it rises with the tide."),
        example("Q3", "Boats carry coal."),
        example("Q4", "Where does the Rhine rise? Nobody asks in Warsaw.", group="Warsaw"),  # another article
    ]
    [made] = distractors(pool, 1.0, random.Random(0))
    assert made.text == "Where the Rhine meets the sea, it rises with the tide."
    assert made.question == asked.question and made.answers == () and made.group == "Rhine"
    assert distractors(pool, 0.0, random.Random(0)) == []
    assert distractors(pool, 1.0, random.Random(0), ("realtimeqa",)) == []  # only the sources asked for
