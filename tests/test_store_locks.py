"""Advisory run locks and bounded retries of transactions PostgreSQL aborts as deadlocks."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from sqlalchemy import text

from watchfloor.store.locks import run_lock
from watchfloor.store.retry import retryable, with_retries


def _wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _waiting_advisory_locks(store) -> int:
    with store.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        ).scalar_one()


def test_a_second_run_waits_for_the_first(store, settings):
    release, acquired, order = threading.Event(), threading.Event(), []

    def first():
        with run_lock(store, settings.workspace, "analyze"):
            order.append("first in")
            acquired.set()
            release.wait(60)
            order.append("first out")

    def second():
        with run_lock(store, settings.workspace, "analyze"):
            order.append("second in")

    one = threading.Thread(target=first)
    one.start()
    assert acquired.wait(60)
    two = threading.Thread(target=second)
    two.start()
    if store.dialect == "postgresql":
        assert _wait_for(lambda: _waiting_advisory_locks(store) == 1)
    else:
        time.sleep(0.3)
    assert order == ["first in"]
    release.set()
    one.join(60)
    two.join(60)
    assert order == ["first in", "first out", "second in"]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_real_deadlock_is_retried_and_logged(store, caplog):
    with store.begin() as conn:
        conn.execute(text("CREATE TABLE pair (id int PRIMARY KEY, n int)"))
        conn.execute(text("INSERT INTO pair VALUES (1, 0), (2, 0)"))
    both_hold_one = threading.Barrier(2, timeout=60)
    attempts = {"a": 0, "b": 0}
    errors: list[BaseException] = []

    def transaction(name: str, first: int, second: int):
        def run():
            attempts[name] += 1
            with store.begin() as conn:
                conn.execute(text("UPDATE pair SET n = n + 1 WHERE id = :i"), {"i": first})
                if attempts[name] == 1:  # only the first attempts cross each other
                    both_hold_one.wait()
                conn.execute(text("UPDATE pair SET n = n + 1 WHERE id = :i"), {"i": second})

        return run

    def worker(name, first, second):
        try:
            with_retries(transaction(name, first, second), f"pair {name}")
        except BaseException as exc:
            errors.append(exc)

    caplog.set_level(logging.WARNING, logger="watchfloor.store.retry")
    threads = [
        threading.Thread(target=worker, args=("a", 1, 2)),
        threading.Thread(target=worker, args=("b", 2, 1)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sorted(attempts.values()) == [1, 2]  # PostgreSQL aborted exactly one of them once
    assert "deadlock detected, retrying (1/4)" in caplog.text
    with store.connect() as conn:
        assert conn.execute(text("SELECT sum(n) FROM pair")).scalar_one() == 4


def test_other_errors_are_not_retried(store):
    calls = []

    def bad():
        calls.append(1)
        with store.begin() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(Exception) as caught:
        with_retries(bad, "bad")
    assert calls == [1] and retryable(caught.value) is None
