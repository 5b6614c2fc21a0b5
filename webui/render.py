"""HTML for the chat UI: answers with clickable markers, the sources panel, the article viewer.

The markup lives in Jinja2 macros (`webui/templates/ui.html`), rendered with autoescape on, so
article and user text is escaped wherever it lands. The few pieces built here (a paragraph
with its quotes highlighted, an answer whose `[n]` markers link to their sources) escape the
text they take and hand the templates `Markup`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from qa import split_markers
from qa.types import ArticleInfo, ArticleView


def _paragraphs(text: str) -> Markup:
    """Escaped text whose blank lines become breaks, so it stays inside one HTML block."""
    parts = [escape(p.strip()) for p in re.split(r"\n\s*\n", str(text)) if p.strip()]
    return Markup("<br><br>").join(Markup(p.replace("\n", Markup("<br>"))) for p in parts)


_ENV = Environment(loader=PackageLoader("webui", "templates"), autoescape=True)
_ENV.filters["paragraphs"] = _paragraphs
_UI = _ENV.get_template("ui.html").module


def question_html(text: str) -> str:
    """The person's question as plain text: escaped, and in one `<div>` so markdown leaves it alone.

    The chat would otherwise render it as (sanitised) HTML, and an `<img src=...>` in a question
    would make the browser fetch that address.
    """
    return str(_UI.question(text))


def pending_html() -> str:
    return str(_UI.pending())


def unchecked_html(text: str) -> str:
    """Text as the answerer writes it, before the verifier has checked it: shown muted."""
    return str(_UI.unchecked(text))


def answer_html(answer: Mapping[str, Any], turn: int) -> str:
    """One verified answer (`Answer.to_dict()`): each known `[n]` links to source n, unsupported sentences are marked.

    The whole message is one `<div>` so the chat's markdown renderer leaves the text alone
    (article text may contain `#`, `*` or `_`).
    """
    known = {int(c["n"]) for c in answer.get("citations") or ()}

    def linked(escaped: Markup) -> Markup:
        # The markers survive escaping as they were ("[2]"), so the escaped pieces between them stay escaped.
        return Markup("").join(
            Markup(piece) if isinstance(piece, str) else _UI.cite(turn, piece, piece in known)
            for piece in split_markers(str(escaped))
        )

    claims = answer.get("claims") or []
    text = str(answer.get("answer") or "")
    short = (answer.get("short_answer") or {}).get("text")
    lead = None
    if answer.get("abstained") or not any(c["verdict"] == "unsupported" for c in claims):
        if short and text.startswith(f"{short}: "):
            lead, text = short, text[len(short) + 2 :]
        body = linked(_paragraphs(text))
    else:
        body = Markup(" ").join(
            _UI.claim(
                linked(escape(c["text"]) + "".join(f" [{int(n)}]" for n in c.get("citations") or ())),
                c["verdict"] == "unsupported",
                c.get("reason") or "not found in the sources",
            )
            for c in claims
        )
    return str(_UI.answer(body, lead, answer.get("notice"), answer.get("model"), answer.get("abstained")))


def status_html(text: str, *, busy: bool = False) -> str:
    """The one-line status shown above the chat (progress while indexing)."""
    return str(_UI.status(text, busy))


def notice_html(text: str, kind: str = "info") -> str:
    """A short message in a coloured box (info, ok, error)."""
    return str(_UI.notice(text, kind))


def _highlight(text: str, ranges: Iterable[tuple[int, int, int]], strong: tuple[int, int] | None = None) -> Markup:
    """Escaped `text` with each (start, end, n) range wrapped in `<mark data-n=n>`; overlaps merge.

    `strong` (start, end), inside a range, is the short answer: shown in bold within its quote.
    """
    out, pos = [], 0
    for start, end, n in sorted(ranges):
        start = max(start, pos)
        if not (0 <= start < end <= len(text)):
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark data-n="{}">{}</mark>').format(int(n), _strong(text, start, end, strong)))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _strong(text: str, start: int, end: int, strong: tuple[int, int] | None) -> Markup:
    if strong is None or not (start <= strong[0] < strong[1] <= end):
        return escape(text[start:end])
    a, b = strong
    return Markup('{}<strong class="short-answer">{}</strong>{}').format(text[start:a], text[a:b], text[b:end])


def _quote_range(citation: Mapping[str, Any], paragraph: str) -> tuple[int, int, int] | None:
    """Where the citation's quote sits in its paragraph text, trusting offsets only if they match."""
    quote = str(citation.get("quote") or "")
    if not quote:
        return None
    start = int(citation.get("start", 0)) - int(citation.get("paragraph_start", 0))
    if paragraph[start : start + len(quote)] != quote:
        start = paragraph.find(quote)
        if start < 0:
            return None
    return start, start + len(quote), int(citation["n"])


