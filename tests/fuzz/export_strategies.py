"""Strategies for near-valid Telegram Desktop exports (JSON and HTML), to be mutated further."""

from __future__ import annotations

import html
import json
from datetime import datetime

from hypothesis import strategies as st

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: beyond 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
EDGE_DATES = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))


@st.composite
def deep(draw: st.DrawFn) -> object:
    """A list or object nested hundreds deep (orjson refuses more than 255 levels)."""
    value: object = draw(_LEAVES)
    as_list = draw(st.booleans())
    for _ in range(draw(st.integers(200, 400))):
        value = [value] if as_list else {"a": value}
    return value


LONG = st.text(alphabet="ab\x00", min_size=41, max_size=300)  # past the store's VARCHAR sizes
_DATE_TEXT = EDGE_DATES.map(lambda d: d.isoformat()) | st.text(max_size=25)
_UNIXTIME = st.integers(-(10**20), 10**20).map(str) | st.integers(-(10**12), 10**12) | JSON_VALUES
_ENTITY = st.fixed_dictionaries(
    {"type": st.sampled_from(["plain", "link", "text_link", "mention", "hashtag", "bold"])},
    optional={"text": st.text(max_size=30) | JSON_VALUES, "href": st.text(max_size=30)},
)
_TEXT = st.text(max_size=60) | st.lists(st.text(max_size=20) | _ENTITY, max_size=4) | JSON_VALUES
_MEDIA_PATH = st.sampled_from(
    [
        "photos/a.jpg",
        "../../etc/passwd",
        "/etc/passwd",
        "C:\\x.jpg",
        "a\x00b.jpg",
        "(File not included.)",
    ]
) | st.text(max_size=20)

MESSAGE_FIELDS = {
    "type": st.sampled_from(["message", "service", "unsupported"]) | JSON_VALUES | LONG,
    "date": _DATE_TEXT | JSON_VALUES,
    "edited": _DATE_TEXT | JSON_VALUES,
    "edited_unixtime": _UNIXTIME,
    "from": st.text(max_size=20) | JSON_VALUES,
    "from_id": st.text(max_size=20) | JSON_VALUES | LONG,
    "actor_id": JSON_VALUES,
    "text": _TEXT,
    "text_entities": st.lists(_ENTITY, max_size=4) | JSON_VALUES,
    "photo": _MEDIA_PATH | JSON_VALUES,
    "photo_file_size": JSON_VALUES,
    "file": _MEDIA_PATH | JSON_VALUES,
    "media_type": st.text(max_size=12) | JSON_VALUES | LONG,
    "mime_type": JSON_VALUES,
    "thumbnail": _MEDIA_PATH,
    "reply_to_message_id": JSON_VALUES,
    "forwarded_from": JSON_VALUES,
    "forwarded_from_id": JSON_VALUES | LONG,
    "extra": JSON_VALUES | deep(),
}

MESSAGES = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(1, 10**6) | st.integers() | JSON_VALUES,
            "date_unixtime": st.integers(0, 2 * 10**9).map(str) | _UNIXTIME,
        },
        optional=MESSAGE_FIELDS,
    )
    | JSON_VALUES,
    max_size=6,
)
CHAT = st.fixed_dictionaries(
    {"messages": MESSAGES},
    optional={
        "name": st.text(max_size=20) | JSON_VALUES,
        "type": st.sampled_from(["public_channel", "private_group"]) | JSON_VALUES | LONG,
        "id": st.integers() | JSON_VALUES | LONG,
    },
)


@st.composite
def json_export(draw: st.DrawFn) -> dict:
    """A single-chat export (id first, as tdesktop writes it) or a full-account one."""
    if draw(st.booleans()):
        chat = draw(CHAT)
        return {"name": chat.get("name"), "type": "public_channel", "id": chat.get("id", 1)} | chat
    chats = draw(st.lists(CHAT | JSON_VALUES, max_size=3))
    left = draw(st.lists(CHAT, max_size=2))
    return {"about": "", "chats": {"about": "", "list": chats}, "left_chats": {"list": left}}


