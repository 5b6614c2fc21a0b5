"""The HTML the UI shows: escaped article text, clickable markers, highlighted quotes."""

from __future__ import annotations

from html import unescape

from qa.types import ArticleInfo, ArticleView, Citation, ParagraphSpan, Reference
from webui import render

TEXT = "Intro <b>bold</b> & more.\n\nThe <script>alert(1)</script> said eleven were killed. End."
PARA_2 = TEXT.index("The <script>")
QUOTE = "said eleven were killed."


def citation(n: int = 1, quote: str = QUOTE, **changes) -> dict:
    start = TEXT.index(quote)
    values = dict(
        n=n,
        article_id="a1",
        title='Title <img src=x onerror="bad()">',
        source="/data/a1.txt",
        paragraph=2,
        quote=quote,
        start=start,
        end=start + len(quote),
        score=0.9,
        date="2017-08-24",
        paragraph_text=TEXT[PARA_2:],
        paragraph_start=PARA_2,
        also_in=(Reference("a2", "Copy <i>", "/data/a2.txt", 3, None),),
    )
    values.update(changes)
    return Citation(**values).to_dict()


def answer(text: str, numbers=(1,), abstained: bool = False, **extra) -> dict:
    return {"answer": text, "abstained": abstained, "citations": [citation(n) for n in numbers], **extra}


def test_known_markers_become_links_to_their_source():
    html = render.answer_html(answer("Eleven were killed. [1] Nobody knows. [7]"), 2)
    assert '<a class="cite" href="#src-2-1"' in html
    assert "[7]" in html and "#src-2-7" not in html


def test_answer_text_is_escaped_and_kept_out_of_markdown():
    html = render.answer_html(answer("# <script>x()</script> *not bold* [1]"), 0)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.startswith('<div class="answer">') and html.endswith("</div>")


def test_an_abstention_is_marked_as_such():
    html = render.answer_html(answer("The articles don't say how many people live in Sirte.", (), True), 0)
    assert "abstained" in html and "Not in the articles" in html


def test_unsupported_sentences_are_visibly_marked_and_the_rest_are_not():
    claims = [
        {"text": "Eleven were killed.", "citations": [1], "verdict": "supported", "reason": ""},
        {
            "text": "<b>Twelve</b> fled.",
            "citations": [],
            "verdict": "unsupported",
            "reason": "Twelve not in the sources",
        },
    ]
    html = render.answer_html(answer("Eleven were killed. [1] <b>Twelve</b> fled.", claims=claims, model="m"), 0)
    assert html.count('class="claim unsupported"') == 1
    assert "Unsupported</span> &lt;b&gt;Twelve&lt;/b&gt; fled." in html
    assert '<span class="claim">Eleven were killed. <a class="cite"' in html
    assert "Written by m" in html


def test_text_not_yet_checked_is_shown_as_unchecked():
    html = render.unchecked_html("ISIS <claimed> it")
    assert 'class="answer unchecked"' in html and "Checking against the sources" in html and "&lt;claimed&gt;" in html


def test_a_notice_is_shown_with_the_answer():
    html = render.answer_html(answer("Quote. [1]", notice="The model did not answer; showing quotes instead."), 0)
    assert 'class="answer-notice"' in html and "showing quotes instead" in html


def test_a_source_card_escapes_the_article_and_marks_the_quote():
    html = render.sources_html([{"question": "q?", "abstained": False, "citations": [citation()]}])
    assert "<script>" not in html and "<img" not in html
    assert f'<mark data-n="1">{QUOTE}</mark>' in html
    assert "paragraph 2" in html and "2017-08-24" in html
    assert 'data-article="a2"' in html and "Copy &lt;i&gt;" in html


def test_wrong_offsets_fall_back_to_finding_the_quote():
    html = render.sources_html([{"question": "q", "citations": [citation(start=0, end=3)]}])
    assert f'<mark data-n="1">{QUOTE}</mark>' in html


def test_citations_of_one_paragraph_share_a_card():
    two = [citation(1), citation(2, quote="End.")]
    html = render.sources_html([{"question": "q", "citations": two}])
    assert html.count('<article class="source"') == 1
    assert 'id="src-0-1"' in html and 'id="src-0-2"' in html
    assert '<mark data-n="2">End.</mark>' in html


def test_only_the_latest_answers_sources_are_shown():
    turns = [{"question": "first", "citations": [citation()]}, {"question": "second", "citations": [citation()]}]
    html = render.sources_html(turns)
    assert '<section class="turn" data-turn="0" hidden>' in html
    assert '<section class="turn" data-turn="1">' in html


def test_the_article_viewer_highlights_the_paragraph_and_marks_the_quote():
    info = ArticleInfo("a1", "T", "/data/a1.txt", None, None, 2, 2)
    spans = (ParagraphSpan(1, 0, PARA_2 - 2, True), ParagraphSpan(2, PARA_2, len(TEXT), True))
    start = TEXT.index(QUOTE)
    html = render.article_html(ArticleView(info, TEXT, spans), 2, [(start, start + len(QUOTE))])
    assert '<p class="para hl" id="para-2" data-n="2">' in html
    assert f'<mark data-n="0">{QUOTE}</mark>' in html
    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_articles_table_lists_each_article():
    infos = [
        ArticleInfo("b", "Beta <x>", "/d/b.txt", "2020-01-01", None, 4, 5),
        ArticleInfo("a", "Alpha", "/d/a.txt", None, None, 2, 2),
    ]
    html = render.articles_table_html(infos)
    assert html.index("Alpha") < html.index("Beta")
    assert "Beta &lt;x&gt;" in html and "b.txt" in html and "/d/" not in html


def test_the_question_is_escaped_and_kept_out_of_markdown():
    html = render.question_html('<img src="http://x/y.png"> who *claimed* it?\n\n# next')
    assert html.startswith('<div class="question">') and html.endswith("</div>")
    assert "<img" not in html and '"http' not in html
    assert unescape(html).startswith('<div class="question"><img src="http://x/y.png"> who *claimed* it?')
    assert "<br><br># next" in html
