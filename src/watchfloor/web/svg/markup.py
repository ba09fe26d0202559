"""Small helpers for writing SVG as text: escaping, numbers, attributes.

Every piece of text that reaches the markup (names typed by analysts, channel titles) goes
through `text()`/`attrs()`: XML-escaped, and stripped of the control characters XML 1.0 forbids,
which would otherwise make the whole document unparseable.
"""

from __future__ import annotations

import re
from html import escape

SVG_NS = "http://www.w3.org/2000/svg"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: object) -> str:
    """`value` as escaped character data (also safe inside a quoted attribute)."""
    return escape(_FORBIDDEN.sub("", str(value)), quote=True)


def safe_href(value: str) -> str:
    """A link target the app built: relative, or plain http(s). Anything else (javascript:,
    data:) is refused, in case a caller ever passes on an address an analyst typed."""
    if value.startswith(("/", "#", "?", "http://", "https://")) and not value.startswith("//"):
        return value
    raise ValueError(f"refusing a link that is not relative or http(s): {value[:40]!r}")


def num(value: float, digits: int = 1) -> str:
    """A compact coordinate: 12.0 -> '12', 3.14159 -> '3.1', -0.0 -> '0'."""
    out = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def attrs(**values: object) -> str:
    """' name="value"' pairs; None is left out, a trailing '_' is dropped (class_),
    and '_' inside a name becomes '-' (aria_label -> aria-label, data_posts -> data-posts)."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        shown = num(value) if isinstance(value, float) else value
        parts.append(f' {key}="{text(shown)}"')
    return "".join(parts)


def title_desc(title: str, desc: str | None = None, ids: str | None = None) -> str:
    """<title> and <desc>; with `ids`, they get ids `{ids}-title`/`{ids}-desc` so the root can
    point at them with aria-labelledby/aria-describedby."""
    t_id = None if ids is None else f"{ids}-title"
    out = f"<title{attrs(id=t_id)}>{text(title)}</title>"
    if desc:
        d_id = None if ids is None else f"{ids}-desc"
        out += f"<desc{attrs(id=d_id)}>{text(desc)}</desc>"
    return out


def svg_head(
    width: float,
    height: float,
    title: str,
    desc: str | None,
    *,
    ids: str,
    role: str,
    class_: str,
    origin: tuple[float, float] = (0.0, 0.0),
) -> str:
    """The root element, labelled by its <title> and described by its <desc> (ids `{ids}-title`,
    `{ids}-desc`: give each SVG on a page its own `ids`). `origin`: the viewBox's top left."""
    box = f"{num(origin[0])} {num(origin[1])} {num(width)} {num(height)}"
    root = attrs(
        xmlns=SVG_NS,
        viewBox=box,
        role=role,
        class_=class_,
        aria_labelledby=f"{ids}-title",
        aria_describedby=f"{ids}-desc" if desc else None,
    )
    return f"<svg{root}>{title_desc(title, desc, ids)}"
