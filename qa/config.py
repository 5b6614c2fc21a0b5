"""The one settings tree (index, retrieval, answer, llm), built once at the edge and passed down.

Every field is typed, defaulted and described, and has its `QA_*` environment variable.
Only `Settings.from_env` reads the environment; everything below the edge takes values.
"""

from __future__ import annotations

import os
import typing
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from qa.errors import QAError
from qa.llm import BACKENDS

SECTIONS = ("index", "retrieval", "answer", "verify", "llm")
LLM_BACKENDS = ("off", *BACKENDS)
ANSWER_MODES = ("extractive", "llm")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def default_index_dir() -> Path:
    """Where the index lives unless told otherwise: the user's data folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "qa-news" / "index"


def setting(
    default: Any = None,
    *,
    env: str,
    help: str,
    choices: tuple[str, ...] = (),
    secret: bool = False,
    internal: bool = False,
    factory=None,
):
    """A settings field: its default, environment variable and one line saying what it does.

    `internal` marks a seam for the tests, left out of the user's settings table (`describe`).
    """
    metadata = {"env": env, "help": help, "choices": choices, "secret": secret, "internal": internal}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata, repr=not secret)


@dataclass(frozen=True)
class IndexSettings:
    """Where and how articles are stored."""

    dir: Path = setting(
        env="QA_INDEX_DIR", factory=default_index_dir, help="folder of the local index (Chroma, catalog, keyword index)"
    )
    chroma_url: str | None = setting(
        None, env="QA_CHROMA_URL", help="Chroma server URL; the server then holds the index"
    )
    collection: str = setting("paragraphs", env="QA_COLLECTION", help="Chroma collection name")
    embedding_model: str = setting(
        "", env="QA_EMBEDDING_MODEL", help="sentence-transformers model name or path; empty = bundled all-MiniLM-L6-v2"
    )
    boilerplate_file: Path | None = setting(
        None, env="QA_BOILERPLATE", help="extra boilerplate rules (TOML) merged over the built-in ones"
    )
    story_overlap: float = setting(
        0.5,
        env="QA_STORY_OVERLAP",
        help="share of paragraphs (Jaccard) above which two articles are copies of one story",
    )
    repeated_paragraph_articles: int = setting(
        3,
        env="QA_REPEATED_PARAGRAPH_ARTICLES",
        help="a paragraph found verbatim in this many different stories is boilerplate",
    )
    batch_size: int = setting(16, env="QA_BATCH_SIZE", help="texts encoded per embedding batch")
    precision: str = setting(
        "auto", env="QA_PRECISION", choices=("auto", "bf16", "fp32"),
        help="bulk encoding precision: auto = bf16 where the CPU has AMX or AVX-512 BF16, else fp32",
    )  # fmt: skip
    query_encoder: str = setting(
        "auto", env="QA_QUERY_ENCODER", choices=("auto", "onnx", "torch"),
        help="questions are encoded by: auto = the ONNX export (made at the first ingest) when present, else PyTorch",
    )  # fmt: skip
    threads: int = setting(0, env="QA_THREADS", help="PyTorch threads for bulk encoding (0 = one per core)")
    max_file_mb: float = setting(
        20.0, env="QA_MAX_FILE_MB", help="largest file ingested, in MB; bigger ones are refused"
    )
    refresh_seconds: float = setting(
        2.0, env="QA_REFRESH_SECONDS", help="server mode: how often a reader asks the server whether the index changed"
    )
    follow_links_outside: bool = setting(
        False,
        env="QA_FOLLOW_OUTSIDE_LINKS",
        help="read a symbolic link whose target lies outside the folder being ingested; off = skip it with a reason",
    )
    batch_files: int = setting(
        64, env="QA_INGEST_BATCH_FILES", help="files read before a batch is embedded and committed"
    )
    batch_chunks: int = setting(
        512, env="QA_INGEST_BATCH_CHUNKS", help="new paragraphs that also close a batch (memory stays flat)"
    )
    fault_kill: str = setting(
        "",
        env="QA_FAULT_KILL",
        help="test seam: STAGE:N kills the ingest at a stage (read, embed, vectors, commit) of batch N",
        internal=True,
    )
    title_max_chars: int = setting(
        120, env="QA_TITLE_MAX_CHARS", help="a first line up to this long, not ending a sentence, is the title"
    )
    title_sentence_chars: int = setting(
        100, env="QA_TITLE_SENTENCE_CHARS", help="a first sentence used as a title is cut to this length"
    )

    @property
    def max_file_bytes(self) -> int:
        """`max_file_mb` in bytes: the one limit the ingest, the upload check and the UI share."""
        return int(self.max_file_mb * 1024 * 1024)


@dataclass(frozen=True)
class RetrievalSettings:
    """How passages are found and ordered."""

    top_k: int = setting(5, env="QA_TOP_K", help="passages retrieved per question")
    candidates: int = setting(40, env="QA_CANDIDATES", help="candidates taken from each retriever before fusion")
    rrf_k: int = setting(
        60, env="QA_RRF_K", help="reciprocal-rank-fusion constant: larger flattens the head of each list"
    )
    dense_weight: float = setting(1.0, env="QA_DENSE_WEIGHT", help="weight of the dense (embedding) ranking in fusion")
    keyword_weight: float = setting(1.0, env="QA_KEYWORD_WEIGHT", help="weight of the keyword (BM25) ranking in fusion")
    neighbours: bool = setting(
        True,
        env="QA_NEIGHBOURS",
        help="also read the paragraphs beside each hit (a story often names its subject one up)",
    )
    duplicate_overlap: float = setting(
        0.8,
        env="QA_DUPLICATE_OVERLAP",
        help="word-set overlap above which two paragraphs are one report, folded together",
    )
    aliases_file: Path | None = setting(
        None, env="QA_ALIASES", help="extra alias table (TOML) merged over the built-in one"
    )
    ranker: str = setting(
        "trees",
        env="QA_RANKER",
        choices=("trees", "reader"),
        help="what picks the answer: trees (fitted trees over word features, qa/ranker/ranker.json) or reader "
        "(the span reader fine-tuned from the bundled MiniLM, qa/reader/, with the trees' view of each sentence "
        "as one input to its calibrator; see the README)",
    )
    read_passages: int = setting(
        5, env="QA_READ_PASSAGES", help="passages the reader reads per question (the best fused ones first)"
    )
    reader_model: Path | None = setting(
        None, env="QA_READER", help="reader artifact (.npz) to answer with; empty = the shipped qa/reader/reader.npz"
    )
    reader_precision: str = setting(
        "fp32",
        env="QA_READER_PRECISION",
        choices=("fp32", "int8"),
        help="the reader's ONNX weights: fp32, or int8 (quantised: faster, but 3.6 F1 points lower on the fitting "
        "data's held-out fold; see the README)",
    )
    reader_threads: int = setting(2, env="QA_READER_THREADS", help="ONNX Runtime threads for the reader (per question)")
    reader_runtime: str = setting(
        "auto",
        env="QA_READER_RUNTIME",
        choices=("auto", "onnx", "torch"),
        help="what runs the reader: onnx (ONNX Runtime, never imports PyTorch), torch (PyTorch, bfloat16 where the "
        "CPU computes it natively: 3-4 times faster once loaded; the app's default), or auto (torch in a process "
        "that has loaded PyTorch already, else onnx)",
    )


@dataclass(frozen=True)
class AnswerSettings:
    """How the answer is composed, and when the assistant abstains."""

    mode: str = setting(
        "",
        env="QA_ANSWER_MODE",
        choices=("", *ANSWER_MODES),
        help="answerer: extractive or llm; empty = llm when QA_LLM names a backend, else extractive",
    )
    min_support: float | None = setting(
        None,
        env="QA_MIN_SUPPORT",
        help="calibrated probability (0-1) that the best answer is right, below which it abstains; "
        "empty = the fitted default recorded in qa/reader/calibrator.json (see the README: calibrated abstention)",
    )
    max_question_chars: int = setting(1000, env="QA_MAX_QUESTION_CHARS", help="longest question accepted")
    nearest: int = setting(3, env="QA_NEAREST", help="nearest passages an abstention shows, for checking by hand")
    topic_chars: int = setting(120, env="QA_TOPIC_CHARS", help="most characters of the question an abstention repeats")


@dataclass(frozen=True)
class VerifySettings:
    """How each sentence a model writes is checked against the paragraph it cites.

    The defaults were tuned on SQuAD v2.0's articles by `python -m bench.verification --tune`.
    """

    window: int = setting(3, env="QA_VERIFY_WINDOW", help="longest supporting span, in consecutive sentences")
    compare: int = setting(
        4, env="QA_VERIFY_COMPARE", help="spans per paragraph compared by meaning (the best by words first)"
    )
    word_weight: float = setting(
        0.3, env="QA_VERIFY_WORD_WEIGHT", help="share of agreement from shared words (the rest from meaning similarity)"
    )
    min_support: float = setting(
        0.55, env="QA_VERIFY_MIN_SUPPORT", help="agreement (0-1) a span needs to support a sentence"
    )
    anchor_words: int = setting(
        5, env="QA_VERIFY_ANCHOR_WORDS", help="words either side of a name or number compared with the span's (0 = off)"
    )
    min_anchor: float = setting(
        0.25, env="QA_VERIFY_MIN_ANCHOR", help="share of those words a span must have beside the same name or number"
    )
    anchor_names: bool = setting(
        True, env="QA_VERIFY_ANCHOR_NAMES", help="names too, not only numbers and dates, must stand in the same context"
    )
    judge: bool = setting(
        True, env="QA_VERIFY_JUDGE", help="the fitted support judge scores agreement (off: shared words and similarity)"
    )
    judge_min_support: float = setting(
        0.5, env="QA_VERIFY_JUDGE_MIN", help="the judge's probability (0-1) a span needs to support a sentence"
    )
    judge_compare: int = setting(
        2,
        env="QA_VERIFY_JUDGE_COMPARE",
        help="spans per paragraph the judge reads, one forward pass each (those the exact rules let through, the "
        "best by words first)",
    )
    judge_anchors: str = setting(
        "numbers",
        env="QA_VERIFY_JUDGE_ANCHORS",
        choices=("off", "numbers", "all"),
        help="with the judge, keep the same-context rule for numbers and dates, or for names as well",
    )
    copy_share: float = setting(
        0.6,
        env="QA_VERIFY_COPY_SHARE",
        help="a sentence that copies at least this share of its words from a sentence of its span's paragraph, but "
        "for a name or number that sentence has as another, is unsupported (0: no such check)",
    )
    quote_words: int = setting(
        5,
        env="QA_VERIFY_QUOTE_WORDS",
        help="a sentence of at least this many words found word for word in a span holds",
    )
    judge_swap_margin: float = setting(
        0.5,
        env="QA_VERIFY_JUDGE_SWAP",
        help="with the judge, a sentence is unsupported when its span supports it this much better (in logits) with "
        "two of its names swapped (0: no swap check)",
    )
    judge_swaps: int = setting(
        6, env="QA_VERIFY_JUDGE_SWAPS", help="at most this many swaps of two names read per sentence, one pass each"
    )


@dataclass(frozen=True)
class LLMSettings:
    """The language model used by the llm answer mode."""

    backend: str = setting(
        "off", env="QA_LLM", choices=LLM_BACKENDS, help="off, openai (any OpenAI-compatible server), ollama, or local"
    )
    base_url: str | None = setting(
        None, env="QA_LLM_BASE_URL", help="server URL, e.g. http://localhost:11434 (ollama) or http://host:8000/v1"
    )
    model: str = setting(
        "",
        env="QA_LLM_MODEL",
        help="model name on the server; for local, a GGUF file or model folder (empty = SmolLM2)",
    )
    api_key: str | None = setting(
        None, env="QA_LLM_API_KEY", help="API key sent to the server (never logged)", secret=True
    )
    timeout: float = setting(60.0, env="QA_LLM_TIMEOUT", help="seconds to wait for the model before falling back")
    probe_timeout: float = setting(
        5.0, env="QA_LLM_PROBE_TIMEOUT", help="seconds the status check waits for the model server to list its models"
    )
    temperature: float = setting(0.0, env="QA_LLM_TEMPERATURE", help="sampling temperature (0 = deterministic)")
    max_tokens: int = setting(256, env="QA_LLM_MAX_TOKENS", help="longest answer the model may write, in tokens")
    history_turns: int = setting(
        3, env="QA_LLM_HISTORY_TURNS", help="earlier exchanges the model sees when it rewrites a follow-up question"
    )
    history_answer_chars: int = setting(
        400, env="QA_LLM_HISTORY_CHARS", help="most characters of each earlier answer the model sees then"
    )
    context_tokens: int = setting(
        1200, env="QA_LLM_CONTEXT_TOKENS", help="token budget for the source passages sent to the model"
    )
    prompts_dir: Path | None = setting(
        None, env="QA_PROMPTS", help="folder of prompt templates overriding the built-in ones (same file names)"
    )

    @property
    def enabled(self) -> bool:
        return self.backend != "off"


@dataclass(frozen=True)
class Settings:
    """Every knob of the assistant. Override a field with its flat name: `index_dir`, `llm_backend`..."""

    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    verify: VerifySettings = field(default_factory=VerifySettings)
    llm: LLMSettings = field(default_factory=LLMSettings)

    @classmethod
    def from_env(cls, environ: typing.Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from `QA_*` environment variables; explicit overrides (flat names, None = unset) win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, f, _ in _fields():
            raw = env.get(f.metadata["env"])
            if raw is not None and raw.strip() != "":
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls().replace(**values)

    def replace(self, **values: Any) -> Settings:
        """A copy with fields changed, by flat name (`index_dir=...`); strings are parsed by the field's type."""
        known = {name: (section, f, kind) for name, f, (section, kind) in _fields()}
        changed: dict[str, dict[str, Any]] = {}
        for name, value in values.items():
            if name not in known:
                raise QAError(f"unknown setting {name!r}: `qa --help` or the README's settings table lists them")
            section, f, kind = known[name]
            changed.setdefault(section, {})[f.name] = _parse(f, kind, value)
        return replace(self, **{s: replace(getattr(self, s), **v) for s, v in changed.items()})

    @property
    def answer_mode(self) -> str:
        """The answerer asked for, or the default: llm when a backend is configured."""
        return self.answer.mode or ("llm" if self.llm.enabled else "extractive")

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Plain values for reports; secrets are redacted."""
        out: dict[str, dict[str, Any]] = {}
        for section in SECTIONS:
            part = getattr(self, section)
            out[section] = {
                f.name: ("(set)" if getattr(part, f.name) else None)
                if f.metadata["secret"]
                else _plain(getattr(part, f.name))
                for f in fields(part)
            }
        return out

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every field but the tests' seams: the README's settings table."""
        rows = []
        for _, f, _ in _fields():
            if f.metadata["internal"]:
                continue
            default = f.default_factory() if callable(f.default_factory) else f.default
            rows.append((f.metadata["env"], "(none)" if default in (None, "") else str(default), f.metadata["help"]))
        return rows


