"""Channel pages and the channels API on the demo workspace: attribution with its reasons,
dormancy and reactivation, surges, forwards in and out, paged posts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from watchfloor.store.schema import channels


@pytest.fixture(scope="module")
def ids(demo_web) -> dict[str, int]:
    with demo_web.store.connect() as conn:
        return dict(conn.execute(select(channels.c.title, channels.c.id)).all())


def _row(html: str, title: str) -> str:
    return re.search(
        rf'<tr>\s*<th scope="row"><a href="[^"]+" dir="auto">{title}</a>.*?</tr>', html, re.S
    ).group(0)


def test_channel_list_shows_attribution_and_state(demo_web):
    client, _csrf = demo_web.browser("viewer")
    page = client.get("/channels")
    assert page.status_code == 200
    office = _row(page.text, "Northwind Media Office")
    assert "attribution-official" in office and ">73<" in office
    assert "reactivated</span> since 2018-02-12" in office  # back after 120 silent days
    relay = _row(page.text, "Lantern Relay")
    assert "attribution-supporter" in relay and "surging</span> since 2018-02-08" in relay


def test_outlet_page_has_reasons_dormancy_chart_and_forwards_in(demo_web, ids):
    client, _csrf = demo_web.browser("viewer")
    page = client.get(f"/channels/{ids['Northwind Media Office']}")
    assert page.status_code == 200
    assert "registered outlet <strong>Northwind Media Office</strong>" in page.text
    assert "quiet after 2017-10-14 for 120 days, reactivated 2018-02-12" in page.text
    assert (
        "<svg" in page.text
        and "wf-timeline" in page.text
        and "reactivated on 2018-02-12" in page.text
    )
    forwarded_by = re.search(r"Forwarded by \(in\).*?</table>", page.text, re.S).group(0)
    assert re.search(
        rf'<a href="/channels/{ids["Lantern Relay"]}">Lantern Relay</a></th><td class="num">54<',
        forwarded_by,
    )
    assert "This channel forwards nothing." in page.text


def test_supporter_page_has_forwards_out_and_share_reason(demo_web, ids):
    client, _csrf = demo_web.browser("viewer")
    page = client.get(f"/channels/{ids['Lantern Relay']}")
    assert re.search(r"\d+ of 222 posts \(\d+ %\) carry an official outlet", page.text)
    out = re.search(r"Forwarded from \(out\).*?</table>", page.text, re.S).group(0)
    office = ids["Northwind Media Office"]
    assert re.search(
        rf'<a href="/channels/{office}">Northwind Media Office</a></th><td class="num">54<', out
    )
    assert "Surges" in page.text and re.search(r"2018-02-0\d to 2018-02-\d\d: \d+ posts", page.text)


def test_channel_posts_are_paged_newest_first(demo_web, ids):
    client, _csrf = demo_web.browser("viewer")
    base = f"/channels/{ids['Lantern Relay']}"
    first = client.get(base, params={"limit": 100})
    dates = re.findall(r'<tr>\s*<td><time datetime="(\d{4}-\d\d-\d\dT[\d:]+\+00:00)">', first.text)
    assert len(dates) == 100 and dates == sorted(dates, reverse=True)
    assert 'rel="next"' in first.text
    last = client.get(base, params={"limit": 100, "offset": 200})
    assert (
        len(re.findall(r'<tr>\s*<td><time datetime="\d{4}-', last.text)) == 22
        and 'rel="next"' not in last.text
    )
    assert client.get("/channels/99999").status_code == 404


def test_channels_api(demo_web, ids):
    api = demo_web.api("viewer", "read")
    listed = {c["title"]: c for c in api.get("/api/v1/channels").json()}
    assert listed["Northwind Media Office"]["state"] == "reactivated"
    assert listed["Northwind Media Office"]["attribution_reasons"][0]["reason"] == "registered"
    one = api.get(f"/api/v1/channels/{ids['Northwind Media Office']}", params={"limit": 10}).json()
    assert one["channel"]["posts"] == 73 and len(one["posts"]) == 10 and one["next_offset"] == 10
    assert one["activity"]["dormancies"][0]["silent_days"] == 120
    assert {f["name"]: f["count"] for f in one["forwards_in"]}["Lantern Relay"] == 54
    assert api.get("/api/v1/channels/99999").status_code == 404


def test_corpus_cache_keeps_results_until_the_corpus_changes(web, tmp_path):
    from tests.exports import message, single_chat, write_export
    from watchfloor.ingest import ingest_paths
    from watchfloor.web.views.corpus_cache import CorpusCache

    def ingest(chat_id: int, name: str) -> None:
        export = single_chat(
            [message(i, f"note {i}") for i in range(1, 4)], chat_id=chat_id, name=name
        )
        ingest_paths(web.store, web.settings, [write_export(tmp_path / name, export)])

    ingest(2001, "First")
    cache, calls = CorpusCache(), []
    with web.store.connect() as conn:
        first = cache.activity(conn)
        assert cache.activity(conn) is first  # kept
        assert cache.get(conn, "n", lambda: calls.append(1) or len(calls)) == 1
        assert cache.get(conn, "n", lambda: calls.append(1) or len(calls)) == 1
    ingest(2002, "Second")
    with web.store.connect() as conn:
        second = cache.activity(conn)
        assert second is not first
        assert [c.title for c in second.channels] == ["First", "Second"]
        assert cache.get(conn, "n", lambda: calls.append(1) or len(calls)) == 2
    expired = CorpusCache(max_age=0.0)
    with web.store.connect() as conn:
        assert expired.activity(conn) is not expired.activity(conn)


def test_forwards_resolve_by_id_under_an_old_name_and_by_title(web, tmp_path):
    from tests.exports import message, single_chat, write_export
    from watchfloor.ingest import ingest_paths

    alpha = single_chat([message(1, "alpha says")], chat_id=3001, name="Alpha Desk")
    beta = single_chat(
        [
            message(1, "", forwarded_from="Alpha (old name)", forwarded_from_id="channel3001"),
            message(2, "", forwarded_from="Alpha Desk"),
            message(3, "", forwarded_from="Someone", forwarded_from_id="user77"),
            message(4, "", forwarded_from="Alpha Desk", forwarded_from_id="channel999"),
        ],
        chat_id=3002,
        name="Beta Relay",
    )
    for name, export in (("alpha", alpha), ("beta", beta)):
        ingest_paths(web.store, web.settings, [write_export(tmp_path / name, export)])
    with web.store.connect() as conn:
        ids = dict(conn.execute(select(channels.c.title, channels.c.id)).all())
    api = web.api("viewer", "read")
    into = api.get(f"/api/v1/channels/{ids['Alpha Desk']}").json()["forwards_in"]
    assert [(f["name"], f["count"]) for f in into] == [("Beta Relay", 3)]  # id, title, title
    out = api.get(f"/api/v1/channels/{ids['Beta Relay']}").json()["forwards_out"]
    linked = {f["name"]: f["href"] for f in out}
    assert linked["Alpha (old name)"] == f"/channels/{ids['Alpha Desk']}"
    assert linked["Someone"] is None  # a person, not a channel
    assert sum(f["count"] for f in out) == 4


def test_corpus_cache_computes_a_key_once_for_concurrent_callers(web):
    import threading
    import time

    from watchfloor.web.views.corpus_cache import CorpusCache

    cache, calls, results = CorpusCache(), [], []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    def reader() -> None:
        with web.store.connect() as conn:
            results.append(cache.get(conn, "slow", slow))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [1, 1, 1, 1]
