"""Where the project keeps what it derives (ONNX exports, dequantised models), and models kept offline.

Both are set in one place: `cache_root()` (the user's cache folder, `XDG_CACHE_HOME` honoured)
and `offline_models()`, which keeps the Hugging Face libraries from reaching for a hub at run
time: models come from installed packages or folders.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The project's cache folder: `$XDG_CACHE_HOME/qa-news`, else `~/.cache/qa-news`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qa-news"


def offline_models() -> None:
    """Before transformers or sentence-transformers load: no hub, no progress bars, only errors logged."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
