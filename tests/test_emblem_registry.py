"""`watchfloor emblems ...` and the registry library, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.emblem_composites import flag_arden, logo_vexa, save_png
from watchfloor.cli import main
from watchfloor.vision import emblem_registry as lib


def run_cli(settings, *args: str, code: int = 0) -> str:
    base = ["--workspace", str(settings.workspace), "--db", settings.db_url]
    result = CliRunner().invoke(main, [*base, *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout if code == 0 else result.output


@pytest.fixture
def images(tmp_path: Path) -> dict[str, Path]:
    stripes = Image.new("RGB", (300, 200), (200, 30, 40))
    stripes.paste((250, 250, 250), (0, 100, 300, 200))
    return {
        "flag": save_png(flag_arden(), tmp_path / "arden.png"),
        "logo": save_png(logo_vexa(), tmp_path / "vexa.png"),
        "tiny": save_png(flag_arden().resize((40, 27)), tmp_path / "tiny.png"),
        "stripes": save_png(stripes, tmp_path / "stripes.png"),
        "text": _text(tmp_path / "notes.png"),
    }


def _text(path: Path) -> Path:
    path.write_text("not an image", encoding="utf-8")
    return path


def test_add_list_disable_enable_remove(store, settings, images):
    added = json.loads(
        run_cli(
            settings,
            "emblems",
            "add",
            str(images["flag"]),
            "--label",
            "Arden League flag",
            "--kind",
            "flag",
            "--note",
            "stand-in",
            "--added-by",
            "analyst-7",
            "--json",
        )
    )
    assert added["label"] == "Arden League flag" and added["kind"] == "flag"
    assert (added["width"], added["height"]) == (600, 400)
    assert added["added_by"] == "analyst-7" and added["note"] == "stand-in" and added["enabled"]
    assert store.media.path_for(added["sha256"]).read_bytes() == images["flag"].read_bytes()
    out = run_cli(settings, "emblems", "add", str(images["logo"]), "--label", "Vexa logo")
    assert "added emblem" in out and "(logo, 480x480)" in out

    listed = json.loads(run_cli(settings, "emblems", "list", "--json"))
    assert [e["label"] for e in listed] == ["Arden League flag", "Vexa logo"]
    assert "Vexa logo" in run_cli(settings, "emblems", "list")

    run_cli(settings, "emblems", "disable", "Vexa logo")
    with store.connect() as conn:
        assert [e.label for e in lib.enabled_emblems(conn)] == ["Arden League flag"]
    run_cli(settings, "emblems", "enable", str(listed[1]["id"]))
    with store.connect() as conn:
        assert len(lib.enabled_emblems(conn)) == 2

    removed = json.loads(run_cli(settings, "emblems", "remove", str(added["id"]), "--json"))
    assert [e["id"] for e in removed] == [added["id"]]
    assert "removed emblem" in run_cli(settings, "emblems", "remove", "Vexa logo")
    assert json.loads(run_cli(settings, "emblems", "list", "--json")) == []


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("tiny", "too_small", "at least 48"),
        ("stripes", "featureless", "SIFT keypoints"),
        ("text", "not_an_image", "not an image"),
    ],
)
def test_unusable_images_are_refused_with_a_reason(store, settings, images, name, code, words):
    out = run_cli(settings, "emblems", "add", str(images[name]), "--label", "x", code=5)
    assert f"refused ({code})" in out and words in out
    with store.connect() as conn:
        assert lib.list_emblems(conn) == []


def test_duplicates_unknown_references_and_bad_options(store, settings, images):
    run_cli(settings, "emblems", "add", str(images["flag"]), "--label", "A", "--kind", "flag")
    assert "already registered" in run_cli(
        settings, "emblems", "add", str(images["flag"]), "--label", "A", code=1
    )
    run_cli(settings, "emblems", "add", str(images["flag"]), "--label", "B", "--kind", "flag")
    assert "no emblem" in run_cli(settings, "emblems", "remove", "nothing", code=1)
    assert "no emblem" in run_cli(settings, "emblems", "disable", "999", code=1)
    run_cli(
        settings, "emblems", "add", str(images["logo"]), "--label", "L", "--kind", "banner", code=2
    )
    run_cli(settings, "emblems", "add", str(images["logo"]), "--label", "   ", code=2)
    with store.connect() as conn:
        assert [e.label for e in lib.list_emblems(conn)] == ["A", "B"]
