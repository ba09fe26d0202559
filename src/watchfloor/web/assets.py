"""The vendored static assets (map outlines, fonts) the web app serves, found and checked.

They come from the npm registry at setup (`scripts/install-web-assets.sh`: web-assets/package.json
and its lock file) into `static/vendor/` beside this module, with a MANIFEST.json of what was
copied. Nothing is fetched at run time; when the folder is missing or incomplete, every caller
gets the same clear error naming the setup command. WATCHFLOOR_WEB_VENDOR points elsewhere
(e.g. a read-only system location).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SETUP_COMMAND = "scripts/install-web-assets.sh"
MANIFEST = "MANIFEST.json"
DEFAULT_VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
STYLESHEETS = ("fonts.css",)
ATLAS_RESOLUTIONS = ("110m", "50m")


class AssetsMissing(RuntimeError):
    """The vendor folder is absent, has no manifest, or lacks a file its manifest lists."""


@dataclass(frozen=True)
class VendorAssets:
    root: Path
    packages: dict[str, str]  # npm package -> version installed
    files: dict[str, int]  # path relative to root (posix) -> size in bytes

    def path(self, name: str) -> Path:
        """The file `name` (relative, as listed), which must be one the manifest lists."""
        if name not in self.files:
            raise AssetsMissing(f"{name} is not among the installed web assets in {self.root}")
        return self.root / name

    def atlas(self, resolution: str = "110m") -> Path:
        if resolution not in ATLAS_RESOLUTIONS:
            raise ValueError(f"map resolution must be one of {', '.join(ATLAS_RESOLUTIONS)}")
        return self.path(f"world-atlas/countries-{resolution}.json")

    @property
    def stylesheets(self) -> list[str]:
        return [name for name in STYLESHEETS if name in self.files]

    @property
    def licences(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith("licenses/"))


def vendor_dir() -> Path:
    override = os.environ.get("WATCHFLOOR_WEB_VENDOR")
    return Path(override) if override else DEFAULT_VENDOR


def _missing(root: Path, what: str) -> AssetsMissing:
    return AssetsMissing(
        f"web assets are not installed ({what} in {root}): run {SETUP_COMMAND} "
        "(needs Node.js and npm; it installs them from the npm registry once, "
        "the app then works offline)"
    )


def load_vendor(root: Path | None = None) -> VendorAssets:
    """The installed assets, checked against their manifest (sizes, not hashes: cheap enough
    for every start)."""
    root = vendor_dir() if root is None else root
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _missing(root, f"no {MANIFEST}") from None
    except (OSError, ValueError) as exc:
        raise _missing(root, f"{MANIFEST} unreadable: {exc}") from None
    files = {name: int(entry["bytes"]) for name, entry in manifest.get("files", {}).items()}
    for name, size in files.items():
        path = root / name
        if not path.is_file() or path.stat().st_size != size:
            raise _missing(root, f"{name} missing or changed")
    return VendorAssets(root, dict(manifest.get("packages", {})), files)


@lru_cache(maxsize=4)
def _cached(root: Path) -> VendorAssets:
    return load_vendor(root)


def vendor(root: Path | None = None) -> VendorAssets:
    """`load_vendor`, checked once per process and folder."""
    return _cached(vendor_dir() if root is None else root)
