"""Telegram Desktop HTML exports: `messages.html`, `messages2.html`, ... in one folder.

tdesktop splits HTML exports into pages of about a thousand messages, so each page is parsed
whole and memory stays bounded by the page size. The HTML carries no chat id: the channel is
keyed by its title (`telegram:title:<title>`). A "joined" message (a follow-up by the same
sender) has no `from_name`; its sender is carried over from the message before it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from watchfloor.records import Channel, MediaRef, Post, Rejected
from watchfloor.sources.base import ChatStream, SourceError, TimeContext, file_identity
from watchfloor.sources.entities import extract_entities

PAGE_RE = re.compile(r"^messages(\d*)\.html$")
DATE_RE = re.compile(
    r"^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-]\d{2}):?(\d{2}))?"
)
REPLY_RE = re.compile(r"go_to_message([0-9]+)")
_INT64 = 2**63  # ids beyond it do not fit the store's 64-bit columns
MEDIA_ROLES = {
    "photo_wrap": "photo",
    "video_file_wrap": "video_file",
    "animated_wrap": "animation",
    "media_voice_message": "voice_message",
    "media_audio_file": "audio_file",
    "media_video": "video_file",
    "sticker_wrap": "sticker",
    "media_file": "file",
}


def html_pages(folder: Path) -> list[Path]:
    pages = [p for p in folder.iterdir() if PAGE_RE.match(p.name)]
    return sorted(pages, key=lambda p: int(PAGE_RE.match(p.name).group(1) or 1))


def _classes(el: HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def _first(el: HtmlElement, xpath: str) -> HtmlElement | None:
    found = el.xpath(xpath)
    return found[0] if found else None


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def parse_page(page: Path) -> HtmlElement:
    """The root element of a page; an empty or unparsable page is a ``SourceError``."""
    try:
        root = lxml.html.parse(str(page)).getroot()
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError) as exc:
        raise SourceError("malformed_html", f"{page.name}: cannot be parsed: {exc}") from exc
    if root is None:
        raise SourceError("malformed_html", f"{page.name}: the page holds no HTML document")
    return root


def chat_title(page: Path) -> str:
    doc = parse_page(page)
    title = _first(doc, f".//div[{_has_class('page_header')}]//div[{_has_class('text')}]")
    return (title.text_content().strip() if title is not None else "") or page.parent.name


def parse_html_date(title: str, time: TimeContext) -> tuple[datetime, str | None]:
    m = DATE_RE.match(title.strip())
    if not m:
        raise ValueError(f"unreadable date {title!r}")
    day, month, year, hh, mm, ss, off_h, off_m = m.groups()
    naive = datetime(int(year), int(month), int(day), int(hh), int(mm), int(ss))
    if off_h is None:
        return naive.replace(tzinfo=time.assumed_tz).astimezone(UTC), time.assumed_tz_name
    sign = -1 if off_h.startswith("-") else 1
    offset_minutes = int(off_h) * 60 + sign * int(off_m)
    return datetime.fromtimestamp(
        naive.replace(tzinfo=UTC).timestamp() - offset_minutes * 60, UTC
    ), None


def _own_text(el: HtmlElement | None) -> str | None:
    """Text of an element without its nested `details` spans (dates, 'via @bot')."""
    if el is None:
        return None
    parts = [el.text or ""]
    for child in el:
        parts += ["" if "details" in _classes(child) else child.text_content(), child.tail or ""]
    return " ".join("".join(parts).split()) or None


def _text_and_links(el: HtmlElement | None) -> tuple[str, list[dict]]:
    if el is None:
        return "", []
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    marked = [
        {"type": "text_link", "href": a.get("href")}
        for a in el.iter("a")
        if (a.get("href") or "").startswith("http")
    ]
    return el.text_content().strip(), marked


def _media(body: HtmlElement) -> tuple[MediaRef, ...]:
    refs: list[MediaRef] = []
    for wrap in body.xpath(f".//div[{_has_class('media_wrap')}]"):
        for a in wrap.iter("a"):
            href = a.get("href") or ""
            if href and not href.startswith(("#", "http:", "https:", "tg:", "mailto:")):
                role = next((r for c, r in MEDIA_ROLES.items() if c in _classes(a)), "file")
                refs.append(MediaRef(role, href))
        for status in wrap.xpath(
            f".//div[{_has_class('media')}][not(ancestor::a)]//div[{_has_class('status')}]"
        ):
            note = status.text_content().strip()
            if "not included" in note.lower() or "unavailable" in note.lower():
                title = _first(status.getparent(), f".//div[{_has_class('title')}]")
                role = (
                    title.text_content().strip().lower() if title is not None else "file"
                ) or "file"
                refs.append(
                    MediaRef(role.replace(" ", "_"), f"(File {note})", status="missing", note=note)
                )
    return tuple(refs)


@dataclass(frozen=True)
class HtmlItem:
    page: Path
    div: HtmlElement
    day: datetime | None  # from the date separator above it


class HtmlChat:
    """Reads the pages of one HTML export. Records are built in order, so state carries over."""

    def __init__(self, folder: Path, time: TimeContext, channel: Channel) -> None:
        self.folder, self.time, self.channel = folder, time, channel
        self._last_sender: str | None = None
        self._last_date: datetime | None = None

    def items(self) -> Iterator[HtmlItem]:
        day = None
        for page in html_pages(self.folder):
            doc = parse_page(page)
            for div in doc.xpath(f"//div[{_has_class('message')}]"):
                if (div.get("id") or "").startswith("message-"):
                    day = self._separator_day(div) or day  # a date separator, not a message
                    continue
                yield HtmlItem(page, div, day)

    def _separator_day(self, div: HtmlElement) -> datetime | None:
        try:
            day = datetime.strptime(div.text_content().strip(), "%d %B %Y")
        except ValueError:
            return None
        return day.replace(tzinfo=self.time.assumed_tz).astimezone(UTC)

    def to_record(self, item: HtmlItem, index: int) -> Post | Rejected:
        raw = lxml.html.tostring(item.div, encoding="unicode")
        source, id_text = str(item.page), (item.div.get("id") or "").removeprefix("message")
        if not (id_text.isascii() and id_text.isdigit() and int(id_text) < _INT64):
            reason = f"message element id {item.div.get('id')!r} is not 'messageN'"
            return Rejected(source, f"element #{index}", "malformed_message", reason, raw)
        try:
            return self._post(item, int(id_text), raw)
        except ValueError as exc:
            return Rejected(source, f"message {id_text}", "bad_date", str(exc), raw)

    def _date(self, item: HtmlItem, is_service: bool) -> tuple[datetime, str | None]:
        """A message's own date; tdesktop gives service messages none, so they take the latest
        date known before them (the previous message, or the day of the separator above)."""
        date_el = _first(item.div, f".//div[{_has_class('date')}][@title]")
        if date_el is not None:
            return parse_html_date(date_el.get("title", ""), self.time)
        known = [d for d in (self._last_date, item.day) if d is not None]
        if not is_service or not known:
            raise ValueError("message element has no date")
        return max(known), (None if max(known) == self._last_date else self.time.assumed_tz_name)

    def _sender(self, item: HtmlItem, body: HtmlElement, is_service: bool) -> str | None:
        sender = _own_text(_first(body, f"./div[{_has_class('from_name')}]"))
        if sender is None and "joined" in _classes(item.div):
            sender = self._last_sender  # a follow-up by the same sender
        if not is_service:
            self._last_sender = sender
        return sender

    def _post(self, item: HtmlItem, message_id: int, raw: str) -> Post:
        is_service = "service" in _classes(item.div)
        body = item.div if is_service else _first(item.div, f"./div[{_has_class('body')}]")
        if body is None:
            raise ValueError("message element has no body")
        date, assumed = self._date(item, is_service)
        self._last_date = date
        forwarded = _first(body, f"./div[{_has_class('forwarded')}]")
        text_xpath = (
            f".//div[{_has_class('details')}]" if is_service else f"./div[{_has_class('text')}]"
        )
        text, marked = _text_and_links(
            _first(forwarded if forwarded is not None else body, text_xpath)
        )
        reply = _first(body, f"./div[{_has_class('reply_to')}]//a[@href]")
        reply_match = REPLY_RE.search(reply.get("href", "")) if reply is not None else None
        return Post(
            channel_key=self.channel.key,
            message_id=message_id,
            date=date,
            date_assumed_tz=assumed,
            kind="service" if is_service else "message",
            text=text,
            raw=raw.encode(),
            raw_format="html",
            sender_name=self._sender(item, body, is_service),
            forwarded_from=_forwarded_from(forwarded),
            reply_to=_reply_id(reply_match),
            entities=extract_entities(text, marked),
            media=_media(body),
        )


def _reply_id(found: re.Match[str] | None) -> int | None:
    value = int(found.group(1)) if found else None
    return value if value is not None and value < _INT64 else None


def _forwarded_from(forwarded: HtmlElement | None) -> str | None:
    if forwarded is None:
        return None
    return _own_text(_first(forwarded, f"./div[{_has_class('from_name')}]"))


def html_chat_stream(folder: Path, time: TimeContext) -> ChatStream:
    pages = html_pages(folder)
    title = chat_title(pages[0])
    channel = Channel(
        platform="telegram", platform_id=f"title:{title}", title=title, kind="html_export"
    )
    chat = HtmlChat(folder, time, channel)
    identity = hashlib.sha256("\n".join(file_identity(p) for p in pages).encode()).hexdigest()
    return ChatStream(
        channel, pages[0], folder, f"{identity}|{channel.key}", chat.items(), chat.to_record
    )
