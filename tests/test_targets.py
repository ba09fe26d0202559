"""The targets read model on both databases: visual, EXIF and text evidence meet on one target."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from tests.exif_images import exif_with, generated_jpeg, gps_block, photo_with_exif
from tests.exports import message, single_chat, write_export
from tests.reference import LANDMARKS, need_path
from watchfloor.analytics.steps import STEPS, split_only
from watchfloor.analytics.target_queries import (
    get_target,
    list_targets,
    target_posts,
    targets_geojson,
)
from watchfloor.analytics.targets import rebuild_targets
from watchfloor.analyzers.base import SignalOut
from watchfloor.analyzers.exif import ExifAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.store.schema import channels, signals, target_evidence, targets
from watchfloor.store.signals import record_outcome

DAY = 24 * 60
TOWER, PARIS, CRANE = "landmark:tower-bridge", "city:2988507", "landmark:old-harbour-crane--gdansk"


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def put_signal(store, subject_type: str, subject: str, kind: str, value, score=None) -> None:
    with store.begin() as conn:
        record_outcome(
            conn,
            analyzer="landmark" if kind == "landmark" else "geoparse",
            version="test",
            subject_type=subject_type,
            subject=subject,
            input_key="test",
            status="ok",
            detail=None,
            outputs=[] if value is None else [SignalOut(kind, value, score)],
        )


def tower_value(**extra) -> dict:
    value = {
        "landmark": "Tower Bridge",
        "city": "London",
        "country": "United Kingdom",
        "lat": 51.5055,
        "lon": -0.0754,
        "gallery_ids": [3, 4],
        "inliers": 41,
        "score": 0.93,
    }
    return value | extra


def write_corpus(root: Path) -> dict[str, Path]:
    photos = root / "photos"
    photos.mkdir(parents=True)
    source = sorted(need_path(LANDMARKS / "tower_bridge").iterdir())[0]
    files = {
        "tower": photo_with_exif(source, photos / "tb.jpg", exif_with(gps_block(51.5055, -0.0754))),
        "paris": generated_jpeg(photos / "p.jpg", exif_with(gps_block(48.835, 2.41)), seed=1),
        "plain": generated_jpeg(photos / "plain.jpg", seed=2),
        "crane": generated_jpeg(photos / "crane.jpg", seed=3),
    }
    messages = [
        message(1, "one", photo="photos/tb.jpg"),
        message(2, "two", photo="photos/p.jpg"),
        message(3, "again", photo="photos/tb.jpg", minutes=3 * DAY),
        message(4, "four", photo="photos/plain.jpg", minutes=4 * DAY),
        message(5, "Wait for us in Paris", minutes=5 * DAY),
        message(6, "six", photo="photos/crane.jpg", minutes=6 * DAY),
    ]
    write_export(root, single_chat(messages))
    return files


@pytest.fixture
def corpus(store, settings, tmp_path):
    files = write_corpus(tmp_path / "export")
    ingest_paths(store, settings, [tmp_path / "export"])
    run_analysis(store, settings, AnalyzerRegistry({"exif": ExifAnalyzer}), workers=1)
    with store.connect() as conn:
        channel = conn.execute(select(channels.c.key)).scalar_one()
    put_signal(store, "media", sha_of(files["plain"]), "landmark", tower_value(), 0.93)
    crane = tower_value(landmark="Old Harbour Crane", city="Gdańsk", country="Poland")
    put_signal(
        store, "media", sha_of(files["crane"]), "landmark", crane | {"lat": 54.35, "lon": 18.66}
    )
    put_signal(store, "media", "f" * 64, "landmark", tower_value())  # media in no post
    put_signal(store, "media", "e" * 64, "landmark", "not an object")  # breaks the contract
    paris = {"key": PARIS, "kind": "city", "name": "Paris", "city": "Paris", "country": "FR"}
    place = [paris | {"lat": 48.85341, "lon": 2.3488, "span": [15, 20]}]
    put_signal(store, "post", f"{channel}/5", "place", place, 0.8)
    report = rebuild_targets(store)
    return store, files, channel, report


def by_key(found: list[dict]) -> dict[str, dict]:
    return {t["key"]: t for t in found}


def at(day: int, minute: int) -> str:
    return datetime(2018, 1, 10 + day, 12, minute, tzinfo=UTC).isoformat()


def test_evidence_of_all_kinds_meets_on_one_target(corpus):
    store, _files, _channel, report = corpus
    assert (report.targets, report.malformed, report.unlinked) == (3, 1, 1)
    assert report.by_kind == {"exif": 3, "visual": 2, "text": 1} and not report.unchanged
    with store.connect() as conn:
        found = list_targets(conn)
    assert [t["key"] for t in found] == [TOWER, PARIS, CRANE]  # the most posted first
    tower = by_key(found)[TOWER]
    assert (tower["name"], tower["city"], tower["country"]) == ("Tower Bridge", "London", "GB")
    assert (tower["lat"], tower["lon"]) == (51.5055, -0.0754)
    assert tower["posts"] == 3 and tower["evidence_kinds"] == ["exif", "visual"]
    assert (tower["first_seen"], tower["last_seen"]) == (at(0, 1), at(4, 0))
    paris = by_key(found)[PARIS]
    assert paris["posts"] == 2 and paris["evidence_kinds"] == ["exif", "text"]
    crane = by_key(found)[CRANE]
    assert crane["country"] == "PL" and crane["evidence_kinds"] == ["visual"]


def test_filters(corpus):
    store = corpus[0]
    with store.connect() as conn:
        for country in ("GB", "gb", "United Kingdom", "المملكة المتحدة"):
            assert [t["key"] for t in list_targets(conn, country=country)] == [TOWER]
        assert [t["key"] for t in list_targets(conn, kind="city")] == [PARIS]
        assert len(list_targets(conn, limit=1)) == 1
        since = datetime(2018, 1, 13, tzinfo=UTC)
        window = by_key(list_targets(conn, since=since, until=datetime(2018, 1, 15, tzinfo=UTC)))
        assert set(window) == {TOWER}
        assert window[TOWER]["posts"] == 2 and window[TOWER]["first_seen"] == at(3, 0)
        assert list_targets(conn, until=datetime(2018, 1, 1, tzinfo=UTC)) == []


def test_posts_of_a_target_with_their_evidence(corpus):
    store = corpus[0]
    with store.connect() as conn:
        posts = target_posts(conn, TOWER)
        assert get_target(conn, "landmark:nowhere") is None
        assert get_target(conn, TOWER)["posts"] == 3
    assert [p["message_id"] for p in posts] == [1, 3, 4]
    assert [e["kind"] for e in posts[0]["evidence"]] == ["exif"]
    assert posts[0]["evidence"][0]["detail"]["distance_km"] < 0.01
    visual = posts[2]["evidence"][0]
    assert visual["kind"] == "visual" and visual["detail"]["inliers"] == 41
    assert visual["score"] == 0.93


def test_geojson_points(corpus):
    store = corpus[0]
    with store.connect() as conn:
        collection = targets_geojson(conn)
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {TOWER, PARIS, CRANE}
    assert features[TOWER]["geometry"] == {"type": "Point", "coordinates": [-0.0754, 51.5055]}
    assert features[TOWER]["properties"]["posts"] == 3
    json.dumps(collection)


def snapshot(store) -> tuple[list, list]:
    with store.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(targets).order_by(targets.c.key))]
        evidence = conn.execute(select(target_evidence).order_by(target_evidence.c.id)).all()
    no_time = [r[:-1] for r in rows]  # updated_at changes
    return no_time, [tuple(r)[1:] for r in evidence]


def test_rebuilding_is_idempotent(corpus):
    store = corpus[0]
    before = snapshot(store)
    report = rebuild_targets(store)  # nothing changed: not even rebuilt
    assert report.unchanged and (report.targets, report.malformed, report.unlinked) == (3, 1, 1)
    forced = rebuild_targets(store, force=True)
    assert not forced.unchanged and forced.targets == 3 and snapshot(store) == before


def test_a_withdrawn_signal_withdraws_its_evidence(corpus):
    store, files, _channel, _report = corpus
    put_signal(store, "media", sha_of(files["plain"]), "landmark", None)
    with store.begin() as conn:
        conn.execute(delete(signals).where(signals.c.kind == "place"))
    rebuild_targets(store)
    with store.connect() as conn:
        found = by_key(list_targets(conn))
    assert found[TOWER]["posts"] == 2 and found[TOWER]["evidence_kinds"] == ["exif"]
    assert found[PARIS]["evidence_kinds"] == ["exif"]


def test_the_corpus_step_reads_landmark_and_exif():
    analyzers, steps = split_only(["targets"])
    assert [s.name for s in steps] == ["targets"] and analyzers == ["landmark", "exif"]
    order = [s.name for s in STEPS]
    assert order.index("reposts") < order.index("targets") < order.index("campaigns")


def test_command_line(corpus, settings):
    store = corpus[0]
    store.close()
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url, "targets"]
    run = CliRunner().invoke
    listed = run(main, [*base, "--json", "--country", "France"], catch_exceptions=False)
    assert listed.exit_code == 0 and [t["key"] for t in json.loads(listed.stdout)] == [PARIS]
    geo = run(main, [*base, "--geojson", "--limit", "2"], catch_exceptions=False)
    assert len(json.loads(geo.stdout)["features"]) == 2
    shown = run(main, [*base, "show", TOWER, "--json"], catch_exceptions=False)
    payload = json.loads(shown.stdout)
    assert payload["target"]["key"] == TOWER and len(payload["posts"]) == 3
    wide = {"COLUMNS": "200"}
    human = run(main, [*base, "--since", "2018-01-12", "--kind", "landmark"], env=wide)
    assert human.exit_code == 0 and "Tower Bridge" in human.stdout and "Paris" not in human.stdout
    shown = run(main, [*base, "show", TOWER], env=wide)
    assert shown.exit_code == 0 and "visual (41 inliers)" in shown.stdout
    assert run(main, [*base, "show", "landmark:nowhere"]).exit_code == 1
    assert run(main, [*base, "--since", "soon"]).exit_code == 2


def test_text_read_in_an_image_is_ocr_evidence(corpus):
    store, files, _channel, _report = corpus
    france = {"key": "country:FR", "kind": "country", "name": "France", "country": "FR"}
    mention = france | {"span": [0, 6], "matched": "FRANCE", "score": 0.6}
    put_signal(store, "media", sha_of(files["plain"]), "place", [mention], 0.9)
    report = rebuild_targets(store)
    assert report.by_kind["ocr"] == 1
    with store.connect() as conn:
        found = by_key(list_targets(conn, kind="country"))
        features = {f["id"] for f in targets_geojson(conn)["features"]}
        posts = target_posts(conn, "country:FR")
    assert found["country:FR"]["evidence_kinds"] == ["ocr"] and found["country:FR"]["lat"] is None
    assert "country:FR" not in features  # no point to draw
    evidence = posts[0]["evidence"][0]
    assert posts[0]["message_id"] == 4 and evidence["score"] == 0.6  # the place's own score
    assert evidence["detail"] == {"span": [0, 6], "matched": "FRANCE"}


def test_a_new_post_of_a_known_picture_is_new_evidence(corpus, settings, tmp_path):
    store, files, _channel, _report = corpus
    relay = tmp_path / "relay"
    (relay / "photos").mkdir(parents=True)
    (relay / "photos" / "tb.jpg").write_bytes(files["tower"].read_bytes())
    repost = message(1, "seen again", photo="photos/tb.jpg", minutes=9 * DAY)
    write_export(relay, single_chat([repost], chat_id=2002, name="Stand-in Relay"))
    ingest_paths(store, settings, [relay])
    report = rebuild_targets(store)  # no new signal: the picture was analysed already
    assert not report.unchanged
    with store.connect() as conn:
        tower = by_key(list_targets(conn))[TOWER]
    assert tower["posts"] == 4 and tower["last_seen"] == at(9, 0)
