"""Crashes the fuzz harnesses (tests/fuzz) found, each with its minimal input: every one is now
a quarantined record, a rejected line or a clear error, never an exception that stops the run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from tests.exports import message, single_chat, write_export
from tests.hostile_images import synthetic_rgb, write_many_frames_gif, write_many_scans_jpeg
from watchfloor.alerts.rules import RulesError, load_rules, parse_rules
from watchfloor.analyzers.base import AnalyzerOptions, AnalyzerRejected, MediaItem, decode_image
from watchfloor.config import ConfigError, load_settings
from watchfloor.imaging import ImageLimits, ImageRejected, decode_rgb, probe_image
from watchfloor.ingest import ingest_paths
from watchfloor.matching.formats import BadInput, HashEntry, read_tat
from watchfloor.store import queries

PDQ = "f" * 64


def _nested(depth: int) -> object:
    value: object = None
    for _ in range(depth):
        value = {"a": value}
    return value


def _quarantined(store) -> list[tuple[str, str]]:
    with store.connect() as conn:
        return sorted((r["locator"], r["code"]) for r in queries.list_quarantine(conn))


# ---- exports ---------------------------------------------------------------------------------


def test_messages_nested_too_deep_are_quarantined(store, settings, tmp_path):
    """orjson refuses nesting over 255 levels with a TypeError, which stopped the ingest."""
    msgs = [message(1, "ok"), message(2, "deep", extra=_nested(300)), message(3, "ok too")]
    report = ingest_paths(store, settings, [write_export(tmp_path / "e", single_chat(msgs))])
    assert report.sources[0].error is None
    assert report.totals()["added"] == 2
    assert _quarantined(store) == [("message #1", "malformed_message")]


def test_integers_beyond_64_bits_end_the_read_like_any_malformed_json(store, settings, tmp_path):
    msgs = [message(1, "ok"), message(2, "huge", extra=2**64), message(3, "never read")]
    path = write_export(tmp_path / "e", single_chat(msgs))
    report = ingest_paths(store, settings, [path], batch_size=1)
    assert "integer overflow" in report.sources[0].error
    assert report.totals()["added"] == 1
    assert [code for _, code in _quarantined(store)] == ["malformed_json"]


def _html(body: str) -> str:
    return (
        '<html><body><div class="page_header"><div class="text">Chat</div></div>'
        f'<div class="history">{body}</div></body></html>'
    )


def test_empty_html_pages_are_a_source_error(store, settings, tmp_path):
    """An empty messages.html made lxml return no root: AttributeError on None."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "messages.html").write_bytes(b"")
    second = tmp_path / "second"
    second.mkdir()
    good = '<div class="message default" id="message1"><div class="body"><div class="date" title="10.01.2018 12:00:00"></div><div class="text">hi</div></div></div>'
    (second / "messages.html").write_text(_html(good))
    (second / "messages2.html").write_bytes(b"")
    report = ingest_paths(store, settings, [tmp_path / "empty", second], batch_size=1)
    assert [s.error.split(":")[0] for s in report.sources] == ["malformed_html", "malformed_html"]
    assert report.totals()["added"] == 1  # the good first page is kept


def test_html_ids_beyond_64_bits(store, settings, tmp_path):
    big = 10**30
    body = (
        f'<div class="message default" id="message{big}"><div class="body"><div class="date" title="10.01.2018 12:00:00"></div></div></div>'
        '<div class="message default" id="message2"><div class="body"><div class="date" title="10.01.2018 12:00:00"></div>'
        f'<div class="reply_to"><a href="#go_to_message{big}">re</a></div><div class="text">x</div></div></div>'
    )
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "messages.html").write_text(_html(body))
    report = ingest_paths(store, settings, [tmp_path / "h"])
    assert report.totals()["added"] == 1
    assert [code for _, code in _quarantined(store)] == ["malformed_message"]


# ---- hash lists ------------------------------------------------------------------------------


