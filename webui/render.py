"""HTML for the chat UI: answers with clickable markers, the sources panel, the article viewer.

Every piece of article or user text goes through `html.escape`; nothing here trusts its input.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from qa.citations import MARKER
from qa.types import ArticleInfo, ArticleView


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _paragraphs_as_html(text: str) -> str:
    """Escaped text whose blank lines become breaks, so it stays inside one HTML block."""
    parts = [_e(p.strip()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "<br><br>".join(p.replace("\n", "<br>") for p in parts)


def question_html(text: str) -> str:
    """The person's question as plain text: escaped, and in one `<div>` so markdown leaves it alone.

    The chat would otherwise render it as (sanitised) HTML, and an `<img src=...>` in a question
    would make the browser fetch that address.
    """
    return f'<div class="question">{_paragraphs_as_html(text)}</div>'


def pending_html() -> str:
    return '<div class="answer pending">Searching the articles…</div>'


def unchecked_html(text: str) -> str:
    """Text as the answerer writes it, before the verifier has checked it: shown muted."""
    return (
        '<div class="answer unchecked" aria-busy="true"><span class="check-badge">Checking against the sources…</span> '
        f"{_paragraphs_as_html(text)}</div>"
    )


def answer_html(answer: Mapping[str, Any], turn: int) -> str:
    """One verified answer (`Answer.to_dict()`): each known `[n]` links to source n, unsupported sentences are marked.

    The whole message is one `<div>` so the chat's markdown renderer leaves the text alone
    (article text may contain `#`, `*` or `_`).
    """
    known = {int(c["n"]) for c in answer.get("citations") or ()}

    def link(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        return "".join(
            f'<a class="cite" href="#src-{turn}-{n}" title="Show source {n}">[{n}]</a>' if n in known else f"[{n}]"
            for n in numbers
        )

    claims = answer.get("claims") or []
    text = str(answer.get("answer") or "")
    short = (answer.get("short_answer") or {}).get("text")
    if answer.get("abstained") or not any(c["verdict"] == "unsupported" for c in claims):
        if short and text.startswith(f"{short}: "):
            rest = MARKER.sub(link, _paragraphs_as_html(text[len(short) + 2 :]))
            body = f'<strong class="short-answer">{_e(short)}</strong>: {rest}'
        else:
            body = MARKER.sub(link, _paragraphs_as_html(text))
    else:
        body = " ".join(_claim_html(c, link) for c in claims)
    extras = []
    if answer.get("notice"):
        extras.append(f'<div class="answer-notice">{_e(answer["notice"])}</div>')
    if answer.get("model"):
        extras.append(
            f'<div class="answer-model">Written by {_e(answer["model"])}; each sentence checked against its source.</div>'
        )
    if answer.get("abstained"):
        return (
            f'<div class="answer abstained"><span class="abstain-badge">Not in the articles</span> {body}'
            f"{''.join(extras)}</div>"
        )
    return f'<div class="answer">{body}{"".join(extras)}</div>'


def _claim_html(claim: Mapping[str, Any], link) -> str:
    markers = "".join(f" [{int(n)}]" for n in claim.get("citations") or ())
    text = MARKER.sub(link, _e(claim["text"]) + markers)
    if claim["verdict"] != "unsupported":
        return f'<span class="claim">{text}</span>'
    reason = _e(claim.get("reason") or "not found in the sources")
    return (
        f'<span class="claim unsupported" title="Not supported by the sources: {reason}">'
        f'<span class="unsupported-badge">Unsupported</span> {text}</span>'
    )


def status_html(text: str, *, busy: bool = False) -> str:
    """The one-line status shown above the chat (progress while indexing)."""
    css = "status busy" if busy else "status"
    spinner = '<span class="spinner" aria-hidden="true"></span>' if busy else ""
    return f'<div class="{css}" role="status">{spinner}{_e(text)}</div>'


def notice_html(text: str, kind: str = "info") -> str:
    """A short message in a coloured box (info, ok, error)."""
    return f'<div class="notice {_e(kind)}">{_e(text)}</div>'


def _highlight(text: str, ranges: Iterable[tuple[int, int, int]], strong: tuple[int, int] | None = None) -> str:
    """Escaped `text` with each (start, end, n) range wrapped in `<mark data-n=n>`; overlaps merge.

    `strong` (start, end), inside a range, is the short answer: shown in bold within its quote.
    """
    out, pos = [], 0
    for start, end, n in sorted(ranges):
        start = max(start, pos)
        if not (0 <= start < end <= len(text)):
            continue
        out.append(_e(text[pos:start]))
        out.append(f'<mark data-n="{int(n)}">{_strong(text, start, end, strong)}</mark>')
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _strong(text: str, start: int, end: int, strong: tuple[int, int] | None) -> str:
    if strong is None or not (start <= strong[0] < strong[1] <= end):
        return _e(text[start:end])
    a, b = strong
    return f'{_e(text[start:a])}<strong class="short-answer">{_e(text[a:b])}</strong>{_e(text[b:end])}'


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


def _meta(date: str | None, paragraph: int, outlet: str | None = None) -> str:
    bits = [_e(outlet)] if outlet else []
    bits += [_e(date)] if date else []
    bits.append(f"paragraph {int(paragraph)}")
    return " · ".join(bits)


def _also_in(refs: Sequence[Mapping[str, Any]]) -> str:
    if not refs:
        return ""
    links = ", ".join(
        f'<button type="button" class="open-ref" data-article="{_e(r["article_id"])}" '
        f'data-paragraph="{int(r["paragraph"])}">{_e(r["title"])} ({_e(r.get("outlet") or _source_name(r["source"]))}, '
        f"paragraph {int(r['paragraph'])}" + (f", {_e(r['date'])}" if r.get("date") else "") + ")</button>"
        for r in refs
    )
    return f'<div class="also">Also reported in {links}</div>'


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
    markers = " ".join(
        f'<span class="src-n">[{n}]</span>'
        if n == numbers[0]
        else f'<span class="src-n" id="src-{turn}-{n}">[{n}]</span>'
        for n in numbers
    )
    also: dict[tuple[str, int], Mapping[str, Any]] = {}
    for c in group:
        for ref in c.get("also_in") or ():
            also.setdefault((str(ref["article_id"]), int(ref["paragraph"])), ref)
    return (
        f'<article class="source" id="src-{turn}-{numbers[0]}" data-turn="{turn}" '
        f'data-ns="{" ".join(map(str, numbers))}" tabindex="0" title="Open the whole article">'
        f'<header>{markers} <span class="src-title">{_e(first["title"])}</span></header>'
        f'<div class="src-meta"><span>{_meta(first.get("date"), first["paragraph"], first.get("outlet"))}</span>'
        f'<span class="src-open">Open article ›</span></div>'
        f'<div class="src-text">{_highlight(paragraph, ranges, short)}</div>'
        f"{_also_in(list(also.values()))}"
        "</article>"
    )


def sources_html(turns: Sequence[Mapping[str, Any]]) -> str:
    """The sources panel: one section per answer, the latest shown, older ones a click away."""
    if not turns:
        return (
            '<div class="sources empty"><h3>Sources</h3>'
            "<p>Ask a question: the passages each answer comes from appear here, "
            "with the quoted words highlighted.</p></div>"
        )
    sections = []
    last = len(turns) - 1
    for i, turn in enumerate(turns):
        citations = turn.get("citations") or []
        heading = "Nearest passages (they do not answer the question)" if turn.get("abstained") else "Sources"
        question = _e(turn.get("question", ""))
        short = turn.get("short_answer")
        cards = "".join(_source_card(i, g, short) for g in _by_paragraph(citations)) or "<p>No passages to show.</p>"
        hidden = "" if i == last else " hidden"
        kind = " abstained" if turn.get("abstained") else ""
        sections.append(
            f'<section class="turn{kind}" data-turn="{i}"{hidden}>'
            f"<h3>{heading}</h3>"
            f'<p class="turn-q">for “{question}”</p>{cards}</section>'
        )
    return f'<div class="sources">{"".join(sections)}</div>'


def article_html(view: ArticleView, paragraph: int | None = None, quotes: Sequence[tuple[int, int]] = ()) -> str:
    """The whole article, paragraph `paragraph` highlighted and each quote (text offsets) marked."""
    info = view.info
    text = view.text
    blocks = []
    for span in view.paragraphs:
        chunk = text[span.start : span.end]
        inside = [(a - span.start, b - span.start, 0) for a, b in quotes if span.start <= a < b <= span.end]
        body = _highlight(chunk, inside)
        css = ["para"]
        if span.n == paragraph:
            css.append("hl")
        if not span.indexed:
            css.append("unindexed")
        blocks.append(
            f'<p class="{" ".join(css)}" id="para-{span.n}" data-n="{span.n}">'
            f'<span class="pnum" aria-label="paragraph {span.n}">{span.n}</span>'
            f"{body.replace(chr(10), '<br>')}</p>"
        )
    meta = [m for m in (info.date, _source_name(info.source)) if m]
    link = (
        f' · <a href="{_e(info.url)}" target="_blank" rel="noopener noreferrer">original</a>'
        if info.url and info.url.startswith(("http://", "https://"))
        else ""
    )
    return (
        '<div class="viewer-backdrop"><div class="viewer" role="dialog" aria-modal="true" '
        f'aria-label="{_e(info.title)}">'
        '<button type="button" class="viewer-close" aria-label="Close">×</button>'
        f'<h2>{_e(info.title)}</h2><div class="viewer-meta">'
        f"{' · '.join(_e(m) for m in meta)}{link}"
        f" · {info.paragraphs} paragraphs</div>"
        f'<div class="viewer-body">{"".join(blocks)}</div></div></div>'
    )


def viewer_message(text: str) -> str:
    """The article viewer showing a short message instead of an article."""
    return (
        '<div class="viewer-backdrop"><div class="viewer small" role="dialog" aria-modal="true">'
        '<button type="button" class="viewer-close" aria-label="Close">×</button>'
        f"{notice_html(text, 'error')}</div></div>"
    )


def _source_name(source: str) -> str:
    return re.split(r"[\\/]", source)[-1] if source else ""


def articles_table_html(articles: Sequence[ArticleInfo]) -> str:
    """The Articles tab's table: title, date, paragraph count, id and file, sorted by title."""
    if not articles:
        return '<p class="articles-empty">No articles yet: add some below.</p>'
    rows = "".join(
        f'<tr data-article="{_e(a.article_id)}"><td class="a-title">{_e(a.title)}</td>'
        f'<td>{_e(a.date or "—")}</td><td class="num">{int(a.paragraphs)}</td>'
        f'<td class="a-id">{_e(a.article_id)}</td><td class="a-file">{_e(_source_name(a.source))}</td></tr>'
        for a in sorted(articles, key=lambda a: (a.title.lower(), a.article_id))
    )
    return (
        f'<table class="articles"><caption>{len(articles)} indexed article'
        f"{'s' if len(articles) != 1 else ''}</caption><thead><tr><th>Title</th><th>Date</th>"
        '<th class="num">Paragraphs</th><th>ID</th><th>File</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
