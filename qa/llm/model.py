"""The language-model adapter: the configured backend's llama-index LLM behind one small interface.

The backends (`qa.llm.BACKENDS`) build the LLMs, imported on first use. Every backend
failure becomes `ModelError` with one line a person can act on; the API key is never put
in a message, a log line or a report.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from qa.config import LLMSettings
from qa.errors import QAError
from qa.llm import backend

log = logging.getLogger(__name__)

CONTEXT_WINDOW = 8192  # told to the backends (Ollama would otherwise ask the server first)
CHARS_PER_TOKEN = 4  # the budget's estimate where the model's own tokenizer is not at hand


class ModelError(QAError):
    """The language model could not answer (unreachable, timed out, refused, or said nothing)."""


class LanguageModel:
    """Streams a chat reply from one configured model: `stream(system, user)` yields text pieces."""

    def __init__(self, settings: LLMSettings, llm: Any = None) -> None:
        if not settings.enabled and llm is None:
            raise QAError("no language model is configured: set QA_LLM to openai, ollama or local (or pass --llm)")
        self.backend = backend(settings.backend) if settings.enabled else None
        problem = self.backend.check(settings) if self.backend and llm is None else None
        if problem:
            raise QAError(problem)
        self.settings = settings
        self._llm = llm

    @property
    def name(self) -> str:
        """What answers are labelled with, e.g. "llama3.1:8b (ollama)"."""
        s = self.settings
        model = s.model or (self.backend.DEFAULT_MODEL if self.backend else "default model")
        return f"{model.rsplit('/', 1)[-1]} ({s.backend})"

    @property
    def url(self) -> str | None:
        default = self.backend.DEFAULT_URL if self.backend else None
        return None if default is None else (self.settings.base_url or default)

    @property
    def llm(self) -> Any:
        if self._llm is None:
            self._llm = self._build()
        return self._llm

    def count_tokens(self, text: str) -> int:
        counter = getattr(self.llm, "count_tokens", None) if getattr(self.backend, "OWN_TOKENS", False) else None
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
        return self.backend.reachable(self.settings, self.url, self.name)

    def _build(self) -> Any:
        return self.backend.build(self.settings, self.url)


def probe(
    base: str, path: str, name: str, settings: LLMSettings, headers: dict[str, str] | None = None
) -> tuple[bool, str]:
    """(ok, the reply's body or a line saying why not) for a GET of `path` on the model server at `base`."""
    where = base.rstrip("/")
    request = urllib.request.Request(f"{where}/{path}")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=min(settings.timeout, settings.probe_timeout)) as reply:
            return True, reply.read(1_000_000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return False, f"{name} at {where}: the server refused the API key (HTTP {exc.code})"
        return False, f"{name} at {where}: the server answered HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return False, f"{name} at {where}: unreachable ({type(exc).__name__})"
