"""`qa eval --llm`: the report counts supported sentences, ALCE-style citation figures and fallbacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from tests.conftest import ARTICLES, QUESTIONS, ROOT
from tests.llm_server import ScriptedModel, user_message


def first_sentence_of_first_source(body: dict) -> str:
    text = re.search(r'<source n="1">\n.*?\n\n(.*?)\n</source>', user_message(body), re.S).group(
        1
    )  # the text follows its header lines
    return re.split(r"(?<=[.!?])\s", text)[0] + " [1] The moon is made of cheese [1]."


def test_an_llm_run_reports_supported_sentences_citations_and_fallbacks(tmp_path):
    questions = tmp_path / "q.jsonl"
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    questions.write_text("\n".join([*lines[:3], next(x for x in lines if '"unanswerable": true' in x)]) + "\n")
    model = ScriptedModel(first_sentence_of_first_source)
    try:
        env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_LLM_TEMPERATURE": "0.7"}
        done = subprocess.run(
            [sys.executable, "-m", "qa.cli", "eval", str(questions), "--corpus", str(ARTICLES), "--out",
             str(tmp_path / "run"), "--llm", "openai", "--llm-url", f"{model.url}/v1", "--llm-model", "scripted"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        model.close()
    assert done.returncode == 0, done.stderr
    assert "supported sentences 0.500" in done.stdout and "fallbacks 0" in done.stdout
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    overall = report["overall"]
    assert overall["supported_share"] == 0.5
    # The unsupported sentence keeps no citation: it counts against recall, not precision.
    assert overall["alce_citation_recall"] == 0.5 and overall["alce_citation_precision"] == 1.0
    assert overall["fallbacks"] == 0
    llm = report["settings"]["llm"]
    assert (llm["backend"], llm["temperature"], llm["max_tokens"]) == ("openai", 0.0, 256)  # fixed for eval
    assert "not by an NLI model" in report["definitions"]["alce_citation_recall"]
    records = [json.loads(x) for x in (tmp_path / "run" / "answers.jsonl").read_text().splitlines()]
    answered = [r for r in records if not r["answer"]["abstained"]]
    assert answered and all(r["answer"]["mode"] == "llm" for r in answered)
    assert all(r["answer"]["unsupported"] == ["The moon is made of cheese."] for r in answered)
