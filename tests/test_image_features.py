"""Local features computed once for the emblem and landmark analyzers (``vision.image_features``):
both compute the very same features of a large image, and the hand-off in the workspace gives
one analyzer's features to the other exactly once, within its size bound."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.reference import LANDMARKS, need_path
from watchfloor.analyzers.base import AnalyzerOptions, MediaItem
from watchfloor.analyzers.landmark import LandmarkAnalyzer
from watchfloor.imaging import decode_rgb
from watchfloor.matching.verify import Features, extract_features
from watchfloor.vision.emblems import DetectParams, query_features
from watchfloor.vision.image_features import (
    GALLERY_FEATURES,
    SHARED_FEATURES,
    FeatureHandOff,
    features_for,
    handoff_directory,
    trim_hand_off,
)
from watchfloor.vision.landmark_index import IndexParams
from watchfloor.vision.landmarks import query_features as landmark_query_features

PARAMS = DetectParams()


def photo(tmp_path: Path, long_side: int, suffix: str = ".jpg") -> Path:
    """A real landmark photo resized to ``long_side`` (a large photo is a resized one)."""
    source = sorted(need_path(LANDMARKS).glob("british_museum/*.jp*g"))[0]
    image = Image.open(source).convert("RGB")
    scale = long_side / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)))
    path = tmp_path / f"photo-{long_side}{suffix}"
    image.save(path, quality=90) if suffix == ".jpg" else image.save(path)
    return path


def emblem_query(path: Path, shared=None):
    """The query as the emblem analyzer makes it (its decode, then ``query_features``)."""
    decoded = decode_rgb(path, reduce_to=SHARED_FEATURES.max_side // 2)
    return query_features(decoded.rgb, PARAMS, pixel_size=decoded.scale, shared=shared)


def same(a: Features, b: Features) -> bool:
    return (
        (a.width, a.height) == (b.width, b.height)
        and np.array_equal(a.points, b.points)
        and np.array_equal(a.descriptors, b.descriptors)
    )


def test_the_landmark_gallery_and_queries_use_the_shared_policy():
    assert IndexParams().features == GALLERY_FEATURES
    assert landmark_query_features(GALLERY_FEATURES) == SHARED_FEATURES
    assert PARAMS.work_side == SHARED_FEATURES.max_side


def test_an_image_just_under_the_working_size_is_brought_to_it_and_shared(tmp_path):
    """A 1,000 px photo: both analyzers take one computation at 1,024 px (the emblem analyzer
    enlarged it anyway); the gallery keeps such a photo at its own size."""
    path = photo(tmp_path, 1000)
    given: list[Features] = []

    def keep(compute):
        given.append(compute())
        return given[-1]

    query = emblem_query(path, keep)
    assert len(given) == 1 and max(query.width, query.height) == 1024
    assert same(given[0], extract_features(path, SHARED_FEATURES))
    gallery = extract_features(path, GALLERY_FEATURES)
    assert max(gallery.width, gallery.height) == 1000


@pytest.mark.parametrize(("long_side", "suffix"), [(1024, ".jpg"), (2600, ".jpg"), (1500, ".png")])
def test_emblem_and_landmark_compute_the_same_features(tmp_path, long_side, suffix):
    path = photo(tmp_path, long_side, suffix)
    landmark = extract_features(path, SHARED_FEATURES)
    given: list[Features] = []

    def keep(compute):
        given.append(compute())
        return given[-1]

    query = emblem_query(path, keep)
    assert len(given) == 1 and same(given[0], landmark)
    assert len(landmark.points) > 500
    assert np.allclose(query.descriptors, landmark.root_sift)
    assert query.grey.shape == (landmark.height, landmark.width)
    width = Image.open(path).width
    assert query.scale == pytest.approx(landmark.width / width)


def test_a_small_image_is_enlarged_for_emblems_and_shares_nothing(tmp_path):
    path = photo(tmp_path, 800)

    def refuse(compute):
        raise AssertionError("a small image must not use the shared features")

    query = emblem_query(path, refuse)
    assert max(query.width, query.height) == 1024  # enlarged (at most twice) for small emblems
    landmark = extract_features(path, SHARED_FEATURES)
    assert max(landmark.width, landmark.height) == 800  # never enlarged


def counting(features: Features):
    calls: list[int] = []

    def compute() -> Features:
        calls.append(1)
        return features

    return compute, calls


def test_one_analyzer_leaves_features_and_the_other_takes_them_once(tmp_path):
    features = extract_features(photo(tmp_path, 1024), SHARED_FEATURES)
    workspace, sha = str(tmp_path / "ws"), "ab" * 32
    compute, calls = counting(features)
    assert features_for(workspace, "emblem", sha, compute) is features
    left = handoff_directory(workspace) / "ab" / f"{sha}.emblem.sift"
    assert calls == [1] and left.is_file()
    taken = features_for(workspace, "landmark", sha, compute)
    assert calls == [1] and same(taken, features)  # not computed again
    assert np.array_equal(taken.thumb, features.thumb)
    assert not left.exists()  # taken once, then gone
    features_for(workspace, "emblem", sha, compute)  # the emblem analyzer again: recomputes
    assert calls == [1, 1]


def test_an_analyzer_does_not_take_its_own_features(tmp_path):
    features = extract_features(photo(tmp_path, 1024), SHARED_FEATURES)
    workspace, sha = str(tmp_path / "ws"), "cd" * 32
    compute, calls = counting(features)
    features_for(workspace, "landmark", sha, compute)
    features_for(workspace, "landmark", sha, compute)
    assert calls == [1, 1]


def test_no_workspace_shares_nothing(tmp_path):
    features = extract_features(photo(tmp_path, 1024), SHARED_FEATURES)
    compute, calls = counting(features)
    features_for(None, "emblem", "ef" * 32, compute)
    features_for(None, "landmark", "ef" * 32, compute)
    assert calls == [1, 1]


def test_a_damaged_file_is_recomputed(tmp_path):
    features = extract_features(photo(tmp_path, 1024), SHARED_FEATURES)
    root, sha = tmp_path / "handoff", "12" * 32
    FeatureHandOff(root, "emblem").get(sha, lambda: features)
    file = root / "12" / f"{sha}.emblem.sift"
    file.write_bytes(file.read_bytes()[:-100])
    compute, calls = counting(features)
    assert same(FeatureHandOff(root, "landmark").get(sha, compute), features)
    assert calls == [1]


def test_the_folder_is_bounded_and_trimmed(tmp_path):
    features = extract_features(photo(tmp_path, 1024), SHARED_FEATURES)
    root = tmp_path / "handoff"
    small = FeatureHandOff(root, "emblem", max_bytes=1)
    small.get("34" * 32, lambda: features)  # the folder was empty: room for one
    small.get("56" * 32, lambda: features)
    assert small.left == 1
    assert [p.name for p in root.glob("*/*")] == [f"{'34' * 32}.emblem.sift"]
    with pytest.raises(ValueError):
        FeatureHandOff(root, "ocr")
    workspace = tmp_path / "ws"
    features_for(str(workspace), "emblem", "78" * 32, lambda: features)
    features_for(str(workspace), "emblem", "9a" * 32, lambda: features)
    old = handoff_directory(workspace) / "78" / f"{'78' * 32}.emblem.sift"
    stale = time.time() - 2 * 24 * 3600
    os.utime(old, (stale, stale))
    assert trim_hand_off(str(workspace)) == 1
    assert not old.exists() and len(list(handoff_directory(workspace).glob("*/*"))) == 1
    assert trim_hand_off(None) == 0


def test_the_analyzers_hand_features_to_each_other(tmp_path, store, settings):
    """Through the analyzers: a gallery of five photos of the Sacré-Cœur, queried with one of
    them (1,024 px wide) under another name: the landmark analyzer leaves the query's features, the emblem
    analyzer's query takes them; the emblem analyzer's leaves them, the landmark analyzer takes
    them and recognises the place exactly as when it computed them itself."""
    from watchfloor.vision import gallery

    photos = sorted(need_path(LANDMARKS).glob("sacre_coeur/*.jp*g"))
    large = [p for p in photos if max(Image.open(p).size) >= 1024]
    with store.begin() as conn:
        gallery.add_images(conn, store.media, photos[:5], gallery.Place("Sacré-Cœur"))
    options = AnalyzerOptions(workspace=str(settings.workspace))
    analyzer = LandmarkAnalyzer(options)
    analyzer.prepare(store)
    query, sha = large[0], "0f" * 32
    assert query in photos[:5]
    item = MediaItem(sha, query, query.stat().st_size, "image/jpeg")
    folder = handoff_directory(options.workspace) / sha[:2]

    def emblem_side(compute):
        return features_for(options.workspace, "emblem", sha, compute)

    direct = analyzer.analyze(item, {})
    assert direct and direct[0].value["landmark"] == "Sacré-Cœur"
    assert [p.name for p in folder.iterdir()] == [f"{sha}.landmark.sift"]
    emblem_query(query, emblem_side)  # takes the landmark analyzer's features
    assert list(folder.iterdir()) == []
    emblem_query(query, emblem_side)  # nothing left: computes and leaves its own
    assert [p.name for p in folder.iterdir()] == [f"{sha}.emblem.sift"]
    assert analyzer.analyze(item, {}) == direct
    assert list(folder.iterdir()) == []
