"""``emblem``: registered emblems (flags, logos) and outlet watermarks found in images.

Prepared from the store: ``prepare`` reads the enabled emblems once, in the main process, loads
or builds their models (``vision.emblem_models``, cached under ``<workspace>/emblems/``) and
takes the registry's state into ``effective_version``, so registering, removing, disabling or
relabelling an emblem analyses every image again. The models travel to worker processes.

One ``emblem`` signal per image in which anything is found (none otherwise): the value lists
the detections, each with the emblem's id, label and kind, the polygon (four corners in image
pixels), the homography inliers (0 for a watermark found by its template), a score (0..1) and
the share of the image width it spans; the signal's score is the best detection's. The evidence
adds, per detection, how it was found and the checks it passed (inliers' spread over the emblem,
normalised cross-correlation with the reference).

The image's SIFT features are computed once for this analyzer and the ``landmark`` analyzer
(``vision.image_features``): whichever runs first leaves them in the workspace for the other.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, ClassVar

from watchfloor.analyzers.base import (
    Analyzer,
    MediaItem,
    PreparesFromStore,
    SignalOut,
    decode_image,
)
from watchfloor.vision.emblem_models import EMBLEMS_DIRNAME, load_models, registry_fingerprint
from watchfloor.vision.emblem_registry import enabled_emblems
from watchfloor.vision.emblems import DetectParams, EmblemModel, detect_emblems, query_features
from watchfloor.vision.image_features import SHARED_FEATURES, features_for, trim_hand_off

__all__ = ["EmblemAnalyzer"]

PARAMS = DetectParams()


class EmblemAnalyzer(Analyzer, PreparesFromStore):
    name: ClassVar[str] = "emblem"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("emblem",)
    description: ClassVar[str] = (
        "Registered emblems, flags and watermarks in images (see `watchfloor emblems`): "
        "label, polygon, inliers, score"
    )
    _models: tuple[EmblemModel, ...] = ()
    _fingerprint: str | None = None

    def prepare(self, store: Any) -> list[str]:
        with store.connect() as conn:
            rows = enabled_emblems(conn)
        cache = Path(self.options.workspace) / EMBLEMS_DIRNAME if self.options.workspace else None
        models, problems = load_models(
            rows, store.media, cache, PARAMS, max_pixels=self.options.max_image_pixels
        )
        self._models = tuple(models)
        # only the emblems searched: once a lost image is back, every image is analysed again
        searched = {m.emblem_id for m in models}
        self._fingerprint = registry_fingerprint([r for r in rows if r.id in searched], PARAMS)
        trim_hand_off(self.options.workspace)
        return problems

    @property
    def effective_version(self) -> str:
        return f"{self.version}+{self._fingerprint}" if self._fingerprint else self.version

    def accepts(self, item: MediaItem) -> bool:
        return item.mime is None or item.mime.startswith("image/")

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        if not self._models:
            return []
        decoded = decode_image(item, self.options, reduce_to=SHARED_FEATURES.max_side // 2)
        shared = functools.partial(features_for, self.options.workspace, self.name, item.sha256)
        query = query_features(decoded.rgb, PARAMS, pixel_size=decoded.scale, shared=shared)
        detections = detect_emblems(query, list(self._models), PARAMS)
        if not detections:
            return []
        value = {"detections": [d.as_value() for d in detections]}
        evidence = {
            "detections": [d.as_evidence() for d in detections],
            "image": {"width": decoded.width, "height": decoded.height},
            "emblems_searched": len(self._models),
        }
        return [SignalOut("emblem", value, detections[0].score, evidence)]
