"""The reader's inputs and outputs: windows over long passages, spans decoded in the passage, a foreign base refused."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from qa import Settings
from qa.api import Assistant
from qa.reader import artifact
from qa.reader.artifact import ReaderError
from qa.reader.calibrate import FEATURES, LEAD_CAP, Calibrator, leads
from qa.reader.runtime import Reader
from qa.reader.windows import MAX_TOKENS, answer_mask, batch, best_span, windows
from tests.conftest import ARTICLES, ROOT, source_text
from tests.qa.test_imports import imported


@pytest.fixture(scope="module")
def tokenizer():
    return artifact.tokenizer(artifact.base_dir())


def test_a_long_passage_is_read_in_overlapping_windows_that_cover_all_of_it(tokenizer):
    text = " ".join(f"Sentence {i} names the town of Sirte." for i in range(120))
    found = windows(tokenizer, "Which town?", text)
    assert len(found) > 1 and all(w.length <= MAX_TOKENS for w in found)
    covered = {tuple(o) for w in found for o in w.offsets if o[0] >= 0}
    assert len(covered) == len(tokenizer.encode(text, add_special_tokens=False).ids)
    assert all(text[a:b].strip() for a, b in covered)


def test_context_before_the_passage_is_read_but_never_answered_from(tokenizer):
    context, passage = "The attack on the Fugaha checkpoint. ", "Amaq claimed the incident."
    [w] = windows(tokenizer, "Who claimed it?", context + passage, answer_from=len(context))
    answerable = [tuple(o) for o in w.offsets if o[0] >= 0]
    assert answerable and all(a >= len(context) for a, _ in answerable)
    assert "fugaha" in tokenizer.decode(w.ids.tolist())


def test_padding_keeps_windows_apart_and_masks_what_is_not_passage(tokenizer):
    items = windows(tokenizer, "Who?", "Amaq claimed it.") + windows(tokenizer, "Who?", "A much longer passage " * 5)
    inputs = batch(items)
    assert inputs["input_ids"].shape[1] % 32 == 0
    mask = answer_mask(items, inputs["input_ids"].shape[1])
    assert not mask[:, 0].any() and mask[0].sum() == sum(o[0] >= 0 for o in items[0].offsets)


def test_the_best_span_never_ends_before_it_starts_nor_runs_too_long():
    start = np.array([0.0, 5.0, 0.0, 0.0, 0.0])
    end = np.array([9.0, 0.0, 1.0, 0.0, 4.0])
    allowed = np.array([False, True, True, True, True])
    assert best_span(start, end, allowed, max_tokens=4) == (1, 4, 9.0)
    assert best_span(start, end, allowed, max_tokens=2)[:2] == (1, 2)


def _foreign(tmp_path):
    weights, info = artifact.load(artifact.SHIPPED)
    path = tmp_path / "foreign.npz"
    artifact.save(path, weights, {**info, "base_sha256": "0" * 64})
    return path


def test_a_reader_fitted_on_another_base_is_refused_with_one_line(tmp_path):
    with pytest.raises(ReaderError) as caught:
        Reader(_foreign(tmp_path)).read("Who claimed the attack?", [("Amaq claimed it.", 0)])
    assert "\n" not in str(caught.value) and "make fit" in str(caught.value)


def test_the_cli_refuses_a_foreign_reader_with_one_line_and_exit_code_2(tmp_path):
    env = {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_READER": str(_foreign(tmp_path)), "QA_RANKER": "reader",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    run = [sys.executable, "-m", "qa.cli"]
    ingest = subprocess.run([*run, "ingest", str(ARTICLES)], env={**os.environ, **env}, cwd=ROOT,
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    asked = subprocess.run([*run, "ask", "who claimed the Fugaha attack?"], env={**os.environ, **env},
                           cwd=ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
    for done in (ingest, asked):
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert "fitted on base weights" in done.stderr


@pytest.fixture(scope="module")
def reader_sample(tmp_path_factory, embedder):
    """The sample articles answered by the reader (`QA_RANKER=reader`)."""
    settings = Settings().replace(index_dir=tmp_path_factory.mktemp("reader"), retrieval_ranker="reader")
    assistant = Assistant(settings=settings, embedder=embedder)
    assert not assistant.ingest([ARTICLES]).errors
    return assistant


def test_the_reader_answers_with_a_span_that_round_trips_and_cites_its_paragraph(reader_sample):
    answer = reader_sample.ask("How many people were beheaded at the al-Fugaha checkpoint?")
    assert not answer.abstained and answer.short_answer is not None
    assert "eleven" in answer.short_answer.text.lower() and answer.text.startswith(f"{answer.short_answer.text}: ")
    cited = answer.citations[answer.short_answer.n - 1]
    assert (cited.article_id, cited.paragraph) == ("002_87556d76f135b60a", 1)
    text = source_text(cited.source)
    assert text[cited.start : cited.end] == cited.quote
    assert text[answer.short_answer.start : answer.short_answer.end] == answer.short_answer.text
    assert cited.start <= answer.short_answer.start < answer.short_answer.end <= cited.end


def test_the_reader_abstains_where_the_articles_do_not_say(reader_sample):
    answer = reader_sample.ask("How many people live in Sirte?")
    assert answer.abstained and answer.text.startswith("The articles don't say")
    assert 0.0 <= answer.support < reader_sample.retriever.reranker.threshold  # the calibrator's fitted bar


def test_answering_with_the_reader_from_an_existing_index_loads_no_pytorch(tmp_path):
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_RANKER": "reader", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ingest", str(ARTICLES)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    code = (
        "import io, contextlib, qa.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert qa.cli.main(['ask', 'how many people were beheaded at the al-Fugaha checkpoint?']) == 0\n"
        "assert 'eleven' in out.getvalue()"
    )
    found = imported(code, {"QA_INDEX_DIR": str(tmp_path / "index"), "QA_RANKER": "reader"})
    assert not found & {"torch", "transformers", "sentence_transformers", "peft", "sklearn"}


def test_each_part_of_a_passage_gets_its_own_best_span_inside_it():
    text = "On 23 August, ISIS fighters attacked the checkpoint. On 24 August, the Amaq news agency claimed the attack."
    second = text.index("On 24")
    [parts] = Reader().read_parts("Who claimed the attack?", [(text, 0, [(0, second - 1), (second, len(text))])])
    assert all(r is not None for r in parts)
    assert parts[0].end <= second - 1 and parts[1].start >= second
    [whole] = Reader().read("Who claimed the attack?", [(text, 0)])
    assert whole.margin >= max(r.margin for r in parts)  # the whole may also span both


def test_support_rises_with_the_score_and_a_copy_is_no_rival():
    calibrator = Calibrator.load()
    assert list(leads(np.array([3.0, 1.0, 0.5]))) == [2.0, -2.0, -2.5]
    assert list(leads(np.array([3.0, 3.0]), keys=["same", "same"])) == [LEAD_CAP, LEAD_CAP]
    weak, strong = (dict(zip(FEATURES, calibrator.mean, strict=True)) for _ in range(2))
    strong["score"] += 3 * calibrator.scale[FEATURES.index("score")]
    assert calibrator.weights[FEATURES.index("score")] > 0
    low, high = calibrator.support([weak, strong])
    assert 0.0 < low < high < 1.0


def test_pytorch_and_onnx_runtime_read_the_same_span():
    text = ARTICLES.joinpath("002_87556d76f135b60a.txt").read_text(encoding="utf-8").split("\n")[0]
    question = "How many people were beheaded at the al-Fugaha checkpoint?"
    [onnx] = Reader(runtime="onnx").read(question, [(text, 0)])
    torch_reader = Reader(runtime="torch")
    [torch] = torch_reader.read(question, [(text, 0)])
    assert torch_reader.uses_torch() and not Reader(runtime="onnx").uses_torch()
    assert (onnx.start, onnx.end) == (torch.start, torch.end) and "eleven" in text[onnx.start : onnx.end]
    assert abs(onnx.margin - torch.margin) < 1.0  # bfloat16 rounding, where the CPU computes it natively
