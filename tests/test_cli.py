"""The command line: every read command with --json, exit codes, and docs that cannot drift."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image

from tests.exports import message, single_chat, write_export
from watchfloor.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.stdout


@pytest.fixture
def workspace(tmp_path) -> list[str]:
    root = tmp_path / "export"
    (root / "photos").mkdir(parents=True)
    Image.effect_mandelbrot((300, 200), (-2, -1, 1, 1), 40).convert("RGB").save(
        root / "photos" / "a.jpg"
    )
    (root / "photos" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a whole jpeg")
    msgs = [
        message(1, "Stand-in poster over Brussels #demo", photo="photos/a.jpg"),
        message(2, "forwarded copy", photo="photos/a.jpg", forwarded_from="Stand-in Outlet"),
        message(3, "broken image", photo="photos/broken.jpg"),
        message(4, "escape attempt", photo="../../etc/hostname"),
    ]
    write_export(root, single_chat(msgs))
    ws = ["--workspace", str(tmp_path / "ws")]
    run(*ws, "ingest", str(root), "--no-progress", code=3)  # the unsafe path is quarantined
    run(*ws, "analyze", "--workers", "1", "--no-progress", code=3)  # the broken image too
    return ws


def test_read_commands_json(workspace):
    stats = json.loads(run(*workspace, "stats", "--json"))
    assert stats["posts"] == 4 and stats["media"] == 2
    (channel,) = json.loads(run(*workspace, "channels", "--json"))
    assert channel["posts"] == 4 and channel["key"] == "telegram:1001"
    posts = json.loads(run(*workspace, "posts", "--search", "brussels", "--json"))
    assert [p["message_id"] for p in posts] == [1]
    assert (
        json.loads(run(*workspace, "posts", "--since", "2018-01-10T12:03:30", "--json"))[0][
            "message_id"
        ]
        == 4
    )
    assert len(json.loads(run(*workspace, "posts", "--channel", "Stand-in Outlet", "--json"))) == 4
    media = json.loads(run(*workspace, "media", "--json"))
    assert sorted(m["posts"] for m in media) == [1, 2]
    pdq = json.loads(run(*workspace, "signals", "--kind", "pdq", "--json"))
    assert len(pdq) == 1 and len(pdq[0]["value"]["hash"]) == 64
    quarantine = json.loads(run(*workspace, "quarantine", "--json"))
    assert stats["quarantined"] == len(quarantine)
    ingest = [(q["locator"], q["code"]) for q in quarantine if q["stage"] == "ingest"]
    assert ingest == [("message 4 media ../../etc/hostname", "unsafe_media_path")]
    # the broken image is quarantined once by each image analyzer that tried to decode it
    analyze = {q["locator"]: q["code"] for q in quarantine if q["stage"] == "analyze"}
    assert {"analyzer crops", "analyzer pdq"} <= set(analyze)
    assert set(analyze.values()) == {"truncated"}
    names = [a["name"] for a in json.loads(run("analyzers", "--json"))]
    assert names.index("digests") >= 0 and "pdq" in names


def test_human_output_shows_content_verbatim(tmp_path):
    path = write_export(tmp_path / "e", single_chat([message(1, "[b]x[/b]")]))
    ws = ["--workspace", str(tmp_path / "ws")]
    run(*ws, "ingest", str(path), "--no-progress")
    assert "[b]x[/b]" in run(*ws, "posts")  # never read as console markup


def test_hash_needs_no_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    img = tmp_path / "x.png"
    Image.effect_mandelbrot((256, 256), (-2, -1, 1, 1), 40).convert("RGB").save(img)
    (out,) = json.loads(run("hash", str(img), "--json"))
    assert re.fullmatch(r"[0-9a-f]{64}", out["pdq"]) and 0 <= out["quality"] <= 100
    bad = tmp_path / "bad.jpg"
    bad.write_text("no")
    result = CliRunner().invoke(main, ["hash", str(img), str(bad)])
    assert result.exit_code == 4 and "bad.jpg" in result.output
    assert not (tmp_path / "watchfloor-data").exists()


def test_usage_errors_exit_2(tmp_path):
    assert (
        CliRunner()
        .invoke(main, ["--export-tz", "Mars/Olympus", "--workspace", str(tmp_path), "stats"])
        .exit_code
        == 2
    )
    assert (
        CliRunner()
        .invoke(main, ["--db", "mysql://x/y", "--workspace", str(tmp_path), "stats"])
        .exit_code
        == 2
    )
    assert (
        CliRunner()
        .invoke(main, ["--workspace", str(tmp_path), "posts", "--since", "yesterday"])
        .exit_code
        == 2
    )


def _commands(group: click.Group, prefix: str = "watchfloor") -> list[tuple[str, click.Command]]:
    """Every command under ``group`` with its full name, subcommands of groups included."""
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix} {name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
    return found


def test_every_command_and_setting_is_documented():
    readme = README.read_text(encoding="utf-8")
    commands = _commands(main)
    assert "watchfloor banks import" in dict(commands)
    for name, command in commands:
        assert name in readme, f"command {name!r} is missing from the README"
        for param in command.params:
            for opt in [*param.opts, *param.secondary_opts]:
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in readme, f"option {opt} of {name!r} is missing from the README"
    for param in main.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in readme, f"global option {opt} is missing from the README"
    for var in (
        "WATCHFLOOR_WORKSPACE",
        "WATCHFLOOR_DB",
        "WATCHFLOOR_EXPORT_TZ",
        "WATCHFLOOR_PDQ_MODE",
    ):
        assert var in readme
