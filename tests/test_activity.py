"""Activity: dormancy and reactivation, surges, their false-alarm rate, and `watchfloor activity`
on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest
from click.testing import CliRunner

from tests.activity_synthetic import planted, stationary
from tests.exports import BASE, message, single_chat, write_export
from watchfloor.analytics.activity import activity, detect
from watchfloor.analytics.activity_series import (
    ChannelInfo,
    DailyCounts,
    by_outlet,
    daily_counts,
    sparkline,
)
from watchfloor.analytics.dormancy import find_gaps
from watchfloor.cli import main
from watchfloor.ingest import ingest_paths

YEARS = 2
DAYS = 365 * YEARS


def test_reactivation_is_found_on_the_exact_resume_day():
    data = planted(seed=11, channels=400, days=DAYS, kind="nbinom", dormant=0.5, surging=0.0)
    assert len(data.dormancies) == 200
    for row, (quiet, resumed) in data.dormancies.items():
        gaps = find_gaps(data.counts[row])
        assert [(g.quiet, g.resumed) for g in gaps if g.quiet == quiet] == [(quiet, resumed)]
        (gap,) = [g for g in gaps if g.quiet == quiet]
        assert gap.silent_days == resumed - quiet - 1
        assert gap.silent_days > gap.threshold_days >= 14


def test_a_channel_still_silent_at_the_end_is_reported_without_a_resume_day():
    counts = np.zeros(200, np.int32)
    counts[:100] = 3
    (gap,) = find_gaps(counts)
    assert (gap.quiet, gap.resumed, gap.silent_days) == (99, None, 100)


def test_a_silence_usual_for_the_channel_is_no_dormancy():
    # A weekly bulletin (six silent days a week) that skips two issues: 20 silent days is
    # within 4 x its usual silence; three months is not.
    counts = np.zeros(400, np.int32)
    counts[::7] = 1
    counts[203:217] = 0
    assert find_gaps(counts) == []
    counts[203:300] = 0
    (gap,) = find_gaps(counts)
    assert (gap.quiet, gap.resumed) == (196, 301)


def _hits(found, truth: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Planted surge row -> (start, end) of the detected surge that overlaps it."""
    hits = {}
    for run, *_ in found.surges:
        start, end = truth.get(run.row, (None, None))
        if start is not None and run.start <= end and run.end >= start:
            hits.setdefault(run.row, (run.start, run.end))
    return hits


@pytest.mark.parametrize(
    ("kind", "recall", "on_time"), [("poisson", 0.9, 0.9), ("nbinom", 0.7, 0.75)]
)
def test_surges_are_found_and_start_within_two_days(kind, recall, on_time):
    data = planted(seed=5, channels=600, days=DAYS, kind=kind, dormant=0.0, surging=0.5)
    hits = _hits(detect(data.counts), data.surges)
    offsets = np.array([hits[r][0] - data.surges[r][0] for r in hits])
    assert len(hits) / len(data.surges) >= recall
    assert (np.abs(offsets) <= 2).mean() >= on_time


def test_a_clear_surge_is_delimited_to_the_day():
    rng = np.random.default_rng(3)
    rate = np.full((1, 400), 4.0)
    rate[0, 300:308] = 20.0
    found = detect(rng.poisson(rate).astype(np.int32))
    ((run, posts, expected, p, peak),) = found.surges
    assert abs(run.start - 300) <= 2 and abs(run.end - 307) <= 2
    assert 300 <= peak <= 307 and posts / expected > 3 and p < 1e-10


@pytest.mark.parametrize("kind", ["poisson", "nbinom"])
def test_false_alarms_stay_below_one_per_channel_year(kind):
    """1,000 stationary channel-years with a weekly rhythm (and overdispersion for nbinom)."""
    counts = stationary(seed=23, channels=500, days=DAYS, kind=kind)
    found = detect(counts)
    channel_years = counts.shape[0] * YEARS
    surges = len(found.surges) / channel_years
    assert surges <= 1.0  # what the issue asks
    assert surges <= 0.25  # what the design gives (measured: 0.01 Poisson, 0.1 NB)
    assert sum(len(g) for g in found.gaps) / channel_years <= 0.02


def test_a_weekly_rhythm_is_not_a_surge():
    rng = np.random.default_rng(8)
    weekdays = (np.arange(DAYS) % 7 < 5).astype(float)
    counts = rng.poisson(np.outer(np.full(100, 8.0), weekdays)).astype(np.int32)
    assert detect(counts).surges == []


def _series(counts: list[list[int]], attributions: list[str]) -> DailyCounts:
    rows = tuple(ChannelInfo(f"t:{i}", f"c{i}", None, a) for i, a in enumerate(attributions))
    return DailyCounts(rows, BASE.date(), np.array(counts, np.int32))


