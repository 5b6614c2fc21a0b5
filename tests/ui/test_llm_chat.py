"""The chat with a language model configured: real streamed tokens shown unchecked, then the verified answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.llm_server import ScriptedModel, source_number
from tests.ui.conftest import AppServer, open_tab, start_app, wait_until_ready

AMAQ = "the ISIS Amaq news agency released a statement"


def reply(body: dict) -> str:
    n = source_number(body, AMAQ)
    return (
        f"The ISIS Amaq news agency claimed responsibility for the attack on the al-Fugaha checkpoint [{n}]. "
        f"The attackers also seized 300 rifles from the checkpoint [{n}]."
    )


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedModel]:
    server = ScriptedModel(reply, pause=0.25, chunk_words=3)
    yield server
    server.close()


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory, model) -> Iterator[AppServer]:
    env = {"QA_LLM": "openai", "QA_LLM_BASE_URL": f"{model.url}/v1", "QA_LLM_MODEL": "scripted"}
    server = start_app(tmp_path_factory.mktemp("ui-llm"), env=env)
    try:
        wait_until_ready(server, articles=5)
        yield server
    finally:
        server.stop()


@pytest.fixture()
def llm_page(browser, llm_app):
    yield from open_tab(browser, llm_app)


def test_the_model_answer_streams_unchecked_then_unsupported_sentences_are_marked(llm_page, model):
    page = llm_page
    seen: list[tuple[str, str]] = []
    page.expose_function("recordAnswer", lambda css, text: seen.append((css, text)))
    page.evaluate(
        """() => new MutationObserver(() => {
             const a = [...document.querySelectorAll('#chat .answer')].pop();
             if (a) window.recordAnswer(a.className, a.innerText);
           }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true})"""
    )
    page.fill("#question textarea", "How many people were beheaded at the al-Fugaha checkpoint?")
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#sources section.turn")

    unchecked = [text for css, text in seen if "unchecked" in css]
    assert len({len(t) for t in unchecked}) >= 3, seen  # real pieces, as the model sent them
    assert all("Checking against the sources" in t for t in unchecked)
    final = page.locator("#chat .answer").last
    assert "unchecked" not in final.get_attribute("class")
    assert final.locator(".claim.unsupported").count() == 1
    assert "300 rifles" in final.locator(".claim.unsupported").inner_text()
    assert "Unsupported" in final.locator(".unsupported-badge").inner_text()
    assert final.locator(".claim:not(.unsupported) a.cite").count() == 1
    assert "Written by scripted (openai)" in final.inner_text()
