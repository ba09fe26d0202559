"""Matching media against hash banks, on real SQLite and PostgreSQL: the persisted index kept in
step with bank revisions, rotations and flips, per-bank thresholds, low quality, MD5, the
analyzers in the pipeline (worker processes included) and `watchfloor match`."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import update

from tests.exports import message, single_chat, write_export
from tests.reference import LANDMARKS, need_path
from watchfloor.analyzers.base import AnalyzerOptions
from watchfloor.analyzers.digests import DigestAnalyzer
from watchfloor.analyzers.match import MatchAnalyzer, Md5MatchAnalyzer
from watchfloor.analyzers.pdq import PdqAnalyzer
from watchfloor.analyzers.registry import AnalyzerRegistry
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths
from watchfloor.matching import bank_index, index_files
from watchfloor.matching.bank_index import index_directory, open_bank_index, sync_bank_index
from watchfloor.pdq import DIHEDRAL_NAMES, hamming_distance, pdq_hash_file
from watchfloor.pipeline import run_analysis
from watchfloor.store import queries
from watchfloor.store.schema import bank_entries, banks

PHOTOS = {
    "cathedral": "berlin_cathedral/wxbs_berlin_01.jpg",
    "basilica": "sacre_coeur/lightglue_sacre_coeur1.jpg",
    "bridge": "tower_bridge/superglue_london_bridge_19481797_2295892421.jpg",
}


# banks, written directly with SQLAlchemy Core ---------------------------------------------


def insert_bank(store, name: str, threshold: int = 31, enabled: bool = True) -> int:
    now = datetime.now(UTC)
    with store.begin() as conn:
        row = {"name": name, "threshold": threshold, "enabled": enabled, "revision": 1}
        result = conn.execute(banks.insert().values(**row, created_at=now, updated_at=now))
        return result.inserted_primary_key[0]


def insert_entries(store, bank_id: int, rows: list[tuple[str, str, str | None]], quality=90):
    """``rows``: (signal_type, value, label); bumps the bank's revision as the banks module does."""
    now = datetime.now(UTC)
    with store.begin() as conn:
        for signal_type, value, label in rows:
            conn.execute(
                bank_entries.insert().values(
                    bank_id=bank_id,
                    signal_type=signal_type,
                    value=value,
                    quality=quality if signal_type == "pdq" else None,
                    label=label,
                    added_at=now,
                )
            )
    bump(store, bank_id)


def bump(store, bank_id: int, **changes) -> None:
    with store.begin() as conn:
        conn.execute(
            update(banks)
            .where(banks.c.id == bank_id)
            .values(revision=banks.c.revision + 1, **changes)
        )


def set_entry(store, bank_id: int, value: str, **changes) -> None:
    with store.begin() as conn:
        conn.execute(
            update(bank_entries)
            .where(bank_entries.c.bank_id == bank_id, bank_entries.c.value == value)
            .values(**changes)
        )
    bump(store, bank_id)


def random_hashes(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(n)]


def at_distance(value: str, d: int, seed: int = 0) -> str:
    bits = np.random.default_rng(seed).choice(256, d, replace=False)
    return f"{int(value, 16) ^ sum(1 << int(b) for b in bits):064x}"


def sync(store, settings):
    return sync_bank_index(store, index_directory(settings.workspace))


# the index in step with the banks ----------------------------------------------------------


def test_built_once_then_unchanged_until_a_revision_moves(store, settings):
    bank = insert_bank(store, "posters")
    hashes = random_hashes(300, seed=1)
    insert_entries(store, bank, [("pdq", h, f"poster {i}") for i, h in enumerate(hashes)])
    first = sync(store, settings)
    assert (first.action, first.entries) == ("rebuilt", {"pdq": 300, "md5": 0})
    again = sync(store, settings)
    assert (again.action, again.ref) == ("unchanged", first.ref)
    index = open_bank_index(again.ref)
    (match,) = index.match_pdq([at_distance(hashes[7], 12)])
    assert (match.bank, match.label, match.distance) == ("posters", "poster 7", 12)
    assert match.entry_id > 0 and match.threshold == 31 and match.entry_quality == 90


