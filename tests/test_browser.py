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


def _post_with_image(env) -> tuple[int, str]:
    from sqlalchemy import select

    from watchfloor.store.schema import media, post_media

    with env.store.connect() as conn:
        row = conn.execute(
            select(post_media.c.post_id, media.c.sha256)
            .join(media, media.c.sha256 == post_media.c.sha256)
            .where(media.c.mime.like("image/%"))
            .order_by(post_media.c.post_id)
            .limit(1)
        ).one()
    return row.post_id, row.sha256


def _arabic_post(env) -> int:
    """The id of a post the language analyzer read as Arabic (signals name posts by key)."""
    from sqlalchemy import select

    from watchfloor.store.schema import channels, posts, signals

    with env.store.connect() as conn:
        keys = conn.execute(
            select(signals.c.subject, signals.c.value)
            .where(signals.c.kind == "language", signals.c.subject_type == "post")
            .limit(5000)
        ).all()
        key = next(r.subject for r in keys if (r.value or {}).get("language") == "ar")
        channel_key, message_id = key.rsplit("/", 1)
        return conn.execute(
            select(posts.c.id)
            .join(channels, channels.c.id == posts.c.channel_id)
            .where(channels.c.key == channel_key, posts.c.message_id == int(message_id))
        ).scalar_one()


def test_reveal_a_blurred_image_and_find_the_audit_entry(page, site):
    env, _, _ = site
    post_id, sha = _post_with_image(env)
    log_in(page, "viewer")
    page.goto(f"{page.base_url}/posts/{post_id}")
    figure = page.locator(f"#media-{sha[:12]}")
    image = figure.locator("img")
    assert image.get_attribute("src").endswith("/preview")
    assert "blur" in image.evaluate("el => getComputedStyle(el).filter")
    screenshot(page, "post-blurred")
    figure.get_by_role("button", name=re.compile("^Reveal")).click()
    page.wait_for_load_state("networkidle")
    image = page.locator(f"#media-{sha[:12]} img")
    assert image.get_attribute("src") == f"/media/{sha}"
    assert image.evaluate("el => el.complete && el.naturalWidth") > 0
    with env.store.connect() as conn:
        entries = audit.list_audit(conn, action="reveal_media", target_id=sha)
    assert [e.actor for e in entries] == ["viewer-user"]
    screenshot(page, "post-revealed")
    assert page.guard.blocked == []


def test_the_map_shows_its_markers_with_the_network_blocked(page):
    log_in(page, "viewer")
    page.goto(page.base_url + "/targets")
    markers = page.locator("svg .wf-marker")
    assert markers.count() >= 3
    box = page.locator("svg.worldmap, figure svg").first.bounding_box()
    assert box and box["width"] > 400
    paris = page.locator("svg a[aria-label*='Paris']").first
    assert paris.count() == 1
    screenshot(page, "targets-map")
    paris.click()
    page.wait_for_load_state("networkidle")
    assert "/targets/" in page.url
    screenshot(page, "target")
    assert page.guard.blocked == []


def test_acknowledge_an_alert(page, site):
    env, _, _ = site
    from watchfloor.alerts.state import list_alerts

    with env.store.connect() as conn:
        alert = next(a for a in list_alerts(conn) if a.status == "new")
    log_in(page, "analyst")
    page.goto(page.base_url + "/alerts")
    screenshot(page, "alerts")
    page.goto(f"{page.base_url}/alerts/{alert.id}")
    page.get_by_label(re.compile("^Note")).fill("seen; passed to the duty officer")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state("networkidle")
    with env.store.connect() as conn:
        after = next(a for a in list_alerts(conn) if a.id == alert.id)
        entries = audit.list_audit(conn, action="alert_status", target_id=str(alert.id))
    assert after.status == "acknowledged" and after.status_by == "analyst-user"
    assert entries and entries[0].actor == "analyst-user"
    assert page.evaluate(UNLABELLED_CONTROLS) == []


def test_arabic_renders_right_to_left(page, site):
    env, _, _ = site
    post_id = _arabic_post(env)
    log_in(page, "viewer")
    page.goto(f"{page.base_url}/posts/{post_id}")
    text = page.locator("#post-text")
    assert text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert text.get_attribute("lang") == "ar"
    box = text.bounding_box()
    first_char = text.evaluate(
        """el => { const r = document.createRange(); const t = el.firstChild;
             const node = t.nodeType === 3 ? t : el.querySelector('*').firstChild || el.firstChild;
             r.setStart(node, 0); r.setEnd(node, 1); return r.getBoundingClientRect().right; }"""
    )
    assert first_char > box["x"] + box["width"] / 2  # the first letter sits on the right
    screenshot(page, "post-arabic")


def test_the_main_pages_render_for_screenshots(page):
    log_in(page, "admin")
    for path, name in (
        ("/", "overview"),
        ("/channels", "channels"),
        ("/campaigns", "campaigns"),
        ("/search?q=%D9%84%D9%86%D8%AF%D9%86", "search-arabic"),
        ("/audit", "audit"),
    ):
        response = page.goto(page.base_url + path)
        assert response.status == 200, path
        screenshot(page, name)
    assert page.guard.blocked == []
