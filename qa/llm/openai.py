"""The `openai` backend: any OpenAI-compatible server (vLLM, llama.cpp's server, LM Studio, OpenAI itself)."""

from __future__ import annotations

from typing import Any

from qa.config import LLMSettings

DEFAULT_URL = "http://localhost:8000/v1"
DEFAULT_MODEL = "default model"


def check(settings: LLMSettings) -> str | None:
    return None


def build(settings: LLMSettings, url: str) -> Any:
    from llama_index.llms.openai_like import OpenAILike

    from qa.llm.model import CONTEXT_WINDOW

    # max_retries=0: llama-index and the SDK would each retry, turning one failure into a minute.
    return OpenAILike(
        model=settings.model or "default",
        api_base=url,
        api_key=settings.api_key or "not-needed",  # key-less local servers still need a value here
        is_chat_model=True,
        context_window=CONTEXT_WINDOW,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=0,
    )


def reachable(settings: LLMSettings, url: str, name: str) -> tuple[bool, str]:
    from qa.llm.model import probe

    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    ok, said = probe(url, "models", name, settings, headers)
    return (True, f"{name} at {url.rstrip('/')}: reachable") if ok else (False, said)
