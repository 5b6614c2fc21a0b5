"""Start the News QA web app: `python app.py [--host H] [--port P] [--share] [--index DIR]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from webui.server import LaunchError, launch, launch_options, quiet_environment

HERE = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Chat with the news articles in your browser.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    parser.add_argument("--share", action="store_true", help="also open a public Gradio share link (off by default)")
    parser.add_argument(
        "--index", type=Path, default=None, help="index folder (default: QA_INDEX_DIR or the user data folder)"
    )
    parser.add_argument(
        "--articles",
        type=Path,
        default=HERE / "data" / "articles",
        help="articles ingested on first start when the index is empty (default: data/articles)",
    )
    parser.add_argument(
        "--uploads", type=Path, default=None, help="where uploaded articles are kept (default: INDEX/uploads)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_environment()  # before gradio or chromadb is imported anywhere
    try:
        options = launch_options(args.host, args.port, args.share)
    except LaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from qa import Assistant, QAError, Settings
    from webui.jobs import Ingestor
    from webui.layout import build_app, css_paths, head_html, theme

    try:
        # The app runs for long: loading PyTorch once buys a reader 3-4 times faster (QA_READER_RUNTIME overrides).
        runtime = None if os.environ.get("QA_READER_RUNTIME", "").strip() else "torch"
        settings = Settings.from_env(
            index_dir=args.index.expanduser() if args.index else None, retrieval_reader_runtime=runtime
        )
        assistant = Assistant(settings=settings)
    except QAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    ingestor = Ingestor(assistant)
    # Gradio's transfer cap, derived from the ingest's limit: twice it, so a file a little over the limit still
    # reaches the ingest's checks and gets their reason ("over the 20 MB limit"), not a bare transfer error.
    options["max_file_size"] = 2 * assistant.intake.max_file_bytes

    def first_start() -> None:
        # Ingest after the server is up, so the page already shows the progress.
        try:
            empty = not assistant.status().get("articles")
        except QAError as exc:  # a Chroma server that does not answer: the status line says so
            logging.getLogger("app").warning("index status: %s", exc)
            return
        if empty and args.articles.is_dir():
            ingestor.submit([args.articles], label=f"Indexing the articles in {args.articles.name}/")

    uploads = args.uploads or Path(settings.index.dir) / "uploads"
    demo = build_app(assistant, ingestor, uploads, default_top_k=settings.retrieval.top_k)
    launch(demo, options, on_started=first_start, theme=theme(), css_paths=css_paths(), head=head_html())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
