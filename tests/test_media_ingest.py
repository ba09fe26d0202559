"""Media during ingest: content-addressed, deduplicated, and never read from outside the export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.exports import message, single_chat, write_export
from watchfloor.ingest import ingest_paths
from watchfloor.ingest.media import PathRefused, resolve_export_path
from watchfloor.store import queries
from watchfloor.store.schema import media, post_media


def draw(path: Path, color: tuple[int, int, int], size=(320, 240)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, color)
    for x in range(0, size[0], 20):
        img.paste((255 - color[0], 90, x % 255), (x, 0, x + 10, size[1]))
    img.save(path, quality=90)
    return path


def test_media_is_stored_once_under_its_sha256(store, settings, tmp_path):
    root = tmp_path / "export"
    draw(root / "photos" / "a.jpg", (200, 30, 30))
    (root / "photos" / "copy.jpg").write_bytes((root / "photos" / "a.jpg").read_bytes())
    draw(root / "photos" / "b.png", (20, 90, 200))
    msgs = [
        message(1, "x", photo="photos/a.jpg"),
        message(2, "y", photo="photos/copy.jpg"),
        message(3, "z", photo="photos/b.png"),
    ]
    ingest_paths(store, settings, [write_export(root, single_chat(msgs))])
    with store.connect() as conn:
        items = queries.list_media(conn)
    assert len(items) == 2
    jpeg = next(m for m in items if m["mime"] == "image/jpeg")
    assert (jpeg["width"], jpeg["height"], jpeg["posts"]) == (320, 240, 2)
    stored = store.media.path_for(jpeg["sha256"])
    assert stored.read_bytes() == (root / "photos" / "a.jpg").read_bytes()
    png = next(m for m in items if m["mime"] == "image/png")
    assert png["size"] == (root / "photos" / "b.png").stat().st_size


def test_escaping_paths_are_refused_and_quarantined(store, settings, tmp_path):
    outside = draw(tmp_path / "secret" / "outside.jpg", (1, 2, 3))
    root = tmp_path / "export"
    (root / "photos").mkdir(parents=True)
    os.symlink(outside, root / "photos" / "link.jpg")
    msgs = [
        message(1, "", photo="../secret/outside.jpg"),
        message(2, "", photo=str(outside)),
        message(3, "", photo="photos/link.jpg"),
        message(4, "", file="photos/../../secret/outside.jpg"),
    ]
    report = ingest_paths(store, settings, [write_export(root, single_chat(msgs))])
    assert report.totals()["added"] == 4  # the posts are good data; only their media is refused
    with store.connect() as conn:
        refs = conn.execute(select(post_media.c.status, post_media.c.sha256)).all()
        stored = conn.execute(select(media.c.sha256)).all()
        q = queries.list_quarantine(conn)
    assert [r.status for r in refs] == ["refused"] * 4
    assert all(r.sha256 is None for r in refs) and stored == []
    assert {r["code"] for r in q} == {"unsafe_media_path"} and len(q) == 4
    assert any("absolute" in r["reason"] for r in q)


@pytest.mark.parametrize(
    "relative", ["../x.jpg", "/etc/passwd", "a/../../x", "C:\\Windows\\x.jpg", "ok\x00.jpg"]
)
def test_resolve_refuses(tmp_path, relative):
    with pytest.raises(PathRefused):
        resolve_export_path(tmp_path, relative)


def test_resolve_accepts_inside_paths(tmp_path):
    (tmp_path / "photos").mkdir()
    assert (
        resolve_export_path(tmp_path, "photos/./a.jpg") == (tmp_path / "photos" / "a.jpg").resolve()
    )
    assert (
        resolve_export_path(tmp_path, "photos/../photos/a.jpg").parent
        == (tmp_path / "photos").resolve()
    )
