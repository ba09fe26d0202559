"""Throttling of failed logins per user name and client address (in memory, per process)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginThrottle:
    def __init__(self, attempts: int, pause_seconds: int) -> None:
        self.attempts = attempts
        self.pause = pause_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] < now - self.pause:
            failures.popleft()
        return failures

    def blocked(self, name: str, ip: str) -> bool:
        with self._lock:
            return len(self._recent((name.lower(), ip), time.monotonic())) >= self.attempts

    def failed(self, name: str, ip: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent((name.lower(), ip), now).append(now)

    def succeeded(self, name: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((name.lower(), ip), None)
