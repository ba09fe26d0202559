"""Targets map: markers sized by posts linking to each target's posts and evidence, the date
filter, the table below the map, GeoJSON downloads and /api/v1/targets."""

from __future__ import annotations

import re

import pytest

from tests.web_monitor_data import HARBOUR, TOWER, seed
from watchfloor.analytics.target_queries import list_targets


@pytest.fixture
def seeded(web, tmp_path):
    return seed(web.store, web.settings, tmp_path / "exports")


def markers(page: str) -> dict[str, int]:
    """data-key -> data-posts of every marker on the map."""
    found = re.findall(r'<a[^>]*class="wf-marker"[^>]*>', page)
    return {
        re.search(r'data-key="([^"]+)"', m).group(1): int(re.search(r'data-posts="(\d+)"', m)[1])
        for m in found
    }


def test_map_has_a_marker_per_target_sized_by_posts_and_a_table(web, seeded):
    client, _csrf = web.browser("viewer")
    page = client.get("/targets").text
    assert markers(page) == {TOWER: 2, HARBOUR: 1}
    assert f'href="/targets/{TOWER}"' in page
    radii = re.findall(r'class="wf-marker".*?<circle[^>]* r="([\d.]+)"', page)
    assert float(radii[0]) > float(radii[1])  # the most posted is drawn largest (and first)
    table = page[page.index("Targets as a table") :]
    assert '<th scope="row"><a href="/targets/landmark:stand-in-tower"' in table
    assert "48.8584, 2.2945" in table


def test_date_filter_selects_evidence_by_post_date(web, seeded):
    client, _csrf = web.browser("viewer")
    assert markers(client.get("/targets", params={"since": "2018-01-11"}).text) == {
        TOWER: 1,
        HARBOUR: 1,
    }
    only_first_day = client.get("/targets", params={"until": "2018-01-10"}).text
    assert markers(only_first_day) == {TOWER: 1}  # a bare date includes that day
    assert 'value="2018-01-10"' in only_first_day  # the form keeps the filter
    assert markers(client.get("/targets", params={"since": "2019-01-01"}).text) == {}
    bad = client.get("/targets", params={"since": "last week"})
    assert bad.status_code == 400 and "is not a date" in bad.text


def test_target_page_lists_its_posts_with_evidence_and_pages(web, seeded):
    client, _csrf = web.browser("viewer")
    page = client.get(f"/targets/{TOWER}").text
    assert "Morning at the Stand-in Tower" in page and "Stand-in Tower again at night" in page
    assert f'href="/posts/{seeded.post_ids[0]}"' in page
    assert f'href="/channels/{seeded.channel_id}"' in page
    assert "visual" in page and "0.91" in page
    first = client.get(f"/targets/{TOWER}", params={"limit": 1}).text
    assert "Morning at the" in first and "again at night" not in first
    assert 'rel="next"' in first
    assert client.get("/targets/landmark:nowhere").status_code == 404


def test_geojson_download_follows_the_filters(web, seeded):
    client, _csrf = web.browser("viewer")
    response = client.get("/targets.geojson", params={"since": "2018-01-11", "kind": "city"})
    assert response.headers["content-type"].startswith("application/geo+json")
    assert "attachment" in response.headers["content-disposition"]
    (feature,) = response.json()["features"]
    assert feature["id"] == HARBOUR and feature["geometry"]["coordinates"] == [5.3698, 43.2965]
    assert feature["properties"]["href"] == f"/targets/{HARBOUR}"
    page = client.get("/targets", params={"kind": "city"}).text
    assert 'href="/targets.geojson?kind=city"' in page


def test_api_targets_detail_and_geojson(web, seeded):
    api = web.api("viewer", "read")
    body = api.get("/api/v1/targets").json()
    assert [(t["key"], t["posts"]) for t in body["targets"]] == [(TOWER, 2), (HARBOUR, 1)]
    assert body["targets"][0]["evidence_kinds"] == ["text", "visual"]
    assert api.get("/api/v1/targets", params={"kind": "castle"}).status_code == 422
    assert api.get("/api/v1/targets", params={"until": "soon"}).status_code == 422
    second = api.get(f"/api/v1/targets/{TOWER}", params={"limit": 1, "offset": 1}).json()
    assert second["posts"] == 2 and [p["message_id"] for p in second["posts_page"]] == [3]
    assert second["posts_page"][0]["href"] == f"/posts/{seeded.post_ids[2]}"
    first = api.get(f"/api/v1/targets/{TOWER}").json()["posts_page"][0]
    assert sorted(e["kind"] for e in first["evidence"]) == ["text", "visual"]
    assert api.get("/api/v1/targets/landmark:nowhere").status_code == 404
    geo = api.get("/api/v1/targets.geojson", params={"until": "2018-01-10"}).json()
    assert [f["id"] for f in geo["features"]] == [TOWER]


def test_demo_map_shows_the_demo_targets(demo_web):
    with demo_web.store.connect() as conn:
        expected = {t["key"]: t["posts"] for t in list_targets(conn) if t["lat"] is not None}
    assert expected
    client, _csrf = demo_web.browser("viewer")
    page = client.get("/targets").text
    assert markers(page) == expected
    key = max(expected, key=expected.get)
    detail = client.get(f"/targets/{key}").text
    assert len(re.findall(r'<article class="card post"', detail)) == min(expected[key], 50)
