"""`analyze` on a real Dask cluster (a LocalCluster with two worker processes): the same signals,
analysis state and quarantine as a local run, media read from a shared copy through fsspec,
and a worker that dies or a corrupt shared object costing only its subject."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import dask
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import delete, select

from tests.emblem_composites import paste_emblem, save_png, stand_ins
from tests.exports import message, single_chat, write_export
from tests.hostile_images import write_truncated_jpeg
from tests.plugins import ChannelCountAnalyzer, CrashingAnalyzer
from tests.test_landmark_analyzer import warped
from tests.test_landmark_gallery import scene
from tests.test_pipeline import landscape
from watchfloor.analyzers.base import PostItem, SignalOut
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.ingest import ingest_paths
from watchfloor.pipeline import run_analysis
from watchfloor.store import queries
from watchfloor.store.media_store import content_relpath
from watchfloor.store.schema import analysis_state, quarantine, signals
from watchfloor.store.shared_media import SharedMedia
from watchfloor.vision import gallery
from watchfloor.vision.emblem_registry import add_emblem

distributed = pytest.importorskip("distributed")

BUILTIN = ["digests", "pdq", "match", "md5_match", "exif", "emblem", "landmark"]
TEXTS = [
    "Morning market report: prices steady",
    "Rapport du matin : les prix sont stables",
    "Ochtendbericht: de prijzen blijven gelijk",
    "Der Zug fährt heute später ab",
]


class WordsAnalyzer(ChannelCountAnalyzer):
    """A post analyzer prepared from the store (the built-in text analyzers load language
    models for seconds)."""

    name: ClassVar[str] = "words"
    subject = "post"
    emits: ClassVar[tuple[str, ...]] = ("words",)

    def analyze(self, item: PostItem, inputs: dict) -> list[SignalOut]:
        words = item.text.split()
        return [SignalOut("words", {"count": len(words), "longest": max(words, key=len)}, 1.0)]


def registry() -> AnalyzerRegistry:
    builtin = AnalyzerRegistry.from_entry_points()
    return AnalyzerRegistry({n: builtin.get(n) for n in BUILTIN} | {"words": WordsAnalyzer})


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    # a subject that kills its worker is given up at once (Dask's default retries it thrice)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as local,
    ):
        yield local.scheduler_address


@pytest.fixture
def shared_url(tmp_path: Path) -> Iterator[str]:
    """A shared media copy behind an fsspec URL that is not a plain directory, so that workers
    fetch objects into their cache instead of reading them in place."""
    url = f"simplecache::file://{tmp_path / 'shared-media'}"
    yield url
    shutil.rmtree(SharedMedia(url)._cache_root(), ignore_errors=True)


def corpus(store, settings, root: Path) -> dict[str, str]:
    """Photos, one with a registered stand-in emblem and one of a gallery place, a truncated
    JPEG, a PNG and posts in several languages; returns name -> sha256."""
    refs = root / "refs"
    refs.mkdir(parents=True)
    emblem = stand_ins()[0]
    tower = [scene(refs / "tower-1.jpg", 21), scene(refs / "tower-2.jpg", 22)]
    with store.begin() as conn:
        add_emblem(
            conn, store.media, save_png(emblem.image, refs / "flag.png"), label="A", kind="flag"
        )
        gallery.add_images(
            conn, store.media, tower, gallery.Place("Tower", "Utopia", "K", 1.5, 2.5)
        )
        gallery.add_images(
            conn,
            store.media,
            [scene(refs / "bridge.jpg", 23)],
            gallery.Place("Bridge", "U", "K", 3, 4),
        )
    photos = root / "export" / "photos"
    photos.mkdir(parents=True)
    files = {f"land{i}": landscape(photos / f"land{i}.jpg", i) for i in range(2)}
    files["tower"] = warped(refs / "tower-1.jpg", photos / "tower.jpg")
    flagged, _ = paste_emblem(
        np.asarray(Image.open(files["land1"])), np.asarray(emblem.image), 0.4, random.Random(3)
    )
    Image.fromarray(flagged).save(photos / "flag.jpg", quality=90)
    files["flag"] = photos / "flag.jpg"
    files["broken"] = write_truncated_jpeg(photos)
    Image.new("RGB", (64, 48), (9, 90, 9)).save(photos / "drawing.png")
    files["drawing"] = photos / "drawing.png"
    msgs = [
        message(i + 1, TEXTS[i % len(TEXTS)], photo=f"photos/{path.name}")
        for i, path in enumerate(files.values())
    ]
    ingest_paths(store, settings, [write_export(root / "export", single_chat(msgs))])
    return {name: _sha(path) for name, path in files.items()}


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(store) -> dict[str, list[tuple]]:
    """Every signal, analysis state and analysis quarantine row, without ids and times."""
    with store.connect() as conn:
        sig = conn.execute(
            select(
                signals.c.subject_type,
                signals.c.subject,
                signals.c.analyzer,
                signals.c.version,
                signals.c.kind,
                signals.c.value,
                signals.c.score,
                signals.c.evidence,
            )
        )
        state = conn.execute(
            select(
                analysis_state.c.analyzer,
                analysis_state.c.subject_type,
                analysis_state.c.subject,
                analysis_state.c.version,
                analysis_state.c.input_key,
                analysis_state.c.status,
                analysis_state.c.detail,
            )
        )
        held = conn.execute(
            select(
                quarantine.c.source, quarantine.c.locator, quarantine.c.code, quarantine.c.reason
            ).where(quarantine.c.stage == "analyze")
        )
        return {
            name: sorted(tuple(map(_plain, row)) for row in rows)
            for name, rows in (("signals", sig), ("state", state), ("quarantine", held))
        }


def _plain(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def forget_analysis(store) -> None:
    with store.begin() as conn:
        conn.execute(delete(signals))
        conn.execute(delete(analysis_state))
        conn.execute(delete(quarantine).where(quarantine.c.stage == "analyze"))


def test_a_cluster_run_gives_the_signals_of_a_local_run(
    store, settings, tmp_path, cluster, shared_url
):
    sha = corpus(store, settings, tmp_path)
    on_cluster = dataclasses.replace(settings, scheduler=cluster, media_url=shared_url)
    seen: list[tuple[str, int, int]] = []
    report = run_analysis(store, on_cluster, registry(), on_progress=lambda *a: seen.append(a))
    remote = snapshot(store)

    by_name = {a.analyzer: a for a in report.analyzers}
    assert by_name["pdq"].rejected == 1 and by_name["digests"].ok == len(sha)
    assert ("pdq", len(sha), len(sha)) in seen
    kinds = {(row[1], row[4]) for row in remote["signals"]}
    assert (_plain(sha["flag"]), _plain("emblem")) in kinds
    assert (_plain(sha["tower"]), _plain("landmark")) in kinds
    assert sum(row[4] == _plain("words") for row in remote["signals"]) == len(sha)
    shared = Path(shared_url.split("file://", 1)[1])
    assert all((shared / content_relpath(s)).is_file() for s in sha.values())

    forget_analysis(store)
    run_analysis(store, settings, registry(), workers=1)
    assert snapshot(store) == remote


def test_worker_deaths_and_corrupt_shared_objects_cost_only_their_subject(
    sqlite_settings, tmp_path, cluster, shared_url
):
    from watchfloor.store import open_store

    store = open_store(sqlite_settings)
    photos = tmp_path / "e" / "photos"
    photos.mkdir(parents=True)
    paths = [landscape(photos / f"p{i}.jpg", i) for i in range(5)]
    Image.new("RGB", (64, 64), (9, 9, 9)).save(photos / "drawing.png")
    paths.append(photos / "drawing.png")
    msgs = [message(i + 1, "x", photo=f"photos/{p.name}") for i, p in enumerate(paths)]
    ingest_paths(store, sqlite_settings, [write_export(tmp_path / "e", single_chat(msgs))])
    media = SharedMedia(shared_url)
    assert media.push(store.media, [_sha(p) for p in paths]) == len(paths)
    spoiled = Path(shared_url.split("file://", 1)[1]) / content_relpath(_sha(paths[0]))
    spoiled.chmod(0o644)
    spoiled.write_bytes(b"not the bytes of this key")

    on_cluster = dataclasses.replace(sqlite_settings, scheduler=cluster, media_url=shared_url)
    registry = AnalyzerRegistry({"crasher": CrashingAnalyzer})
    (r,) = run_analysis(store, on_cluster, registry).analyzers
    assert (r.considered, r.ok, r.errors) == (6, 4, 2)
    with store.connect() as conn:
        held = {q["source"]: q["code"] for q in queries.list_quarantine(conn, stage="analyze")}
    assert held == {
        f"media:{_sha(paths[0])}": "media_corrupt",
        f"media:{_sha(paths[-1])}": "worker_crashed",
    }
    store.close()


def test_shared_media_copies_checks_and_trims(tmp_path):
    from watchfloor.store.media_store import MediaStore
    from watchfloor.store.shared_media import MediaUnavailable

    local = MediaStore(tmp_path / "media")
    stored = [local.put_bytes(bytes([i]) * 5000) for i in range(4)]
    shas = [s.sha256 for s in stored]
    mount = SharedMedia(str(tmp_path / "mount"))
    assert mount.push(local, shas) == 4 and mount.push(local, shas) == 0
    assert mount.local_path(shas[0]) == tmp_path / "mount" / content_relpath(shas[0])

    remote = SharedMedia(
        f"simplecache::file://{tmp_path / 'mount'}", str(tmp_path / "cache"), 12000
    )
    copy = remote.local_path(shas[1])
    assert copy.parent.parent.parent == tmp_path / "cache" and copy.read_bytes() == b"\x01" * 5000
    (tmp_path / "mount" / content_relpath(shas[2])).chmod(0o644)
    (tmp_path / "mount" / content_relpath(shas[2])).write_bytes(b"other bytes")
    with pytest.raises(MediaUnavailable) as corrupt:
        remote.local_path(shas[2])
    assert corrupt.value.code == "media_corrupt"
    assert not (tmp_path / "cache" / content_relpath(shas[2])).exists()
    with pytest.raises(MediaUnavailable) as missing:
        remote.local_path("ab" * 32)
    assert missing.value.code == "media_unavailable"
    for sha in (shas[0], shas[3]):
        remote.local_path(sha)
    assert remote.trim_cache() == 2  # 15000 bytes held, over 12000: down to 6000 at most
    assert len(list((tmp_path / "cache").glob("*/*/*"))) == 1
