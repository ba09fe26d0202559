"""Models of the enabled emblems, built once per reference image and kept under
``<workspace>/emblems/<params key>/<sha256>-<kind>.npz``.

Building a model (SIFT at three sizes, a watermark template) takes a few hundred milliseconds;
reading it back a millisecond. A damaged file is rebuilt; files may be deleted at any time.
Writes go to a temporary file renamed into place, so processes can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from watchfloor.imaging import DEFAULT_MAX_PIXELS, ImageRejected, decode_rgb
from watchfloor.store.media_store import MediaStore
from watchfloor.vision.emblem_registry import Emblem
from watchfloor.vision.emblems import DetectParams, EmblemModel, build_model
from watchfloor.vision.watermarks import WatermarkTemplate

__all__ = ["EMBLEMS_DIRNAME", "UnreadableEmblem", "load_models", "registry_fingerprint"]

EMBLEMS_DIRNAME = "emblems"


def registry_fingerprint(rows: Sequence[Emblem], params: DetectParams) -> str:
    """Changes whenever an enabled emblem is added, removed, relabelled or re-kinded."""
    payload = [params.key] + [[e.id, e.label, e.kind, e.sha256] for e in rows]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


def _arrays(model: EmblemModel) -> dict[str, np.ndarray]:
    arrays = {
        "size": np.array([model.width, model.height], np.int64),
        "points": model.points,
        "descriptors": model.descriptors,
        "thumb": model.thumb,
    }
    if model.template is not None:
        arrays["template"] = model.template.pattern
        arrays["template_norm"] = np.array([model.template.norm], np.float64)
    return arrays


def _from_arrays(row: Emblem, data: dict[str, np.ndarray]) -> EmblemModel:
    template = None
    if "template" in data:
        template = WatermarkTemplate(data["template"], float(data["template_norm"][0]))
    width, height = (int(v) for v in data["size"])
    return EmblemModel(
        row.id,
        row.label,
        row.kind,
        width,
        height,
        data["points"],
        data["descriptors"],
        data["thumb"],
        template,
    )


def _load(path: Path, row: Emblem) -> EmblemModel | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return _from_arrays(row, {k: npz[k] for k in npz.files})
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _save(path: Path, model: EmblemModel) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **_arrays(model))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class UnreadableEmblem(Exception):
    """An enabled emblem whose reference image is missing from the media store or unreadable."""


def _build(row: Emblem, media: MediaStore, params: DetectParams, max_pixels: int) -> EmblemModel:
    try:
        rgb = decode_rgb(media.path_for(row.sha256), max_pixels=max_pixels).rgb
    except (ImageRejected, OSError) as exc:
        message = (
            f"emblem {row.id} ({row.label!r}) is not searched: its image cannot be read: {exc}"
        )
        raise UnreadableEmblem(message) from exc
    return build_model(row.id, row.label, row.kind, rgb, params)


def load_models(
    rows: Sequence[Emblem],
    media: MediaStore,
    cache_dir: Path | None,
    params: DetectParams,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> tuple[list[EmblemModel], list[str]]:
    """A model per emblem, from the cache when there (``cache_dir=None``: no cache), and what
    went wrong with the emblems left out (an image missing from the media store, say): one
    emblem's lost image does not stop the search for the others."""
    models, problems = [], []
    for row in rows:
        path = cache_dir / params.key / f"{row.sha256}-{row.kind}.npz" if cache_dir else None
        model = _load(path, row) if path is not None and path.exists() else None
        if model is None:
            try:
                model = _build(row, media, params, max_pixels)
            except UnreadableEmblem as exc:
                problems.append(str(exc))
                continue
            if path is not None:
                _save(path, model)
        models.append(model)
    return models, problems