def test_tat_records_that_orjson_cannot_write_are_still_read():
    records = [
        {"hash_digest": PDQ, "algorithm": "PDQ", "extra": _nested(300)},
        {"algorithm": "PDQ", "extra": _nested(300)},
        {"hash_digest": PDQ, "algorithm": "PDQ", "id": 2**64},  # ijson stops here
    ]
    items = [item for _, item in read_tat(io.BytesIO(json.dumps(records).encode()))]
    assert isinstance(items[0], HashEntry) and items[0].value == PDQ
    assert isinstance(items[1], BadInput) and items[1].code == "malformed_record"
    assert isinstance(items[2], BadInput) and "integer overflow" in items[2].reason


# ---- alert rules -----------------------------------------------------------------------------

RULE = "{id: r, type: surge, severity: low}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules: []\nsinks: {}\n0: []\n'': []", "unknown key 0"),  # sorted() of int and str
        ("rules: [{id: r, type: [], severity: low}]\nsinks: {}", "'type' must be one of"),
        ("rules: [{id: r, type: surge, severity: []}]\nsinks: {}", "'severity' must be one of"),
        ("rules: []\nsinks: {s: {type: []}}", "'type' must be one of"),
        (f"rules: [{RULE[:-1]}, sinks: [[a]]}}]\nsinks: {{}}", "no sink named"),
        (
            "rules: [{id: r, type: surge, severity: low, params: {min_factor: .inf}}]",
            "finite number",
        ),  # int(inf) raised OverflowError
    ],
)
def test_rules_with_values_of_the_wrong_kind(text: str, expected: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(text)
    assert expected in str(caught.value)


def test_rules_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"\x80")
    with pytest.raises(RulesError, match="not UTF-8"):
        load_rules(path)


# ---- image limits ----------------------------------------------------------------------------


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    Image.fromarray(synthetic_rgb()).save(path)
    size = path.stat().st_size
    assert probe_image(path, limits=ImageLimits(bytes=size)).width == 640
    with pytest.raises(ImageRejected) as caught:
        decode_rgb(path, limits=ImageLimits(bytes=size - 1))
    assert caught.value.code == "too_large"


def test_frame_limit_counts_no_further_than_the_limit(tmp_path: Path) -> None:
    path = write_many_frames_gif(tmp_path)
    with pytest.raises(ImageRejected) as caught:
        probe_image(path)
    assert caught.value.code == "too_many_frames"
    assert probe_image(path, limits=ImageLimits(frames=10_001)).frames == 10_001


def test_jpeg_scan_limit(tmp_path: Path) -> None:
    path = write_many_scans_jpeg(tmp_path)
    assert probe_image(path).format == "JPEG"  # headers are fine: only decoding is refused
    with pytest.raises(ImageRejected) as caught:
        decode_rgb(path, reduce_to=64)
    assert caught.value.code == "too_many_scans"
    assert decode_rgb(path, limits=ImageLimits(jpeg_scans=1000)).rgb.shape == (480, 640, 3)


def test_limits_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "WATCHFLOOR_MAX_IMAGE_PIXELS": "1_000_000",
        "WATCHFLOOR_MAX_IMAGE_BYTES": "2048",
        "WATCHFLOOR_MAX_IMAGE_FRAMES": "5",
        "WATCHFLOOR_MAX_JPEG_SCANS": "20",
    }
    settings = load_settings(tmp_path, environ=env)
    assert settings.image_limits == ImageLimits(1_000_000, 2048, 5, 20)
    assert load_settings(tmp_path, environ={}).image_limits == ImageLimits()
    for bad in ("0", "-1", "lots", "1e6", "²"):
        with pytest.raises(ConfigError, match="WATCHFLOOR_MAX_IMAGE_FRAMES"):
            load_settings(tmp_path, environ={"WATCHFLOOR_MAX_IMAGE_FRAMES": bad})


