"""Hash banks on real SQLite and PostgreSQL: banks, entries, revisions, imports with bad lines,
round trips through every format, PDQ of real photos, and the `watchfloor banks` commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.reference import LANDMARKS, need_path
from tests.test_hash_formats import MD5_A, MD5_B, PDQ_A, PDQ_B, sample_entries
from watchfloor.cli import main
from watchfloor.config import Settings
from watchfloor.matching import bank_files
from watchfloor.matching import banks as lib
from watchfloor.matching.formats import FORMATS, HashEntry, HashError
from watchfloor.pdq import pdq_hash_file
from watchfloor.store import Store
from watchfloor.store.queries import list_quarantine


def revision(store: Store, name: str) -> int:
    with store.connect() as conn:
        return lib.get_bank(conn, name).revision


def entries_of(store: Store, name: str, **filters) -> list[lib.BankEntry]:
    with store.connect() as conn:
        return list(lib.iter_entries(conn, name, **filters))


def quarantined(store: Store) -> list[tuple[str, str, str]]:
    with store.connect() as conn:
        rows = list_quarantine(conn, stage="banks", limit=1000)
    return [(r["source"], r["locator"], r["code"]) for r in rows]


@pytest.fixture
def bank(store: Store) -> str:
    with store.begin() as conn:
        lib.create_bank(conn, "outlet posters", description="stand-in posters")
    return "outlet posters"


# ---- banks -----------------------------------------------------------------------------------


def test_create_get_list_delete(store: Store):
    with store.begin() as conn:
        created = lib.create_bank(conn, "alpha", threshold=20)
        lib.create_bank(conn, "بنك")
        with pytest.raises(lib.BankExists, match="already exists"):
            lib.create_bank(conn, "alpha")
    assert (created.threshold, created.enabled, created.revision, created.entries) == (
        20,
        True,
        0,
        0,
    )
    with store.begin() as conn:
        assert [b.name for b in lib.list_banks(conn)] == ["alpha", "بنك"]
        assert lib.get_bank(conn, "بنك").threshold == 31
        lib.add_entries(conn, "alpha", [HashEntry("pdq", PDQ_A)], source="x")
        assert lib.delete_bank(conn, "alpha") == 1
        with pytest.raises(lib.BankNotFound, match="no bank named 'alpha'"):
            lib.get_bank(conn, "alpha")
        with pytest.raises(lib.BankNotFound):
            lib.delete_bank(conn, "alpha")
        assert [b.name for b in lib.list_banks(conn)] == ["بنك"]


@pytest.mark.parametrize("name", ["", " lead", "trail ", "semi;colon", "x" * 121, "-dash"])
def test_bad_names_and_thresholds_are_refused(store: Store, name: str):
    with store.begin() as conn, pytest.raises(ValueError, match="bank name"):
        lib.create_bank(conn, name)
    with store.begin() as conn, pytest.raises(ValueError, match="threshold"):
        lib.create_bank(conn, "ok", threshold=257)


def test_every_change_bumps_the_revision_and_nothing_else_does(store: Store, bank: str):
    def step(action) -> int:
        with store.begin() as conn:
            action(conn)
        return revision(store, bank)

    assert revision(store, bank) == 0
    add = [HashEntry("pdq", PDQ_A), HashEntry("md5", MD5_A)]
    assert step(lambda c: lib.add_entries(c, bank, add, source="a")) == 1
    assert step(lambda c: lib.add_entries(c, bank, add, source="a")) == 1  # nothing new
    assert step(lambda c: lib.update_bank(c, bank, threshold=25)) == 2
    assert step(lambda c: lib.update_bank(c, bank, threshold=25)) == 2
    assert step(lambda c: lib.update_bank(c, bank, enabled=False)) == 3
    assert step(lambda c: lib.update_bank(c, bank, description="new")) == 4
    assert step(lambda c: lib.set_entries_enabled(c, bank, [PDQ_A], enabled=False)) == 5
    assert step(lambda c: lib.set_entries_enabled(c, bank, [PDQ_A], enabled=False)) == 5
    assert step(lambda c: lib.set_entries_enabled(c, bank, [PDQ_A], enabled=True)) == 6
    with store.connect() as conn:
        b = lib.get_bank(conn, bank)
    assert (b.threshold, b.enabled, b.description) == (25, False, "new")
    assert b.updated_at >= b.created_at


def test_adding_keeps_who_when_label_source_and_adds_nothing_twice(store: Store, bank: str):
    entries = [
        HashEntry("pdq", PDQ_A, quality=88, label="poster", note="first"),
        HashEntry("pdq", PDQ_A, quality=10, label="dup in the same batch"),
        HashEntry("md5", MD5_A),
    ]
    with store.begin() as conn:
        first = lib.add_entries(conn, bank, entries, source="list.txt", added_by="analyst")
        again = lib.add_entries(conn, bank, entries, source="other.txt", added_by="someone")
    assert (first.added, first.already_present) == (2, 1)
    assert (again.added, again.already_present) == (0, 3)
    pdq, md5 = entries_of(store, bank)
    assert (pdq.value, pdq.quality, pdq.label, pdq.note) == (PDQ_A, 88, "poster", "first")
    assert (pdq.source, pdq.added_by, pdq.enabled) == ("list.txt", "analyst", True)
    assert pdq.added_at.tzinfo is not None and md5.signal_type == "md5"


def test_disabled_entries_are_kept_and_shown_not_matched(store: Store, bank: str):
    with store.begin() as conn:
        lib.add_entries(conn, bank, [HashEntry("pdq", PDQ_A), HashEntry("md5", MD5_A)], source="a")
        report = lib.set_entries_enabled(conn, bank, [PDQ_A.upper(), MD5_B], enabled=False)
        with pytest.raises(HashError):
            lib.set_entries_enabled(conn, bank, ["not-a-hash"], enabled=False)
    assert (report.changed, report.unchanged, report.missing) == (1, 0, [MD5_B])
    assert [(e.value, e.enabled) for e in entries_of(store, bank)] == [
        (PDQ_A, False),
        (MD5_A, True),
    ]
    assert [e.value for e in entries_of(store, bank, enabled=True)] == [MD5_A]
    assert [e.value for e in entries_of(store, bank, signal_type="pdq")] == [PDQ_A]
    with store.connect() as conn:
        b = lib.get_bank(conn, bank)
    assert (b.entries, b.disabled_entries) == (2, 1)
    with store.begin() as conn:
        lib.set_entries_enabled(conn, bank, [PDQ_A], enabled=True)
    assert all(e.enabled for e in entries_of(store, bank))


def test_a_disabled_entry_in_a_list_disables_never_reenables(store: Store, bank: str):
    with store.begin() as conn:
        lib.add_entries(conn, bank, [HashEntry("pdq", PDQ_A), HashEntry("pdq", PDQ_B)], source="a")
        lib.set_entries_enabled(conn, bank, [PDQ_B], enabled=False)  # an analyst's decision
        report = lib.add_entries(
            conn,
            bank,
            [HashEntry("pdq", PDQ_A, enabled=False), HashEntry("pdq", PDQ_B, enabled=True)],
            source="withdrawn.json",
        )
    assert (report.added, report.already_present, report.disabled) == (0, 2, 1)
    assert [e.enabled for e in entries_of(store, bank)] == [False, False]


# ---- imports ---------------------------------------------------------------------------------

BAD_PYTX = "\n".join(
    [
        f"pdq {PDQ_A}",  # 1
        "pdq 1234",  # 2 bad_hash
        "",  # 3
        f"video_md5 {MD5_A}",  # 4
        f"sha256 {PDQ_B}",  # 5 unknown_algorithm
        "what is this",  # 6 malformed_line
        f"pdq {PDQ_B}",  # 7
    ]
)


def test_import_keeps_good_lines_and_quarantines_bad_ones(store: Store, bank: str, tmp_path):
    path = tmp_path / "shared.txt"
    path.write_text(BAD_PYTX)
    with store.begin() as conn:
        report = bank_files.import_hash_file(
            conn, bank, path, added_by="analyst", label="shared list", note="from partner"
        )
    assert report.format == "pytx" and report.read == 6
    assert (report.counts.added, report.rejected, report.revision) == (3, 3, 1)
    assert [(p.position, p.locator, p.code) for p in report.problems] == [
        (2, "line 2", "bad_hash"),
        (5, "line 5", "unknown_algorithm"),
        (6, "line 6", "malformed_line"),
    ]
    source = str(path.resolve())
    assert quarantined(store) == [
        (source, "line 2", "bad_hash"),
        (source, "line 5", "unknown_algorithm"),
        (source, "line 6", "malformed_line"),
    ]
    kept = entries_of(store, bank)
    assert [e.value for e in kept] == [PDQ_A, MD5_A, PDQ_B]
    assert {(e.label, e.note, e.source, e.added_by) for e in kept} == {
        ("shared list", "from partner", source, "analyst")
    }
    as_json = report.as_dict()
    assert as_json["rejections"][0] | {"reason": ""} == {
        "line": 2,
        "locator": "line 2",
        "source": source,
        "code": "bad_hash",
        "reason": "",
    }


def test_reimporting_adds_nothing_and_quarantines_nothing_twice(store: Store, bank, tmp_path):
    path = tmp_path / "shared.txt"
    path.write_text(BAD_PYTX)
    for _ in range(2):
        with store.begin() as conn:
            report = bank_files.import_hash_file(conn, bank, path)
    assert (report.counts.added, report.counts.already_present, report.rejected) == (0, 3, 3)
    assert report.revision == 1
    assert len(entries_of(store, bank)) == 3 and len(quarantined(store)) == 3


def test_import_into_a_missing_bank_or_unknown_format_fails(store: Store, tmp_path):
    path = tmp_path / "l.txt"
    path.write_text(f"pdq {PDQ_A}\n")
    with store.begin() as conn:
        with pytest.raises(lib.BankNotFound):
            bank_files.import_hash_file(conn, "nope", path)
        lib.create_bank(conn, "b")
        with pytest.raises(ValueError, match="unknown hash-list format"):
            bank_files.import_hash_file(conn, "b", path, fmt="xml")


def test_import_of_a_tat_list(store: Store, bank: str, tmp_path):
    from tests.test_hash_formats import tat_page, tat_record

    path = tmp_path / "tat.json"
    path.write_bytes(
        tat_page(
            [
                tat_record(PDQ_A),
                tat_record(MD5_A, "MD5", id=2820, file_type="mp4"),
                tat_record("456def", "SHA256", id=2821),
                tat_record(PDQ_B, deleted=True, id=2822),
            ]
        )
    )
    with store.begin() as conn:
        report = bank_files.import_hash_file(conn, bank, path)
    assert report.format == "tat" and (report.counts.added, report.rejected) == (3, 1)
    assert report.as_dict()["rejections"][0]["record"] == 3
    assert quarantined(store) == [(str(path.resolve()), "record 3", "unknown_algorithm")]
    assert [(e.value, e.label, e.note, e.enabled) for e in entries_of(store, bank)] == [
        (PDQ_A, "islamist", "TAT id 2819, file type png", True),
        (MD5_A, "islamist", "TAT id 2820, file type mp4", True),
        (PDQ_B, "islamist", "TAT id 2822, file type png", False),
    ]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_through_every_format_loses_nothing(store: Store, tmp_path, fmt: str):
    entries = sample_entries(60, seed=11)
    with store.begin() as conn:
        lib.create_bank(conn, "source bank")
        lib.create_bank(conn, "copy")
        lib.add_entries(conn, "source bank", entries, source="seed")
        out = io.StringIO()
        exported = bank_files.export_bank(conn, "source bank", out, fmt)
        path = tmp_path / f"bank.{fmt}"
        path.write_text(out.getvalue(), encoding="utf-8")
        report = bank_files.import_hash_file(conn, "copy", path, fmt=fmt)
    disabled = sum(not e.enabled for e in entries)
    full = FORMATS[fmt].marks_disabled
    assert exported.written == len(entries) - (0 if full else disabled)
    assert exported.skipped_disabled == (0 if full else disabled)
    assert report.rejected == 0 and report.counts.added == exported.written
    expected = [e for e in entries if full or e.enabled]
    copied = entries_of(store, "copy")
    if full:  # csv and tat carry quality, label, note and the enabled flag
        assert [
            HashEntry(c.signal_type, c.value, c.quality, c.label, c.note, c.enabled) for c in copied
        ] == expected
    else:
        assert [(c.signal_type, c.value) for c in copied] == [
            (e.signal_type, e.value) for e in expected
        ]


def test_export_of_a_missing_bank_fails(store: Store):
    with store.connect() as conn, pytest.raises(lib.BankNotFound):
        bank_files.export_bank(conn, "nope", io.StringIO(), "csv")


# ---- images ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_add_real_photos_gives_the_hash_of_pdq_hash_file(store: Store, bank: str, mode: str):
    photos = sorted(need_path(LANDMARKS / "sacre_coeur").glob("*.jpg"))[:3]
    assert photos
    with store.begin() as conn:
        report = bank_files.add_images(
            conn, bank, photos, mode=mode, label="landmark", added_by="qa"
        )
    expected = [pdq_hash_file(p, mode=mode) for p in photos]
    assert [(f["pdq"], f["quality"]) for f in report.files] == [
        (r.hash, r.quality) for r in expected
    ]
    kept = entries_of(store, bank)
    assert [(e.signal_type, e.value, e.quality) for e in kept] == [
        ("pdq", r.hash, r.quality) for r in expected
    ]
    assert [e.source for e in kept] == [str(p.resolve()) for p in photos]
    assert {(e.label, e.added_by) for e in kept} == {("landmark", "qa")}
    with store.begin() as conn:
        again = bank_files.add_images(conn, bank, photos, mode=mode)
    assert again.counts.added == 0 and again.revision == report.revision == 1


def test_unreadable_and_flat_images_are_quarantined(store: Store, bank: str, tmp_path: Path):
    flat = tmp_path / "flat.png"
    Image.new("RGB", (200, 200), (40, 40, 40)).save(flat)
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    good = tmp_path / "good.png"
    Image.effect_mandelbrot((256, 256), (-2, -1, 1, 1), 60).convert("RGB").save(good)
    with store.begin() as conn:
        report = bank_files.add_images(conn, bank, [flat, text, good])
    assert [f["file"] for f in report.files] == [str(good.resolve())]
    assert [(p.source, p.code) for p in report.problems] == [
        (str(flat.resolve()), "low_quality"),
        (str(text.resolve()), "not_an_image"),
    ]
    assert sorted(quarantined(store)) == sorted(
        [
            (str(flat.resolve()), "file", "low_quality"),
            (str(text.resolve()), "file", "not_an_image"),
        ]
    )


# ---- command line ----------------------------------------------------------------------------


@pytest.fixture
def cli(settings: Settings):
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]

    def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
        result = CliRunner().invoke(main, [*base, *args], input=stdin, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.stdout

    return run


def test_cli_create_import_show_disable_export(cli, tmp_path: Path):
    cli("banks", "create", "posters", "--threshold", "24", "--description", "stand-ins")
    cli("banks", "create", "posters", code=1)
    path = tmp_path / "shared.txt"
    path.write_text(BAD_PYTX)
    report = json.loads(cli("banks", "import", "posters", str(path), "--json", code=3))
    assert (report["added"], report["rejected"]) == (3, 3)
    assert [(r["line"], r["code"]) for r in report["rejections"]] == [
        (2, "bad_hash"),
        (5, "unknown_algorithm"),
        (6, "malformed_line"),
    ]
    again = json.loads(cli("banks", "import", "posters", str(path), "--json", code=3))
    assert (again["added"], again["already_present"], again["revision"]) == (0, 3, 1)

    toggled = json.loads(cli("banks", "disable", "posters", MD5_A, "--json"))
    assert (toggled["changed"], toggled["revision"]) == (1, 2)
    cli("banks", "enable", "posters", MD5_B, code=1)  # no such entry
    cli("banks", "disable", "posters", "xyz", code=2)

    shown = json.loads(cli("banks", "show", "posters", "--json"))
    assert shown["bank"]["threshold"] == 24 and shown["bank"]["disabled_entries"] == 1
    assert [(e["value"], e["enabled"]) for e in shown["entries"]] == [
        (PDQ_A, True),
        (MD5_A, False),
        (PDQ_B, True),
    ]
    assert shown["entries"][0]["source"] == str(path.resolve())

    (listed,) = json.loads(cli("banks", "list", "--json"))
    assert (listed["name"], listed["entries"], listed["revision"]) == ("posters", 3, 2)

    pytx = cli("banks", "export", "posters", "--format", "pytx")
    assert pytx == f"pdq {PDQ_A}\npdq {PDQ_B}\n"  # the disabled MD5 is left out
    out = tmp_path / "posters.csv"
    cli("banks", "export", "posters", "--format", "csv", "-o", str(out))
    assert out.read_text().splitlines()[2] == f"md5,{MD5_A},,,,false"

    codes = {q["code"] for q in json.loads(cli("quarantine", "--json"))}
    assert codes == {"bad_hash", "unknown_algorithm", "malformed_line"}


def test_cli_set_delete_and_missing_banks(cli):
    cli("banks", "create", "b1")
    bank = json.loads(cli("banks", "set", "b1", "--threshold", "10", "--disable", "--json"))
    assert (bank["threshold"], bank["enabled"], bank["revision"]) == (10, False, 1)
    cli("banks", "set", "b1", "--threshold", "300", code=2)
    cli("banks", "create", "bad;name", code=2)
    for args in (["show", "nope"], ["set", "nope", "--enable"], ["delete", "nope", "--yes"]):
        cli("banks", *args, code=1)
    cli("banks", "export", "nope", "--format", "hex", code=1)
    cli("banks", "delete", "b1", stdin="n\n", code=1)  # declined
    assert len(json.loads(cli("banks", "list", "--json"))) == 1
    cli("banks", "delete", "b1", "--yes")
    assert json.loads(cli("banks", "list", "--json")) == []


def test_cli_add_images(cli, tmp_path: Path):
    photo = need_path(LANDMARKS / "sacre_coeur" / "lightglue_sacre_coeur1.jpg")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not a whole jpeg")
    cli("banks", "create", "landmarks")
    report = json.loads(
        cli("banks", "add", "landmarks", str(photo), str(broken), "--label", "L", "--json", code=3)
    )
    (added,) = report["files"]
    assert added["pdq"] == pdq_hash_file(photo).hash and added["new"]
    assert [r["code"] for r in report["rejections"]] == ["truncated"]
    (entry,) = json.loads(cli("banks", "show", "landmarks", "--json"))["entries"]
    assert (entry["label"], entry["added_by"]) == ("L", lib.default_added_by())
    cli("--pdq-mode", "exact", "banks", "add", "landmarks", str(photo), "--added-by", "x")
