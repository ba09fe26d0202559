"""Ingest throughput and memory: ``watchfloor ingest`` against a bare ijson parse of the same file.

For every size, a synthetic Telegram Desktop export of a public channel (``gen_export.py``:
~5% service messages, ~10% photo placeholders, ~30% formatted texts, some Arabic; cached under
/tmp/watchfloor-bench/ by size and seed) is read by two programs, each in a fresh Python
subprocess so that its own peak RSS (``ru_maxrss``) can be read:

* parse-only, the floor: ``ijson.items(f, "messages.item", use_float=True)`` counting messages
  (the C backend, yajl2_c, the one watchfloor uses);
* watchfloor: ``watchfloor --workspace <fresh dir> ingest <file> --no-progress --json`` run
  in-process through ``watchfloor.cli.main(standalone_mode=False)``, into a fresh SQLite database
  (or, with ``--db-url``, a fresh schema of that PostgreSQL database, dropped afterwards). Its
  JSON report must say that every message was added and none rejected, or the benchmark fails.

msg/s is messages over the in-process work time (interpreter start-up and imports excluded;
"wall s" is the whole subprocess). ratio = watchfloor msg/s / parse-only msg/s (target >= 0.7).
Peak RSS is the child's own maximum resident set; if it stays put from one size to the next,
memory is flat in the size of the export. The file is read once before measuring, so both
programs start from a warm page cache. With ``--repeat K`` the times are the best of K and the
RSS the highest of K.

    .venv/bin/python benchmarks/ingest.py                      # 50k and 200k messages
    .venv/bin/python benchmarks/ingest.py --large              # ... and 1M
    .venv/bin/python benchmarks/ingest.py --sizes 10000 --repeat 3 --json
    .venv/bin/python benchmarks/ingest.py --db-url postgresql+psycopg://user@host/db

Exit status: 0 when every run succeeded (whatever the ratio), 1 when an ingest failed or its
counts do not match the export.
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gen_export import CACHE_DIR, cached_export

DEFAULT_SIZES = (50_000, 200_000)
LARGE_SIZE = 1_000_000
TARGET_RATIO = 0.7

# Each child prints (parse-only) or writes to a file (watchfloor, whose stdout is the report) one
# JSON object: its work time, its own peak RSS in KiB (Linux ru_maxrss), and what it found.
PARSE_CHILD = """
import json, resource, sys, time
import ijson
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    count = sum(1 for _ in ijson.items(f, "messages.item", use_float=True))
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"count": count, "seconds": seconds, "maxrss_kb": rss, "backend": ijson.backend}))
"""
WATCHFLOOR_CHILD = """
import json, resource, sys, time
import click
from watchfloor.cli import main
result_path, args = sys.argv[1], sys.argv[2:]
code = 0
start = time.perf_counter()
try:
    main.main(args=args, prog_name="watchfloor", standalone_mode=False)
except click.ClickException as exc:
    exc.show()
    code = exc.exit_code
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
seconds = time.perf_counter() - start
sys.stdout.flush()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(result_path, "w") as f:
    json.dump({"exit_code": code, "seconds": seconds, "maxrss_kb": rss}, f)
