"""The post page and the posts, media and signals API.

On both databases (a small export, the language and places analyzers): Arabic right to left with
the place named marked, media blurred until revealed (audited), the reveal rule in the API.
On the demo workspace: real emblem overlays, threat evidence, bank matches and repost groups.
"""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import String, cast, select

from tests.exports import message, single_chat, write_export
from watchfloor.analyzers.places import PlacesAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.analyzers.text import LanguageAnalyzer
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.store.schema import audit_log, posts, signals

ARABIC = "وصلت الحملة إلى لندن اليوم وسط المدينة"  # "the campaign reached London today, downtown"


def _photo(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (320, 240), (30, 90, 160))
    ImageDraw.Draw(img).rectangle((60, 40, 260, 200), fill=(230, 200, 40))
    img.save(path, quality=90)
    return path


@pytest.fixture
def posted(web, tmp_path):
    root = tmp_path / "export"
    _photo(root / "photos" / "a.jpg")
    msgs = [
        message(1, ARABIC, photo="photos/a.jpg"),
        message(2, "A stand-in notice about the harbour festival in Brussels"),
    ]
    ingest_paths(web.store, web.settings, [write_export(root, single_chat(msgs))])
    registry = AnalyzerRegistry({"language": LanguageAnalyzer, "places": PlacesAnalyzer})
    run_analysis(web.store, web.settings, registry)
    with web.store.connect() as conn:
        ids = dict(conn.execute(select(posts.c.message_id, posts.c.id)).all())
    return web, ids


def _sha(html: str) -> str:
    return re.search(r"/media/([0-9a-f]{64})/preview", html).group(1)


def test_arabic_post_reads_right_to_left_with_the_place_marked(posted):
    web, ids = posted
    client, _csrf = web.browser("viewer")
    page = client.get(f"/posts/{ids[1]}")
    assert page.status_code == 200
    text = re.search(r'<div class="post-text" dir="(\w+)" lang="(\w+)" id="post-text">', page.text)
    assert text.groups() == ("rtl", "ar")
    assert re.search(r'<mark class="place" title="city London[^"]*">لندن</mark>', page.text)
    english = client.get(f"/posts/{ids[2]}")
    assert 'dir="auto" lang="en"' in english.text and "Brussels</mark>" in english.text
    assert client.get("/posts/999999").status_code == 404


