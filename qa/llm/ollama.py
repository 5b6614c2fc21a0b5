"""The `ollama` backend: a model served by Ollama, which must already have it (`ollama pull NAME`)."""

from __future__ import annotations

import json
from typing import Any

from qa.config import LLMSettings

DEFAULT_URL = "http://localhost:11434"
DEFAULT_MODEL = "default model"


def check(settings: LLMSettings) -> str | None:
    if not settings.model:
        return "QA_LLM=ollama needs a model name: set QA_LLM_MODEL (or --llm-model), e.g. llama3.2"
    return None


def build(settings: LLMSettings, url: str) -> Any:
    from llama_index.llms.ollama import Ollama

    from qa.llm.model import CONTEXT_WINDOW

    # An explicit context window spares a round trip to /api/show before every first call.
    return Ollama(
        model=settings.model,
        base_url=url,
        request_timeout=settings.timeout,
        temperature=settings.temperature,
        context_window=CONTEXT_WINDOW,
        additional_kwargs={"num_predict": settings.max_tokens},
    )


def reachable(settings: LLMSettings, url: str, name: str) -> tuple[bool, str]:
    from qa.llm.model import probe

    base = url.rstrip("/")
    ok, said = probe(url, "api/tags", name, settings)
    if not ok:
        return False, said
    model = settings.model
    if model:
        try:
            models = {m.get("name") for m in json.loads(said).get("models", [])}
        except (ValueError, AttributeError):
            models = set()
        if models and model not in models and f"{model}:latest" not in models:
            return False, f"{name} at {base}: reachable, but it has no model {model!r} (`ollama pull {model}`)"
    return True, f"{name} at {base}: reachable"
