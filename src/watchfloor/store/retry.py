"""Bounded retries of a whole transaction that PostgreSQL aborted to break a deadlock or a
serialization conflict; anything else, and the last failure, is raised."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 5
RETRYABLE_SQLSTATES = {"40001": "serialization failure", "40P01": "deadlock detected"}


def retryable(exc: BaseException) -> str | None:
    """What a transient conflict is called, or None when `exc` is not one."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return RETRYABLE_SQLSTATES.get(code) if isinstance(exc, DBAPIError) else None


def with_retries(transaction: Callable[[], T], what: str, attempts: int = ATTEMPTS) -> T:
    """Run `transaction` (which opens, commits or rolls back its own transaction) again after a
    transient conflict, up to `attempts` times, with a short random back-off; each retry is
    logged as a warning."""
    for attempt in range(1, attempts + 1):
        try:
            return transaction()
        except DBAPIError as exc:
            reason = retryable(exc)
            if reason is None or attempt == attempts:
                raise
            log.warning("%s: %s, retrying (%d/%d)", what, reason, attempt, attempts - 1)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