def test_analyzers_decode_within_the_configured_limits(tmp_path: Path) -> None:
    path = write_many_scans_jpeg(tmp_path)
    item = MediaItem(sha256="x", path=path, size=path.stat().st_size, mime="image/jpeg")
    strict = AnalyzerOptions(image_limits=ImageLimits(jpeg_scans=100))
    with pytest.raises(AnalyzerRejected) as caught:
        decode_image(item, strict)
    assert caught.value.code == "too_many_scans"
    relaxed = AnalyzerOptions(image_limits=ImageLimits(jpeg_scans=1000))
    assert decode_image(item, relaxed).rgb.shape == (480, 640, 3)


# ---- what PostgreSQL refuses and SQLite takes -------------------------------------------------


def test_nul_characters_are_stored_as_replacement_characters(store, settings, tmp_path):
    """PostgreSQL refuses NUL in text ("cannot contain NUL (0x00) bytes"); it stopped the ingest."""
    msgs = [message(1, "a\x00b", **{"from": "x\x00"}, file="f\x00.jpg", media_type=["list"])]
    chat = single_chat(msgs, name="chat\x00")
    report = ingest_paths(store, settings, [write_export(tmp_path / "n", chat)])
    assert report.sources[0].error is None and report.totals()["added"] == 1
    with store.connect() as conn:
        post = queries.list_posts(conn, limit=1)[0]
    assert post["text"] == "a\ufffdb"
    assert [m["role"] for m in post["media"]] == ["file"]  # a media_type that is no text


def test_identifiers_longer_than_their_columns(store, settings, tmp_path):
    """PostgreSQL refuses strings longer than a VARCHAR column; SQLite stored them."""
    msgs = [
        message(1, "ok"),
        message(2, "long type", type="t" * 41),
        message(3, "long sender id", from_id="f" * 256),
        message(4, "long role", file="f.bin", media_type="m" * 41),
    ]
    chats = [
        write_export(tmp_path / "a", single_chat(msgs)),
        write_export(tmp_path / "b", single_chat([message(1)], chat_id="c" * 256)),
        write_export(tmp_path / "c", single_chat([message(1)], kind="k" * 61)),
        write_export(tmp_path / "d", single_chat([message(1)], chat_id="c\x00")),
    ]
    report = ingest_paths(store, settings, chats)
    assert report.totals()["added"] == 1
    errors = [(s.error or "").split(":")[0] for s in report.sources]
    assert errors == ["", "malformed_export", "malformed_export", "malformed_export"]
    assert [code for locator, code in _quarantined(store) if "message" in locator] == [
        "malformed_message"
    ] * 3


def test_tat_json_escaping_no_utf8_character():
    """ijson turns a lone low surrogate ("\\udc00") into bytes that are no UTF-8 and raised
    UnicodeDecodeError, not its own JSONError."""
    data = b'[{"hash_digest": "' + PDQ.encode() + b'", "algorithm": "PDQ"}, {"a": "\\udc00"}]'
    items = [item for _, item in read_tat(io.BytesIO(data))]
    assert isinstance(items[0], HashEntry)
    assert isinstance(items[1], BadInput) and items[1].code == "malformed_json"


def test_media_path_too_long_for_the_file_system(store, settings, tmp_path):
    """stat() of a name over 255 bytes raises ENAMETOOLONG, which Path.is_file() does not catch;
    NUL characters (3 bytes each once replaced) made a 150-character name long enough."""
    msgs = [message(1, "x", file="a" * 300), message(2, "y", photo="b" * 100 + "\x00" * 60)]
    report = ingest_paths(store, settings, [write_export(tmp_path / "p", single_chat(msgs))])
    assert report.sources[0].error is None and report.totals()["added"] == 2
    with store.connect() as conn:
        media = [m for p in queries.list_posts(conn, limit=5) for m in p["media"]]
    assert [m["status"] for m in media] == ["missing", "missing"]
