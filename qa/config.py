"""The one settings object, built once at the edge (CLI, UI, eval) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from qa.errors import QAError


def default_index_dir() -> Path:
    """Where the index lives unless told otherwise: the user's data folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "qa-news" / "index"


@dataclass(frozen=True)
class Settings:
    """Every knob of the assistant, typed and defaulted. `from_env` reads `QA_*` variables."""

    index_dir: Path = field(
        default_factory=default_index_dir,
        metadata={"env": "QA_INDEX_DIR", "help": "folder of the local index (Chroma, catalog, BM25)"},
    )
    chroma_url: str | None = field(
        default=None,
        metadata={"env": "QA_CHROMA_URL", "help": "Chroma server URL; vectors go there instead"},
    )
    collection: str = field(
        default="paragraphs",
        metadata={"env": "QA_COLLECTION", "help": "Chroma collection name"},
    )
    embedding_model: str = field(
        default="",
        metadata={
            "env": "QA_EMBEDDING_MODEL",
            "help": "sentence-transformers model name or path; empty = bundled all-MiniLM-L6-v2",
        },
    )
    aliases_file: Path | None = field(
        default=None,
        metadata={"env": "QA_ALIASES", "help": "extra alias table (TOML) merged over the built-in one"},
    )
    boilerplate_file: Path | None = field(
        default=None,
        metadata={"env": "QA_BOILERPLATE", "help": "extra boilerplate rules (TOML) merged over the built-in ones"},
    )
    top_k: int = field(default=5, metadata={"env": "QA_TOP_K", "help": "passages retrieved per question"})
    candidates: int = field(
        default=40,
        metadata={"env": "QA_CANDIDATES", "help": "candidates from each retriever before fusion"},
    )
    min_support: float = field(
        default=0.40,
        metadata={
            "env": "QA_MIN_SUPPORT",
            "help": "evidence strength (key-term coverage blended with meaning similarity, 0-1) below which it abstains",
        },
    )
    answer_mode: str = field(default="extractive", metadata={"env": "QA_ANSWER_MODE", "help": "answerer: extractive"})
    repeated_paragraph_articles: int = field(
        default=3,
        metadata={
            "env": "QA_REPEATED_PARAGRAPH_ARTICLES",
            "help": "a paragraph found verbatim in this many articles is boilerplate",
        },
    )
    batch_size: int = field(default=64, metadata={"env": "QA_BATCH_SIZE", "help": "embedding batch size"})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from `QA_*` environment variables; explicit overrides win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, f.type, raw, f.metadata["env"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("index_dir", "aliases_file", "boilerplate_file"):
            if isinstance(values.get(key), str):
                values[key] = Path(values[key])
        return cls(**values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every field: the README's settings table."""
        rows = []
        for f in fields(cls):
            default = f.default_factory() if callable(f.default_factory) else f.default
            rows.append((f.metadata["env"], str(default), f.metadata["help"]))
        return rows


def _parse(name: str, type_name: object, raw: str, env_name: str) -> object:
    kind = str(type_name)
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError:
        raise QAError(f"{env_name}={raw!r} is not a number: fix or unset it") from None
    if "Path" in kind:
        return Path(raw).expanduser()
    return raw
