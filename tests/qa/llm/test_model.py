"""The language-model adapter: configuration errors, failures in one line, the key kept secret."""

from __future__ import annotations

import httpx
import pytest

from qa import QAError
from qa.config import LLMSettings
from qa.llm.local import describe
from qa.llm.model import LanguageModel


def model(**values) -> LanguageModel:
    return LanguageModel(LLMSettings(**{"backend": "openai", "api_key": "sk-very-secret", **values}))


def test_no_backend_is_a_clear_error():
    with pytest.raises(QAError, match="QA_LLM"):
        LanguageModel(LLMSettings())


def test_ollama_needs_a_model_name():
    with pytest.raises(QAError, match="QA_LLM_MODEL"):
        LanguageModel(LLMSettings(backend="ollama"))


def test_answers_are_labelled_with_the_model_and_backend():
    assert model(model="qwen2.5-7b").name == "qwen2.5-7b (openai)"
    assert LanguageModel(LLMSettings(backend="local")).name == "SmolLM2-135M-Instruct (local)"


class Status(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"HTTP {code} with key sk-very-secret")
        self.status_code = code


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (httpx.ConnectError("refused"), "unreachable"),
        (httpx.ReadTimeout("slow"), "did not answer within 5 s"),
        (Status(401), "refused the API key"),
        (Status(404), "does not know the model"),
        (Status(503), "HTTP 503"),
        (ValueError("bad json"), "could not be read"),
    ],
)
def test_each_failure_is_one_line_without_the_key(error, words):
    text = model(timeout=5.0).explain(error)
    assert words in text and "sk-very-secret" not in text and "\n" not in text
    assert "http://localhost:8000/v1" in text or "local" in text


def test_the_local_model_is_described_without_loading_it():
    ok, line = describe("")
    assert ok and "SmolLM2" in line
    ok, line = describe("/no/such/model.gguf")
    assert not ok and "QA_LLM_MODEL" in line
