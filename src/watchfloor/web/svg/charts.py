"""Activity charts as server-rendered SVG: the activity timeline (stacked daily or weekly posts,
surges and dormancies shaded, reactivations marked) and a campaign's members over time.

Data come from `chart_data` (adapters over the analytics results). Charts without links are
`role="img"` with a <title> and <desc>; every shaded interval and marker carries its own <title>
(a tooltip on hover). When marks link somewhere the root is `role="group"`, so the links stay
reachable by keyboard and screen reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from watchfloor.web.svg.axes import count_ticks, date_ticks, time_ticks
from watchfloor.web.svg.chart_data import Mark, MemberDots, Span, Timeline
from watchfloor.web.svg.markup import attrs, num, safe_href, svg_head, text

PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c6d1f")
OTHER = "#9aa0a6"  # the series folding the remaining channels
SURGE, DORMANCY, MARK = "#e8590c", "#868e96", "#c92a2a"
AXIS = "#5f6368"
FONT = 11


def _linked(inner: str, link: str | None, label: str) -> str:
    return f"<a{attrs(href=safe_href(link), aria_label=label)}>{inner}</a>" if link else inner


def _short(label: str, size: int) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


class _Plot:
    """The plotting area of a timeline: days along x, posts along y."""

    def __init__(self, t: Timeline, left: float, top: float, width: float, height: float):
        self.t, self.left, self.top, self.width, self.height = t, left, top, width, height
        self.days = max(t.buckets * t.bucket_days, 1)
        stacked = [
            sum(s.counts[i] for s in t.series if i < len(s.counts)) for i in range(t.buckets)
        ]
        self.ticks = count_ticks(max(stacked, default=0))
        self.ymax = self.ticks[-1]

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def x(self, day: date) -> float:
        return self.left + (day - self.t.start).days / self.days * self.width

    def y(self, value: float) -> float:
        return self.bottom - value / self.ymax * self.height

    def clip(self, start: date, end: date) -> tuple[float, float] | None:
        """x0, x1 of the days [start, end] within the chart, or None when outside it."""
        first = max(start, self.t.start)
        after = min(end + timedelta(days=1), self.t.end)
        return (self.x(first), self.x(after)) if after > first else None


def _grid(p: _Plot) -> str:
    out = []
    for v in p.ticks:
        y = p.y(v)
        out.append(f"<line{attrs(x1=p.left, x2=p.left + p.width, y1=y, y2=y)}/>")
        out.append(
            f"<text{attrs(x=p.left - 6, y=y + 4, text_anchor='end', stroke='none', fill=AXIS)}>{v}</text>"
        )
    return f"<g{attrs(class_='wf-grid', stroke='#e3e5e8', font_size=FONT)}>{''.join(out)}</g>"


def _spans(p: _Plot, spans: Sequence[Span], kind: str, fill: str) -> str:
    out = []
    for s in spans:
        edges = p.clip(s.start, s.end)
        if edges is None:
            continue
        x0, x1 = edges
        box = attrs(class_=kind, x=x0, y=p.top, width=max(x1 - x0, 1.0), height=p.height)
        rect = f"<rect{box}><title>{text(s.title)}</title></rect>"
        out.append(_linked(rect, s.href, s.title))
    return f"<g{attrs(fill=fill, fill_opacity='0.18')}>{''.join(out)}</g>"


def _bars(p: _Plot) -> str:
    t = p.t
    step = p.width / max(t.buckets, 1)
    bar = step * 0.8 if step >= 3 else step
    base = [0] * t.buckets
    out = []
    for k, s in enumerate(t.series):
        color = OTHER if s.key is None and len(t.series) > 1 else PALETTE[k % len(PALETTE)]
        parts = []
        for i, v in enumerate(s.counts):
            if v <= 0:
                continue
            x, y0, y1 = p.left + i * step + (step - bar) / 2, p.y(base[i]), p.y(base[i] + v)
            parts.append(f"M{num(x)} {num(y0)}h{num(bar)}V{num(y1)}h{num(-bar)}z")
            base[i] += v
        if parts:
            shape = attrs(class_="wf-series", d="".join(parts), fill=color, data_series=s.label)
            out.append(f"<path{shape}><title>{text(s.label)}</title></path>")
    return "".join(out)


def _date_axis(p: _Plot) -> str:
    out = [f"<line{attrs(x1=p.left, x2=p.left + p.width, y1=p.bottom, y2=p.bottom)}/>"]
    for day, label in date_ticks(p.t.start, p.t.end):
        x = p.x(day)
        out.append(f"<line{attrs(x1=x, x2=x, y1=p.bottom, y2=p.bottom + 4)}/>")
        out.append(
            f"<text{attrs(x=x, y=p.bottom + 16, text_anchor='middle', stroke='none', fill=AXIS)}>"
            f"{text(label)}</text>"
        )
    return f"<g{attrs(class_='wf-axis', stroke=AXIS, font_size=FONT)}>{''.join(out)}</g>"


def _reactivations(p: _Plot, marks: Sequence[Mark]) -> str:
    out, free_from = [], float("-inf")
    for m in sorted(marks, key=lambda m: m.day):
        if not p.t.start <= m.day < p.t.end:
            continue
        x = p.x(m.day) + p.width / p.days / 2
        parts = [
            f"<title>{text(m.title)}</title>",
            f"<line{attrs(x1=x, x2=x, y1=p.top, y2=p.bottom, stroke=MARK, stroke_dasharray='3 2')}/>",
            f"<path{attrs(d=f'M{num(x - 5)} {num(p.top - 8)}h10l-5 8z', fill=MARK)}/>",
        ]
        label = _short(m.label, 18)
        half = len(label) * FONT * 0.3
        if x - half > free_from:  # a label that would overlap the previous one is left out
            parts.append(
                f"<text{attrs(x=x, y=p.top - 11, text_anchor='middle', fill=MARK)}>{text(label)}</text>"
            )
            free_from = x + half + 4
        group = f"<g{attrs(class_='wf-reactivation', font_size=FONT - 1)}>{''.join(parts)}</g>"
        out.append(_linked(group, m.href, m.title))
    return "".join(out)


def _legend(t: Timeline, left: float, top: float, width: float) -> tuple[str, float]:
    """Swatches and labels, wrapped into rows; returns the markup and the height used."""
    if len(t.series) < 2:
        return "", 0.0
    out, x, y = [], left, top
    for k, s in enumerate(t.series):
        label = _short(s.label, 32)
        size = 18 + len(label) * FONT * 0.6
        if x + size > left + width and x > left:
            x, y = left, y + 16
        color = OTHER if s.key is None else PALETTE[k % len(PALETTE)]
        out.append(f"<rect{attrs(x=x, y=y - 9, width=10, height=10, fill=color)}/>")
        out.append(f"<text{attrs(x=x + 14, y=y, fill=AXIS)}>{text(label)}</text>")
        x += size + 12
    return f"<g{attrs(class_='wf-legend', font_size=FONT)}>{''.join(out)}</g>", y - top + 16


def _timeline_desc(t: Timeline) -> str:
    unit = "day" if t.bucket_days == 1 else f"{t.bucket_days} days"
    last = t.end - timedelta(days=1)
    total = sum(sum(s.counts) for s in t.series)
    return (
        f"Posts per {unit} from {t.start.isoformat()} to {last.isoformat()} "
        f"({total} posts, {len(t.series)} series); {len(t.surges)} surges and "
        f"{len(t.dormancies)} dormancies shaded, {len(t.reactivations)} reactivations marked."
    )


def _has_links(items: Sequence[Span | Mark]) -> bool:
    return any(i.href for i in items)


def _role(linked: bool) -> str:
    """An image, unless it holds links: those must stay reachable inside a group."""
    return "group" if linked else "img"


def render_timeline(
    t: Timeline,
    *,
    title: str = "Activity over time",
    width: float = 900.0,
    height: float = 220.0,
    ids: str = "wf-timeline",
) -> str:
    """Stacked bars per bucket (one colour per series), surge intervals and dormancies shaded,
    a labelled marker on each reactivation day, date ticks along the bottom."""
    plot = _Plot(t, 44.0, 26.0, width - 56.0, height - 26.0 - 28.0)
    legend, extra = _legend(t, plot.left, height + 4.0, plot.width)
    linked = _has_links([*t.surges, *t.dormancies, *t.reactivations])
    desc = _timeline_desc(t) if t.buckets else "No posts in this period."
    head = svg_head(
        width,
        height + extra,
        title,
        desc,
        ids=ids,
        role=_role(linked),
        class_="wf-chart wf-timeline",
    )
    if t.buckets == 0:
        empty = f"<text{attrs(x=width / 2, y=height / 2, text_anchor='middle', fill=AXIS)}>No posts in this period</text>"
        return head + empty + "</svg>"
    return "".join(
        [
            head,
            _grid(plot),
            _spans(plot, t.dormancies, "wf-dormancy", DORMANCY),
            _spans(plot, t.surges, "wf-surge", SURGE),
            _bars(plot),
            _date_axis(plot),
            _reactivations(plot, t.reactivations),
            legend,
            "</svg>",
        ]
    )


def _time_span(m: MemberDots) -> tuple[datetime, float]:
    """Start and length in seconds, padded so a single instant still has a width."""
    seconds = (m.end - m.start).total_seconds()
    pad = max(seconds * 0.03, 1800.0)
    return m.start - timedelta(seconds=pad), seconds + 2 * pad


def render_members(
    m: MemberDots,
    *,
    title: str = "Campaign members over time",
    width: float = 900.0,
    ids: str = "wf-members",
) -> str:
    """One row per channel, one dot per post at its time (UTC)."""
    left, top, row_h = 170.0, 8.0, 20.0
    plot_w = width - left - 16.0
    bottom = top + row_h * len(m.rows)
    height = bottom + 28.0
    start, span = _time_span(m)

    def x(when: datetime) -> float:
        return left + (when - start).total_seconds() / span * plot_w

    out = []
    for i, label in enumerate(m.rows):
        y = top + i * row_h
        if i % 2 == 0:
            out.append(f"<rect{attrs(x=left, y=y, width=plot_w, height=row_h, fill='#f3f4f6')}/>")
        out.append(
            f"<text{attrs(x=left - 8, y=y + row_h / 2 + 4, text_anchor='end', fill=AXIS, font_size=FONT)}>"
            f"<title>{text(label)}</title>{text(_short(label, 26))}</text>"
        )
    for d in m.dots:
        cy = top + d.row * row_h + row_h / 2
        dot = attrs(
            class_="wf-member", cx=x(d.when), cy=cy, r=4.0, fill=PALETTE[d.row % len(PALETTE)]
        )
        out.append(
            _linked(f"<circle{dot}><title>{text(d.title)}</title></circle>", d.href, d.title)
        )
    axis = [f"<line{attrs(x1=left, x2=left + plot_w, y1=bottom, y2=bottom)}/>"]
    for when, label in time_ticks(start, start + timedelta(seconds=span)):
        tx = x(when)
        axis.append(f"<line{attrs(x1=tx, x2=tx, y1=bottom, y2=bottom + 4)}/>")
        axis.append(
            f"<text{attrs(x=tx, y=bottom + 16, text_anchor='middle', stroke='none', fill=AXIS)}>{text(label)}</text>"
        )
    desc = (
        f"{len(m.dots)} posts by {len(m.rows)} channels between "
        f"{m.start:%Y-%m-%d %H:%M} and {m.end:%Y-%m-%d %H:%M} UTC, one row per channel."
    )
    linked = any(d.href for d in m.dots)
    return "".join(
        [
            svg_head(
                width,
                height,
                title,
                desc,
                ids=ids,
                role=_role(linked),
                class_="wf-chart wf-members",
            ),
            f"<g{attrs(fill_opacity='0.85')}>{''.join(out)}</g>",
            f"<g{attrs(class_='wf-axis', stroke=AXIS, font_size=FONT)}>{''.join(axis)}</g>",
            "</svg>",
        ]
    )
