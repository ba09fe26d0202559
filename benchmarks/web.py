"""Server time per page and API call of the web app over 1M posts and 100k media.

The workspace (SQLite) is grown from the demo by `benchmarks/web_corpus.py` and cached under
`--workspace` (rebuilt only when the sizes change). Every GET route the app has is called
`--requests` times in-process (TestClient; HTML pages with a logged-in session, `/api/v1` with
a token), its path parameters filled from the data (a post with media and signals, a busy
channel, a target, an alert, a campaign...); p50/p95/max are the time from the request to the
full response body (the first, cold, request apart: results computed on read and cached show
there), beside `/healthz` as the baseline (the cost of the client, routing and
middleware) and the p95/baseline ratio. Routes over `--target-ms` p95 are marked.

    .venv/bin/python benchmarks/web.py --workspace /tmp/wf-web-bench
    .venv/bin/python benchmarks/web.py --workspace /tmp/wf-web-bench --posts 200000 --json
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text
from tests.webtools import PASSWORD, login

from watchfloor import jobs
from watchfloor.accounts import tokens, users
from watchfloor.config import load_settings
from watchfloor.matching import banks
from watchfloor.matching.formats import HashEntry
from watchfloor.store import open_store
from watchfloor.web.app import create_app
from web_corpus import ensure_workspace

SKIP = {"/login", "/login.css", "/media/{sha256}", "/api/v1/media/{sha256}/content"}
PARAM = re.compile(r"\{([a-z_0-9]+)(:[a-z]+)?\}")
EXTRA_QUERIES = (  # filtered variants worth their own row
    "/search?q=lantern",
    "/api/v1/posts?q=lantern",
    "/api/v1/signals?kind=language",
    "/alerts?status=new",
    "/targets?since=2018-01-01&until=2018-06-30",
)


def samples(store, client) -> dict[str, str]:
    """Path parameter values that lead to content: the busiest and richest rows."""
    with store.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
        found = {
            "post_id": one(
                "SELECT pm.post_id FROM post_media pm JOIN posts p ON p.id = pm.post_id "
                "WHERE pm.sha256 IS NOT NULL ORDER BY pm.post_id DESC LIMIT 1"
            ),
            "channel_id": one(
                "SELECT channel_id FROM posts GROUP BY channel_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "sha256": one(  # a demo image (its bytes exist), with an emblem found in it
                "SELECT s.subject FROM signals s JOIN media m ON m.sha256 = s.subject "
                "WHERE s.kind = 'emblem' ORDER BY m.rowid LIMIT 1"
            ),
            "reference_sha256": one("SELECT sha256 FROM emblems ORDER BY id LIMIT 1"),
            "key": one("SELECT key FROM targets ORDER BY posts DESC LIMIT 1"),
            "alert_id": one("SELECT id FROM alerts ORDER BY last_fired DESC LIMIT 1"),
            "name": one("SELECT name FROM banks ORDER BY name LIMIT 1"),
            "job_id": one("SELECT id FROM jobs ORDER BY id DESC LIMIT 1"),
            "relpath": "app.css",
        }
    campaigns = client.get("/api/v1/campaigns?limit=1")
    if campaigns.status_code == 200:
        items = campaigns.json().get("campaigns") or []
        if items:  # as the pages link it, with its start (without, all posts are grouped)
            href = items[0].get("href") or f"/campaigns/{items[0]['id']}"
            found["campaign_id"] = href.split("/campaigns/", 1)[1]
    return {k: str(v) for k, v in found.items() if v is not None}


def targets(app, values: dict[str, str]) -> tuple[list[str], list[str]]:
    paths, skipped = [], []
    for route in app.state.routes:
        if "GET" not in route.methods or route.path in SKIP or route.path.startswith("/static"):
            continue
        own = values | (
            {"sha256": values.get("reference_sha256")}
            if route.path.startswith("/references")
            else {}
        )
        names = [m.group(1) for m in PARAM.finditer(route.path)]
        missing = [n for n in names if own.get(n) is None]
        if missing:
            skipped.append(f"{route.path} (no sample for {', '.join(missing)})")
            continue
        paths.append(PARAM.sub(lambda m, own=own: own[m.group(1)], route.path))
    paths += [q for q in EXTRA_QUERIES if q.split("?")[0] in {r.path for r in app.state.routes}]
    return paths, skipped


def _timed_get(client, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(path, follow_redirects=False)
    _ = response.content
    return (time.perf_counter() - start) * 1000, response.status_code


def measure(client, path: str, n: int, slow_cap_s: float) -> dict:
    """The first (cold) request on its own, then up to `n` more: p50/p95/max of those (fewer
    when they add up to more than `slow_cap_s`: a very slow page needs no twenty runs)."""
    first_ms, status = _timed_get(client, path)
    times: list[float] = []
    while len(times) < n and (len(times) < 2 or sum(times) / 1000 < slow_cap_s):
        elapsed, status = _timed_get(client, path)
        times.append(elapsed)
    times.sort()
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return {
        "path": path,
        "status": status,
        "n": len(times),
        "first_ms": round(first_ms, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
    }


def session_and_token(store, app):
    from fastapi.testclient import TestClient

    with store.begin() as conn:
        for name in ("bench-analyst", "bench-bot"):
            try:
                users.get_user(conn, name)
            except users.AccountError:
                users.add_user(conn, name, "admin", PASSWORD)
        _info, secret = tokens.create_token(conn, "bench-bot", "bench", "read")
        if not banks.list_banks(conn):  # a bank of 20,000 PDQ hashes, for the bank pages
            banks.create_bank(conn, "bench-bank")
            rng = random.Random(7)
            entries = [HashEntry("pdq", f"{rng.getrandbits(256):064x}") for _ in range(20_000)]
            banks.add_entries(conn, "bench-bank", entries, source="bench", added_by="bench")
        if not jobs.list_jobs(conn, limit=1):  # a finished upload, for the jobs pages
            job = jobs.create_job(conn, "ingest_upload", "bench-analyst", {"filename": "x.zip"})
            jobs.finish_job(conn, job.id, result={"report": {"sources": [], "totals": {}}})
    browser = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    login(browser, "bench-analyst")
    api = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    api.headers["authorization"] = f"Bearer {secret}"
    return browser, api


def stored_campaigns_step(store, log) -> dict:
    """Campaigns are stored by a corpus step where the code has one (the pages then read the
    table): run it as the pipeline would after analysis (a no-op when nothing changed)."""
    try:
        from watchfloor.analytics.campaign_store import rebuild_campaigns
    except ImportError:
        return {}
    log("  campaigns corpus step")
    start = time.perf_counter()
    report = rebuild_campaigns(store)
    seconds = round(time.perf_counter() - start, 1)
    return {"campaigns_step_seconds": seconds, "campaigns": report.campaigns}


def run(args: argparse.Namespace) -> dict:
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else print
    workspace = Path(args.workspace)
    info = ensure_workspace(workspace, args.posts, args.channels, args.media, log)
    settings = load_settings(workspace / "big", None, environ={})
    store = open_store(settings)
    setup = stored_campaigns_step(store, log)
    app = create_app(settings, store)
    browser, api = session_and_token(store, app)
    values = samples(store, api)
    paths, skipped = targets(app, values)
    baseline = measure(browser, "/healthz", max(args.requests, 50), args.slow_cap)
    rows = []
    for path in paths:
        client = api if path.startswith("/api/") else browser
        row = measure(client, path, args.requests, args.slow_cap)
        row["ratio"] = round(row["p95_ms"] / max(baseline["p95_ms"], 0.001), 1)
        row["over_target"] = row["p95_ms"] > args.target_ms
        rows.append(row)
        log(f"  {path}: p95 {row['p95_ms']} ms ({row['status']})")
    store.close()
    return {
        "workspace": info,
        "setup": setup,
        "baseline": baseline,
        "routes": rows,
        "skipped": skipped,
    }


def print_table(result: dict, target_ms: float) -> None:
    counts = result["workspace"]["counts"]
    print(
        f"\nworkspace: {counts['posts']:,} posts, {counts['channels']} channels, "
        f"{counts['media']:,} media, {counts['signals']:,} signals, {counts['targets']:,} targets, "
        f"{counts['alerts']:,} alerts"
    )
    if result.get("setup"):
        print(f"setup: {result['setup']}")
    base = result["baseline"]
    print(f"baseline /healthz: p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms\n")
    header = (
        f"{'route':58} {'st':>3} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'x base':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in sorted(result["routes"], key=lambda r: -r["p95_ms"]):
        mark = "  > target" if r["over_target"] else ""
        print(
            f"{r['path'][:58]:58} {r['status']:>3} {r['n']:>3} {r['first_ms']:>8} {r['p50_ms']:>8} "
            f"{r['p95_ms']:>8} {r['max_ms']:>8} {r['ratio']:>7}{mark}"
        )
    over = [r for r in result["routes"] if r["over_target"]]
    print(f"\n{len(over)} of {len(result['routes'])} routes over {target_ms:g} ms p95")
    for s in result["skipped"]:
        print(f"skipped: {s}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", default="/tmp/wf-web-bench")
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--media", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--slow-cap", type=float, default=10.0, help="seconds: fewer runs beyond")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print_table(result, args.target_ms)


if __name__ == "__main__":
    main()
