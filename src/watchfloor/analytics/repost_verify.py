"""Verifying candidate pairs with local features.

Two steps. First the features of every image the candidates name are extracted, once each, on a
process pool when there is more than one worker (into the feature cache on disk, which the
workers share). Then the pairs are verified in this process, best first: a pair whose two images
are already in one group (joined through other verified pairs) is skipped, so a viral picture
with hundreds of copies costs about one verification per copy. Verifying a pair with cached
features takes about a millisecond; extracting features 40-60 ms an image.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from watchfloor.analytics.repost_index import Candidate
from watchfloor.imaging import ImageRejected
from watchfloor.matching.feature_cache import FeatureCache
from watchfloor.matching.verify import PairCheck, VerifyParams, verify_pair
from watchfloor.worker_guard import die_with_parent

__all__ = ["PairVerifier", "VerifySettings", "prefetch_features"]

BATCH = 16  # images a worker extracts at a time
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class VerifySettings:
    params: VerifyParams
    cache_root: Path | None
    max_pixels: int
    workers: int = 1

    def cache(self) -> FeatureCache:
        return FeatureCache(self.cache_root, self.params, max_pixels=self.max_pixels)


def _failed(reason: str) -> PairCheck:
    return PairCheck(False, reason)


def _extract(settings: VerifySettings, images: list[tuple[str, Path, bool]]) -> int:
    """Runs in a worker: store the features of these images; unreadable ones are left for the
    verification step to report."""
    cache = settings.cache()
    for sha, path, mirrored in images:
        with contextlib.suppress(Exception):  # reported with its pair by the verification step
            cache.get(sha, path, mirrored=mirrored)
    return len(images)


def _needed(candidates: list[Candidate], paths: dict[str, Path]) -> list[tuple[str, Path, bool]]:
    wanted = {(c.query, c.mirrored) for c in candidates} | {(c.other, False) for c in candidates}
    return [(sha, paths[sha], mirrored) for sha, mirrored in sorted(wanted)]


def prefetch_features(
    candidates: list[Candidate],
    paths: dict[str, Path],
    settings: VerifySettings,
    on_progress: ProgressCallback | None = None,
) -> int:
    """Extract the features the candidates need on a pool; returns how many images it
    extracted. A no-op with one worker or no disk cache: then verification extracts them."""
    if settings.workers <= 1 or settings.cache_root is None:
        return 0
    cache = settings.cache()
    todo = [i for i in _needed(candidates, paths) if not cache.stored(i[0], i[2])]
    batches = [todo[i : i + BATCH] for i in range(0, len(todo), BATCH)]
    done = 0
    # "forkserver": workers start from a fresh process, not from this one with whatever thread
    # pools (OpenCV, OpenMP) it holds; forked from a process with live pools, they can hang.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=settings.workers, mp_context=context, initializer=die_with_parent
    ) as pool:
        try:
            for n in pool.map(_extract, [settings] * len(batches), batches):
                done += n
                if on_progress:
                    on_progress("reposts: features", done, len(todo))
        except BrokenProcessPool:
            pass  # a worker died: what is left is extracted while verifying
    return done


def _verify(cache: FeatureCache, candidate: Candidate, paths: dict[str, Path]) -> PairCheck:
    try:
        a = cache.get(candidate.query, paths[candidate.query], mirrored=candidate.mirrored)
        b = cache.get(candidate.other, paths[candidate.other])
    except ImageRejected as exc:
        return _failed(f"unreadable image ({exc.code}): {exc}")
    except Exception as exc:  # a decoder or OpenCV fed hostile bytes: this pair only
        return _failed(f"features could not be extracted: {type(exc).__name__}: {exc}")
    return verify_pair(a, b, cache.params)


class PairVerifier:
    """Verifies candidate pairs; ``computed`` counts the images whose features were extracted."""

    def __init__(self, settings: VerifySettings) -> None:
        self.settings = settings
        self.computed = 0

    def run(
        self,
        candidates: list[Candidate],
        paths: dict[str, Path],
        connected: Callable[[str, str], bool],
        on_progress: ProgressCallback | None = None,
    ) -> Iterator[tuple[Candidate, PairCheck]]:
        """Yields (candidate, check) for every pair verified; the caller joins accepted pairs
        before drawing the next one, so that ``connected`` sees them."""
        self.computed += prefetch_features(candidates, paths, self.settings, on_progress)
        cache = self.settings.cache()
        try:
            for done, candidate in enumerate(candidates, 1):
                if not connected(candidate.query, candidate.other):
                    yield candidate, _verify(cache, candidate, paths)
                if on_progress:
                    on_progress("reposts: verify", done, len(candidates))
        finally:
            self.computed += cache.computed