def test_media_is_blurred_until_revealed_and_the_reveal_is_audited(posted):
    web, ids = posted
    client, csrf = web.browser("viewer")
    page = client.get(f"/posts/{ids[1]}")
    sha = _sha(page.text)
    assert f'src="/media/{sha}"' not in page.text  # only the blurred preview
    assert 'class="media blurred"' in page.text
    assert client.get(f"/media/{sha}").status_code == 403
    done = client.post(
        f"/media/{sha}/reveal",
        data={"csrf_token": csrf, "next": f"/posts/{ids[1]}#media-{sha[:12]}"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith(f"/posts/{ids[1]}")
    page = client.get(f"/posts/{ids[1]}")
    assert f'src="/media/{sha}"' in page.text and 'class="media blurred"' not in page.text
    assert client.get(f"/media/{sha}").status_code == 200


def test_api_post_has_its_signals_and_media_signals(posted):
    web, ids = posted
    api = web.api("viewer", "read")
    post = api.get(f"/api/v1/posts/{ids[1]}").json()
    assert post["text"] == ARABIC and post["channel"] == "telegram:1001"
    kinds = {s["kind"]: s for s in post["signals"]}
    assert kinds["language"]["value"]["language"] == "ar"
    assert kinds["place"]["value"][0]["name"] == "London"
    assert list(post["media_signals"]) == [post["media"][0]["sha256"]]
    assert api.get("/api/v1/posts/424242").status_code == 404
    listed = api.get("/api/v1/signals", params={"kind": "language", "limit": 1}).json()
    assert len(listed["signals"]) == 1 and listed["next_offset"] == 1
    by_analyzer = api.get("/api/v1/signals", params={"analyzer": "places"}).json()
    assert {s["subject"] for s in by_analyzer["signals"]} == {
        "telegram:1001/1",
        "telegram:1001/2",
    }
    assert api.get("/api/v1/signals", params={"subject_type": "nope"}).status_code == 422
    of_post = api.get("/api/v1/signals", params={"subject": "telegram:1001/1"}).json()
    assert [s["kind"] for s in of_post["signals"]] == ["language", "place"]
    sha = post["media"][0]["sha256"]
    assert api.get("/api/v1/signals", params={"subject": sha}).json()["signals"] == []


def test_api_media_content_needs_a_reveal_which_is_audited(posted):
    web, ids = posted
    api = web.api("analyst")
    sha = api.get(f"/api/v1/posts/{ids[1]}").json()["media"][0]["sha256"]
    meta = api.get(f"/api/v1/media/{sha}").json()
    assert meta["mime"] == "image/jpeg" and meta["width"] == 320 and not meta["revealed"]
    assert [p["id"] for p in meta["posts"]] == [ids[1]]
    assert api.get(f"/api/v1/media/{sha}/content").status_code == 403
    reader = web.api("viewer", "read")
    assert reader.post(f"/api/v1/media/{sha}/reveal").status_code == 403  # read scope
    done = api.post(f"/api/v1/media/{sha}/reveal")
    assert done.status_code == 200 and done.json()["revealed"] is True
    content = api.get(f"/api/v1/media/{sha}/content")
    assert content.status_code == 200 and content.headers["cache-control"] == "no-store"
    assert content.content == web.store.media.path_for(sha).read_bytes()
    assert api.get(f"/api/v1/media/{sha}").json()["revealed"] is True
    with web.store.connect() as conn:
        entries = conn.execute(
            select(audit_log.c.actor, audit_log.c.origin).where(audit_log.c.target_id == sha)
        ).all()
    assert [tuple(e) for e in entries] == [("analyst-bot", "api")]
    assert api.get("/api/v1/media/" + "0" * 64).status_code == 404
    assert api.get("/api/v1/media/not-a-hash").status_code == 404


def test_bank_match_is_shown_with_its_bank_and_label(posted):
    import hashlib

    from watchfloor.analyzers.digests import DigestAnalyzer
    from watchfloor.analyzers.match import Md5MatchAnalyzer
    from watchfloor.matching.banks import add_entries, create_bank
    from watchfloor.matching.formats import HashEntry

    web, ids = posted
    client, _csrf = web.browser("viewer")
    sha = _sha(client.get(f"/posts/{ids[1]}").text)
    digest = hashlib.md5(web.store.media.path_for(sha).read_bytes()).hexdigest()
    with web.store.begin() as conn:
        create_bank(conn, "stand-in-bank")
        entry = HashEntry("md5", digest, label="stand-in poster")
        add_entries(conn, "stand-in-bank", [entry], source="test", added_by="tester")
    registry = AnalyzerRegistry({"digests": DigestAnalyzer, "md5_match": Md5MatchAnalyzer})
    run_analysis(web.store, web.settings, registry)
    page = client.get(f"/posts/{ids[1]}")
    matches = re.search(r"<h3>Bank matches</h3>\s*<ul>(.*?)</ul>", page.text, re.S).group(1)
    assert "md5_match: <strong>stand-in poster</strong> in stand-in-bank, distance 0" in matches
    assert "Bank matches" not in client.get(f"/posts/{ids[2]}").text


# --- the demo workspace: real analyzer output --------------------------------------------------


def _post_with(demo_web, kind: str, subject_type: str = "media", evidence: str = "") -> int:
    """The id of a post carrying a subject with a signal of `kind` (whose evidence holds
    `evidence`)."""
    from watchfloor.store.schema import channels, post_media

    with demo_web.store.connect() as conn:
        subject = conn.execute(
            select(signals.c.subject)
            .where(
                signals.c.kind == kind,
                signals.c.subject_type == subject_type,
                cast(signals.c.evidence, String).like(f"%{evidence}%"),
            )
            .order_by(signals.c.subject)
            .limit(1)
        ).scalar_one()
        if subject_type == "media":
            query = select(post_media.c.post_id).where(post_media.c.sha256 == subject)
        else:
            key, _, message_id = subject.rpartition("/")
            query = (
                select(posts.c.id)
                .join(channels, channels.c.id == posts.c.channel_id)
                .where(channels.c.key == key, posts.c.message_id == int(message_id))
            )
        return conn.execute(query.limit(1)).scalar_one()


def test_demo_emblem_is_drawn_over_the_blurred_image(demo_web):
    client, _csrf = demo_web.browser("viewer")
    page = client.get(f"/posts/{_post_with(demo_web, 'emblem')}")
    assert page.status_code == 200
    assert re.search(r'<svg class="overlay" viewBox="0 0 \d+ \d+"', page.text)
    polygon = re.search(r'<polygon class="emblem" points="([\d., ]+)"><title>Emblem ', page.text)
    assert polygon and len(polygon.group(1).split()) == 4
    assert "Northwind" in page.text or "NWMO" in page.text


def test_demo_threat_evidence_is_marked(demo_web):
    client, _csrf = demo_web.browser("viewer")
    with_hits = _post_with(demo_web, "threat", "post", evidence='"start":')
    page = client.get(f"/posts/{with_hits}")
    assert re.search(
        r'<mark class="threat" title="[a-z]+ phrase &#39;[^&]+&#39; \(weight', page.text
    )
    assert '<span class="badge label-' in page.text


def test_demo_repost_group_lists_the_other_posts(demo_web):
    client, _csrf = demo_web.browser("viewer")
    post_id = _post_with(demo_web, "repost_group")
    page = client.get(f"/posts/{post_id}")
    assert "Repost group" in page.text and "this post" in page.text
    others = re.findall(r'<a href="/posts/(\d+)">', page.text)
    assert others and str(post_id) not in others