def test_new_entries_extend_the_index_without_reading_the_rest(store, settings, monkeypatch):
    bank = insert_bank(store, "posters")
    old = random_hashes(200, seed=2)
    insert_entries(store, bank, [("pdq", h, "old") for h in old] + [("md5", "a" * 32, "file")])
    first = sync(store, settings)
    before = index_files.read_manifest(Path(first.ref.directory), first.ref.manifest)
    monkeypatch.setattr(bank_index, "SMALL_SEGMENT", 0)  # new entries get a segment of their own
    new = random_hashes(3, seed=3)
    insert_entries(store, bank, [("pdq", h, "new") for h in new])
    extended = sync(store, settings)
    assert (extended.action, extended.added, extended.entries["pdq"]) == ("extended", 3, 203)
    after = index_files.read_manifest(Path(extended.ref.directory), extended.ref.manifest)
    assert after.segments["pdq"][0] == before.segments["pdq"][0]  # the old segment is kept
    assert after.segments["md5"] == before.segments["md5"] and len(after.segments["pdq"]) == 2
    index = open_bank_index(extended.ref)
    assert [m.label for m in index.match_pdq([old[0], new[2]])] == ["old", "new"]
    monkeypatch.setattr(bank_index, "MAX_SEGMENTS", 1)
    insert_entries(store, bank, [("pdq", random_hashes(1, seed=4)[0], "newer")])
    compacted = sync(store, settings)
    segments = index_files.read_manifest(Path(compacted.ref.directory), compacted.ref.manifest)
    assert compacted.action == "extended" and len(segments.segments["pdq"]) == 1
    assert open_bank_index(compacted.ref).size("pdq") == 204


def test_disabling_editing_or_dropping_rebuilds(store, settings):
    posters, other = insert_bank(store, "posters"), insert_bank(store, "other")
    hashes = random_hashes(50, seed=5)
    insert_entries(store, posters, [("pdq", h, "poster") for h in hashes[:40]])
    insert_entries(store, other, [("pdq", h, "other") for h in hashes[40:]])
    sync(store, settings)
    set_entry(store, posters, hashes[0], enabled=False)
    disabled = sync(store, settings)
    assert disabled.action == "rebuilt" and disabled.entries["pdq"] == 49
    assert open_bank_index(disabled.ref).match_pdq([hashes[0]]) == []
    set_entry(store, posters, hashes[1], label="renamed")
    edited = sync(store, settings)
    assert edited.action == "rebuilt"
    assert [m.label for m in open_bank_index(edited.ref).match_pdq([hashes[1]])] == ["renamed"]
    bump(store, other, enabled=False)
    dropped = sync(store, settings)
    assert dropped.action == "rebuilt" and dropped.entries["pdq"] == 39
    assert open_bank_index(dropped.ref).bank_names() == ["posters"]
    assert not [p for p in Path(dropped.ref.directory).glob("manifest-*")][3:]  # old ones removed


def test_each_bank_matches_within_its_own_threshold(store, settings):
    strict, loose = insert_bank(store, "strict", threshold=10), insert_bank(store, "loose")
    value = random_hashes(1, seed=6)[0]
    insert_entries(store, strict, [("pdq", value, "strict copy")])
    insert_entries(store, loose, [("pdq", value, "loose copy")])
    index = open_bank_index(sync(store, settings).ref)
    assert {m.bank for m in index.match_pdq([at_distance(value, 10)])} == {"strict", "loose"}
    assert {m.bank for m in index.match_pdq([at_distance(value, 11)])} == {"loose"}
    assert index.match_pdq([at_distance(value, 32)]) == []
    assert {m.bank for m in index.match_pdq([value], banks={"strict"})} == {"strict"}
    bump(store, strict, threshold=40)  # wider than the index was planned for: rebuilt
    wider = sync(store, settings)
    assert wider.action == "rebuilt"
    found = open_bank_index(wider.ref).match_pdq([at_distance(value, 40)])
    assert [(m.bank, m.distance) for m in found] == [("strict", 40)]


def test_the_version_follows_the_bank_state(store, settings):
    analyzer = MatchAnalyzer(AnalyzerOptions(workspace=str(settings.workspace)))
    assert analyzer.effective_version == "1"
    analyzer.prepare(store)
    empty = analyzer.effective_version
    bank = insert_bank(store, "posters")
    analyzer.prepare(store)
    assert analyzer.effective_version != empty
    created = analyzer.effective_version
    analyzer.prepare(store)
    assert analyzer.effective_version == created
    bump(store, bank, threshold=20)
    analyzer.prepare(store)
    assert analyzer.effective_version not in (empty, created)
    assert analyzer.effective_version.startswith("1+") and len(analyzer.effective_version) <= 40


def test_malformed_bank_values_are_skipped_and_counted(store, settings):
    bank = insert_bank(store, "posters")
    good = random_hashes(1, seed=7)[0]
    insert_entries(store, bank, [("pdq", good, "ok"), ("pdq", "xyz", "bad"), ("md5", "12", "bad")])
    report = sync(store, settings)
    assert (report.entries, report.invalid) == ({"pdq": 1, "md5": 0}, 2)
    assert [m.label for m in open_bank_index(report.ref).match_pdq([good.upper()])] == ["ok"]


