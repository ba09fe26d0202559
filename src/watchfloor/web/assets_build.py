"""Copy the files the web app serves from web-assets/node_modules into the vendor folder.

Run by scripts/install-web-assets.sh after `npm ci`; standard library only, so it runs with any
Python 3.11 before the project's virtualenv exists:

    python3 src/watchfloor/web/assets_build.py web-assets/node_modules src/watchfloor/web/static/vendor

Only what the app serves is copied (the two world-atlas country files, regular and bold woff2
font faces), with the licences, a combined `fonts.css` whose URLs point at the copied files, and
`MANIFEST.json` (package versions, file sizes and SHA-256) that `watchfloor.web.assets` checks.
The folder is built beside the destination and swapped in whole, so a failed copy never leaves a
half-filled vendor folder behind.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

ATLAS_FILES = ("countries-110m.json", "countries-50m.json")
FONTS = ("noto-sans", "noto-sans-arabic")
WEIGHTS = ("400", "700")
# The woff fallback in each src list is dropped: every browser the app supports reads woff2.
_SRC = re.compile(
    r"url\(\./files/([\w.-]+\.woff2)\) format\('woff2'\)(?:, url\([^)]*\) format\('woff'\))?"
)
MANIFEST = "MANIFEST.json"
# Latin, Greek and Cyrillic from Noto Sans; Arabic script falls through to Noto Sans Arabic.
FONT_STACK = ":root { --wf-font: 'Noto Sans', 'Noto Sans Arabic', sans-serif; }\n"
NATURAL_EARTH = (
    "Country outlines: Natural Earth (https://www.naturalearthdata.com/), public domain,\n"
    "as TopoJSON by the world-atlas package (ISC licence, see world-atlas.LICENSE).\n"
)


def _version(package_dir: Path) -> str:
    return json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def _fonts(modules: Path, out: Path) -> str:
    """Copy the woff2 faces each font's weight stylesheets use; return the combined CSS."""
    css: list[str] = []
    for font in FONTS:
        pkg = modules / "@fontsource" / font
        for weight in WEIGHTS:
            sheet = (pkg / f"{weight}.css").read_text(encoding="utf-8")
            for name in _SRC.findall(sheet):
                _copy(pkg / "files" / name, out / "fonts" / font / name)
            css.append(_SRC.sub(rf"url(./fonts/{font}/\1) format('woff2')", sheet))
        _copy(pkg / "LICENSE", out / "licenses" / f"{font}.LICENSE")
    return FONT_STACK + "\n".join(css)


def _manifest(modules: Path, out: Path) -> dict:
    versions = {"world-atlas": _version(modules / "world-atlas")}
    versions |= {f"@fontsource/{f}": _version(modules / "@fontsource" / f) for f in FONTS}
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files[path.relative_to(out).as_posix()] = {
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    return {"packages": versions, "files": files}


def build(modules: Path, dest: Path) -> dict:
    """Fill `dest` from `modules` (a node_modules folder); returns the manifest written."""
    staging = dest.with_name(dest.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    atlas = modules / "world-atlas"
    for name in ATLAS_FILES:
        _copy(atlas / name, staging / "world-atlas" / name)
    _copy(atlas / "LICENSE", staging / "licenses" / "world-atlas.LICENSE")
    (staging / "licenses" / "NATURAL-EARTH.txt").write_text(NATURAL_EARTH, encoding="utf-8")
    (staging / "fonts.css").write_text(_fonts(modules, staging), encoding="utf-8")
    manifest = _manifest(modules, staging)
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    old = dest.with_name(dest.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        dest.rename(old)
    staging.rename(dest)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: assets_build.py NODE_MODULES VENDOR_DIR", file=sys.stderr)
        return 2
    modules, dest = Path(argv[0]), Path(argv[1])
    try:
        manifest = build(modules, dest)
    except FileNotFoundError as exc:
        print(f"web assets: a file is missing from {modules}: {exc.filename}", file=sys.stderr)
        return 1
    total = sum(f["bytes"] for f in manifest["files"].values())
    print(f"web assets: {len(manifest['files'])} files, {total / 1e6:.1f} MB in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