def _meta(date: str | None, paragraph: int, outlet: str | None = None) -> list[str]:
    return [*([outlet] if outlet else []), *([date] if date else []), f"paragraph {int(paragraph)}"]


def _by_paragraph(citations: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Citations grouped by (article, paragraph), in order of first citation."""
    groups: dict[tuple[str, int], list[Mapping[str, Any]]] = {}
    for c in citations:
        groups.setdefault((str(c["article_id"]), int(c["paragraph"])), []).append(c)
    return list(groups.values())


def _source_card(turn: int, group: Sequence[Mapping[str, Any]], short_answer: Mapping[str, Any] | None = None) -> str:
    """One cited paragraph: every marker citing it, the paragraph, its quotes highlighted."""
    first = group[0]
    numbers = [int(c["n"]) for c in group]
    paragraph = str(first.get("paragraph_text") or first.get("quote") or "")
    ranges = [r for c in group if (r := _quote_range(c, paragraph))]
    short = None
    if short_answer and any(int(c["n"]) == int(short_answer["n"]) for c in group):
        offset = int(first.get("paragraph_start", 0))
        a, b = int(short_answer["start"]) - offset, int(short_answer["end"]) - offset
        short = (a, b) if paragraph[a:b] == short_answer["text"] else None
    also: dict[tuple[str, int], Mapping[str, Any]] = {}
    for c in group:
        for ref in c.get("also_in") or ():
            also.setdefault((str(ref["article_id"]), int(ref["paragraph"])), ref)
    refs = [
        {**r, "paragraph": int(r["paragraph"]), "outlet": r.get("outlet") or _source_name(r["source"])}
        for r in also.values()
    ]
    meta = _meta(first.get("date"), first["paragraph"], first.get("outlet"))
    return str(_UI.source_card(turn, numbers, first["title"], meta, _highlight(paragraph, ranges, short), refs))


def sources_html(turns: Sequence[Mapping[str, Any]]) -> str:
    """The sources panel: one section per answer, the latest shown, older ones a click away."""
    sections = [
        {
            "abstained": bool(turn.get("abstained")),
            "question": turn.get("question", ""),
            "cards": [
                Markup(_source_card(i, g, turn.get("short_answer"))) for g in _by_paragraph(turn.get("citations") or [])
            ],
        }
        for i, turn in enumerate(turns)
    ]
    return str(_UI.sources(sections))


def article_html(view: ArticleView, paragraph: int | None = None, quotes: Sequence[tuple[int, int]] = ()) -> str:
    """The whole article, paragraph `paragraph` highlighted and each quote (text offsets) marked."""
    info = view.info
    blocks = []
    for span in view.paragraphs:
        inside = [(a - span.start, b - span.start, 0) for a, b in quotes if span.start <= a < b <= span.end]
        body = _highlight(view.text[span.start : span.end], inside)
        css = ["para", *(["hl"] if span.n == paragraph else []), *([] if span.indexed else ["unindexed"])]
        blocks.append({"n": span.n, "css": " ".join(css), "body": body.replace("\n", Markup("<br>"))})
    meta = [m for m in (info.date, _source_name(info.source)) if m]
    url = info.url if info.url and info.url.startswith(("http://", "https://")) else None
    return str(_UI.article(info.title, meta, url, info.paragraphs, blocks))


def viewer_message(text: str) -> str:
    """The article viewer showing a short message instead of an article."""
    return str(_UI.viewer_message(text))


def _source_name(source: str) -> str:
    return re.split(r"[\\/]", source)[-1] if source else ""


def articles_table_html(articles: Sequence[ArticleInfo]) -> str:
    """The Articles tab's table: title, date, paragraph count, id and file, sorted by title."""
    rows = [
        {"article_id": a.article_id, "title": a.title, "date": a.date, "paragraphs": int(a.paragraphs),
         "file": _source_name(a.source)}
        for a in sorted(articles, key=lambda a: (a.title.lower(), a.article_id))
    ]  # fmt: skip
    return str(_UI.articles_table(rows))
