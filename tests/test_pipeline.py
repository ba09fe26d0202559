"""The analysis pipeline: incremental, ordered by needs, parallel, and robust to bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image

from tests.exports import message, single_chat, write_export
from tests.plugins import (
    ChannelCountAnalyzer,
    CrashingAnalyzer,
    CycleA,
    CycleB,
    PdqPrefixAnalyzer,
)
from watchfloor.analyzers.digests import DigestAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry, RegistryError
from watchfloor.ingest import ingest_paths
from watchfloor.pdq import pdq_hash_file
from watchfloor.pipeline import run_analysis
from watchfloor.store import queries


def landscape(path: Path, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.effect_mandelbrot((480, 320), (-2.0 + seed * 0.05, -1.2, 1.0, 1.2), 60).convert(
        "RGB"
    )
    img.save(path, quality=90)
    return path


def export_with_images(root: Path, n: int = 4, extra: dict[str, Path] | None = None) -> Path:
    msgs = []
    for i in range(n):
        landscape(root / "photos" / f"p{i}.jpg", i)
        msgs.append(message(i + 1, f"post {i}", photo=f"photos/p{i}.jpg"))
    for j, (name, path) in enumerate(sorted((extra or {}).items())):
        target = root / "files" / f"{name}{path.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        msgs.append(message(100 + j, name, file=f"files/{target.name}", media_type="file"))
    return write_export(root, single_chat(msgs))


def builtins() -> AnalyzerRegistry:
    return AnalyzerRegistry({"digests": DigestAnalyzer, "pdq": PdqAnalyzer})


def signals(store, kind):
    with store.connect() as conn:
        return {s["subject"]: s for s in queries.list_signals(conn, kind=kind, limit=10_000)}


def test_hashes_every_image_once(store, settings, tmp_path):
    ingest_paths(store, settings, [export_with_images(tmp_path / "e")])
    report = run_analysis(store, settings, builtins(), workers=1)
    assert [(a.analyzer, a.considered, a.ok) for a in report.analyzers] == [
        ("digests", 4, 4),
        ("pdq", 4, 4),
    ]
    pdq = signals(store, "pdq")
    md5 = signals(store, "md5")
    assert len(pdq) == 4 and len(md5) == 4
    sha, sig = next(iter(pdq.items()))
    expected = pdq_hash_file(store.media.path_for(sha), mode="fast")
    assert sig["value"] == {"hash": expected.hash, "quality": expected.quality}
    assert len(signals(store, "pdq_dihedral")[sha]["value"]) == 8
    again = run_analysis(store, settings, builtins(), workers=1)
    assert [a.considered for a in again.analyzers] == [0, 0]


def test_version_change_recomputes_only_that_analyzer(store, settings, tmp_path):
    ingest_paths(store, settings, [export_with_images(tmp_path / "e", n=2)])
    run_analysis(store, settings, builtins(), workers=1)
    exact = dataclasses.replace(settings, pdq_mode="exact")
    report = run_analysis(store, exact, builtins(), workers=1)
    assert {a.analyzer: a.considered for a in report.analyzers} == {"digests": 0, "pdq": 2}
    assert {s["version"] for s in signals(store, "pdq").values()} == {"1+exact"}


def test_new_media_only_is_analysed(store, settings, tmp_path):
    root = tmp_path / "e"
    ingest_paths(store, settings, [export_with_images(root, n=2)])
    run_analysis(store, settings, builtins(), workers=1)
    ingest_paths(store, settings, [export_with_images(root, n=3)])
    report = run_analysis(store, settings, builtins(), workers=1)
    assert [a.considered for a in report.analyzers] == [1, 1]


def test_dependency_order_and_input_tracking(store, settings, tmp_path):
    ingest_paths(store, settings, [export_with_images(tmp_path / "e", n=2)])
    registry = AnalyzerRegistry(
        {"pdq_prefix": PdqPrefixAnalyzer, "pdq": PdqAnalyzer, "digests": DigestAnalyzer}
    )
    assert [c.name for c in registry.ordered()].index("pdq") < [
        c.name for c in registry.ordered()
    ].index("pdq_prefix")
    assert [c.name for c in registry.ordered(["pdq_prefix"])] == ["pdq", "pdq_prefix"]
    run_analysis(store, settings, registry, workers=1)
    prefixes = signals(store, "pdq_prefix")
    for sha, sig in signals(store, "pdq").items():
        assert prefixes[sha]["value"] == sig["value"]["hash"][:4]
    report = run_analysis(store, settings, registry, workers=1)
    assert {a.analyzer: a.considered for a in report.analyzers}["pdq_prefix"] == 0


def test_registry_rejects_cycles_and_unmet_needs():
    with pytest.raises(RegistryError, match="cycle"):
        AnalyzerRegistry({"cycle_a": CycleA, "cycle_b": CycleB}).ordered()
    with pytest.raises(RegistryError, match="needs"):
        AnalyzerRegistry({"pdq_prefix": PdqPrefixAnalyzer}).ordered()
    with pytest.raises(RegistryError, match="no analyzer named"):
        AnalyzerRegistry({}).get("nope")


def test_process_pool_gives_the_same_signals(store, settings, tmp_path):
    ingest_paths(store, settings, [export_with_images(tmp_path / "e", n=6)])
    run_analysis(store, settings, builtins(), workers=2)
    pooled = {k: v["value"] for k, v in signals(store, "pdq").items()}
    serial = {sha: pdq_hash_file(store.media.path_for(sha)).hash for sha in pooled}
    assert {k: v["hash"] for k, v in pooled.items()} == serial


def test_a_dying_worker_costs_only_its_subject(sqlite_settings, tmp_path):
    from watchfloor.store import open_store

    store = open_store(sqlite_settings)
    png = tmp_path / "src" / "drawing.png"
    png.parent.mkdir()
    Image.new("RGB", (64, 64), (9, 9, 9)).save(png)
    ingest_paths(
        store, sqlite_settings, [export_with_images(tmp_path / "e", n=10, extra={"drawing": png})]
    )
    report = run_analysis(
        store, sqlite_settings, AnalyzerRegistry({"crasher": CrashingAnalyzer}), workers=2
    )
    (r,) = report.analyzers
    assert (r.considered, r.ok, r.errors) == (11, 10, 1)
    with store.connect() as conn:
        q = queries.list_quarantine(conn, stage="analyze")
    assert [x["code"] for x in q] == ["worker_crashed"]


def test_prepared_analyzers_read_the_store_and_version_with_it(store, settings, tmp_path):
    registry = AnalyzerRegistry({"channel_count": ChannelCountAnalyzer})
    ingest_paths(store, settings, [export_with_images(tmp_path / "a", n=2)])
    first = run_analysis(store, settings, registry, workers=2)
    assert [(a.version, a.ok) for a in first.analyzers] == [("1+1ch", 2)]
    assert {s["value"] for s in signals(store, "channels_seen").values()} == {1}
    assert run_analysis(store, settings, registry, workers=1).analyzers[0].considered == 0
    other = write_export(tmp_path / "b", single_chat([message(1, "x")], chat_id=2002, name="Other"))
    ingest_paths(store, settings, [other])
    again = run_analysis(store, settings, registry, workers=1)
    assert [(a.version, a.considered) for a in again.analyzers] == [("1+2ch", 2)]
    assert {s["value"] for s in signals(store, "channels_seen").values()} == {2}
