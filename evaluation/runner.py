"""Running an evaluation: question items, asking each through `Assistant.ask`, the run folder, the cached eval index."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evaluation import scoring
from qa import Assistant, QAError, Settings

Progress = Callable[[int, int, str], None]

ANSWERS_FILE = "answers.jsonl"
REPORT_FILE = "report.json"
WH_TYPES = ("who", "what", "when", "where", "how many", "why")
GROUP_ORDER = (*WH_TYPES, "unknown", "follow-up", "name variant", "unanswerable")
_VARIANT_TAGS = {"variant", "name variant", "name-variant", "name_variant"}
_FOLLOW_UP_TAGS = {"follow-up", "followup", "follow_up"}


# --- question items ---------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of a question file.

    Beside the required `id` and `question`: `history` (earlier turns, handed to
    `Assistant.ask` as given), `answers` (accepted answer strings), `evidence` (quotes that a
    right paragraph contains), `unanswerable`, and two optional fields that steer grouping:
    `type` (one of who/what/when/where/how many, overriding the guess from the wording) and
    `tags` (extra group labels; "variant" or "name variant" marks a name-variant question).
    """

    id: str
    question: str
    history: Any = None
    answers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    unanswerable: bool = False
    type: str | None = None
    tags: tuple[str, ...] = ()
    judge: str = "answer"  # "short": judged on the short answer when there is one (RealTime QA's protocol)

    def groups(self, answered_type: str | None = None) -> list[str]:
        """The report groups this item counts in: its type plus follow-up, name variant, unanswerable, tags.

        The type is the item's `type` field when it names one, else the kind of question the
        assistant took it for (`Answer.question_type`), else "unknown" (the question failed).
        A question is a
        follow-up when it has a history (or a "follow-up" tag), and a name variant when a
        tag says "variant"/"name variant" or its id contains "variant".
        """
        tags = {t.strip().lower() for t in self.tags}
        kind = self.type if self.type in WH_TYPES else answered_type
        found = [kind if kind in WH_TYPES else "unknown"]
        if self.history or tags & _FOLLOW_UP_TAGS:
            found.append("follow-up")
        if tags & _VARIANT_TAGS or "variant" in self.id.lower():
            found.append("name variant")
        if self.unanswerable:
            found.append("unanswerable")
        found += sorted(tags - _VARIANT_TAGS - _FOLLOW_UP_TAGS - set(found))
        return found


def load_questions(path: Path) -> list[Item]:
    """Read a question file (JSON Lines); a bad line raises QAError naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QAError(f"cannot read question file {path}: {exc.strerror}: check the path") from exc
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = Item(
                id=str(raw["id"]),
                question=str(raw["question"]),
                history=raw.get("history") or None,
                answers=tuple(raw.get("answers") or ()),
                evidence=tuple(raw.get("evidence") or ()),
                unanswerable=bool(raw.get("unanswerable", False)),
                type=raw.get("type"),
                tags=tuple(raw.get("tags") or ()),
                judge=str(raw.get("judge") or "answer"),
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise QAError(
                f'{path}:{number}: not a question record ({exc}): each line needs at least "id" and "question"'
            ) from exc
        if item.id in seen:
            raise QAError(f"{path}:{number}: duplicate id {item.id!r}: ids must be unique")
        seen.add(item.id)
        items.append(item)
    return items


# --- running ---------------------------------------------------------------------


@dataclass
class EvalRun:
    """A finished run: where its files are, the per-question records and the report."""

    out_dir: Path
    records: list[dict[str, Any]]
    report: dict[str, Any]

    @property
    def files(self) -> list[Path]:
        return [self.out_dir / name for name in (ANSWERS_FILE, REPORT_FILE, "report.md", "report.png")]

    def summary(self) -> str:
        """Two lines for a console: counts, then the headline metrics."""
        from evaluation.report import render_summary

        return render_summary(self.report)


def default_out_dir(root: Path = Path("runs")) -> Path:
    """A fresh run folder, `runs/<UTC date and time>`."""
    return root / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def run(
    questions_path: Path,
    *,
    assistant: Assistant,
    out_dir: Path,
    on_progress: Progress | None = None,
    context: Mapping[str, Any] | None = None,
) -> EvalRun:
    """Ask every question through `assistant.ask`, score it and write the run folder.

    Writes answers.jsonl (one record per question, written as it goes), report.json,
    report.md and report.png. An exception in one question is recorded in its record and
    the run goes on. `on_progress(done, total, "asking <id>")` follows each question;
    `context` adds facts to the report (e.g. the corpus and its ingest).
    """
    from evaluation import report as report_writer

    items = load_questions(questions_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    warmup = warm_up(assistant, items)
    timer = time.perf_counter()
    records: list[dict[str, Any]] = []
    with (out_dir / ANSWERS_FILE).open("w", encoding="utf-8") as f:
        for done, item in enumerate(items, start=1):
            record = ask_one(assistant, item)
            records.append(record)
            f.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            f.flush()
            if on_progress is not None:
                on_progress(done, len(items), f"asking {item.id}")

    meta = {
        "title": f"Evaluation of {Path(questions_path).name}",
        "created": started.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - timer, 2),
        "warmup_s": warmup,
        "questions_file": str(questions_path),
        "questions_sha256": hashlib.sha256(Path(questions_path).read_bytes()).hexdigest(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "index": _jsonable(assistant.status()),
        "settings": assistant.settings.to_dict(),
        **(dict(context) if context else {}),
    }
    report = report_writer.build(records, meta=meta)
    report_writer.write(out_dir, report, records)
    return EvalRun(out_dir=out_dir, records=records, report=report)


def warm_up(assistant: Assistant, items: Sequence[Item]) -> float | None:
    """Ask the first question once, outside the results, so lazy model loading is no question's latency.

    Returns the seconds it took (recorded in the report as the warm-up), None without items.
    """
    if not items:
        return None
    started = time.perf_counter()
    with contextlib.suppress(Exception):  # the timed run records any error
        assistant.ask(items[0].question, history=items[0].history)
    return round(time.perf_counter() - started, 3)


def ask_one(assistant: Assistant, item: Item) -> dict[str, Any]:
    """Ask one item and return its scored record; an exception becomes the record's `error`."""
    record: dict[str, Any] = {
        "id": item.id,
        "question": item.question,
        "history": item.history,
        "groups": item.groups(),
        "expected": {
            "answers": list(item.answers),
            "evidence": list(item.evidence),
            "unanswerable": item.unanswerable,
            "judge": item.judge,
        },
        "answer": None,
        "passages": [],
        "latency_s": 0.0,
        "error": None,
    }
    started = time.perf_counter()
    try:
        answer = assistant.ask(item.question, history=item.history)
    except Exception as exc:  # one broken question must not end the run
        record["error"] = f"{type(exc).__name__}: {exc}"
    else:
        record["answer"] = answer.to_dict()
        record["groups"] = item.groups(answer.question_type)
        record["passages"] = [
            {
                "rank": rank,
                "chunk_id": p.chunk_id,
                "article_id": p.article_id,
                "title": p.title,
                "paragraph": p.paragraph,
                "start": p.start,
                "end": p.end,
                "score": p.score,
                "dense_rank": p.dense_rank,
                "keyword_rank": p.keyword_rank,
                "text": p.text,
            }
            for rank, p in enumerate(answer.passages, start=1)
        ]
    record["latency_s"] = round(time.perf_counter() - started, 4)
    record["scores"] = scoring.score_record(record)
    return record