def _fields() -> list[tuple[str, Any, tuple[str, type]]]:
    """(flat name, field, (section, the type its text is parsed into)) of every setting."""
    out = []
    for section in SECTIONS:
        kind = typing.get_type_hints(Settings)[section]
        hints = typing.get_type_hints(kind)
        out += [(f"{section}_{f.name}", f, (section, _base(hints[f.name]))) for f in fields(kind)]
    return out


def _base(hint: Any) -> type:
    """`int` for `int`, `Path` for `Path | None`."""
    types = [t for t in typing.get_args(hint) if t is not type(None)]
    return types[0] if types else hint


def _flag(raw: str) -> bool:
    if raw.lower() not in _TRUE | _FALSE:
        raise ValueError(raw)
    return raw.lower() in _TRUE


# One converter per setting type, from the text of an environment variable or a command-line flag.
_CONVERTERS: dict[type, typing.Callable[[str], Any]] = {
    bool: _flag,
    int: int,
    float: float,
    Path: lambda raw: Path(raw).expanduser() if raw else None,
    str: str,
}


def _parse(f: Any, kind: type, value: Any) -> Any:
    env = f.metadata["env"]
    if not isinstance(value, str):
        parsed = Path(value).expanduser() if isinstance(value, Path) else value
    else:
        try:
            parsed = _CONVERTERS[kind](value.strip())
        except ValueError:
            expected = "true or false" if kind is bool else "a number"
            raise QAError(f"{env}={value!r} is not {expected}: fix or unset it") from None
    choices = f.metadata["choices"]
    if choices and parsed not in choices:
        shown = ", ".join(c for c in choices if c)
        raise QAError(f"{env}={value!r} is not one of {shown}: fix or unset it")
    if isinstance(parsed, int | float) and not isinstance(parsed, bool) and parsed < 0:
        raise QAError(f"{env}={value!r} must not be negative: fix or unset it")
    return parsed


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if is_dataclass(value):
        return str(value)
    return value
