"""Alerts inbox: filters, the evidence linked to posts, channels and targets, acknowledging and
dismissing with a note (analyst only, audited), the same through /api/v1."""

from __future__ import annotations

import re

import pytest

from tests.web_monitor_data import TOWER, seed
from watchfloor.accounts import audit
from watchfloor.alerts.state import get_alert, list_alerts


@pytest.fixture
def seeded(web, tmp_path):
    return seed(web.store, web.settings, tmp_path / "exports")


def test_inbox_lists_and_filters(web, seeded):
    client, _csrf = web.browser("viewer")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "threat naming Stand-in Tower" in page.text and "surge on Northwind Relay" in page.text
    critical = client.get("/alerts", params={"severity": "high"}).text
    assert "threat naming Stand-in Tower" in critical and "surge on Northwind" not in critical
    by_rule = client.get("/alerts", params={"rule": "relay-surge"}).text
    assert "surge on Northwind Relay" in by_rule and "threat naming" not in by_rule
    assert "No alerts match" in client.get("/alerts", params={"status": "dismissed"}).text
    bad = client.get("/alerts", params={"status": "sleeping"})
    assert bad.status_code == 400 and "status must be one of" in bad.text


def test_alert_page_links_what_its_evidence_names(web, seeded):
    client, _csrf = web.browser("viewer")
    page = client.get(f"/alerts/{seeded.alert_ids['threat-in-fr']}").text
    assert f'href="/posts/{seeded.post_ids[0]}"' in page
    assert f'href="/channels/{seeded.channel_id}"' in page
    assert f'href="/targets/{TOWER}"' in page and "Stand-in Tower" in page
    assert "Morning at the Stand-in Tower" in page  # the post text quoted from the evidence
    assert 'name="status"' not in page  # a viewer gets no status buttons
    assert client.get("/alerts/999999").status_code == 404


