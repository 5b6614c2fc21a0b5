"""The Gradio page: the chat with its sources and article viewer, the Articles tab, settings."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from qa.errors import QAError
from webui import articles, chat, render
from webui.jobs import IngestJob, Ingestor

if TYPE_CHECKING:
    from qa import Assistant

log = logging.getLogger(__name__)

ASSETS = Path(__file__).parent / "assets"

EXAMPLES = [
    "How many people were beheaded at the al-Fugaha checkpoint?",
    "When did Amaq release its first video in almost half a year?",
    "What happened at the Uqaylah police station?",
    "Which country is accused of transferring ISIS fighters to Libya?",
]

SOURCES_JS = """
element.addEventListener('click', (ev) => {
  const ref = ev.target.closest('.open-ref');
  if (ref) {
    ev.stopPropagation();
    trigger('click', {article_id: ref.dataset.article, paragraph: Number(ref.dataset.paragraph)});
    return;
  }
  const card = ev.target.closest('article.source');
  if (card) trigger('click', {turn: Number(card.dataset.turn), ns: card.dataset.ns});
});
element.addEventListener('keydown', (ev) => {
  const card = ev.target.closest && ev.target.closest('article.source');
  if (card && (ev.key === 'Enter' || ev.key === ' ')) {
    ev.preventDefault();
    trigger('click', {turn: Number(card.dataset.turn), ns: card.dataset.ns});
  }
});
"""

VIEWER_JS = """
const focusParagraph = () => {
  const hl = element.querySelector('.para.hl');
  if (hl) hl.scrollIntoView({block: 'center'});
  const close = element.querySelector('.viewer-close');
  if (close) close.focus({preventScroll: true});
};
watch('value', focusParagraph);
focusParagraph();
element.addEventListener('click', (ev) => {
  if (ev.target.closest('.viewer-close') || ev.target.classList.contains('viewer-backdrop')) {
    props.value = '';
  }
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && props.value) props.value = '';
});
"""


def head_html() -> str:
    """The page-level script (clickable citation markers), inlined so nothing loads from elsewhere."""
    return f"<script>{(ASSETS / 'app.js').read_text(encoding='utf-8')}</script>"


def css_paths() -> list[Path]:
    return [ASSETS / "app.css"]


def theme() -> gr.themes.Base:
    """The default theme with system fonts only: no font is fetched from any other host."""
    return gr.themes.Default(
        primary_hue="blue",
        font=[gr.themes.Font("system-ui"), gr.themes.Font("Segoe UI"), "Roboto", "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), "Consolas", "monospace"],
    )


@dataclass(frozen=True)
class Status:
    """The status line, whether indexing is under way, and how many articles are searchable."""

    text: str
    busy: bool
    articles: int = 0


def status_text(assistant: Assistant, ingestor: Ingestor) -> Status:
    """What the status line says."""
    try:
        status = assistant.status()
    except QAError as exc:  # a stopped Chroma server, say: say what is wrong, without a traceback
        log.warning("index status: %s", exc)
        return Status(f"The index cannot be read: {exc}", False)
    except Exception:  # a status read must never break the page
        log.exception("status failed")
        return Status("Index status unavailable (see the log).", False)
    n = int(status.get("articles", 0))
    job = ingestor.current()
    if job is not None:
        return Status(job.progress_text(), True, n)
    trouble = _trouble(ingestor.last_finished())
    if not n:
        return Status(f"The index is empty: add articles in the Articles tab.{trouble}", False)
    chunks = status.get("chunks")
    extra = f", {chunks} passages" if chunks is not None else ""
    return Status(f"{n} article{'s' if n != 1 else ''} indexed{extra}.{trouble}", False, n)


def _trouble(job: IngestJob | None) -> str:
    """What went wrong in the last indexing run, for the status line ('' when nothing did)."""
    if job is None:
        return ""
    if job.state == "failed":
        return f" {job.progress_text()}"
    unread = len(job.report.errors) if job.report is not None else 0
    return f" {unread} file(s) could not be read in the last indexing run." if unread else ""


def build_app(assistant: Assistant, ingestor: Ingestor, uploads_dir: Path, default_top_k: int = 5) -> gr.Blocks:
    """The whole page, wired to one `Assistant` (and the ingestor that feeds it)."""
    modes = assistant.answer_modes()
    intake = assistant.intake  # the box takes any length: a question over the limit gets the API's message
    default_mode = assistant.settings.answer_mode if assistant.settings.answer_mode in modes else modes[0]

    def refresh_status() -> tuple[str, Any]:
        now = status_text(assistant, ingestor)
        return render.status_html(now.text, busy=now.busy), gr.Timer(active=now.busy)

    def on_tick() -> tuple[Any, ...]:
        # While indexing only the status moves; the last tick also refreshes the article list.
        now = status_text(assistant, ingestor)
        articles_now = (gr.skip(), gr.skip()) if now.busy else refresh_articles()
        return render.status_html(now.text, busy=now.busy), gr.Timer(active=now.busy), *articles_now

    def refresh_articles() -> tuple[str, Any]:
        try:
            infos = assistant.articles()
        except QAError as exc:  # the status line already says what is wrong
            log.warning("article list: %s", exc)
            return gr.skip(), gr.skip()
        choices = [(f"{a.title} ({a.article_id})", a.article_id) for a in infos]
        return render.articles_table_html(infos), gr.Dropdown(choices=choices, value=None)

    def on_submit(
        question: str, history: list[dict[str, Any]], turns: list[dict[str, Any]], top_k: float, mode: str,
        since: str, until: str,
    ):  # fmt: skip
        window = {"since": since or None, "until": until or None}
        for chat_value, turns_value, sources, box in chat.respond(
            assistant, question, history, turns, top_k, mode, window
        ):
            yield chat_value, turns_value, gr.skip() if sources is None else sources, box

    def on_example(evt: gr.SelectData) -> str:
        value = evt.value
        return value.get("text", "") if isinstance(value, dict) else str(value)

    def open_article(turns: list[dict[str, Any]], evt: gr.EventData) -> str:
        data = evt._data or {}
        quotes: list[tuple[int, int]] = []
        try:
            if "turn" in data:
                numbers = {int(n) for n in str(data["ns"]).split()}
                cited = [c for c in turns[int(data["turn"])]["citations"] if c["n"] in numbers]
                article_id, paragraph = cited[0]["article_id"], int(cited[0]["paragraph"])
                quotes = [(int(c["start"]), int(c["end"])) for c in cited]
            else:
                article_id, paragraph = str(data.get("article_id", "")), int(data.get("paragraph", 0))
        except (LookupError, TypeError, ValueError):
            return render.viewer_message("That source is no longer available.")
        # Only ids in the catalog are opened: the browser never names a file.
        if article_id not in {a.article_id for a in assistant.articles()}:
            return render.viewer_message("That article is not in the index.")
        try:
            view = assistant.article(article_id)
        except QAError as exc:
            return render.viewer_message(str(exc))
        html = render.article_html(view, paragraph, quotes)
        # A fresh stamp makes reopening the same paragraph re-render (the viewer clears itself on close).
        return html.replace('class="viewer-backdrop"', f'class="viewer-backdrop" data-opened="{time.time_ns()}"', 1)

    def upload(files: list[str] | None):
        # Gradio keeps each upload under its original file name in its own cache folder.
        pairs = [(Path(f).name, Path(f)) for f in files or []]
        for kind, message in articles.ingest_uploads(ingestor, pairs, uploads_dir, assistant.check_file):
            if kind == "info":
                yield render.notice_html(message, kind), gr.skip(), gr.skip(), gr.skip(), refresh_status()[0]
            else:
                yield (render.notice_html(message, kind), *refresh_articles(), None, refresh_status()[0])

    def remove(article_id: str | None):
        kind, message = articles.remove_article(assistant, article_id, uploads_dir)
        return (render.notice_html(message, kind), *refresh_articles(), refresh_status()[0])

    def api_ask(question: str, history: list[str] | None = None, top_k: int | None = None) -> dict:
        """Answer a question from the indexed articles.

        Returns the answer text (`answer`), whether the articles don't say (`abstained`) and the
        `citations`: article, paragraph and the exact quoted words for each marker [n].
        """
        try:
            return chat.ask_api(assistant, question, history, top_k)
        except QAError as exc:  # the person's problem to fix: one line in the log, no traceback
            log.warning("API question not answered: %s", exc)
            raise gr.Error(chat.error_message(exc), print_exception=False) from None
        except Exception as exc:
            log.exception("API question %r failed", question)  # a fault of ours: the traceback is logged once
            raise gr.Error(chat.error_message(exc), print_exception=False) from None

    def api_status() -> dict:
        """How the index stands: `articles` indexed, `indexing` under way, and a `message` for a person."""
        now = status_text(assistant, ingestor)
        return {"articles": now.articles, "indexing": now.busy, "message": now.text}

    with gr.Blocks(title="News QA", analytics_enabled=False) as demo:
        turns = gr.State([])
        with gr.Row(elem_id="topbar"):
            gr.HTML(
                "<h1>News QA</h1><p>Ask about the indexed news articles; every answer cites its paragraphs.</p>",
                elem_id="title",
            )
            status = gr.HTML(render.status_html("Loading…"), elem_id="status")
        timer = gr.Timer(1.0, active=True)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=380):
                        chatbot = gr.Chatbot(
                            elem_id="chat",
                            label="Chat",
                            show_label=False,
                            height=560,
                            examples=[{"text": q} for q in EXAMPLES],
                            placeholder="<b>Ask about the news articles.</b><br>Answers quote the articles and cite them with [n]; click a marker to see the paragraph.",
                            feedback_options=None,
                            buttons=["copy"],
                            line_breaks=False,
                        )
                        with gr.Row(elem_id="ask-row", equal_height=True):
                            question = gr.Textbox(
                                placeholder="Ask a question, e.g. How many people were beheaded at the al-Fugaha checkpoint?",
                                show_label=False,
                                elem_id="question",
                                scale=5,
                                autofocus=True,
                                submit_btn=False,
                                container=False,
                                lines=1,
                            )
                            send = gr.Button("Ask", variant="primary", elem_id="send", scale=1, min_width=80)
                        with gr.Row():
                            clear = gr.Button("New conversation", size="sm", elem_id="clear", variant="secondary")
                        with gr.Accordion("Settings", open=False, elem_id="settings"):
                            top_k = gr.Slider(
                                1, 20, value=default_top_k, step=1, label="Passages to retrieve", elem_id="top-k"
                            )
                            mode = gr.Radio(
                                modes,
                                value=default_mode,
                                label="Answer mode",
                                info="extractive quotes the articles word for word; llm (when QA_LLM names a model) "
                                "writes the answer and checks each sentence against the paragraph it cites.",
                                elem_id="mode",
                            )
                            with gr.Row():
                                since = gr.Textbox(
                                    label="Published from", placeholder="YYYY-MM-DD", elem_id="since", max_length=10
                                )
                                until = gr.Textbox(
                                    label="Published until", placeholder="YYYY-MM-DD", elem_id="until", max_length=10
                                )
                    with gr.Column(scale=2, min_width=320):
                        sources = gr.HTML(
                            render.sources_html([]), elem_id="sources", js_on_load=SOURCES_JS, max_height=700
                        )
                viewer = gr.HTML("", elem_id="viewer", js_on_load=VIEWER_JS)
            with gr.Tab("Articles", id="articles") as articles_tab:
                table = gr.HTML(render.articles_table_html([]), elem_id="articles-table")
                with gr.Row(equal_height=False):
                    with gr.Column():
                        files = gr.File(
                            label=f"Add articles: {', '.join(intake.file_types)}, up to {intake.max_file_mb:g} MB each",
                            file_count="multiple",
                            elem_id="upload",
                            height=150,
                        )
                        add = gr.Button("Add to index", variant="primary", elem_id="add")
                        notice = gr.HTML("", elem_id="articles-notice")
                    with gr.Column():
                        pick = gr.Dropdown(label="Remove an article", choices=[], elem_id="remove-pick")
                        drop = gr.Button("Remove", variant="stop", elem_id="remove")
                        removed = gr.HTML("", elem_id="remove-notice")

        private = {"api_visibility": "private"}
        submit_args = {
            "fn": on_submit,
            "inputs": [question, chatbot, turns, top_k, mode, since, until],
            "outputs": [chatbot, turns, sources, question],
            **private,
        }
        question.submit(**submit_args)
        send.click(**submit_args)
        chatbot.example_select(on_example, None, question, **private).then(**submit_args)
        clear.click(lambda: ([], [], render.sources_html([]), ""), None, [chatbot, turns, sources, viewer], **private)
        chatbot.clear(lambda: ([], render.sources_html([]), ""), None, [turns, sources, viewer], **private)
        sources.click(open_article, [turns], viewer, **private)
        timer.tick(on_tick, None, [status, timer, table, pick], **private)
        demo.load(refresh_status, None, [status, timer], **private)
        articles_tab.select(refresh_articles, None, [table, pick], **private)
        add.click(upload, [files], [notice, table, pick, files, status], concurrency_limit=1, **private)
        drop.click(remove, [pick], [removed, table, pick, status], concurrency_limit=1, **private)
        demo.load(refresh_articles, None, [table, pick], **private)
        gr.api(api_ask, api_name="ask")
        gr.api(api_status, api_name="status")
    return demo
