"""Safe by default: no request leaves the machine, and the app listens on loopback only."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_the_page_makes_no_request_to_another_host(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    outside: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(app_server.url)
    page.wait_for_selector("#question textarea")
    page.fill("#question textarea", "Who claimed the Fugaha attack?")
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#sources article.source", timeout=60_000)
    page.locator("#sources article.source").first.click()
    page.wait_for_selector("#viewer .viewer")
    page.keyboard.press("Escape")
    page.get_by_role("tab", name="Articles").click()
    page.wait_for_selector("#articles-table table.articles")
    page.wait_for_timeout(500)
    context.close()

    assert outside == []


def test_the_server_makes_no_request_to_another_host(app_server):
    # The app runs with every proxy variable pointing at a recorder; telemetry, version
    # checks or model downloads would have gone through it.
    assert app_server.outbound.seen == []


def test_the_app_listens_on_loopback_only(app_server):
    port = urlsplit(app_server.url).port
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for address in addresses - {"127.0.0.1"}:
        if address.startswith("127."):
            continue
        with socket.socket() as s:
            s.settimeout(1)
            assert s.connect_ex((address, port)) != 0, f"reachable on {address}:{port}"


def test_the_article_viewer_opens_only_indexed_articles(page):
    # A forged click naming a file instead of an article id shows a message, not the file.
    page.evaluate(
        """() => {
            const el = document.querySelector('#sources');
            const fake = document.createElement('button');
            fake.className = 'open-ref';
            fake.dataset.article = '../../../../etc/passwd';
            fake.dataset.paragraph = '1';
            el.querySelector('.sources').appendChild(fake);
            fake.click();
        }"""
    )
    notice = page.locator("#viewer .notice.error")
    notice.wait_for()
    assert "not in the index" in notice.inner_text()
    assert "root:" not in page.locator("#viewer").inner_text()