@st.composite
def json_export_bytes(draw: st.DrawFn) -> bytes:
    text = json.dumps(draw(json_export()), ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass")


# ---- HTML ------------------------------------------------------------------------------------

_TEXT_HTML = st.text(max_size=40).map(html.escape) | st.sampled_from(
    ['see <a href="https://t.me/somechannel">this</a>', "a<br>b", "<b>bold</b> #tag @user"]
)


@st.composite
def html_date(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 4)) == 0:
        return html.escape(draw(st.text(max_size=30)), quote=True)
    when = draw(EDGE_DATES)
    stamp = f"{when.day:02}.{when.month:02}.{when.year:04} {when:%H:%M:%S}"
    if draw(st.booleans()):
        hours, minutes = draw(st.integers(-99, 99)), draw(st.integers(0, 99))
        stamp += f" UTC{hours:+03}:{minutes:02}"
    return stamp


@st.composite
def html_message(draw: st.DrawFn, number: int) -> str:
    kind = draw(st.sampled_from(["default", "joined", "service", "separator", "junk"]))
    if kind == "separator":
        day = draw(EDGE_DATES.map(lambda d: d.strftime("%d %B %Y")) | st.text(max_size=20))
        return f'<div class="message service" id="message-{number}"><div class="body details">{html.escape(day)}</div></div>'
    if kind == "service":
        return f'<div class="message service" id="message{number}"><div class="body details">{draw(_TEXT_HTML)}</div></div>'
    if kind == "junk":
        ident = html.escape(draw(st.text(max_size=10)), quote=True)
        return f'<div class="message default" id="{ident}">{draw(_TEXT_HTML)}</div>'
    parts = [f'<div class="pull_right date details" title="{draw(html_date())}">12:00</div>']
    if kind == "default":
        parts.append(f'<div class="from_name">{draw(_TEXT_HTML)}</div>')
    if draw(st.booleans()):
        parts.append(
            f'<div class="reply_to details">In reply to <a href="#go_to_message{draw(st.integers(0, 10**30))}">this</a></div>'
        )
    text = f'<div class="text">{draw(_TEXT_HTML)}</div>'
    if draw(st.booleans()):
        text = f'<div class="forwarded body"><div class="from_name">{draw(_TEXT_HTML)}</div>{text}</div>'
    parts.append(text)
    if draw(st.booleans()):
        href = html.escape(draw(_MEDIA_PATH), quote=True)
        parts.append(
            f'<div class="media_wrap clearfix"><a class="photo_wrap" href="{href}">p</a></div>'
        )
    if draw(st.booleans()):
        parts.append(
            '<div class="media_wrap"><div class="media"><div class="body"><div class="title">Photo</div><div class="status details">Not included, change data exporting settings to download.</div></div></div></div>'
        )
    classes = "message default clearfix" + (" joined" if kind == "joined" else "")
    return f'<div class="{classes}" id="message{number}"><div class="body">{"".join(parts)}</div></div>'


@st.composite
def html_page(draw: st.DrawFn) -> bytes:
    title = html.escape(draw(st.text(max_size=20)))
    messages = [draw(html_message(n)) for n in range(1, draw(st.integers(0, 6)) + 1)]
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>Exported Data</title></head>'
        f'<body><div class="page_wrap"><div class="page_header"><div class="content">'
        f'<div class="text bold">{title}</div></div></div><div class="page_body chat_page">'
        f'<div class="history">{"".join(messages)}</div></div></div></body></html>'
    )
    return page.encode("utf-8", "surrogatepass")


_RISKY_TEXT = st.text(max_size=20) | LONG
_STORABLE_FIELDS = {
    "type": st.sampled_from(["message", "service"]) | LONG,
    "from": _RISKY_TEXT,
    "from_id": _RISKY_TEXT,
    "forwarded_from": _RISKY_TEXT,
    "forwarded_from_id": _RISKY_TEXT,
    "text": _RISKY_TEXT | st.lists(_RISKY_TEXT | _ENTITY, max_size=3),
    "file": _RISKY_TEXT,
    "media_type": _RISKY_TEXT,
    "mime_type": _RISKY_TEXT,
}


@st.composite
def storable_stress_export(draw: st.DrawFn) -> bytes:
    """Valid messages whose texts and identifiers hold NUL or run past the store's column sizes:
    the readers accept them, and only the store can refuse them."""
    messages = draw(
        st.lists(
            st.fixed_dictionaries(
                {"id": st.integers(1, 10**6), "date_unixtime": st.integers(0, 2 * 10**9).map(str)},
                optional=_STORABLE_FIELDS,
            ),
            min_size=1,
            max_size=4,
        )
    )
    chat = {"name": draw(_RISKY_TEXT), "type": draw(st.just("public_channel") | LONG)}
    chat |= {"id": draw(st.integers(1, 10**9) | LONG), "messages": messages}
    return json.dumps(chat).encode()