def test_low_quality_bank_entries_are_not_indexed(store, settings):
    """An imported hash of known quality below 50 would match unrelated flat pictures."""
    bank = insert_bank(store, "imported")
    weak, strong = random_hashes(2, seed=8)
    insert_entries(store, bank, [("pdq", weak, "weak")], quality=49)
    insert_entries(store, bank, [("pdq", strong, "strong")], quality=50)
    report = sync(store, settings)
    assert (report.entries["pdq"], report.invalid) == (1, 1)
    index = open_bank_index(report.ref)
    assert index.match_pdq([weak]) == [] and len(index.match_pdq([strong])) == 1


def test_a_damaged_index_is_rebuilt(store, settings):
    bank = insert_bank(store, "posters")
    value = random_hashes(1, seed=8)[0]
    insert_entries(store, bank, [("pdq", value, "poster")])
    first = sync(store, settings)
    (segment,) = index_files.read_manifest(Path(first.ref.directory), first.ref.manifest).segments[
        "pdq"
    ]
    shutil.rmtree(Path(first.ref.directory) / segment)
    repaired = sync(store, settings)
    assert repaired.action == "rebuilt"
    assert len(open_bank_index(repaired.ref).match_pdq([value])) == 1


# the analyzers in the pipeline ---------------------------------------------------------------


def photo(name: str) -> Path:
    return need_path(LANDMARKS / PHOTOS[name])


