"""faiss on one OpenMP thread, for a block of code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import faiss

__all__ = ["single_threaded_faiss"]


@contextmanager
def single_threaded_faiss() -> Iterator[None]:
    """Run faiss on one thread here. HNSW insertion is deterministic only on one thread; and
    faiss's OpenMP threads spin while they wait, so on cores that other processes keep busy
    k-means ran 10-30 times slower on two threads than on one (measured on the 2-core machine)."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)
