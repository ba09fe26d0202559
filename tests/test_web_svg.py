"""Server-rendered SVG: the TopoJSON decoder, the world map and the activity charts, rendered
for real and parsed back with xml.etree."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from tests.exports import BASE, message, single_chat, write_export
from tests.reference import need
from watchfloor.analytics.activity import ActivityReport, ChannelActivity, activity
from watchfloor.analytics.campaigns import Campaign
from watchfloor.analytics.surges import Surge
from watchfloor.config import load_settings
from watchfloor.ingest import ingest_paths
from watchfloor.store.database import open_store
from watchfloor.web.assets import AssetsMissing, vendor
from watchfloor.web.svg.chart_data import (
    Mark,
    Series,
    Span,
    Timeline,
    members_from_campaign,
    timeline_from_activity,
)
from watchfloor.web.svg.charts import render_members, render_timeline
from watchfloor.web.svg.geometry import simplify, unwrap_ring
from watchfloor.web.svg.topojson import TopologyError, decode_arcs, features
from watchfloor.web.svg.worldmap import (
    R_MAX,
    R_MIN,
    Marker,
    country_layer,
    markers_from_targets,
    render_world_map,
)

NS = {"s": "http://www.w3.org/2000/svg"}
PARIS = (48.8566, 2.3522)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def by_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{{{NS['s']}}}{tag}") if cls in (e.get("class") or "").split()]


# --- TopoJSON ------------------------------------------------------------------------------------

# Two unit squares side by side sharing the border x = 1 (arc 0, walked up by the left square
# and down by the right one), quantised with scale 0.5 and translate (10, 20), delta-encoded.
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10.0, 20.0]},
    "objects": {
        "shapes": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "L", "properties": {"name": "Left"}},
                {"type": "Polygon", "arcs": [[~0, 2]], "id": 7, "properties": {"name": "Right"}},
                {"type": None},
                {"type": "MultiPolygon", "arcs": [[[1, 0]], [[2, ~0]]], "properties": {}},
            ],
        }
    },
    "arcs": [
        [[2, 0], [0, 2]],  # (11, 20) -> (11, 21)
        [[2, 2], [-2, 0], [0, -2], [2, 0]],  # (11, 21) -> (10, 21) -> (10, 20) -> (11, 20)
        [[2, 0], [2, 0], [0, 2], [-2, 0]],  # (11, 20) -> (12, 20) -> (12, 21) -> (11, 21)
    ],
}


def test_arcs_are_decoded_from_quantised_deltas():
    arcs = decode_arcs(TINY)
    assert arcs[0].tolist() == [[11.0, 20.0], [11.0, 21.0]]
    assert arcs[1].tolist() == [[11.0, 21.0], [10.0, 21.0], [10.0, 20.0], [11.0, 20.0]]
    untransformed = {**TINY, "transform": None, "arcs": [[[1, 2], [3, 4]]]}
    del untransformed["transform"]
    assert decode_arcs(untransformed)[0].tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_rings_follow_arcs_forwards_and_reversed():
    left, right, empty, multi = features(TINY, "shapes")
    assert (left.id, left.name, right.id, right.name) == ("L", "Left", "7", "Right")
    (ring,) = left.polygons[0]
    assert ring.tolist() == [[11, 20], [11, 21], [10, 21], [10, 20], [11, 20]]
    (ring,) = right.polygons[0]
    assert ring.tolist() == [[11, 21], [11, 20], [12, 20], [12, 21], [11, 21]]
    assert empty.polygons == [] and len(multi.polygons) == 2
    with pytest.raises(TopologyError):
        features(TINY, "nothing")
    with pytest.raises(TopologyError):
        decode_arcs({"type": "FeatureCollection"})


def test_simplification_keeps_ends_and_far_points_and_shared_borders():
    line = np.array([[0, 0], [1, 0.1], [2, -0.1], [3, 5], [4, 0.05], [5, 0]], dtype=float)
    assert line[simplify(line, 0.5)].tolist() == [[0, 0], [2, -0.1], [3, 5], [4, 0.05], [5, 0]]
    assert simplify(line, 10).tolist() == [True, False, False, False, False, True]
    # A wiggly shared border simplified once is the same in both neighbours.
    arcs = decode_arcs(TINY)
    arcs[0] = np.array([[11, 20], [11.01, 20.5], [11, 21]])
    kept = [a[simplify(a, 0.1)] for a in arcs]
    left, right = features(TINY, "shapes", kept)[:2]
    border_left = {tuple(p) for p in left.polygons[0][0] if p[0] == 11}
    border_right = {tuple(p) for p in right.polygons[0][0] if p[0] == 11}
    assert border_left == border_right == {(11.0, 20.0), (11.0, 21.0)}


def test_a_ring_round_the_pole_is_closed_along_it():
    ring = np.array([[-180, -80], [0, -70], [180, -80], [-180, -80]], dtype=float)
    out = unwrap_ring(ring)
    assert out[:, 0].max() - out[:, 0].min() == 360 and (out[:, 1] == -90).sum() == 2
    fiji = np.array([[179, -17], [-179, -17], [-179, -16], [179, -16], [179, -17]], dtype=float)
    assert unwrap_ring(fiji)[:, 0].max() == 181


# --- the world map -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def layer():
    try:
        return country_layer(vendor().atlas("110m"))
    except AssetsMissing as exc:
        need(False, str(exc))


def rings(d: str) -> list[np.ndarray]:
    """The subpaths of our path data (M x y l dx dy ... z) as absolute points."""
    out = []
    for sub in re.findall(r"M([^z]*)z", d):
        head, _, rest = sub.partition("l")
        start = np.array([float(v) for v in head.split()])
        steps = np.array([float(v) for v in rest.split()]).reshape(-1, 2)
        out.append(np.vstack([start, start + np.cumsum(steps, axis=0)]))
    return out


def inside(ring: np.ndarray, x: float, y: float) -> bool:
    """Even-odd ray casting."""
    x0, y0 = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > y) != (y1 > y)
    at = x0 + (y - y0) * (x1 - x0) / np.where(y1 == y0, 1e-12, y1 - y0)
    return bool(np.count_nonzero(crosses & (x < at)) % 2)


def countries(root: ET.Element) -> dict[str, list[np.ndarray]]:
    group = by_class(root, "g", "wf-countries")[0]
    return {p.get("data-name"): rings(p.get("d")) for p in group.iter(f"{{{NS['s']}}}path")}


def test_paris_lies_in_france_and_nowhere_else(layer):
    root = parse(render_world_map([Marker("Paris", *PARIS, 3, "/targets/paris")], layer=layer))
    (marker,) = by_class(root, "a", "wf-marker")
    circle = marker.find("s:circle", NS)
    x, y = float(circle.get("cx")), float(circle.get("cy"))
    found = countries(root)
    assert len(found) > 150
    holders = {name for name, rs in found.items() if any(inside(r, x, y) for r in rs)}
    assert holders == {"France"}
    (mainland,) = [r for r in found["France"] if inside(r, x, y)]
    lo, hi = mainland.min(axis=0), mainland.max(axis=0)
    assert lo[0] < x < hi[0] and lo[1] < y < hi[1]


def test_no_country_is_smeared_across_the_antimeridian(layer):
    root = parse(render_world_map([], layer=layer))
    width = float(root.get("viewBox").split()[2])
    found = countries(root)
    for name, rs in found.items():
        for r in rs:
            # a ring is either a copy beyond one edge (clipped) or narrower than half the map
            assert np.ptp(r[:, 0]) < width / 2, name
    # Russia's far east crosses 180°: it reaches both edges of the map at 66° N.
    (west, east), _ = layer.frame.xy(np.array([-180.0, 180.0]), np.array([66.0, 66.0]))
    assert min(r[:, 0].min() for r in found["Russia"]) <= west
    assert max(r[:, 0].max() for r in found["Russia"]) >= east - 1
    assert "Antarctica" not in found  # below the southern crop
    assert by_class(root, "g", "wf-countries")[0].get("clip-path") == "url(#wf-map-clip)"


def test_marker_radius_grows_with_sqrt_posts_and_big_ones_are_drawn_first(layer):
    markers = [Marker(f"t{n}", 10.0 + n / 10, 20.0, n, f"/t/{n}") for n in (1, 25, 100, 0)]
    root = parse(render_world_map(markers, layer=layer, fit=False))
    links = by_class(root, "a", "wf-marker")
    posts = [int(a.get("data-posts")) for a in links]
    radii = [float(a.find("s:circle", NS).get("r")) for a in links]
    assert posts == [100, 25, 1, 0]
    assert radii[0] == pytest.approx(R_MAX) and radii[-1] == pytest.approx(R_MIN)
    assert radii[0] > radii[1] > radii[2] > radii[3]
    assert (radii[1] - R_MIN) / (radii[0] - R_MIN) == pytest.approx(0.5, abs=0.01)


def test_markers_are_labelled_focusable_links_and_text_is_escaped(layer):
    evil = '<script>alert("x")</script> & co'
    markers = [
        Marker(evil, *PARIS, 7, '/targets/a"b?x=1&y=<2>', key="k'1", detail="Paris, FR"),
        Marker("No place", float("nan"), 2.0, 5, "/t/none"),
    ]
    markup = render_world_map(markers, title="Targets <b>", layer=layer, ids="m2")
    assert "<script" not in markup and "<b>" not in markup
    root = parse(markup)
    assert root.get("role") == "group" and root.get("aria-labelledby") == "m2-title"
    assert root.find("s:title", NS).text == "Targets <b>"
    (link,) = by_class(root, "a", "wf-marker")
    assert link.get("href") == '/targets/a"b?x=1&y=<2>'
    assert link.get("aria-label") == f"{evil} (Paris, FR): 7 posts"
    assert link.find("s:title", NS).text == link.get("aria-label")
    assert link.get("data-key") == "k'1" and link.get("data-posts") == "7"
    assert not list(root.iter("script")) and not list(root.iter(f"{{{NS['s']}}}script"))
    # control characters a name may carry would make the SVG unparseable: they are dropped
    parse(render_world_map([Marker("bell\x07 tab\t", 1.0, 1.0, 1, "/x")], layer=layer))


def test_markers_from_target_rows_skip_those_without_coordinates(layer):
    rows = [
        {
            "key": "landmark:eiffel",
            "name": "Eiffel Tower",
            "city": "Paris",
            "country": "FR",
            "lat": 48.8584,
            "lon": 2.2945,
            "posts": 12,
        },
        {
            "key": "place:nowhere",
            "name": None,
            "city": None,
            "country": None,
            "lat": None,
            "lon": None,
            "posts": 3,
        },
    ]
    (m,) = markers_from_targets(rows, href=lambda r: f"/targets/{r['key']}")
    assert (m.label, m.detail, m.posts, m.href) == (
        "Eiffel Tower",
        "Paris, FR",
        12,
        "/targets/landmark:eiffel",
    )
    assert country_layer(vendor().atlas("110m")) is layer  # built once per process


# --- the activity timeline -----------------------------------------------------------------------

QUIET, RESUMED, SURGE = 40, 120, 170


def _outlet() -> list[dict]:
    msgs, n = [], 0
    for day in [d for d in range(200) if d <= QUIET or d >= RESUMED]:
        for k in range(12 if SURGE <= day < SURGE + 5 else 1 + day % 3):
            n += 1
            msgs.append(message(n, f"[stand-in] bulletin {n}", minutes=day * 1440 + 7 * k))
    return msgs


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("svg-activity")
    settings = load_settings(root / "workspace", None, environ={})
    store = open_store(settings)
    relay = [message(i + 1, "[stand-in] relay", minutes=i * 1440 + 30) for i in range(200)]
    exports = [
        write_export(root / "outlet", single_chat(_outlet())),
        write_export(root / "relay", single_chat(relay, chat_id=1002, name="Relay <&>")),
    ]
    ingest_paths(store, settings, exports)
    with store.connect() as conn:
        found = activity(conn)
    store.close()
    return found


def test_timeline_shades_each_surge_and_marks_each_reactivation(report):
    t = timeline_from_activity(report, href=lambda key: f"/channels/{key}")
    assert sum(len(c.surges) for c in report.channels) == len(t.surges) == 1
    assert len(t.reactivations) == 1 and t.reactivations[0].day == BASE.date() + timedelta(RESUMED)
    root = parse(render_timeline(t, ids="tl"))
    assert root.get("role") == "group"  # the marks are links
    assert root.find("s:title", NS).text and root.find("s:desc", NS).text
    (surge,) = by_class(root, "rect", "wf-surge")
    (mark,) = by_class(root, "g", "wf-reactivation")
    (dormancy,) = by_class(root, "rect", "wf-dormancy")
    assert "Surge on Stand-in Outlet" in surge.find("s:title", NS).text
    assert "reactivated on" in mark.find("s:title", NS).text
    assert mark.find("s:text", NS).text == "Stand-in Outlet"  # several rows: named
    x_surge = float(surge.get("x"))
    x_mark = float(mark.find("s:line", NS).get("x1"))
    x0_quiet = float(dormancy.get("x"))
    x1_quiet = x0_quiet + float(dormancy.get("width"))
    assert x0_quiet < x1_quiet <= x_mark < x_surge  # silence, then reactivation, then surge
    series = by_class(root, "path", "wf-series")
    assert [p.get("data-series") for p in series] == ["Stand-in Outlet", "Relay <&>"]
    assert len(by_class(root, "g", "wf-legend")) == 1


def test_timeline_positions_follow_the_dates():
    start = date(2024, 3, 1)
    t = Timeline(
        start,
        1,
        [Series("only", [1] * 31, "c")],
        surges=[
            Span(date(2024, 3, 11), date(2024, 3, 15), "s1"),
            Span(date(2024, 4, 2), date(2024, 4, 3), "out"),
        ],
        reactivations=[
            Mark(date(2024, 3, 21), "reactivated", "r1"),
            Mark(date(2024, 3, 25), "reactivated", "r2"),
        ],
    )
    root = parse(render_timeline(t, width=356.0))  # a 300-unit plot: 300/31 per day
    assert root.get("role") == "img"
    (surge,) = by_class(root, "rect", "wf-surge")  # the span after the chart is left out
    per_day = 300 / 31
    assert float(surge.get("x")) == pytest.approx(44 + 10 * per_day, abs=0.06)
    assert float(surge.get("width")) == pytest.approx(5 * per_day, abs=0.06)
    marks = by_class(root, "g", "wf-reactivation")
    assert [m.find("s:title", NS).text for m in marks] == ["r1", "r2"]
    assert all(m.find("s:title", NS) is not None for m in marks)
    labels = [t.text for t in root.iter(f"{{{NS['s']}}}text")]
    assert "4 Mar" in labels and "25 Mar" in labels  # Monday ticks
    assert not by_class(root, "g", "wf-legend")  # one series: no legend


def test_an_empty_timeline_says_so():
    root = parse(render_timeline(Timeline(date(2024, 1, 1), 1, [])))
    assert "No posts" in root.find("s:desc", NS).text


# --- campaign members ----------------------------------------------------------------------------


def test_members_chart_has_a_row_per_channel_and_a_dot_per_post():
    t0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    channels = ["telegram:1", "telegram:2", "telegram:3"]
    members = [
        {
            "post_id": i,
            "key": f"{channels[i % 3]}/{i}",
            "channel": channels[i % 3],
            "date": t0 + timedelta(hours=5 * i),
        }
        for i in range(7)
    ]
    campaign = Campaign(
        id="campaign:abc",
        start=members[0]["date"],
        end=members[-1]["date"],
        channels=[{"key": c, "title": f"Channel {c[-1]} <x>", "posts": 2} for c in channels],
        members=members,
        reasons=[],
        targets=[],
        shared_media=[],
    )
    data = members_from_campaign(campaign, href=lambda m: f"/posts/{m['post_id']}")
    assert data.rows == ["Channel 1 <x>", "Channel 2 <x>", "Channel 3 <x>"]
    root = parse(render_members(data))
    dots = by_class(root, "circle", "wf-member")
    assert len(dots) == 7 and root.get("role") == "group"
    assert all(d.find("s:title", NS).text.startswith("Channel ") for d in dots)
    xs = [float(d.get("cx")) for d in dots]
    assert xs == sorted(xs)
    rows = {float(d.get("cy")) for d in dots}
    assert len(rows) == 3
    hrefs = [a.get("href") for a in root.iter(f"{{{NS['s']}}}a")]
    assert hrefs == [f"/posts/{i}" for i in range(7)]
    plain = parse(render_members(members_from_campaign(campaign)))
    assert plain.get("role") == "img" and not list(plain.iter(f"{{{NS['s']}}}a"))


def test_links_other_than_relative_or_http_are_refused(layer):
    for bad in ("javascript:alert(1)", "data:text/html,x", "//elsewhere.example/x"):
        with pytest.raises(ValueError, match="refusing a link"):
            render_world_map([Marker("x", 1.0, 1.0, 1, bad)], layer=layer)
        with pytest.raises(ValueError, match="refusing a link"):
            render_timeline(
                Timeline(
                    date(2024, 1, 1),
                    1,
                    [Series("a", [1])],
                    [Span(date(2024, 1, 1), date(2024, 1, 1), "s", bad)],
                )
            )


def test_quiet_channels_are_folded_into_one_series_but_keep_their_surges():
    day = date(2024, 2, 1)
    surge = Surge("c8", day, day, day, 9, 9, 1.0, 9.0, 1e-9, False)
    rows = [
        ChannelActivity(f"c{i}", f"Channel {i}", 10 - i, day, day, 1, [10 - i, 0], surges=[])
        for i in range(9)
    ]
    rows[8].surges.append(surge)
    report = ActivityReport(None, None, day, day + timedelta(days=1), rows)
    t = timeline_from_activity(report, max_series=3)
    assert [s.label for s in t.series] == [
        "Channel 0",
        "Channel 1",
        "Channel 2",
        "6 other channels",
    ]
    assert t.series[-1].counts == [sum(range(2, 8)), 0] and t.series[-1].key is None
    (span,) = t.surges
    assert span.title.startswith("Surge on Channel 8")
    assert len(timeline_from_activity(report, max_series=8).series) == 9  # no "1 other"


def test_a_fitted_map_zooms_to_its_markers_so_neighbours_no_longer_overlap(layer):
    paris = Marker("Paris", *PARIS, 17, "/targets/paris")
    amsterdam = Marker("Amsterdam", 52.37, 4.90, 15, "/targets/amsterdam")

    def placed(fit: bool):
        root = parse(render_world_map([paris, amsterdam], layer=layer, fit=fit))
        box = [float(v) for v in root.get("viewBox").split()]
        circles = [a.find("s:circle", NS) for a in by_class(root, "a", "wf-marker")]
        (x1, y1, r1), (x2, y2, r2) = (
            (float(c.get("cx")), float(c.get("cy")), float(c.get("r"))) for c in circles
        )
        apart = math.hypot(x1 - x2, y1 - y2)
        return box, apart / box[2], (r1 + r2) / box[2]  # as fractions of the shown width

    world, apart_world, radii_world = placed(False)
    fitted, apart_fitted, radii_fitted = placed(True)
    assert apart_world < radii_world  # on the whole world the two markers overlap
    assert fitted[2] < world[2] / 4 and apart_fitted > radii_fitted
    assert radii_fitted == pytest.approx(radii_world, rel=0.03)  # same size on screen, any zoom
    for x, y in (layer.frame.xy(np.array([m.lon]), np.array([m.lat])) for m in (paris, amsterdam)):
        assert fitted[0] < x[0] < fitted[0] + fitted[2] and fitted[1] < y[0] < fitted[1] + fitted[3]
