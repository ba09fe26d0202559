"""Campaign pages and the campaigns API on the demo workspace."""

from __future__ import annotations

import html
import re


def _links(page: str) -> list[str]:
    return [
        html.unescape(h) for h in re.findall(r'<th scope="row"><a href="(/campaigns/[^"]+)">', page)
    ]


def test_campaign_list_is_bounded_by_since(demo_web):
    client, _csrf = demo_web.browser("viewer")
    page = client.get("/campaigns")
    assert page.status_code == 200
    recent = _links(page.text)
    assert recent and all("?since=2017-11-30T" in h for h in recent)  # 90 days before the last post
    assert "near-identical text" in page.text and "Northwind Media Office" in page.text
    everything = _links(client.get("/campaigns", params={"since": "2017-08-01", "limit": 100}).text)
    assert {h.split("?")[0] for h in recent} < {h.split("?")[0] for h in everything}
    one = _links(client.get("/campaigns", params={"limit": 1}).text)
    assert one == recent[:1]
    wide = client.get("/campaigns", params={"since": "2010-01-01", "limit": 100})
    assert wide.status_code == 200  # stored by the corpus step: any window is a query
    assert {h.split("?")[0] for h in _links(wide.text)} == {h.split("?")[0] for h in everything}


def test_campaign_page_shows_members_channels_targets_and_media(demo_web):
    client, _csrf = demo_web.browser("viewer")
    links = _links(client.get("/campaigns", params={"limit": 100}).text)
    pages = [client.get(h) for h in links]
    assert all(p.status_code == 200 for p in pages)
    big = max(pages, key=lambda p: len(p.text))
    assert "wf-members" in big.text and re.search(r"<circle[^>]*class=\"wf-member\"", big.text)
    assert re.search(r'<a href="/targets/city:\d+">London</a>', big.text)
    assert "emblem <strong>NWMO watermark</strong> at" in big.text
    assert re.search(
        r'<th scope="row" dir="auto"><a href="/channels/\d+">Lantern Relay</a>', big.text
    )
    assert 'class="media blurred"' in big.text and "/preview" in big.text
    members = re.findall(r'<td><a href="/posts/(\d+)">telegram:', big.text)
    assert len(members) == int(re.search(r"(\d+) posts by \d+ channels", big.text).group(1))
    assert client.get("/campaigns/campaign:0000000000000000").status_code == 404
    assert client.get(links[0].split("?")[0] + "?since=never").status_code == 400


def test_campaigns_api(demo_web):
    api = demo_web.api("viewer", "read")
    listed = api.get("/api/v1/campaigns", params={"since": "2017-08-01", "limit": 100}).json()
    assert listed["since"].startswith("2017-08-01") and listed["until"] is None
    first = listed["campaigns"][0]
    assert first["size"] >= 3 and len(first["channels"]) >= 3
    one = api.get(first["href"].replace("/campaigns/", "/api/v1/campaigns/")).json()
    assert one["id"] == first["id"] and len(one["members"]) == first["size"]
    assert all(m["href"].startswith("/posts/") for m in one["members"])
    whole = api.get(f"/api/v1/campaigns/{first['id']}").json()  # no window: the whole corpus
    assert whole["id"] == first["id"]
    every = {c["id"] for c in listed["campaigns"]}
    for c in api.get("/api/v1/campaigns", params={"limit": 100}).json()["campaigns"]:
        found = api.get(c["href"].replace("/campaigns/", "/api/v1/campaigns/"))
        assert found.status_code == 200 and found.json()["size"] == c["size"]
        assert c["id"] in every  # the same campaigns, whatever window found them
    wide = api.get("/api/v1/campaigns", params={"since": "2001-01-01", "limit": 100}).json()
    assert {c["id"] for c in wide["campaigns"]} == every
    assert api.get(f"/api/v1/campaigns/{first['id']}", params={"since": "x"}).status_code == 422
    by_start = api.get(f"/api/v1/campaigns/{first['id']}", params={"at": first["start"]})
    assert by_start.status_code == 200 and by_start.json()["id"] == first["id"]
