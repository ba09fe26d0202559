"""``landmark``: which place of the landmark gallery an image shows, only when the evidence is
strong; otherwise no signal (an image of a place that is not in the gallery yields nothing, not
a wrong place).

``prepare`` brings the gallery index under ``<workspace>/gallery/`` in step with the enabled
gallery and takes the gallery's state into ``effective_version``, so adding, removing or
editing a gallery photo analyses every image again. Workers open the index lazily, once per
process. How recognition works and what was measured: ``watchfloor.vision.landmarks``. The
image's SIFT features are computed once for this analyzer and the ``emblem`` analyzer
(``vision.image_features``): whichever runs first leaves them in the workspace for the other.

Signal ``landmark``: value ``{landmark, city, country, lat, lon, gallery_ids, inliers, score}``
(``gallery_ids``: the gallery photos that verified; ``inliers``: summed over them), evidence
``{polygon, shortlist, runner_up}``: the region of the image that matched (four corners in the
image's pixels, of the best-matching gallery photo), every shortlisted photo with its inlier
count, and the best other landmark.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from watchfloor.analyzers.base import (
    Analyzer,
    AnalyzerRejected,
    MediaItem,
    PreparesFromStore,
    SignalOut,
)
from watchfloor.imaging import ImageRejected, probe_image
from watchfloor.matching.verify import Features, extract_features
from watchfloor.vision.image_features import SHARED_FEATURES, features_for, trim_hand_off
from watchfloor.vision.landmark_build import sync_gallery_index
from watchfloor.vision.landmark_index import (
    GalleryRef,
    gallery_directory,
    open_gallery_index,
)
from watchfloor.vision.landmarks import (
    RecogniseParams,
    Recognition,
    query_features,
    recognise,
    score,
)

__all__ = ["LandmarkAnalyzer"]

PARAMS = RecogniseParams()


class LandmarkAnalyzer(Analyzer, PreparesFromStore):
    name: ClassVar[str] = "landmark"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("landmark",)
    description: ClassVar[str] = (
        "The gallery landmark an image shows: visual-word shortlist, SIFT + MAGSAC "
        "verification; no signal unless the evidence is strong"
    )
    _ref: GalleryRef | None = None

    def prepare(self, store: Any) -> None:
        if not self.options.workspace:
            raise ValueError("the landmark analyzer needs a workspace to keep its index in")
        self._ref = sync_gallery_index(store, gallery_directory(self.options.workspace))
        trim_hand_off(self.options.workspace)

    @property
    def effective_version(self) -> str:
        return f"{self.version}+{self._ref.fingerprint}" if self._ref else self.version

    def accepts(self, item: MediaItem) -> bool:
        return item.mime is None or item.mime.startswith("image/")

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        if self._ref is None:
            raise RuntimeError("the landmark analyzer was not prepared from a store")
        if self._ref.name is None:  # an empty gallery
            return []
        index = open_gallery_index(self._ref)
        params = query_features(index.params.features)
        compute = functools.partial(
            extract_features, item.path, params, max_pixels=self.options.max_image_pixels
        )
        try:
            if params == SHARED_FEATURES:  # the emblem analyzer may have computed them
                features = features_for(self.options.workspace, self.name, item.sha256, compute)
            else:
                features = compute()
            width = probe_image(item.path, max_pixels=self.options.max_image_pixels).width
        except ImageRejected as exc:
            raise AnalyzerRejected(exc.code, str(exc)) from exc
        result = recognise(features, index, PARAMS)
        if not result.accepted:
            return []
        return [_signal(result, index.entries, features, width / features.width)]


def _signal(
    result: Recognition, entries: list[dict[str, Any]], features: Features, scale: float
) -> SignalOut:
    supporting = sorted(result.supporting(), key=lambda c: -c.inliers)
    place = entries[supporting[0].row]
    value = {
        "landmark": result.landmark,
        "city": place["city"],
        "country": place["country"],
        "lat": place["lat"],
        "lon": place["lon"],
        "gallery_ids": [c.gallery_id for c in supporting],
        "inliers": result.inliers,
        "score": score(result.inliers, PARAMS),
    }
    polygon = supporting[0].polygon
    evidence = {
        "polygon": None
        if polygon is None
        else [[round(x * scale, 1), round(y * scale, 1)] for x, y in polygon],
        "shortlist": [c.as_dict() for c in result.candidates],
        "runner_up": {"landmark": result.runner_up, "inliers": result.runner_up_inliers}
        if result.runner_up is not None
        else None,
    }
    return SignalOut("landmark", value, value["score"], evidence)
