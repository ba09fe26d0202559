"""Settings from the command line, the environment, or a notebook; built once and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from watchfloor.imaging import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_FRAMES,
    DEFAULT_MAX_JPEG_SCANS,
    DEFAULT_MAX_PIXELS,
    ImageLimits,
)

DEFAULT_WORKSPACE = "watchfloor-data"


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    workspace: Path
    db_url: str
    export_tz: str = "UTC"  # zone assumed for Telegram export dates that carry no zone
    pdq_mode: str = "fast"
    max_image_pixels: int = 64_000_000
    max_image_bytes: int = DEFAULT_MAX_BYTES
    max_image_frames: int = DEFAULT_MAX_FRAMES
    max_jpeg_scans: int = DEFAULT_MAX_JPEG_SCANS
    scheduler: str | None = None  # a Dask scheduler address: analyze on that cluster
    media_url: str | None = None  # the media copy cluster workers read (a path or fsspec URL)
    env: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def image_limits(self) -> ImageLimits:
        return ImageLimits(
            self.max_image_pixels, self.max_image_bytes, self.max_image_frames, self.max_jpeg_scans
        )

    @property
    def media_dir(self) -> Path:
        return self.workspace / "media"

    @property
    def quarantine_dir(self) -> Path:
        return self.workspace / "quarantine"


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown time zone {name!r}: use an IANA name such as 'UTC' or 'Europe/Amsterdam'"
        ) from exc


def load_settings(
    workspace: str | os.PathLike[str] | None = None,
    db_url: str | None = None,
    *,
    export_tz: str | None = None,
    pdq_mode: str | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Explicit arguments win over WATCHFLOOR_* environment variables, which win over defaults."""
    env = dict(os.environ if environ is None else environ)
    ws = Path(workspace or env.get("WATCHFLOOR_WORKSPACE") or DEFAULT_WORKSPACE).expanduser()
    url = db_url or env.get("WATCHFLOOR_DB") or f"sqlite:///{ws.resolve() / 'watchfloor.db'}"
    tz = export_tz or env.get("WATCHFLOOR_EXPORT_TZ") or "UTC"
    parse_timezone(tz)
    mode = pdq_mode or env.get("WATCHFLOOR_PDQ_MODE") or "fast"
    if mode not in ("fast", "exact"):
        raise ConfigError(f"WATCHFLOOR_PDQ_MODE must be 'fast' or 'exact', not {mode!r}")
    return Settings(
        workspace=ws,
        db_url=url,
        export_tz=tz,
        pdq_mode=mode,
        **_image_limits(env),
        scheduler=env.get("WATCHFLOOR_SCHEDULER") or None,
        media_url=env.get("WATCHFLOOR_MEDIA_URL") or None,
        env=env,
    )


_IMAGE_LIMITS = {
    "max_image_pixels": ("WATCHFLOOR_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS),
    "max_image_bytes": ("WATCHFLOOR_MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES),
    "max_image_frames": ("WATCHFLOOR_MAX_IMAGE_FRAMES", DEFAULT_MAX_FRAMES),
    "max_jpeg_scans": ("WATCHFLOOR_MAX_JPEG_SCANS", DEFAULT_MAX_JPEG_SCANS),
}


def _image_limits(env: dict[str, str]) -> dict[str, int]:
    """The limits on hostile images (see watchfloor.imaging.ImageLimits), each a positive integer."""
    limits = {}
    for field_name, (variable, default) in _IMAGE_LIMITS.items():
        text = env.get(variable, "").strip().replace("_", "")
        if not text:
            limits[field_name] = default
            continue
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise ConfigError(f"{variable} must be a positive whole number, not {env[variable]!r}")
        limits[field_name] = int(text)
    return limits