def media_files(folder: Path) -> dict[str, Path]:
    """A rotated and a mirrored copy of two photos, a third photo, a flat image, a text file."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "rotated": folder / "rotated.jpg",
        "mirrored": folder / "mirrored.jpg",
        "bridge": folder / "bridge.jpg",
        "flat": folder / "flat.png",
        "notes": folder / "notes.txt",
    }
    with Image.open(photo("cathedral")) as img:
        img.convert("RGB").transpose(Image.Transpose.ROTATE_90).save(files["rotated"], quality=90)
    with Image.open(photo("basilica")) as img:
        img.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(files["mirrored"])
    shutil.copy(photo("bridge"), files["bridge"])
    Image.new("RGB", (300, 200), (120, 120, 120)).save(files["flat"])
    files["notes"].write_text("stand-in leaflet text\n", encoding="utf-8")
    return files


def ingest_files(store, settings, root: Path, files: dict[str, Path]) -> dict[str, str]:
    """Ingests each file as a post; returns name -> sha256."""
    msgs = []
    for i, (name, path) in enumerate(files.items()):
        target = root / "files" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        kind = {"photo": f"files/{path.name}"} if path.suffix == ".jpg" else {}
        kind = kind or {"file": f"files/{path.name}", "media_type": "file"}
        msgs.append(message(i + 1, name, **kind))
    ingest_paths(store, settings, [write_export(root, single_chat(msgs))])
    return {n: hashlib.sha256(p.read_bytes()).hexdigest() for n, p in files.items()}


def registry() -> AnalyzerRegistry:
    return AnalyzerRegistry(
        {
            "digests": DigestAnalyzer,
            "pdq": PdqAnalyzer,
            "match": MatchAnalyzer,
            "md5_match": Md5MatchAnalyzer,
        }
    )


def signals_of(store, kind: str) -> dict[str, dict]:
    with store.connect() as conn:
        return {s["subject"]: s for s in queries.list_signals(conn, kind=kind, limit=1000)}


def closest_transform(file: Path, bank_hash: str) -> str:
    dihedral = pdq_hash_file(file).dihedral
    return min(DIHEDRAL_NAMES, key=lambda n: hamming_distance(dihedral[n], bank_hash))


def test_rotations_flips_md5_and_low_quality_through_the_pipeline(store, settings, tmp_path):
    files = media_files(tmp_path / "made")
    sha = ingest_files(store, settings, tmp_path / "export", files)
    bank = insert_bank(store, "outlet-posters")
    cathedral, basilica = pdq_hash_file(photo("cathedral")), pdq_hash_file(photo("basilica"))
    notes_md5 = hashlib.md5(files["notes"].read_bytes()).hexdigest()
    insert_entries(
        store,
        bank,
        [
            ("pdq", cathedral.hash, "cathedral poster"),
            ("pdq", basilica.hash, "basilica poster"),
            ("md5", notes_md5, "leaflet"),
        ],
    )
    report = run_analysis(store, settings, registry(), workers=2)  # the index opens in workers
    assert all(a.errors == 0 and a.rejected == 0 for a in report.analyzers)
    matched = signals_of(store, "pdq_match")
    assert set(matched) == {sha["rotated"], sha["mirrored"]}
    rotated = matched[sha["rotated"]]
    assert rotated["value"]["label"] == "cathedral poster"
    assert rotated["value"]["transform"] == closest_transform(files["rotated"], cathedral.hash)
    assert rotated["value"]["transform"] in ("rot90", "rot270")
    assert rotated["value"]["distance"] <= 31 and 0.87 < rotated["score"] <= 1
    (evidence,) = rotated["evidence"]["closest"]
    assert evidence["bank"] == "outlet-posters" and evidence["entry_id"] > 0
    assert evidence["transform"] == rotated["value"]["transform"]
    mirrored = matched[sha["mirrored"]]["value"]
    assert mirrored["label"] == "basilica poster" and mirrored["transform"] in ("flipx", "flipy")
    assert mirrored["transform"] == closest_transform(files["mirrored"], basilica.hash)
    skipped = signals_of(store, "bank_match_skipped")
    assert set(skipped) == {sha["flat"]}
    assert "quality" in skipped[sha["flat"]]["value"]["reason"]
    assert skipped[sha["flat"]]["value"]["quality"] < 50
    md5 = signals_of(store, "md5_match")
    assert set(md5) == {sha["notes"]}
    assert md5[sha["notes"]]["value"]["label"] == "leaflet"


def test_a_bank_change_matches_everything_again(store, settings, tmp_path):
    files = media_files(tmp_path / "made")
    sha = ingest_files(store, settings, tmp_path / "export", files)
    bank = insert_bank(store, "posters")
    insert_entries(store, bank, [("pdq", pdq_hash_file(photo("cathedral")).hash, "cathedral")])
    run_analysis(store, settings, registry(), workers=1)
    assert set(signals_of(store, "pdq_match")) == {sha["rotated"]}
    quiet = run_analysis(store, settings, registry(), workers=1)
    assert {a.analyzer: a.considered for a in quiet.analyzers}["match"] == 0
    bridge = pdq_hash_file(photo("bridge")).hash
    insert_entries(store, bank, [("pdq", bridge, "bridge"), ("md5", "0" * 32, "nothing")])
    again = run_analysis(store, settings, registry(), workers=1)
    considered = {a.analyzer: a.considered for a in again.analyzers}
    assert considered["match"] == 4 and considered["md5_match"] == 5  # every image, every file
    assert set(signals_of(store, "pdq_match")) == {sha["rotated"], sha["bridge"]}
    set_entry(store, bank, bridge, enabled=False)
    run_analysis(store, settings, registry(), workers=1)
    assert set(signals_of(store, "pdq_match")) == {sha["rotated"]}


# `watchfloor match` --------------------------------------------------------------------------


def run_cli(settings, *args: str, code: int = 0) -> str:
    """Standard output of a successful run; everything printed when ``code`` is an error."""
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]
    result = CliRunner().invoke(main, [*base, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.output


def test_match_command_looks_files_up_without_ingesting(store, settings, tmp_path):
    files = media_files(tmp_path / "made")
    posters, other = insert_bank(store, "posters"), insert_bank(store, "other")
    notes_md5 = hashlib.md5(files["notes"].read_bytes()).hexdigest()
    insert_entries(store, posters, [("pdq", pdq_hash_file(photo("cathedral")).hash, "cathedral")])
    insert_entries(store, other, [("md5", notes_md5, "leaflet")])
    paths = [str(files[n]) for n in ("rotated", "bridge", "flat", "notes")]
    rotated, bridge, flat, notes = json.loads(run_cli(settings, "match", *paths, "--json"))
    (m,) = rotated["matches"]
    assert (m["bank"], m["label"], m["signal_type"]) == ("posters", "cathedral", "pdq")
    assert m["transform"] in ("rot90", "rot270") and m["distance"] <= 31
    assert bridge["matches"] == [] and bridge["skipped"] is None and bridge["quality"] >= 50
    assert flat["matches"] == [] and "quality" in flat["skipped"]
    assert [x["label"] for x in notes["matches"]] == ["leaflet"] and notes["pdq"] is None
    only_other = json.loads(
        run_cli(settings, "match", paths[0], paths[3], "--bank", "other", "--json")
    )
    assert [len(r["matches"]) for r in only_other] == [0, 1]
    human = run_cli(settings, "match", paths[0])
    assert "posters" in human and "cathedral" in human
    assert "no enabled bank named nope" in run_cli(
        settings, "match", paths[0], "--bank", "nope", code=2
    )
    run_cli(settings, "match", str(tmp_path / "missing.jpg"), code=4)
    with store.connect() as conn:
        assert queries.list_signals(conn) == []  # nothing was ingested or recorded
