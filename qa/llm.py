"""The language-model adapter: a llama-index LLM for the configured backend, behind one small interface.

This is the only module that builds llama-index LLMs (`openai`: any OpenAI-compatible
server; `ollama`; `local`: a model file run in-process), imported on first use. Every
backend failure becomes `ModelError` with one line a person can act on; the API key is
never put in a message, a log line or a report.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from qa.config import LLMSettings
from qa.errors import QAError

log = logging.getLogger(__name__)

DEFAULT_URLS = {"openai": "http://localhost:8000/v1", "ollama": "http://localhost:11434"}
CONTEXT_WINDOW = 8192  # told to the backends (Ollama would otherwise ask the server first)
CHARS_PER_TOKEN = 4  # the budget's estimate where the model's own tokenizer is not at hand


class ModelError(QAError):
    """The language model could not answer (unreachable, timed out, refused, or said nothing)."""


class LanguageModel:
    """Streams a chat reply from one configured model: `stream(system, user)` yields text pieces."""

    def __init__(self, settings: LLMSettings, llm: Any = None) -> None:
        if not settings.enabled and llm is None:
            raise QAError("no language model is configured: set QA_LLM to openai, ollama or local (or pass --llm)")
        if settings.backend == "ollama" and not settings.model and llm is None:
            raise QAError("QA_LLM=ollama needs a model name: set QA_LLM_MODEL (or --llm-model), e.g. llama3.2")
        self.settings = settings
        self._llm = llm

    @property
    def name(self) -> str:
        """What answers are labelled with, e.g. "llama3.1:8b (ollama)"."""
        s = self.settings
        model = s.model or ("SmolLM2-135M-Instruct" if s.backend == "local" else "default model")
        return f"{model.rsplit('/', 1)[-1]} ({s.backend})"

    @property
    def url(self) -> str | None:
        return (
            None
            if self.settings.backend == "local"
            else (self.settings.base_url or DEFAULT_URLS[self.settings.backend])
        )

    @property
    def llm(self) -> Any:
        if self._llm is None:
            self._llm = self._build()
        return self._llm

    def count_tokens(self, text: str) -> int:
        counter = getattr(self.llm, "count_tokens", None) if self.settings.backend == "local" else None
        return counter(text) if counter else max(1, len(text) // CHARS_PER_TOKEN)

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply as it is written. Raises ModelError on any failure, or past the time limit."""
        from llama_index.core.llms import ChatMessage, MessageRole

        messages = [ChatMessage(role=MessageRole.USER, content=user)]
        if system:
            messages.insert(0, ChatMessage(role=MessageRole.SYSTEM, content=system))
        deadline = time.monotonic() + self.settings.timeout
        try:
            for chunk in self.llm.stream_chat(messages):
                if chunk.delta:
                    yield chunk.delta
                if time.monotonic() > deadline:
                    raise TimeoutError
        except ModelError:
            raise
        except Exception as exc:  # every backend raises its own kinds (httpx, openai, ollama, pydantic...)
            raise ModelError(self.explain(exc)) from exc

    def complete(self, system: str, user: str) -> str:
        return "".join(self.stream(system, user)).strip()

    def explain(self, exc: BaseException) -> str:
        """One line saying what went wrong, without the API key."""
        kind = type(exc).__name__
        status = getattr(exc, "status_code", None)
        where = f"at {self.url}" if self.url else "(local)"
        if isinstance(exc, TimeoutError) or "Timeout" in kind:
            text = f"The model {where} did not answer within {self.settings.timeout:g} s"
        elif status in (401, 403) or "Authentication" in kind or "PermissionDenied" in kind:
            text = f"The model server {where} refused the API key (HTTP {status or 401})"
        elif status == 404 or "NotFound" in kind:
            text = f"The model server {where} does not know the model {self.settings.model or '(default)'!r}"
        elif status:
            text = f"The model server {where} answered with HTTP {status}"
        elif "Connect" in kind or isinstance(exc, ConnectionError | OSError):
            text = f"The model server {where} is unreachable"
        elif isinstance(exc, ValueError):
            text = f"The model {where} sent a reply that could not be read"
        else:
            text = f"The model {where} failed ({kind})"
        log.warning("%s: %s", text, kind)
        return text

    def reachable(self) -> tuple[bool, str]:
        """(ok, a line for `qa status`): whether the configured model can answer, checked cheaply."""
        s = self.settings
        if s.backend == "local":
            from qa.local_llm import describe

            return describe(s.model)
        base = self.url.rstrip("/")
        probe = f"{base}/models" if s.backend == "openai" else f"{base}/api/tags"
        request = urllib.request.Request(probe)
        if s.api_key and s.backend == "openai":
            request.add_header("Authorization", f"Bearer {s.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=min(s.timeout, s.probe_timeout)) as reply:
                body = reply.read(1_000_000)
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                return False, f"{self.name} at {base}: the server refused the API key (HTTP {exc.code})"
            return False, f"{self.name} at {base}: the server answered HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            return False, f"{self.name} at {base}: unreachable ({type(exc).__name__})"
        if s.backend == "ollama" and s.model:
            try:
                models = {m.get("name") for m in json.loads(body).get("models", [])}
            except (ValueError, AttributeError):
                models = set()
            if models and s.model not in models and f"{s.model}:latest" not in models:
                return (
                    False,
                    f"{self.name} at {base}: reachable, but it has no model {s.model!r} (`ollama pull {s.model}`)",
                )
        return True, f"{self.name} at {base}: reachable"

    def _build(self) -> Any:
        s = self.settings
        if s.backend == "openai":
            from llama_index.llms.openai_like import OpenAILike

            # max_retries=0: llama-index and the SDK would each retry, turning one failure into a minute.
            return OpenAILike(
                model=s.model or "default",
                api_base=self.url,
                api_key=s.api_key or "not-needed",  # key-less local servers still need a value here
                is_chat_model=True,
                context_window=CONTEXT_WINDOW,
                temperature=s.temperature,
                max_tokens=s.max_tokens,
                timeout=s.timeout,
                max_retries=0,
            )
        if s.backend == "ollama":
            from llama_index.llms.ollama import Ollama

            # An explicit context window spares a round trip to /api/show before every first call.
            return Ollama(
                model=s.model,
                base_url=self.url,
                request_timeout=s.timeout,
                temperature=s.temperature,
                context_window=CONTEXT_WINDOW,
                additional_kwargs={"num_predict": s.max_tokens},
            )
        from qa.local_llm import load

        return load(s.model, temperature=s.temperature, max_tokens=s.max_tokens)
