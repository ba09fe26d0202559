"""Telegram Desktop's HTML export format: ``messages.html`` and ``messages2.html``."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchfloor.demo.clock import local, offset_label
from watchfloor.demo.model import Chat, Media, Msg, thumb_path
from watchfloor.demo.texts import Part, Text

INDENT = "     "
PageIndex = dict[int | str, str]  # message id -> the page it is on


@dataclass(frozen=True)
class Page:
    name: str
    messages: list[Msg]
    previous: str | None
    next: str | None


def _entity_html(part: Part) -> str:
    body = html.escape(part.text).replace("\n", "<br>")
    if part.kind == "plain":
        return body
    if part.kind == "bold":
        return f"<strong>{body}</strong>"
    if part.kind == "italic":
        return f"<em>{body}</em>"
    if part.kind == "hashtag":
        arg = html.escape(json.dumps(part.text[1:], ensure_ascii=False))
        return f'<a href="" onclick="return ShowHashtag({arg})">{body}</a>'
    if part.kind == "mention":
        return f'<a href="https://t.me/{html.escape(part.text[1:])}">{body}</a>'
    href = part.href or (part.text if "://" in part.text else f"http://{part.text}")
    return f'<a href="{html.escape(href)}">{body}</a>'


def html_text(text: Text) -> str:
    return "".join(_entity_html(part) for part in text)


def _full_stamp(moment: datetime) -> str:
    return local(moment).strftime("%d.%m.%Y %H:%M:%S")


def html_title(moment: datetime) -> str:
    return f"{_full_stamp(moment)} {offset_label(moment)}"


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:2]).upper()


def _userpic(name: str, pad: str, extra: str = "") -> str:
    cls = f"pull_left {extra}userpic_wrap"
    pic = f'userpic userpic{len(name) % 8 + 1}" style="width: 42px; height: 42px'
    initials = f'{pad}  <div class="initials" style="line-height: 42px">\n{_initials(name)}\n'
    return (
        f'{pad}<div class="{cls}">\n\n{pad} <div class="{pic}">\n\n{initials}'
        f"{pad}  </div>\n\n{pad} </div>\n\n{pad}</div>\n\n"
    )


def _div(cls: str, inner: str, pad: str) -> str:
    return f'{pad}<div class="{cls}">\n{inner}\n{pad}</div>\n\n'


def _service_html(element_id: str, label: str) -> str:
    head = f'{INDENT}<div class="message service" id="message{element_id}">\n\n'
    return f"{head}{_div('body details', label, f'{INDENT} ')}{INDENT}</div>\n\n"


def _photo_html(media: Media, pad: str) -> str:
    path = html.escape(media.path or "")
    thumb = html.escape(thumb_path(media.path or ""))
    tw, th = media.thumb_size or (260, 173)
    return (
        f'{pad}<div class="media_wrap clearfix">\n\n{pad} <a class="photo_wrap clearfix pull_left" '
        f'href="{path}">\n\n{pad}  <img class="photo" src="{thumb}" style="width: {tw}px; '
        f'height: {th}px"/>\n\n{pad} </a>\n\n{pad}</div>\n\n'
    )


def _content_html(msg: Msg, pad: str) -> str:
    out = _photo_html(msg.media, pad) if msg.media is not None else ""
    if msg.text:
        out += _div("text", html_text(msg.text), pad)
    return out


def _action_html(msg: Msg) -> str:
    action = msg.action or ""
    label = {"create_channel": f"Channel «{msg.sender.name}» created"}.get(action, action)
    return _service_html(str(msg.id), html.escape(label))


def _time_html(moment: datetime, pad: str) -> str:
    return (
        f'{pad}<div class="pull_right date details" title="{html_title(moment)}">\n'
        f"{local(moment).strftime('%H:%M')}\n{pad}</div>\n\n"
    )


def _reply_html(target: int | str, page_of: PageIndex, page: str, pad: str) -> str:
    where = "" if page_of.get(target) == page else page_of.get(target, "")
    link = (
        f'<a href="{where}#go_to_message{target}" '
        f'onclick="return GoToMessage({target})">this message</a>'
    )
    return _div("reply_to details", f"In reply to {link}", pad)


def _forwarded_html(msg: Msg, original: Msg, pad: str) -> str:
    span = (
        f'<span class="date details" title="{html_title(original.when)}"> '
        f"{_full_stamp(original.when)}</span>"
    )
    head = f"{html.escape(original.sender.name)}{span}"
    inner = _div("from_name", head, pad + " ") + _content_html(msg, pad + " ")
    userpic = _userpic(original.sender.name, pad, "forwarded ")
    return f'{userpic}{pad}<div class="forwarded body">\n\n{inner}{pad}</div>\n\n'


def message_html(msg: Msg, joined: bool, page_of: PageIndex, page: str) -> str:
    """One message; a ``joined`` one continues its sender's previous one (no name, no picture)."""
    if msg.action:
        return _action_html(msg)
    pad = f"{INDENT}  "
    cls = "message default clearfix" + (" joined" if joined else "")
    out = f'{INDENT}<div class="{cls}" id="message{msg.id}">\n\n'
    out += "" if joined else _userpic(msg.sender.name, f"{INDENT} ")
    out += f'{INDENT} <div class="body">\n\n' + _time_html(msg.when, pad)
    if not joined:
        out += _div("from_name", html.escape(msg.sender.name), pad)
    if msg.reply_to is not None:
        out += _reply_html(msg.reply_to.id, page_of, page, pad)
    if msg.forward_of is not None:
        out += _forwarded_html(msg, msg.forward_of, pad)
    else:
        out += _content_html(msg, pad)
    return out + f"{INDENT} </div>\n\n{INDENT}</div>\n\n"