def prepare_assistant(
    settings: Settings | None = None,
    corpus: Path | None = None,
    *,
    cache_dir: Path | None = None,
    on_progress: Progress | None = None,
    **parts: Any,
) -> Assistant:
    """The Assistant to evaluate.

    Without `corpus`, it opens the existing index at `settings.index_dir` (NoIndexError
    when there is none). With it, the index lives in `cache_dir/<hash of the corpus files
    and the index-shaping settings>` (default cache_dir: `<index_dir's parent>/eval-cache`)
    and the corpus is ingested there first; the ingest is content-cached, so a second run
    over the same corpus embeds nothing. A file that fails to ingest raises QAError.
    `parts` are handed to the Assistant as they are (tests share one loaded embedder).
    """
    settings = settings or Settings.from_env()
    if corpus is None:
        return Assistant(settings=settings, create=False, **parts)
    corpus = Path(corpus)
    if not corpus.exists():
        raise QAError(f"no corpus at {corpus}: give a folder of articles (or one file)")
    index_dir = Path(cache_dir or Path(settings.index.dir).parent / "eval-cache") / corpus_key(corpus, settings)
    assistant = Assistant(settings=settings.replace(index_dir=index_dir), **parts)
    report = assistant.ingest([corpus], on_progress=on_progress)
    if report.errors:
        source, message = report.errors[0]
        raise QAError(f"could not ingest {source} from the corpus {corpus}: {message}")
    return assistant


def corpus_key(corpus: Path, settings: Settings) -> str:
    """A short hash of the corpus files (names and bytes) and the settings that shape the index."""
    digest = hashlib.sha256()
    files = [corpus] if corpus.is_file() else sorted(p for p in corpus.rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(corpus.parent if corpus.is_file() else corpus)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    index = settings.to_dict()["index"]
    for name in ("embedding_model", "collection", "boilerplate_file", "repeated_paragraph_articles", "story_overlap"):
        digest.update(f"{name}={index[name]}".encode())
    return digest.hexdigest()[:16]


# --- reading runs back -------------------------------------------------------------


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(report, records) of a run folder."""
    run_dir = Path(run_dir)
    try:
        report = json.loads((run_dir / REPORT_FILE).read_text(encoding="utf-8"))
        lines = (run_dir / ANSWERS_FILE).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QAError(
            f"no evaluation run at {run_dir} ({exc.strerror}): run `qa eval ... --out {run_dir}` first"
        ) from exc
    return report, [json.loads(line) for line in lines if line.strip()]


def compare(run_a: Path, run_b: Path) -> str:
    """Printable differences between two runs: metrics side by side, then question by question."""
    from evaluation import report as report_writer

    a, b = load_run(run_a), load_run(run_b)
    return report_writer.render_comparison(str(run_a), a[0], a[1], str(run_b), b[0], b[1])


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