"""


class BenchmarkFailed(Exception):
    pass


@dataclass
class Measurement:
    seconds: float  # in-process work time
    wall_seconds: float  # the whole subprocess, interpreter start-up and imports included
    peak_rss_mb: float
    detail: dict[str, Any]


@dataclass
class ToolResult:
    tool: str
    messages: int
    seconds: float
    wall_seconds: float
    msgs_per_s: float
    peak_rss_mb: float


@dataclass
class SizeResult:
    size: int
    file_mb: float
    parse_only: ToolResult
    watchfloor: ToolResult
    ratio: float
    kept: list[str]  # workspaces (and PostgreSQL schemas) left in place by --keep


@dataclass
class Options:
    sizes: list[int]
    seed: int
    repeat: int
    keep: bool
    db_url: str | None
    batch_size: int | None
    cache_dir: Path


def child_env() -> dict[str, str]:
    """The environment without WATCHFLOOR_* settings, which would override the fresh workspace."""
    return {k: v for k, v in os.environ.items() if not k.startswith("WATCHFLOOR_")}


def run_child(argv: list[str], what: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=child_env(), check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchmarkFailed(
            f"{what} exited with status {proc.returncode}\n"
            f"--- stderr ---\n{proc.stderr[-4000:]}\n--- stdout ---\n{proc.stdout[-2000:]}"
        )
    return proc, wall


def measure_parse_only(path: Path, expected: int) -> Measurement:
    proc, wall = run_child([sys.executable, "-c", PARSE_CHILD, str(path)], "parse-only")
    found = json.loads(proc.stdout)
    if found["count"] != expected:
        raise BenchmarkFailed(f"parse-only counted {found['count']} messages, expected {expected}")
    return Measurement(found["seconds"], wall, found["maxrss_kb"] / 1024, found)


def watchfloor_args(path: Path, workspace: Path, opts: Options, db_url: str | None) -> list[str]:
    args = ["--workspace", str(workspace)]
    if db_url:
        args += ["--db", db_url]
    args += ["ingest", str(path), "--no-progress", "--json"]
    if opts.batch_size is not None:
        args += ["--batch-size", str(opts.batch_size)]
    return args


def measure_watchfloor(path: Path, expected: int, opts: Options) -> Measurement:
    schema = PgSchema(opts.db_url) if opts.db_url else None
    db_url = schema.create() if schema else None
    workspace = Path(tempfile.mkdtemp(prefix=f"ws-n{expected}-", dir=opts.cache_dir))
    try:
        result_file = workspace / "bench-child.json"
        argv = [sys.executable, "-c", WATCHFLOOR_CHILD, str(result_file)]
        argv += watchfloor_args(path, workspace, opts, db_url)
        proc, wall = run_child(argv, "watchfloor ingest")
        child = json.loads(result_file.read_text())
        report = parse_report(proc, child["exit_code"])
        check_report(report, expected)
        detail = {"workspace": str(workspace), "totals": report["totals"]}
        if schema:
            detail["pg_schema"] = schema.name
        return Measurement(child["seconds"], wall, child["maxrss_kb"] / 1024, detail)
    finally:
        if not opts.keep:
            shutil.rmtree(workspace, ignore_errors=True)
            if schema:
                schema.drop()


def parse_report(proc: subprocess.CompletedProcess[str], exit_code: int) -> dict[str, Any]:
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = None
    if exit_code != 0 or not isinstance(report, dict):
        raise BenchmarkFailed(
            f"watchfloor ingest exited with status {exit_code}\n"
            f"--- stderr ---\n{proc.stderr[-4000:]}\n--- stdout ---\n{proc.stdout[-4000:]}"
        )
    return report


def check_report(report: dict[str, Any], expected: int) -> None:
    """Every message of the export is valid: all must be added, nothing rejected or quarantined."""
    totals = report.get("totals", {})
    want = {"added": expected, "updated": 0, "unchanged": 0, "rejected": 0, "quarantined": 0}
    got = {key: totals.get(key) for key in want}
    errors = [s["error"] for s in report.get("sources", []) if s.get("error")]
    if got != want or errors:
        raise BenchmarkFailed(
            f"watchfloor ingest counts do not match the export: expected {want}, got {got}"
            + (f"; source errors: {errors}" if errors else "")
        )


class PgSchema:
    """A throwaway schema in the given PostgreSQL database, so every run starts empty."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.get_backend_name() != "postgresql":
            raise BenchmarkFailed(f"--db-url must be a postgresql URL, not {parsed.drivername!r}")
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.parsed = parsed
        self.name = f"wfbench_{uuid.uuid4().hex[:12]}"

    def url(self) -> str:
        """The URL with this schema first on the search_path (libpq 'options')."""
        options = " ".join(
            filter(None, [self.parsed.query.get("options"), f"-csearch_path={self.name}"])
        )
        return self.parsed.update_query_dict({"options": options}).render_as_string(
            hide_password=False
        )

    def _execute(self, statement: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import SQLAlchemyError

        engine = create_engine(self.parsed, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        except SQLAlchemyError as exc:
            raise BenchmarkFailed(f"PostgreSQL: {statement!r} failed: {exc}") from exc
        finally:
            engine.dispose()

    def create(self) -> str:
        self._execute(f'CREATE SCHEMA "{self.name}"')
        return self.url()

    def drop(self) -> None:
        self._execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


def ijson_backend() -> str:
    """The backend `ijson.items` picks in a child, as watchfloor's reader gets it."""
    proc, _ = run_child([sys.executable, "-c", "import ijson; print(ijson.backend)"], "ijson")
    return proc.stdout.strip()


def warm_page_cache(path: Path) -> None:
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def best_of(runs: list[Measurement]) -> Measurement:
    """The fastest run, with the highest peak RSS seen over all runs."""
    best = min(runs, key=lambda m: m.seconds)
    return Measurement(
        best.seconds, best.wall_seconds, max(m.peak_rss_mb for m in runs), best.detail
    )


def tool_result(tool: str, messages: int, m: Measurement) -> ToolResult:
    return ToolResult(
        tool=tool,
        messages=messages,
        seconds=m.seconds,
        wall_seconds=m.wall_seconds,
        msgs_per_s=messages / m.seconds if m.seconds > 0 else float("inf"),
        peak_rss_mb=m.peak_rss_mb,
    )


def bench_size(size: int, opts: Options, log: Callable[[str], None]) -> SizeResult:
    log(f"[n={size:,}] export ...")
    path = cached_export(size, opts.seed, opts.cache_dir)
    warm_page_cache(path)
    parse_runs, wf_runs = [], []
    for k in range(opts.repeat):
        log(f"[n={size:,}] run {k + 1}/{opts.repeat}: parse-only ...")
        parse_runs.append(measure_parse_only(path, size))
        log(f"[n={size:,}] run {k + 1}/{opts.repeat}: watchfloor ingest ...")
        wf_runs.append(measure_watchfloor(path, size, opts))
        if opts.keep:
            log(f"[n={size:,}] kept {kept(wf_runs[-1])}")
    parse = tool_result("parse-only", size, best_of(parse_runs))
    watchfloor = tool_result("watchfloor", size, best_of(wf_runs))
    return SizeResult(
        size=size,
        file_mb=path.stat().st_size / 1e6,
        parse_only=parse,
        watchfloor=watchfloor,
        ratio=watchfloor.msgs_per_s / parse.msgs_per_s,
        kept=[kept(m) for m in wf_runs] if opts.keep else [],
    )


def kept(m: Measurement) -> str:
    schema = m.detail.get("pg_schema")
    return m.detail["workspace"] + (f" (schema {schema})" if schema else "")


def rss_growth(results: list[SizeResult]) -> dict[str, float] | None:
    if len(results) < 2:
        return None
    small, large = min(results, key=lambda r: r.size), max(results, key=lambda r: r.size)
    return {
        "from_size": small.size,
        "to_size": large.size,
        "parse_only_mb": large.parse_only.peak_rss_mb - small.parse_only.peak_rss_mb,
        "watchfloor_mb": large.watchfloor.peak_rss_mb - small.watchfloor.peak_rss_mb,
    }


def print_table(results: list[SizeResult], opts: Options, backend: str) -> None:
    db = "PostgreSQL (fresh schema per run)" if opts.db_url else "SQLite (fresh workspace per run)"
    print(
        f"Ingest of a synthetic public_channel export (seed {opts.seed}), best of {opts.repeat}; "
        f"{db}; ijson backend {backend}"
    )
    header = (
        f"{'messages':>10} {'file MB':>8}  {'tool':<10} {'msg/s':>9} {'work s':>7} "
        f"{'wall s':>7} {'peak RSS MB':>11} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for t in (r.parse_only, r.watchfloor):
            ratio = f"{r.ratio:>6.2f}" if t is r.watchfloor else ""
            line = (
                f"{r.size:>10,} {r.file_mb:>8.1f}  {t.tool:<10} {t.msgs_per_s:>9,.0f} "
                f"{t.seconds:>7.2f} {t.wall_seconds:>7.2f} {t.peak_rss_mb:>11.1f} {ratio}"
            )
            print(line.rstrip())
    met = all(r.ratio >= TARGET_RATIO for r in results)
    print(f"ratio = watchfloor msg/s / parse-only msg/s; target >= {TARGET_RATIO}: ", end="")
    print("met" if met else "NOT met")
    growth = rss_growth(results)
    if growth:
        print(
            f"peak RSS growth {growth['from_size']:,} -> {growth['to_size']:,} messages: "
            f"parse-only {growth['parse_only_mb']:+.1f} MB, "
            f"watchfloor {growth['watchfloor_mb']:+.1f} MB"
        )


def json_report(results: list[SizeResult], opts: Options, backend: str) -> dict[str, Any]:
    return {
        "benchmark": "ingest",
        "seed": opts.seed,
        "repeat": opts.repeat,
        "database": "postgresql" if opts.db_url else "sqlite",
        "ijson_backend": backend,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "target_ratio": TARGET_RATIO,
        "results": [asdict(r) for r in results],
        "peak_rss_growth": rss_growth(results),
    }


def parse_sizes(value: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of integers: {value!r}") from exc
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def parse_args(argv: list[str] | None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated message counts (default 50000,200000)",
    )
    parser.add_argument("--large", action="store_true", help=f"add a {LARGE_SIZE:,} run")
    parser.add_argument("--repeat", type=int, default=1, help="best of K runs (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep workspaces (and PG schemas)")
    parser.add_argument("--db-url", help="PostgreSQL URL passed to `watchfloor --db`")
    parser.add_argument("--batch-size", type=int, help="passed to `watchfloor ingest`")
    parser.add_argument("--seed", type=int, default=7, help="export generator seed (default 7)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="exports, workspaces")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    sizes = sorted(set(args.sizes + ([LARGE_SIZE] if args.large else [])))
    opts = Options(
        sizes, args.seed, args.repeat, args.keep, args.db_url, args.batch_size, args.cache_dir
    )
    return opts, args.json


def main(argv: list[str] | None = None) -> int:
    opts, as_json = parse_args(argv)
    if importlib.util.find_spec("watchfloor") is None:
        print(
            f"watchfloor is not importable from {sys.executable}; use .venv/bin/python",
            file=sys.stderr,
        )
        return 1
    opts.cache_dir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: list[SizeResult] = []
    try:
        backend = ijson_backend()
        if backend != "yajl2_c":
            log(f"warning: ijson backend is {backend}, not yajl2_c: both sides are slower")
        for size in opts.sizes:
            results.append(bench_size(size, opts, log))
    except BenchmarkFailed as exc:
        print(f"\nBENCHMARK FAILED: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(json_report(results, opts, backend), indent=2))
    else:
        print_table(results, opts, backend)
    return 0


if __name__ == "__main__":
    sys.exit(main())
