"""Worker processes that do not outlive the process that started them.

A ``ProcessPoolExecutor`` worker waits for work on a pipe whose write end its sibling workers
also hold, so when the main process is killed (SIGKILL, the OOM killer) its workers never see
end-of-file and idle on forever, holding memory and the parent's stdout/stderr. On Linux the
kernel can send a signal to a process when its parent dies; elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Call first thing in a worker process (a pool ``initializer``)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not fatal: the worker then behaves as before
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
