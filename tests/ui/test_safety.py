"""Safe by default: no request leaves the machine, and the app listens on loopback only."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import pytest

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.mark.browser
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
    page.fill("#question textarea", "How many people were beheaded at the al-Fugaha checkpoint?")
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


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on `port`, read from the kernel's socket tables."""
    found = set()
    for table, width in ((Path("/proc/net/tcp"), 4), (Path("/proc/net/tcp6"), 16)):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                raw = bytes.fromhex(address)
                # The kernel prints each 32-bit word in host (little-endian) order.
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, width, 4))
                found.add(str(ipaddress.ip_address(words)))
    return found


def test_the_app_listens_on_loopback_only(app_server):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")
    addresses = listening_addresses(urlsplit(app_server.url).port)
    assert addresses, "the app's listening socket was not found"
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses


@pytest.mark.browser
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
