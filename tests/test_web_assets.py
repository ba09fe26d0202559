"""The vendored web assets: what the setup script installs (checked when it has run), the
clear error when it has not, and the copy step on a hand-made node_modules tree."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reference import need
from watchfloor.web import assets_build
from watchfloor.web.assets import SETUP_COMMAND, AssetsMissing, load_vendor, vendor_dir

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-web-assets.sh"


@pytest.fixture(scope="module")
def installed():
    try:
        return load_vendor()
    except AssetsMissing as exc:
        need(False, f"web assets not installed ({SETUP_COMMAND} has not run): {exc}")


def test_installed_assets_match_their_manifest_and_lock_file(installed):
    lock = json.loads((ROOT / "web-assets" / "package-lock.json").read_text(encoding="utf-8"))
    locked = {
        name.removeprefix("node_modules/"): p["version"]
        for name, p in lock["packages"].items()
        if name
    }
    assert installed.packages == {name: locked[name] for name in installed.packages}
    assert set(installed.packages) == {
        "world-atlas",
        "@fontsource/noto-sans",
        "@fontsource/noto-sans-arabic",
    }
    for resolution in ("110m", "50m"):
        topology = json.loads(installed.atlas(resolution).read_text(encoding="utf-8"))
        assert (
            topology["type"] == "Topology"
            and len(topology["objects"]["countries"]["geometries"]) > 150
        )
    assert installed.licences == [
        "licenses/NATURAL-EARTH.txt",
        "licenses/noto-sans-arabic.LICENSE",
        "licenses/noto-sans.LICENSE",
        "licenses/world-atlas.LICENSE",
    ]
    assert "Open Font License" in installed.path("licenses/noto-sans-arabic.LICENSE").read_text()


def test_every_font_the_stylesheet_names_is_served_and_arabic_is_covered(installed):
    (sheet,) = installed.stylesheets
    css = installed.path(sheet).read_text(encoding="utf-8")
    urls = re.findall(r"url\(\./([^)]+)\)", css)
    assert urls and all(u.endswith(".woff2") for u in urls)
    for url in urls:
        assert installed.path(url).read_bytes()[:4] == b"wOF2"
    fonts = [name for name in installed.files if name.endswith(".woff2")]
    assert sorted(fonts) == sorted(set(urls))  # nothing copied that is not used
    arabic = [b for b in css.split("@font-face")[1:] if "'Noto Sans Arabic'" in b]
    assert any("U+0600-06FF" in b and "font-weight: 400" in b for b in arabic)
    assert any("U+0600-06FF" in b and "font-weight: 700" in b for b in arabic)
    assert "--wf-font: 'Noto Sans', 'Noto Sans Arabic'" in css


def test_a_missing_or_damaged_vendor_folder_names_the_setup_command(tmp_path, monkeypatch):
    with pytest.raises(AssetsMissing, match=re.escape(SETUP_COMMAND)):
        load_vendor(tmp_path / "absent")
    monkeypatch.setenv("WATCHFLOOR_WEB_VENDOR", str(tmp_path / "elsewhere"))
    assert vendor_dir() == tmp_path / "elsewhere"
    dest = tmp_path / "vendor"
    assets_build.build(fake_modules(tmp_path / "node_modules"), dest)
    with pytest.raises(AssetsMissing, match="not among the installed"):
        load_vendor(dest).path("../../secrets.txt")
    (dest / "world-atlas" / "countries-50m.json").write_text("{}")
    with pytest.raises(AssetsMissing, match=r"countries-50m\.json missing or changed"):
        load_vendor(dest)
    (dest / "MANIFEST.json").write_text("{not json")
    with pytest.raises(AssetsMissing, match="unreadable"):
        load_vendor(dest)


FACE = """/* {name}-{subset}-{w}-normal */
@font-face {{
  font-family: '{family}';
  font-weight: {w};
  src: url(./files/{name}-{subset}-{w}-normal.woff2) format('woff2'), url(./files/{name}-{subset}-{w}-normal.woff) format('woff');
  unicode-range: U+0000-00FF;
}}
"""


def fake_modules(root: Path) -> Path:
    """A node_modules tree shaped like the real packages, with tiny stand-in files."""
    atlas = root / "world-atlas"
    atlas.mkdir(parents=True)
    (atlas / "package.json").write_text('{"version": "9.9.9"}')
    (atlas / "LICENSE").write_text("ISC stand-in")
    for name in ("countries-110m.json", "countries-50m.json", "countries-10m.json"):
        (atlas / name).write_text('{"type": "Topology", "objects": {}, "arcs": []}')
    for name, family in (("noto-sans", "Noto Sans"), ("noto-sans-arabic", "Noto Sans Arabic")):
        pkg = root / "@fontsource" / name
        (pkg / "files").mkdir(parents=True)
        (pkg / "package.json").write_text('{"version": "1.2.3"}')
        (pkg / "LICENSE").write_text("SIL Open Font License stand-in")
        for w in ("100", "400", "700"):
            (pkg / f"{w}.css").write_text(
                FACE.format(name=name, subset="latin", w=w, family=family)
            )
            for ext in ("woff2", "woff"):
                (pkg / "files" / f"{name}-latin-{w}-normal.{ext}").write_bytes(b"wOF2 stand-in")
    return root


def test_the_copy_takes_only_what_is_served_and_rewrites_font_urls(tmp_path):
    modules = fake_modules(tmp_path / "node_modules")
    dest = tmp_path / "vendor"
    dest.mkdir()
    (dest / "stale.txt").write_text("from an older install")
    manifest = assets_build.build(modules, dest)
    assert not (dest / "stale.txt").exists() and not (tmp_path / "vendor.new").exists()
    assert manifest["packages"] == {
        "world-atlas": "9.9.9",
        "@fontsource/noto-sans": "1.2.3",
        "@fontsource/noto-sans-arabic": "1.2.3",
    }
    assert sorted(manifest["files"]) == [
        "fonts.css",
        "fonts/noto-sans-arabic/noto-sans-arabic-latin-400-normal.woff2",
        "fonts/noto-sans-arabic/noto-sans-arabic-latin-700-normal.woff2",
        "fonts/noto-sans/noto-sans-latin-400-normal.woff2",
        "fonts/noto-sans/noto-sans-latin-700-normal.woff2",
        "licenses/NATURAL-EARTH.txt",
        "licenses/noto-sans-arabic.LICENSE",
        "licenses/noto-sans.LICENSE",
        "licenses/world-atlas.LICENSE",
        "world-atlas/countries-110m.json",
        "world-atlas/countries-50m.json",
    ]
    css = (dest / "fonts.css").read_text()
    assert "url(./fonts/noto-sans/noto-sans-latin-400-normal.woff2) format('woff2');" in css
    assert ".woff)" not in css and "./files/" not in css
    loaded = load_vendor(dest)
    assert loaded.stylesheets == ["fonts.css"] and loaded.packages["world-atlas"] == "9.9.9"


def test_the_setup_script_says_clearly_when_npm_is_missing(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "sha256sum", "cut", "cat"):  # what the script needs besides npm
        found = shutil.which(tool)
        assert found, tool
        os.symlink(found, bin_dir / tool)
    result = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(SCRIPT)],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        "Node.js and npm are needed" in result.stderr
        and "apt-get install nodejs npm" in result.stderr
    )
