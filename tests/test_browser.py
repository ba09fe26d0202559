"""The web app in a real browser: Debian's Chromium driven by Playwright, against a real server.

Screenshots of the main pages are kept under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from tests.browsertools import OffsiteGuard, browser, chromium_available, screenshot, serve
from tests.webtools import PASSWORD
from watchfloor.accounts import audit

pytestmark = pytest.mark.skipif(
    not chromium_available(), reason="Debian's chromium is not installed"
)

# Every labelled control: a label, aria-label, aria-labelledby or (buttons) visible text.
UNLABELLED_CONTROLS = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter(el => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.labels && el.labels.length) return false;
    if (['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim()) return false;
    if (el.getAttribute('title')) return false;
    return true;
  }).map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
def site(demo_web):
    for role in ("viewer", "analyst", "admin"):
        demo_web.user(f"{role}-user", role)
    with serve(demo_web.app) as base_url, browser() as chromium:
        yield demo_web, base_url, chromium


@pytest.fixture
def page(site):
    _env, base_url, chromium = site
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    guard = OffsiteGuard(base_url)
    context.route("**/*", guard)
    page = context.new_page()
    page.base_url, page.guard = base_url, guard
    yield page
    context.close()


def log_in(page, role: str) -> None:
    page.goto(page.base_url + "/")
    assert "/login" in page.url
    page.get_by_label("User name").fill(f"{role}-user")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url


def test_log_in_and_out(page, site):
    env, _, _ = site
    log_in(page, "viewer")
    screenshot(page, "overview")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto(page.base_url + "/account")
    assert "/login" in page.url
    with env.store.connect() as conn:
        assert audit.list_audit(conn, actor="viewer-user", action="login")
    assert page.guard.blocked == []


def test_wrong_password_is_refused_with_a_message(page):
    page.goto(page.base_url + "/login")
    page.get_by_label("User name").fill("viewer-user")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("Wrong name or password")


def test_keyboard_reaches_the_skip_link_then_the_content(page):
    log_in(page, "viewer")
    page.goto(page.base_url + "/account")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_controls_on_the_account_page_are_labelled(page):
    log_in(page, "analyst")
    page.goto(page.base_url + "/account")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    screenshot(page, "account")