def test_outlets_sum_their_channels():
    series = _series([[1, 0, 2], [0, 5, 0], [3, 3, 3]], ["official", "supporter", "official"])
    grouped = by_outlet(series)
    assert [r.key for r in grouped.rows] == ["attribution:official", "attribution:supporter"]
    assert grouped.counts.tolist() == [[4, 3, 5], [0, 5, 0]]
    mapped = by_outlet(series, {"t:0": "Outlet A", "t:1": "Outlet A"})
    assert [r.key for r in mapped.rows] == ["Outlet A"] and mapped.counts.tolist() == [[1, 5, 2]]


def test_sparkline_keeps_spikes_and_silence():
    assert sparkline([0, 1, 8, 0]) == " ▁█ "
    line = sparkline([0] * 500 + [9] + [0] * 499, width=50)
    assert len(line) == 50 and "█" in line and line.strip() == "█"


# --- the store and the command ------------------------------------------------------------------

QUIET, RESUMED, SURGE = 60, 160, 215  # days after BASE


def _outlet_messages() -> list[dict]:
    """Daily posts, a 99-day silence, daily posts again and a 12-a-day burst for five days."""
    days = [d for d in range(240) if d <= QUIET or d >= RESUMED]
    msgs, n = [], 0
    for day in days:
        per_day = 12 if SURGE <= day < SURGE + 5 else 1 + day % 3
        for k in range(per_day):
            n += 1
            msgs.append(message(n, f"[stand-in] bulletin {n}", minutes=day * 1440 + 7 * k))
    return msgs


def _steady_messages() -> list[dict]:
    return [message(i + 1, "[stand-in] relay", minutes=i * 1440 + 30) for i in range(240)]


@pytest.fixture
def ingested(store, settings, tmp_path):
    outlet = write_export(tmp_path / "outlet", single_chat(_outlet_messages()))
    relay = write_export(
        tmp_path / "relay", single_chat(_steady_messages(), chat_id=1002, name="Steady Relay")
    )
    ingest_paths(store, settings, [outlet, relay])
    return ["--workspace", str(settings.workspace), "--db", settings.db_url]


def test_daily_counts_come_from_the_database(store, ingested):
    with store.connect() as conn:
        series = daily_counts(conn)
    assert [r.key for r in series.rows] == ["telegram:1001", "telegram:1002"]
    assert series.start == BASE.date() and series.days == 240
    assert series.counts[0, SURGE] == 12 and series.counts[0, QUIET + 1 : RESUMED].sum() == 0
    assert series.counts[1].tolist() == [1] * 240


def test_activity_reports_the_dormancy_and_the_surge(store, ingested):
    with store.connect() as conn:
        report = activity(conn)
    outlet, relay = report.channels
    (dormancy,) = outlet.dormancies
    assert dormancy.went_quiet == BASE.date() + timedelta(days=QUIET)
    assert dormancy.resumed == BASE.date() + timedelta(days=RESUMED)
    assert dormancy.silent_days == RESUMED - QUIET - 1
    assert dormancy.resumed_at.startswith((BASE.date() + timedelta(days=RESUMED)).isoformat())
    (surge,) = outlet.surges
    assert abs((surge.start - BASE.date()).days - SURGE) <= 2
    assert surge.factor > 3 and surge.p_value < 1e-6
    assert relay.dormancies == [] and relay.surges == []
    assert outlet.as_dict()["dormancies"][0]["id"] == dormancy.id


def test_activity_command(ingested):
    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, [*ingested, "activity", *args])
        assert result.exit_code == code, result.output
        return result.stdout

    data = json.loads(run("--json"))
    outlet = data["channels"][0]
    assert outlet["channel"] == "telegram:1001" and outlet["bucket_days"] == 7
    assert outlet["dormancies"][0]["silent_days"] == RESUMED - QUIET - 1
    assert len(outlet["surges"]) == 1 and data["channels"][1]["surges"] == []

    since = (BASE + timedelta(days=RESUMED + 10)).date().isoformat()
    (only,) = json.loads(run("Stand-in Outlet", "--since", since, "--json"))["channels"]
    assert only["dormancies"] == [] and len(only["surges"]) == 1  # the silence ended before
    assert only["bucket_days"] == 1 and only["posts"] == sum(only["counts"])

    text = run()
    assert "Steady Relay" in text and "dormancy" in text and "surge" in text
    assert "no channel" in CliRunner().invoke(main, [*ingested, "activity", "nobody"]).output
    run("nobody", code=1)
