"""The `qa` command: ingest, ask, remove, status, eval. Errors become one line and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from index.controls import without_controls
from qa.config import LLM_BACKENDS, Settings
from qa.errors import QAError

DEFAULT_CORPUS = "data/articles"
# Generation is fixed for evaluation, whatever the environment says, so runs compare.
EVAL_GENERATION = {"llm_temperature": 0.0, "llm_max_tokens": 256}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: an option given before or after the command name counts; neither overrides the other.
    common.add_argument("--index", metavar="DIR", default=argparse.SUPPRESS, help="index folder (QA_INDEX_DIR)")
    common.add_argument(
        "--chroma-url", metavar="URL", default=argparse.SUPPRESS, help="Chroma server URL (QA_CHROMA_URL)"
    )
    common.add_argument(
        "--model", metavar="NAME", default=argparse.SUPPRESS, help="sentence-transformers model (QA_EMBEDDING_MODEL)"
    )
    llm = argparse.ArgumentParser(add_help=False)
    llm.add_argument(
        "--llm",
        choices=LLM_BACKENDS,
        default=None,
        help="answer with a language model: openai, ollama or local (QA_LLM)",
    )
    llm.add_argument(
        "--llm-model", metavar="NAME", default=None, help="the model's name, or a local model file (QA_LLM_MODEL)"
    )
    llm.add_argument("--llm-url", metavar="URL", default=None, help="the model server's URL (QA_LLM_BASE_URL)")

    parser = argparse.ArgumentParser(
        prog="qa",
        parents=[common],
        description="Ask questions about a collection of news articles; every answer cites its paragraph.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", parents=[common], help="index files or folders (default: data/articles)")
    ingest.add_argument("paths", nargs="*", metavar="PATH")
    ingest.add_argument(
        "--rebuild",
        action="store_true",
        help="build the index again from these files only; the old one answers until the new one is complete",
    )

    ask = commands.add_parser("ask", parents=[common, llm], help="answer a question from the indexed articles")
    ask.add_argument("question")
    ask.add_argument("--history", nargs="*", default=[], metavar="Q", help="earlier questions, oldest first")
    ask.add_argument("--top-k", type=int, default=None, metavar="N", help="passages to retrieve")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument(
        "--since", metavar="YYYY-MM-DD", default=None, help="only articles published on or after this date"
    )
    ask.add_argument(
        "--until", metavar="YYYY-MM-DD", default=None, help="only articles published on or before this date"
    )

    remove = commands.add_parser("remove", parents=[common], help="remove an article (by file, folder or article id)")
    remove.add_argument("path")

    status = commands.add_parser(
        "status", parents=[common, llm], help="what is indexed, where, with which models, and whether they respond"
    )
    status.add_argument("--json", action="store_true")

    evaluate = commands.add_parser("eval", parents=[common, llm], help="score the assistant on a question file")
    evaluate.add_argument("questions", nargs="?", metavar="QUESTIONS.jsonl")
    evaluate.add_argument("--corpus", metavar="DIR", help="ingest this folder into a fresh (cached) index first")
    evaluate.add_argument("--out", metavar="DIR", default=None, help="where to write the run (default: runs/<time>)")
    evaluate.add_argument(
        "--compare", nargs=2, metavar=("RUN_A", "RUN_B"), help="compare two runs question by question"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except QAError as exc:
        _print(f"qa: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _print("qa: interrupted; what was already indexed is kept", file=sys.stderr)
        return 130


def _settings(args: argparse.Namespace, **fixed: object) -> Settings:
    backend = getattr(args, "llm", None)
    return Settings.from_env(
        index_dir=getattr(args, "index", None),
        index_chroma_url=getattr(args, "chroma_url", None),
        index_embedding_model=getattr(args, "model", None),
        llm_backend=backend,
        llm_model=getattr(args, "llm_model", None),
        llm_base_url=getattr(args, "llm_url", None),
        # --llm asks for the model's answer, whatever QA_ANSWER_MODE says.
        answer_mode=None if backend is None else ("extractive" if backend == "off" else "llm"),
        **fixed,
    )


def _print(text: str = "", file=None) -> None:
    """Print without control characters, so text from articles cannot drive the terminal.

    A lone surrogate (a path given in bytes that are not UTF-8) is shown as "?", not a traceback.
    """
    text = without_controls(text, keep="\t\n").encode("utf-8", "replace").decode("utf-8")
    print(text, file=file or sys.stdout)


def _assistant(args: argparse.Namespace, *, create: bool):
    from qa.api import Assistant

    return Assistant(settings=_settings(args), create=create)


def _check_reachable(path: Path) -> None:
    try:
        found = path.exists()
    except PermissionError:
        raise QAError(f"permission denied for {path}: make it (and the folders above it) readable") from None
    if not found:
        raise QAError(f"no such file or folder: {path}: check the path (default corpus: {DEFAULT_CORPUS})")


def _ingest(args: argparse.Namespace) -> int:
    paths = args.paths or [DEFAULT_CORPUS]
    for path in paths:
        _check_reachable(Path(path).expanduser())

    def waiting(message: str) -> None:
        _print(f"qa: {message}", file=sys.stderr)

    with _ProgressBar() as bar:
        if args.rebuild:
            from qa.rebuild import rebuild_index

            report = rebuild_index(_settings(args), paths, on_progress=bar.update, on_wait=waiting)
            assistant = _assistant(args, create=True)
        else:
            assistant = _assistant(args, create=True)
            report = assistant.ingest(paths, on_progress=bar.update, on_wait=waiting)
    for note in report.notes:
        _print(f"note: {note}", file=sys.stderr)
    for source, message in report.warnings:
        _print(f"warning: {source}: {message}", file=sys.stderr)
    for source, message in report.errors:
        _print(f"qa: {message if message.startswith(source) else f'{source}: {message}'}", file=sys.stderr)
    _print(report.summary())
    _print(f"index: {assistant.status()['index']}")
    return 2 if report.errors else 0


def _ask(args: argparse.Namespace) -> int:
    from qa.conversation import plain_text

    # Checked before the index and the models load, so a refusal is immediate (the API checks the same).
    question = plain_text(args.question)  # argv bytes that were not UTF-8 arrive as lone surrogates
    if not question:
        raise QAError('the question is empty: qa ask "how many people were beheaded at the al-Fugaha checkpoint?"')
    history = [plain_text(h, "a --history question") for h in args.history]
    if args.top_k is not None and args.top_k < 1:
        raise QAError(f"--top-k {args.top_k} is not a number of passages: give a whole number of 1 or more, e.g. 5")
    assistant = _assistant(args, create=False)
    answer = assistant.ask(question, history, top_k=args.top_k, since=args.since, until=args.until)
    if args.json:
        _print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    if answer.notice:
        _print(f"({answer.notice})")
    _print(answer.text)
    if answer.model:
        _print(f"(written by {answer.model}; every sentence checked against its source)")
    if answer.unsupported:
        _print("\nNot supported by the sources:")
        for claim in answer.unsupported:
            _print(f"  ✗ {claim.text}" + (f" ({claim.reason})" if claim.reason else ""))
    if answer.citations:
        _print("\nNearest passages:" if answer.abstained else "\nSources:")
    for c in answer.citations:
        _print(f"[{c.n}] {c.title} — {c.article_id}, paragraph {c.paragraph}{f', {c.date}' if c.date else ''}")
        _print(f"    “{c.quote}”")
        _print(f"    {c.source} (characters {c.start}-{c.end})")
        for ref in c.also_in:
            _print(f"    also reported in {ref.title} — {ref.article_id}, paragraph {ref.paragraph}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    report = _assistant(args, create=False).remove(args.path)
    _print(f"removed {report.articles} articles ({report.removed} chunks)")
    return 0


def _status(args: argparse.Namespace) -> int:
    assistant = _assistant(args, create=False)
    status = assistant.status()
    healthy = True
    if assistant.settings.llm.enabled:
        reachable, detail = assistant.llm_reachable()
        status["llm"] = f"{status['llm']}: {detail}"
        healthy = reachable
    if args.json:
        _print(json.dumps(status, indent=2))
    else:
        for key, value in status.items():
            _print(f"{key:>11}: {value}")
    return 0 if healthy else 2


def _eval(args: argparse.Namespace) -> int:
    from evaluation import runner

    if args.compare:
        _print(runner.compare(Path(args.compare[0]), Path(args.compare[1])))
        return 0
    if not args.questions:
        raise QAError("give a question file: qa eval eval/questions.jsonl [--corpus DIR] [--out DIR]")
    questions = Path(args.questions)
    if not questions.is_file():
        raise QAError(f"no question file at {questions}: e.g. qa eval eval/questions.jsonl")
    settings = _settings(args, **EVAL_GENERATION)
    assistant = runner.prepare_assistant(settings, Path(args.corpus) if args.corpus else None)
    out = Path(args.out) if args.out else runner.default_out_dir()
    with _ProgressBar(unit="question") as bar:
        run = runner.run(questions, assistant=assistant, out_dir=out, on_progress=bar.update)
    _print(run.summary())
    _print(f"report: {out / 'report.md'}")
    return 0


class _ProgressBar:
    """A tqdm bar on stderr for long stages (off when stderr is not a terminal)."""

    def __init__(self, unit: str = "paragraph", threshold: int = 32) -> None:
        self.unit = unit
        self.threshold = threshold
        self._bar = None
        self._stage = ""

    def update(self, done: int, total: int, message: str) -> None:
        stage = message.split(" ", 1)[0]
        if stage != self._stage:
            self.close()
            self._stage = stage
            if total >= self.threshold:
                from tqdm import tqdm

                self._bar = tqdm(
                    total=total,
                    unit=self.unit if stage == "embedding" else "step",
                    desc=stage,
                    disable=None,
                    file=sys.stderr,
                )
        if self._bar is not None:
            self._bar.n = done
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_COMMANDS = {"ingest": _ingest, "ask": _ask, "remove": _remove, "status": _status, "eval": _eval}

if __name__ == "__main__":
    raise SystemExit(main())
