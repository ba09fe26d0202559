"""Overview page and /api/v1/overview: alerts by severity and status, the activity timeline
with surges and reactivations, the latest campaigns and the top targets."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web_monitor_data import TOWER, seed
from watchfloor.alerts.state import alert_counts
from watchfloor.analytics.campaigns import list_campaigns
from watchfloor.analytics.target_queries import list_targets
from watchfloor.store.schema import signals
from watchfloor.web.views.overview import overview_snapshot
from watchfloor.web.views.snapshot import Snapshot


@pytest.fixture
def seeded(web, tmp_path):
    return seed(web.store, web.settings, tmp_path / "exports")


def severity_row(page: str, severity: str) -> list[str]:
    row = re.search(rf'<th scope="row"><span class="severity-{severity}">.*?</tr>', page, re.S)
    return re.findall(r"<td>(?:<a [^>]*>)?(\d+)", row.group(0))


def test_overview_counts_alerts_and_shows_targets_and_activity(web, seeded):
    client, csrf = web.browser("analyst")
    page = client.get("/").text
    assert severity_row(page, "critical") == ["1", "0", "0", "1"]
    assert severity_row(page, "medium") == ["1", "0", "0", "1"]
    assert severity_row(page, "high") == ["0", "0", "0", "0"]
    assert 'href="/alerts?status=new&amp;severity=critical"' in page
    assert f'href="/targets/{TOWER}"' in page and "Stand-in Tower" in page
    assert 'class="wf-chart wf-timeline"' in page and "Northwind Relay" in page
    assert "No campaigns in this window" in page
    client.post(
        f"/alerts/{seeded.alert_ids['threat-in-fr']}/status",
        data={"csrf_token": csrf, "status": "acknowledged"},
    )
    assert severity_row(client.get("/").text, "critical") == ["0", "1", "0", "1"]


def test_overview_of_an_empty_workspace(web):
    client, _csrf = web.browser("viewer")
    page = client.get("/")
    assert page.status_code == 200 and "No posts yet" in page.text
    body = web.api("viewer", "read").get("/api/v1/overview").json()
    assert body["newest_post"] is None and body["targets"] == [] and body["campaigns"] == []


def test_api_overview_numbers(web, seeded):
    body = web.api("viewer", "read").get("/api/v1/overview").json()
    by_severity = {row["severity"]: row for row in body["alerts"]}
    assert by_severity["critical"]["new"] == 1 and by_severity["medium"]["total"] == 1
    assert body["newest_post"].startswith("2018-01-12")
    assert body["activity"]["posts"] == 3
    assert body["activity"]["channels"] == [
        {
            "channel": seeded.channel_key,
            "title": "Northwind Relay",
            "posts": 3,
            "href": f"/channels/{seeded.channel_id}",
        }
    ]
    assert [t["key"] for t in body["targets"]] == [TOWER, "city:900001"]


def test_demo_overview_shows_campaigns_surges_and_targets(demo_web):
    client, _csrf = demo_web.browser("viewer")
    page = client.get("/").text
    body = demo_web.api("viewer", "read").get("/api/v1/overview").json()
    with demo_web.store.connect() as conn:
        counts = alert_counts(conn)
        campaigns = list_campaigns(conn)
        top = list_targets(conn, limit=10)
    for severity, row in counts.items():
        assert severity_row(page, severity)[-1] == str(sum(row.values()))
    assert campaigns and body["campaigns"]
    assert body["campaigns"][0]["id"] == campaigns[0].id  # the most recently started first
    assert f'href="/campaigns/{campaigns[0].id}?at=' in page
    assert [t["key"] for t in body["targets"]] == [t["key"] for t in top]
    assert top[0]["name"] in page
    assert body["surges"] or body["reactivations"]
    for event in (body["surges"] + body["reactivations"])[:3]:
        assert f'href="{event["href"]}"' in page


def add_signal(store, subject: str) -> None:
    with store.begin() as conn:
        conn.execute(
            signals.insert().values(
                subject_type="post", subject=subject, analyzer="test", version="1",
                kind="note", value={}, created_at=datetime.now(UTC),
            )
        )  # fmt: skip


def test_snapshot_serves_the_old_value_while_new_data_are_computed(web, seeded):
    computed = threading.Event()

    def count_signals(conn) -> int:
        computed.set()
        return conn.execute(select(func.count()).select_from(signals)).scalar_one()

    snapshot = Snapshot(count_signals)
    first = snapshot.get(web.store)
    computed.clear()
    assert snapshot.get(web.store) is first and not computed.is_set()  # reused
    add_signal(web.store, f"{seeded.channel_key}/1")
    stale = snapshot.get(web.store)
    assert stale.stale and stale.value == first.value  # served at once, unchanged
    assert computed.wait(60)  # while one refresh runs in the background
    for _ in range(600):
        current = snapshot.get(web.store)
        if not current.stale:
            break
        time.sleep(0.05)
    assert not current.stale and current.value == first.value + 1
    assert snapshot.get(web.store) is current


def test_snapshot_is_kept_for_its_minimum_age_while_data_stream_in(web, seeded):
    snapshot = Snapshot(lambda conn: object(), min_age=3600)
    first = snapshot.get(web.store)
    add_signal(web.store, f"{seeded.channel_key}/2")
    assert snapshot.get(web.store) is first


def test_startup_computes_the_overview_in_the_background(web, seeded):
    snapshot = overview_snapshot(web.app.state)
    assert not snapshot.ready
    with TestClient(web.app, base_url="http://127.0.0.1"):  # runs the app's startup
        for _ in range(1200):
            if snapshot.ready:
                break
            time.sleep(0.05)
    assert snapshot.ready
    client, _csrf = web.browser("viewer")
    assert "Stand-in Tower" in client.get("/").text
