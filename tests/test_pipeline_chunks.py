"""The pool's chunks taper towards the end, so that no worker is left alone with a long last
chunk while the others idle (``pipeline.tapering_chunks``)."""

from __future__ import annotations

import pytest

from watchfloor.pipeline import tapering_chunks


@pytest.mark.parametrize(("n", "workers"), [(0, 2), (1, 2), (7, 2), (90, 2), (1000, 4), (90, 1)])
def test_every_task_once_in_order_and_the_chunks_shrink(n, workers):
    sizes = [len(c) for c in tapering_chunks(list(range(n)), 8, workers)]
    flat = [t for c in tapering_chunks(list(range(n)), 8, workers) for t in c]
    assert flat == list(range(n))
    assert all(1 <= s <= 8 for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if n >= 2 * workers:  # the last 2 x workers tasks go one at a time
        assert sizes[-2 * workers :] == [1] * (2 * workers)


def test_a_large_run_keeps_full_chunks_until_the_end():
    sizes = [len(c) for c in tapering_chunks(list(range(10_000)), 8, 2)]
    assert sizes.count(8) >= 10_000 // 8 - 4
