"""The chat in a real browser: answers with clickable citations, sources, the article viewer, follow-ups."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

FUGAHA_ARTICLE = "002_87556d76f135b60a"

IN_VIEW = """el => {
    const box = el.getBoundingClientRect();
    const pane = el.closest('.viewer-body').getBoundingClientRect();
    return box.top >= pane.top - 1 && box.top < pane.bottom && box.height > 0;
}"""


def test_the_page_offers_example_questions_on_first_use(page):
    examples = page.locator("#chat button", has_text="How many people were beheaded at the al-Fugaha checkpoint?")
    assert examples.count() == 1


def test_clicking_an_example_asks_it(page, chat):
    page.locator("#chat button", has_text="How many people were beheaded at the al-Fugaha checkpoint?").click()
    page.wait_for_selector("#sources section.turn")
    assert "eleven" in chat.last_answer()


def test_citation_one_shows_paragraph_one_of_the_fugaha_article_with_the_quote_highlighted(page, chat):
    chat.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert "eleven" in chat.last_answer()

    page.locator("#chat a.cite", has_text="[1]").first.click()
    card = page.locator("#sources article.source.flash")
    card.wait_for()
    assert card.get_attribute("id") == "src-0-1"
    assert "paragraph 1" in card.locator(".src-meta").inner_text()
    quote = card.locator('mark[data-n="1"]').inner_text()
    paragraph = card.locator(".src-text").inner_text()
    assert len(quote) > 20 and quote in paragraph
    assert "al-Fugaha checkpoint" in paragraph and "eleven" in paragraph

    card.click()
    viewer = page.locator("#viewer .viewer")
    viewer.wait_for()
    assert FUGAHA_ARTICLE in viewer.locator(".viewer-meta").inner_text()
    highlighted = viewer.locator(".para.hl")
    assert highlighted.get_attribute("data-n") == "1"
    assert quote in highlighted.locator("mark").all_inner_texts()
    assert highlighted.evaluate(IN_VIEW)
    assert viewer.locator(".para").count() > 1  # the whole article, not just the paragraph

    page.keyboard.press("Escape")
    viewer.wait_for(state="detached")


def test_a_follow_up_question_uses_the_conversation(page, chat):
    chat.ask("When did Islamic State fighters attack the al-Fugaha checkpoint?")
    chat.ask("How many people were beheaded?")
    assert "eleven" in chat.last_answer().lower()
    # The follow-up has its own sources; the first answer's are one marker click away.
    assert page.locator("#sources section.turn:not([hidden])").get_attribute("data-turn") == "1"
    page.locator('#chat a.cite[href="#src-0-1"]').click()
    assert page.locator("#sources section.turn:not([hidden])").get_attribute("data-turn") == "0"


def test_a_question_the_articles_do_not_answer_is_visibly_an_abstention(page, chat):
    chat.ask("How many people live in Sirte?")
    answer = page.locator("#chat .answer").last
    assert "abstained" in (answer.get_attribute("class") or "")
    assert answer.inner_text().count("The articles don't say") == 1
    assert answer.locator(".abstain-badge").is_visible()
    section = page.locator("#sources section.turn").last
    assert "Nearest passages" in section.locator("h3").inner_text()


def paragraph_of(card) -> int:
    return int(re.search(r"paragraph (\d+)", card.locator(".src-meta").inner_text()).group(1))


def test_opening_a_source_scrolls_its_paragraph_into_view(page, chat):
    chat.ask("How many people live in Sirte?")  # the nearest passages sit deep in a long article
    cards = page.locator("#sources section.turn:not([hidden]) article.source").all()
    deepest = max(cards, key=paragraph_of)
    assert paragraph_of(deepest) > 4

    deepest.click()

    highlighted = page.locator("#viewer .viewer .para.hl")
    highlighted.wait_for()
    assert highlighted.get_attribute("data-n") == str(paragraph_of(deepest))
    assert highlighted.evaluate(IN_VIEW)


def test_a_near_duplicate_is_offered_as_also_reported_in_and_opens(page, chat):
    chat.ask("What happened at the Uqaylah police station?")
    also = page.locator("#sources section.turn:not([hidden]) .also .open-ref").first
    assert "paragraph" in also.inner_text()

    also.click()

    viewer = page.locator("#viewer .viewer")
    viewer.wait_for()
    assert also.get_attribute("data-article") in viewer.locator(".viewer-meta").inner_text()
    assert viewer.locator(".para.hl").get_attribute("data-n") == also.get_attribute("data-paragraph")


def test_the_answer_is_shown_unchecked_then_replaced_by_the_verified_one(page, chat):
    seen: list[str] = []
    page.expose_function("recordAnswer", lambda html: seen.append(html))
    page.evaluate(
        """() => new MutationObserver(() => {
             const a = [...document.querySelectorAll('#chat .answer')].pop();
             if (a) window.recordAnswer(a.outerHTML);
           }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true})"""
    )
    chat.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    unchecked = [h for h in seen if "unchecked" in h]
    assert unchecked, seen
    assert seen.index(unchecked[0]) < len(seen) - 1
    final = page.locator("#chat .answer").last
    assert "unchecked" not in final.get_attribute("class") and "eleven" in final.inner_text()


def test_the_screenshot_shows_an_answer_with_its_sources(page, chat, screenshot, tmp_path):
    chat.ask("When did Islamic State fighters attack the al-Fugaha checkpoint?")
    chat.ask("How many people were beheaded?")
    page.locator("#chat a.cite").last.click()
    page.wait_for_timeout(1700)  # let the source highlight fade so the shot is calm

    path = screenshot(page, tmp_path)

    assert path.stat().st_size > 50_000
    assert page.locator("#sources section.turn:not([hidden]) article.source").first.is_visible()


def test_a_date_range_limits_the_articles_searched(page, chat):
    page.locator("#settings").click()
    page.fill("#since input, #since textarea", "2030-01-01")
    answer = chat.ask("how many people were beheaded at the al-Fugaha checkpoint?")
    assert "don't say" in answer
    page.fill("#since input, #since textarea", "")
    assert "eleven" in chat.ask("how many people were beheaded at the al-Fugaha checkpoint?")


def test_the_question_is_shown_as_plain_text_not_as_html(page, chat):
    question = '<img src="http://127.0.0.1:9/x.png"> who claimed the attack?'
    chat.ask(question)
    bubble = page.locator('#chat [data-testid="user"]').last
    assert bubble.locator("img").count() == 0
    assert question in bubble.inner_text()
