"""Killing `watchfloor ingest` / `watchfloor analyze` with SIGKILL at seeded random points and
resuming; shared by tests/test_crash_safety.py and benchmarks/crash.py.

A kill point is either a random delay after the start (it may land in start-up, migration or
work), within the time the last unkilled run of the same step took, or a random amount of
progress (posts written, analysis states recorded) plus a random jitter, so that most kills land
in the middle of the work however fast the machine and the code are. Half of
the analyze kills hit only the main process, leaving its pool workers orphaned (they must go
away by themselves and must not write anything the resumed run doubles); the others hit the
whole process group.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from tests.crash_corpus import watchfloor
from watchfloor.store.schema import analysis_state, posts

ANALYZERS = ("digests", "md5_match", "pdq", "match", "exif", "crops")


@dataclass
class Kill:
    step: str
    how: str  # "delay" or "progress"
    target: str  # "group" or "parent"
    progress_before: int
    progress_at_kill: int | None = None
    killed: bool = False  # False: the run finished before the kill point
    returncode: int | None = None
    orphans: int = 0  # pool workers still alive after the parent was killed

    def line(self) -> str:
        state = "killed" if self.killed else f"finished rc={self.returncode}"
        return (
            f"{self.step:8} {self.how:8} {self.target:6} progress {self.progress_before}"
            f" -> {self.progress_at_kill}  {state}  orphans={self.orphans}"
        )


@dataclass
class Scenario:
    workspace: Path
    db_url: str
    exports: list[Path]
    batch_size: int = 10
    workers: int = 2
    max_delay: float = 3.0  # before a run of the step has completed (start-up is ~1.5 s)
    # wall time of the last run of each step that ran to its end
    seconds: dict[str, float] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)

    def ingest_args(self, force: bool = False) -> list[str]:
        extra = ["--force"] if force else []
        return ["ingest", *map(str, self.exports), "--batch-size", str(self.batch_size), *extra]

    def analyze_args(self) -> list[str]:
        only = [a for name in ANALYZERS for a in ("--only", name)]
        return ["analyze", "--workers", str(self.workers), *only]


def progress(db_url: str, step: str) -> int:
    """Posts written (ingest) or analysis states recorded (analyze); 0 before the schema exists."""
    engine = _engines.get(db_url) or _engines.setdefault(db_url, create_engine(db_url))
    table = posts if step == "ingest" else analysis_state
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    except (OperationalError, ProgrammingError):  # before the schema exists
        return 0


_engines: dict[str, Engine] = {}


def close_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def kill_once(
    sc: Scenario, step: str, rng: random.Random, args: list[str], forced: bool = False
) -> Kill:
    """A delay is drawn within the time the last complete run of the step took (``max_delay``
    before one has): a partial analysis can end in a few seconds. A forced re-read adds no posts
    to watch, so it is always killed after a delay."""
    before = progress(sc.db_url, step)
    how = "delay" if forced else rng.choice(("delay", "progress"))
    last = sc.seconds.get(step)
    max_delay = max(0.5, 0.9 * last) if last is not None else sc.max_delay
    target = "parent" if step == "analyze" and rng.random() < 0.5 else "group"
    kill = Kill(step, how, target, before)
    proc, started = watchfloor(sc.workspace, sc.db_url, *args, "--no-progress"), time.monotonic()
    if how == "delay":
        _wait(proc, started + rng.uniform(0.2, max_delay), lambda: False)
    else:
        wanted = before + rng.randint(1, 12 if step == "ingest" else 8)
        _wait(proc, time.monotonic() + 120, lambda: progress(sc.db_url, step) >= wanted)
        time.sleep(rng.uniform(0, 0.3))
    if proc.poll() is None:
        kill.killed = True
        kill.progress_at_kill = progress(sc.db_url, step)
        if target == "parent":
            os.kill(proc.pid, signal.SIGKILL)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()  # not communicate(): orphaned workers still hold its stdout and stderr
    if not kill.killed and proc.returncode == 0:
        sc.seconds[step] = time.monotonic() - started
    kill.returncode = proc.returncode
    kill.orphans = _reap_group(proc.pid)
    proc.communicate()
    if kill.progress_at_kill is None:
        kill.progress_at_kill = progress(sc.db_url, step)
    sc.kills.append(kill)
    return kill


def _wait(proc, deadline: float, reached) -> None:
    while proc.poll() is None and time.monotonic() < deadline and not reached():
        time.sleep(0.05)


def _reap_group(pgid: int) -> int:
    """Waits up to 10 s for orphaned workers of a killed group to exit on their own; kills and
    counts those that did not."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return 0
        time.sleep(0.1)
    alive = _group_members(pgid)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(alive)


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _group_alive(pgid: int) -> bool:
    return bool(_group_members(pgid))


def run_to_completion(sc: Scenario, args: list[str]) -> str:
    proc = watchfloor(sc.workspace, sc.db_url, *args, "--no-progress")
    out, err = proc.communicate(timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"watchfloor {' '.join(args[:1])} exited {proc.returncode}: {err}")
    return out


def finish(sc: Scenario) -> None:
    """Ingest and analyze to the end, unkilled (what a resume is)."""
    run_to_completion(sc, sc.ingest_args())
    run_to_completion(sc, sc.analyze_args())


def kill_rounds(sc: Scenario, kills: int, seed: int, report=print) -> None:
    """`kills` kill points alternating ingest and analyze (analysis of a partial ingest is
    resumed after more ingest, as in real use); an ingest that already completed is killed
    during a forced re-read instead."""
    rng = random.Random(seed)
    ingested = False
    for n in range(kills):
        step = "ingest" if n % 2 == 0 else "analyze"
        if step == "ingest":
            kill = kill_once(sc, step, rng, sc.ingest_args(force=ingested), forced=ingested)
            ingested = ingested or (not kill.killed and kill.returncode == 0)
        else:
            kill = kill_once(sc, step, rng, sc.analyze_args())
        if not kill.killed and kill.returncode != 0:
            raise AssertionError(f"an unkilled {step} run failed: {kill.line()}")
        report(f"kill {n + 1:3}: {kill.line()}")


def media_problems(media_root: Path) -> tuple[list[str], int]:
    """Objects whose bytes do not match their name (half-written), and leftover temp files."""
    bad, leftovers = [], 0
    if not media_root.exists():
        return bad, leftovers
    for path in media_root.rglob("*"):
        if not path.is_file():
            continue
        if path.name.startswith(".incoming-"):
            leftovers += 1
        elif hashlib.sha256(path.read_bytes()).hexdigest() != path.name:
            bad.append(str(path))
    return bad, leftovers
