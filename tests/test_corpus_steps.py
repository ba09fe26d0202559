"""`--only` selects analyzers and corpus steps alike; the demo and `analyze` run the same steps."""

from __future__ import annotations

import json

from click.testing import CliRunner
from PIL import Image

from tests.exports import message, single_chat, write_export
from watchfloor.analytics.steps import split_only
from watchfloor.cli import main


def test_split_only_everything_when_empty():
    analyzers, steps = split_only(None)
    assert analyzers is None and [s.name for s in steps] == [
        "reposts",
        "attribution",
        "targets",
        "campaigns",
    ]


def test_naming_a_step_runs_what_it_reads():
    analyzers, steps = split_only(["reposts"])
    assert analyzers == ["crops"] and [s.name for s in steps] == ["reposts"]


def test_naming_an_analyzer_skips_the_steps():
    analyzers, steps = split_only(["pdq"])
    assert analyzers == ["pdq"] and steps == []


def _workspace(tmp_path) -> list[str]:
    root = tmp_path / "export"
    (root / "photos").mkdir(parents=True)
    img = Image.effect_mandelbrot((400, 300), (-2, -1, 1, 1), 60).convert("RGB")
    img.save(root / "photos" / "a.jpg", quality=90)
    img.crop((12, 9, 388, 291)).resize((300, 225)).save(root / "photos" / "b.jpg", quality=60)
    write_export(
        root,
        single_chat(
            [message(1, "one", photo="photos/a.jpg"), message(2, "two", photo="photos/b.jpg")]
        ),
    )
    ws = ["--workspace", str(tmp_path / "ws")]
    assert CliRunner().invoke(main, [*ws, "ingest", str(root), "--no-progress"]).exit_code == 0
    return ws


def _analyze(ws: list[str], *only: str) -> dict:
    args = [*ws, "analyze", "--workers", "1", "--no-progress", "--json"]
    for name in only:
        args += ["--only", name]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_analyze_only_pdq_does_not_group(tmp_path):
    ws = _workspace(tmp_path)
    out = _analyze(ws, "pdq")
    assert [a["analyzer"] for a in out["analyzers"]] == ["pdq"] and "reposts" not in out


def test_analyze_only_reposts_runs_crops_then_groups(tmp_path):
    ws = _workspace(tmp_path)
    out = _analyze(ws, "reposts")
    assert [a["analyzer"] for a in out["analyzers"]] == ["crops"]
    assert out["reposts"]["groups"] == 1 and out["reposts"]["grouped_media"] == 2


def test_unknown_name_is_a_usage_error(tmp_path):
    ws = _workspace(tmp_path)
    result = CliRunner().invoke(main, [*ws, "analyze", "--only", "nope", "--no-progress"])
    assert result.exit_code == 2 and "nope" in result.output