def test_analyst_acknowledges_then_dismisses_with_notes(web, seeded):
    alert_id = seeded.alert_ids["threat-in-fr"]
    client, csrf = web.browser("analyst")
    page = client.get(f"/alerts/{alert_id}").text
    assert 'value="acknowledged"' in page and 'value="dismissed"' in page
    done = client.post(
        f"/alerts/{alert_id}/status",
        data={"csrf_token": csrf, "status": "acknowledged", "note": "seen, tracking it"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/alerts/{alert_id}"
    client.post(
        f"/alerts/{alert_id}/status",
        data={"csrf_token": csrf, "status": "dismissed", "note": "a film set"},
    )
    with web.store.connect() as conn:
        alert = get_alert(conn, alert_id)
        entries = audit.list_audit(conn, action="alert_status")
    assert (alert.status, alert.status_by, alert.status_note) == (
        "dismissed",
        "analyst-user",
        "a film set",
    )
    assert [e.detail["to"] for e in reversed(entries)] == ["acknowledged", "dismissed"]
    assert entries[0].detail == {"from": "acknowledged", "to": "dismissed", "note": "a film set"}
    assert entries[0].target_id == str(alert_id) and entries[0].origin == "web"
    shown = client.get(f"/alerts/{alert_id}").text
    assert "a film set" in shown and 'value="dismissed"' not in shown
    listed = client.get("/alerts", params={"status": "dismissed"}).text
    assert "threat naming Stand-in Tower" in listed


def test_status_changes_are_refused_without_the_role_or_the_form_token(web, seeded):
    alert_id = seeded.alert_ids["relay-surge"]
    viewer, csrf = web.browser("viewer")
    refused = viewer.post(
        f"/alerts/{alert_id}/status", data={"csrf_token": csrf, "status": "dismissed"}
    )
    assert refused.status_code == 403
    analyst, _csrf = web.browser("analyst")
    stale = analyst.post(f"/alerts/{alert_id}/status", data={"csrf_token": "x", "status": "new"})
    assert stale.status_code == 403
    _analyst, csrf = web.browser("analyst")
    wrong = _analyst.post(
        f"/alerts/{alert_id}/status", data={"csrf_token": csrf, "status": "snoozed"}
    )
    assert wrong.status_code == 400
    with web.store.connect() as conn:
        assert get_alert(conn, alert_id).status == "new"
        assert audit.list_audit(conn, action="alert_status") == []


def test_api_lists_filters_and_pages(web, seeded):
    api = web.api("viewer", "read")
    body = api.get("/api/v1/alerts").json()
    assert body["total"] == 2 and [a["rule"] for a in body["alerts"]] == [
        "relay-surge",
        "threat-in-fr",
    ]  # the latest fired first
    page = api.get("/api/v1/alerts", params={"limit": 1, "offset": 1}).json()
    assert [a["rule"] for a in page["alerts"]] == ["threat-in-fr"] and page["total"] == 2
    assert api.get("/api/v1/alerts", params={"severity": "critical"}).json()["total"] == 1
    assert api.get("/api/v1/alerts", params={"severity": "loud"}).status_code == 422
    one = api.get(f"/api/v1/alerts/{seeded.alert_ids['threat-in-fr']}").json()
    assert one["evidence"]["message_id"] == 1
    assert [p["id"] for p in one["links"]["posts"]] == [seeded.post_ids[0]]
    assert [t["key"] for t in one["links"]["targets"]] == [TOWER]
    assert api.get("/api/v1/alerts/999999").status_code == 404


def test_api_status_change_needs_analyst_and_write_scope_and_is_audited(web, seeded):
    alert_id = seeded.alert_ids["relay-surge"]
    url = f"/api/v1/alerts/{alert_id}/status"
    assert web.api("viewer").post(url, json={"status": "dismissed"}).status_code == 403
    assert web.api("analyst", "read").post(url, json={"status": "dismissed"}).status_code == 403
    analyst = web.api("analyst")
    assert analyst.post(url, json={"status": "paused"}).status_code == 422
    done = analyst.post(url, json={"status": "acknowledged", "note": "on it"})
    assert done.status_code == 200
    assert done.json()["status"] == "acknowledged" and done.json()["status_note"] == "on it"
    assert analyst.post("/api/v1/alerts/999999/status", json={"status": "new"}).status_code == 404
    with web.store.connect() as conn:
        (entry,) = audit.list_audit(conn, action="alert_status")
    assert entry.origin == "api" and entry.actor == "analyst-bot"


def test_demo_inbox_shows_every_demo_alert_with_links(demo_web):
    with demo_web.store.connect() as conn:
        alerts = list_alerts(conn)
    rules = {"emblem-at-landmark", "new-campaign", "outlet-reactivated", "threat-in-france"}
    assert {a.rule for a in alerts} >= rules
    client, _csrf = demo_web.browser("viewer")
    page = client.get("/alerts", params={"limit": 500}).text
    for alert in alerts:
        assert f'href="/alerts/{alert.id}"' in page
    threat = next(a for a in alerts if a.rule == "threat-in-france")
    detail = client.get(f"/alerts/{threat.id}").text
    assert re.search(r'href="/posts/\d+"', detail) and 'href="/targets/city:' in detail
    emblem = next(a for a in alerts if a.rule == "emblem-at-landmark")
    shown = client.get(f"/alerts/{emblem.id}").text
    sha = emblem.evidence["sha256"]
    assert f'src="/media/{sha}/preview"' in shown and f'src="/media/{sha}"' not in shown
    assert 'href="/targets/landmark:' in shown  # the landmark the image was matched to
    reactivated = next(a for a in alerts if a.rule == "outlet-reactivated")
    assert re.search(r'href="/channels/\d+"', client.get(f"/alerts/{reactivated.id}").text)
    campaign = next(a for a in alerts if a.rule == "new-campaign")
    page = client.get(f"/alerts/{campaign.id}").text
    assert f'href="/campaigns/{campaign.evidence["id"]}?at=' in page


def test_revealing_an_alerts_image_shows_the_original(demo_web):
    with demo_web.store.connect() as conn:
        emblem = next(a for a in list_alerts(conn) if a.rule == "emblem-at-landmark")
    sha = emblem.evidence["sha256"]
    client, csrf = demo_web.browser("analyst")
    back = client.post(
        f"/media/{sha}/reveal",
        data={"csrf_token": csrf, "next": f"/alerts/{emblem.id}"},
        follow_redirects=False,
    )
    assert back.headers["location"].startswith(f"/alerts/{emblem.id}")
    assert f'src="/media/{sha}"' in client.get(f"/alerts/{emblem.id}").text