def _is_joined(prev: Msg | None, msg: Msg) -> bool:
    return (
        prev is not None
        and prev.action is None
        and msg.action is None
        and prev.sender == msg.sender
        and prev.forward_of is None
        and msg.forward_of is None
        and (msg.when - prev.when) < timedelta(minutes=15)
        and local(msg.when).date() == local(prev.when).date()
    )


def _pagination(href: str, label: str) -> str:
    return f'{INDENT}<a class="pagination block_link" href="{href}">\n{label}\n{INDENT}</a>\n\n'


def _history_html(page: Page, page_of: PageIndex, first_separator: int) -> tuple[str, int]:
    """The page's messages with a date separator before each new day.

    Separators are numbered across pages, so the next page's first number is returned too.
    """
    body, prev, separator = "", None, first_separator
    if page.previous:
        body += _pagination(page.previous, "Previous messages")
    for msg in page.messages:
        day = local(msg.when).date()
        if prev is None or local(prev.when).date() != day:
            body += _service_html(f"-{separator}", f"{day.day} {day.strftime('%B %Y')}")
            separator += 1
        body += message_html(msg, _is_joined(prev, msg), page_of, page.name)
        prev = msg
    if page.next:
        body += _pagination(page.next, "Next messages")
    return body, separator


def _document(title: str, history: str) -> str:
    return (
        '<!DOCTYPE html>\n<html>\n\n <head>\n\n  <meta charset="utf-8"/>\n'
        "<title>Exported Data</title>\n"
        '  <meta content="width=device-width, initial-scale=1.0" name="viewport"/>\n\n'
        '  <link href="css/style.css" rel="stylesheet"/>\n\n'
        '  <script src="js/script.js" type="text/javascript">\n\n  </script>\n\n </head>\n\n'
        ' <body onload="CheckLocation();">\n\n  <div class="page_wrap">\n\n'
        '   <div class="page_header">\n\n    <div class="content">\n\n'
        f'     <div class="text bold">\n{html.escape(title)}\n     </div>\n\n'
        "    </div>\n\n   </div>\n\n"
        '   <div class="page_body chat_page">\n\n    <div class="history">\n\n'
        f"{history}    </div>\n\n   </div>\n\n  </div>\n\n </body>\n\n</html>\n"
    )


def _paginate(chat: Chat) -> list[Page]:
    """Two pages: the first two thirds of the history, then the rest."""
    split = max(2, len(chat.messages) * 2 // 3)
    first, second = "messages.html", "messages2.html"
    return [
        Page(first, chat.messages[:split], None, second),
        Page(second, chat.messages[split:], first, None),
    ]


def html_export(chat: Chat) -> dict[str, bytes]:
    pages = _paginate(chat)
    page_of: PageIndex = {
        m.id: page.name for page in pages for m in page.messages if isinstance(m.id, int)
    }
    out, separator = {}, 1
    for page in pages:
        history, separator = _history_html(page, page_of, separator)
        out[page.name] = _document(chat.name, history).encode("utf-8")
    return out
