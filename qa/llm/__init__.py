"""Language models for the llm mode: one module per backend, named in `BACKENDS`; `LanguageModel` drives them.

A backend module has `DEFAULT_URL` (None for an in-process model), `DEFAULT_MODEL` (what answers
are labelled with when no model is named), `build(settings, url)` (the llama-index LLM),
`reachable(settings, url, name)` (ok, one line for `qa status`) and `check(settings)` (a
configuration error, or None); `OWN_TOKENS = True` when the built model counts its own tokens.
A new backend is one module here and one line in `BACKENDS`. This package imports nothing
heavy: backends load on first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

BACKENDS = {
    "openai": "qa.llm.openai",  # any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio, OpenAI)
    "ollama": "qa.llm.ollama",
    "local": "qa.llm.local",  # a model file run in-process
}

if TYPE_CHECKING:
    from qa.llm.model import LanguageModel, ModelError

__all__ = ["BACKENDS", "LanguageModel", "ModelError", "backend"]


def backend(name: str) -> ModuleType:
    """The module of backend `name` (one of `BACKENDS`)."""
    return importlib.import_module(BACKENDS[name])


def __getattr__(name: str):
    if name in ("LanguageModel", "ModelError"):
        from qa.llm import model

        return getattr(model, name)
    raise AttributeError(f"module 'qa.llm' has no attribute {name!r}")
