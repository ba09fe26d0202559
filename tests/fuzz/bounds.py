"""Time and memory bounds around one fuzzed call: a hang is a crash, and so is unbounded memory."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator
from contextlib import contextmanager

HANG_SECONDS = 60  # far above any single input here (they take milliseconds); only a hang gets near


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM, the peak resident size, to the current size
        return True
    except OSError:
        return False


@contextmanager
def bounded(memory_mib: int, seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Abort the whole process (with every thread's traceback) if the block runs longer than
    ``seconds``; fail if the process's peak memory grew by more than ``memory_mib`` in it."""
    measured = sys.platform == "linux" and _reset_peak()
    before = _status_kib("VmRSS") if measured else 0
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
    if measured:
        growth_mib = (_status_kib("VmHWM") - before) / 1024
        assert growth_mib <= memory_mib, f"peak memory grew by {growth_mib:.0f} MiB"
