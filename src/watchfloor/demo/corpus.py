"""Synthetic demo corpus: Telegram Desktop exports for a fictional propaganda campaign.

``generate_corpus(out_dir)`` writes, under ``out_dir`` only:

* five single-chat JSON exports (``<slug>/result.json`` + ``photos/`` + ``files/``),
* one full-account JSON export (``account_export/result.json``, ``chats/chat_N/...``),
* one paginated HTML export (``html_channel/messages.html`` + ``messages2.html``),
* ``demo_manifest.json``: the ground truth (scenario dates, image families, bad inputs).

The exporter's clock is Europe-like local time (UTC+02:00 until 2017-10-29, then
UTC+01:00): ``date`` is local, ``date_unixtime`` is exact, HTML titles carry the offset.
Nothing is read from disk except system fonts; output is byte-identical per seed.
"""

from __future__ import annotations

import html
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from watchfloor.demo import drawing as draw
from watchfloor.demo import texts as tx
from watchfloor.demo.texts import CITY_BY_KEY, Part, Text

# --------------------------------------------------------------------------- scenario dates

WINDOW_START = datetime(2017, 9, 1, tzinfo=UTC)
WINDOW_END = datetime(2018, 3, 1, tzinfo=UTC)
OUTLET_CREATED = datetime(2017, 8, 28, 10, 0, tzinfo=UTC)
OUTLET_LAST_BEFORE_GAP = datetime(2017, 10, 14, 18, 0, tzinfo=UTC)
OUTLET_RETURN = datetime(2018, 2, 12, 8, 30, tzinfo=UTC)

PLACEHOLDER = "(File not included. Change data exporting settings to download.)"
MANIFEST_NAME = "demo_manifest.json"


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def utc_offset(moment: datetime) -> timedelta:
    """The exporting machine's offset: EU summer time rules, base UTC+01:00."""
    start = datetime.combine(_last_sunday(moment.year, 3), time(1), UTC)
    end = datetime.combine(_last_sunday(moment.year, 10), time(1), UTC)
    return timedelta(hours=2 if start <= moment < end else 1)


def local(moment: datetime) -> datetime:
    return (moment + utc_offset(moment)).replace(tzinfo=None)


def offset_label(moment: datetime) -> str:
    hours = int(utc_offset(moment).total_seconds() // 3600)
    return f"UTC+{hours:02d}:00"


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Peer:
    name: str
    peer_id: str  # "channel123" / "user123"


@dataclass(eq=False)
class Media:
    """A photo or document attached to a message, plus where/whether it lands on disk."""

    kind: str  # "photo" | "file"
    data: bytes | None = None
    width: int | None = None
    height: int | None = None
    file_name: str | None = None
    mime_type: str | None = None
    media_type: str | None = None
    duration: int | None = None
    size: int | None = None
    path: str | None = None  # forced reference (placeholder / hostile path)
    write: bool = True  # False: referenced but absent on disk
    disk_data: bytes | None = None  # written instead of ``data`` (truncated download)
    thumb: bytes | None = None
    thumb_size: tuple[int, int] | None = None
    family: str | None = None  # ground truth: which original image this derives from
    variant: str | None = None

    @property
    def declared_size(self) -> int | None:
        if self.size is not None:
            return self.size
        return len(self.data) if self.data is not None else None


@dataclass(eq=False)
class Msg:
    when: datetime
    sender: Peer
    text: Text = ()
    media: Media | None = None
    forward_of: Msg | None = None
    forwarded_from: str | None = None
    reply_to: Msg | None = None
    edited: datetime | None = None
    action: str | None = None
    action_fields: tuple[tuple[str, Any], ...] = ()
    id: int | str = 0  # a str id is a deliberately malformed one and is kept as is


@dataclass(eq=False)
class Chat:
    slug: str
    name: str
    chat_type: str
    bare_id: int
    username: str | None = None
    media_prefix: str = ""
    messages: list[Msg] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def peer(self) -> Peer:
        prefix = (
            "channel" if "channel" in self.chat_type or "supergroup" in self.chat_type else "chat"
        )
        return Peer(self.name, f"{prefix}{self.bare_id}")

    def post(self, when: datetime, text: Text = (), media: Media | None = None, **kw: Any) -> Msg:
        msg = Msg(when=when, sender=kw.pop("sender", self.peer), text=text, media=media, **kw)
        self.messages.append(msg)
        return msg

    def service(
        self, when: datetime, action: str, *fields: tuple[str, Any], actor: Peer | None = None
    ) -> Msg:
        msg = Msg(when=when, sender=actor or self.peer, action=action, action_fields=fields)
        self.messages.append(msg)
        return msg

    def forward(self, original: Msg, when: datetime) -> Msg:
        media = clone_media(original.media, "forward") if original.media else None
        return self.post(
            when, original.text, media, forward_of=original, forwarded_from=original.sender.name
        )


def clone_media(media: Media, variant: str) -> Media:
    """A copy for another message; skipped-file placeholders stay placeholders."""
    placeholder = media.path if media.path and media.path.startswith("(") else None
    return replace(media, path=placeholder, write=True, disk_data=None, variant=variant)


# --------------------------------------------------------------------------- randomness


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; fine for the small daily rates used here."""
    if lam <= 0:
        return 0
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def daily_times(
    rng: random.Random, start: datetime, end: datetime, rate: float
) -> Iterator[datetime]:
    """Poisson(rate) posting times per UTC day in [start, end), daytime hours."""
    day = datetime.combine(start.date(), time(0), UTC)
    while day < end:
        stamps = sorted(rng.randrange(6 * 3600, 22 * 3600) for _ in range(poisson(rng, rate)))
        for seconds in stamps:
            moment = day + timedelta(seconds=seconds)
            if start <= moment < end:
                yield moment
        day += timedelta(days=1)


def jitter(rng: random.Random, lo_minutes: int, hi_minutes: int) -> timedelta:
    return timedelta(seconds=rng.randrange(lo_minutes * 60, hi_minutes * 60 + 1))


# --------------------------------------------------------------------------- images


@dataclass
class Asset:
    key: str
    jpeg: bytes
    size: tuple[int, int]
    city: str | None = None


@dataclass(frozen=True)
class PosterSpec:
    key: str
    city: str
    langs: tuple[str, ...]
    size: tuple[int, int]


POSTERS = (
    PosterSpec("poster_london_1", "london", ("en", "ar"), (800, 533)),
    PosterSpec("poster_paris_1", "paris", ("fr", "ar", "en"), (800, 533)),
    PosterSpec("poster_berlin", "berlin", ("de", "ar"), (880, 587)),
    PosterSpec("poster_amsterdam", "amsterdam", ("nl", "ar"), (800, 533)),
    PosterSpec("poster_brussels", "brussels", ("fr", "nl", "ar"), (880, 587)),
    PosterSpec("poster_new_york", "new_york", ("en", "ar"), (800, 533)),
    PosterSpec("poster_london_2", "london", ("en", "fr", "ar"), (1120, 630)),
)


class ImageBank:
    """Original images (drawn once per seed) and their re-circulated variants."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}/images")
        self.assets: dict[str, Asset] = {}
        for spec in POSTERS:
            city = CITY_BY_KEY[spec.city]
            captions = [tx.threat_caption(city, lang) for lang in spec.langs]
            img = draw.landmark_poster(self.rng, city, captions, spec.size)
            self._add(spec.key, img, 80, spec.city)
        for number in (1, 2, 3):
            lines = [tx.OUTLET_STATEMENT[lang].format(n=number) for lang in ("en", "ar")]
            img = draw.emblem_card(self.rng, tx.OUTLET_NAME.upper(), lines)
            self._add(f"card_{number}", img, 72)
        card = draw.emblem_card(
            self.rng, tx.OUTLET_NAME.upper(), list(tx.RETURN_STATEMENT.values())
        )
        self._add("card_return", card, 72)
        self._add(
            "news_chart_1", draw.bar_chart(self.rng, "Posts per week, monitored channels"), 85
        )
        self._add("news_chart_2", draw.bar_chart(self.rng, "Re-posted images per day (demo)"), 85)
        self._add("news_press", draw.press_room(self.rng, "HARBOUR DESK  |  BRIEFING"), 78)
        frame = draw.analysis_frame(self.image("poster_paris_1"), "Harbour Desk | Verification")
        self._add("news_frame_paris", frame, 80)

    def _add(self, key: str, img: Image.Image, quality: int, city: str | None = None) -> None:
        self.assets[key] = Asset(key, draw.encode_jpeg(img, quality), img.size, city)

    def image(self, key: str) -> Image.Image:
        return draw.decode(self.assets[key].jpeg)

    def original(self, key: str) -> Media:
        asset = self.assets[key]
        w, h = asset.size
        return Media("photo", asset.jpeg, width=w, height=h, family=key, variant="original")

    def variant(self, key: str, kind: str, rng: random.Random, tag: str = "") -> Media:
        """A re-circulated copy: byte copy, re-encode, resize, crop, watermark, mirror, PNG."""
        if kind == "copy":
            return replace(self.original(key), variant="copy")
        img = self.image(key)
        if kind == "png":
            small = draw.resized(img, 0.4)
            return Media(
                "file",
                draw.encode_png(small),
                width=small.width,
                height=small.height,
                file_name=f"{key.replace('poster_', '')}_{rng.randrange(100, 999)}.png",
                mime_type="image/png",
                family=key,
                variant="png",
            )
        quality = 80
        if kind == "requality":
            quality = rng.randrange(45, 66)
        elif kind == "resize":
            img = draw.resized(img, rng.uniform(0.55, 0.8))
        elif kind == "crop":
            img = draw.cropped(img, rng.uniform(0.03, 0.06))
        elif kind == "watermark":
            img = draw.add_watermark(img, tag or "@relay", "tl", size=max(16, img.width // 40))
        elif kind == "mirror":
            img = draw.mirrored(img)
        else:
            raise ValueError(f"unknown variant {kind!r}")
        data = draw.encode_jpeg(img, quality)
        return Media("photo", data, width=img.width, height=img.height, family=key, variant=kind)


def filler_photo(rng: random.Random, kind: str = "") -> Media:
    """A benign, unique picture (harbour, pattern or quote card)."""
    kind = kind or ("harbour", "pattern", "quote")[rng.randrange(3)]
    if kind == "harbour":
        img = draw.harbour(rng)
    elif kind == "pattern":
        img = draw.abstract_pattern(rng)
    else:
        img = draw.quote_card(rng, tx.pick(rng, tx.FILLER_LINES["en"]))
    data = draw.encode_jpeg(img, rng.randrange(62, 80))
    return Media("photo", data, width=img.width, height=img.height, family=None, variant="unique")


def tiny_pdf(lines: list[str]) -> bytes:
    """A minimal, valid one-page PDF (Helvetica text), no timestamps."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT /F1 14 Tf 72 740 Td"] + [f"({esc(line)}) Tj 0 -22 Td" for line in lines] + ["ET"]
    content = "\n".join(ops)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("ascii")


# --------------------------------------------------------------------------- scenario context


@dataclass
class Context:
    seed: int
    scale: float
    bank: ImageBank
    outlet: Chat | None = None
    published: dict[str, datetime] = field(default_factory=dict)  # asset key -> first post
    bad_inputs: list[dict[str, Any]] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}/{name}")

    def rate(self, per_day: float) -> float:
        return per_day * self.scale

    def outlet_posts(self) -> list[Msg]:
        assert self.outlet is not None
        return [m for m in self.outlet.messages if m.action is None]

    def available(self, when: datetime, prefix: str = "") -> list[str]:
        keys = [k for k, t in self.published.items() if t <= when and k.startswith(prefix)]
        return sorted(keys, key=lambda k: (self.published[k], k))


def maybe_edit(rng: random.Random, msg: Msg, prob: float = 0.08) -> Msg:
    if msg.text and rng.random() < prob:
        msg.edited = msg.when + jitter(rng, 3, 240)
    return msg


# --------------------------------------------------------------------------- outlet


def _outlet_poster(ctx: Context, chat: Chat, rng: random.Random, key: str, when: datetime) -> Msg:
    spec = next(s for s in POSTERS if s.key == key)
    ctx.published.setdefault(key, when)
    caption = tx.poster_caption(rng, CITY_BY_KEY[spec.city], spec.langs)
    return chat.post(when, caption, ctx.bank.original(key))


def _outlet_card(ctx: Context, chat: Chat, key: str, when: datetime, text: Text) -> Msg:
    ctx.published.setdefault(key, when)
    return chat.post(when, text, ctx.bank.original(key))


def _outlet_before_gap(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """Sept-Oct 2017: cards, two landmark posters, a PDF, a skipped video, then silence."""
    first = _outlet_card(
        ctx, chat, "card_1", at(2017, 9, 2, 9, 15), tx.outlet_statement(rng, 1, "ar")
    )
    london = _outlet_poster(ctx, chat, rng, "poster_london_1", at(2017, 9, 6, 17, 40))
    more = [tx.plain("[stand-in statement] More posters follow. "), tx.hashtag("#NorthwindDemo")]
    chat.post(
        at(2017, 9, 6, 18, 55), tx.normalize(more), reply_to=london, edited=at(2017, 9, 6, 19, 20)
    )
    chat.service(at(2017, 9, 10, 8, 0), "pin_message", ("message_id", first))
    _outlet_poster(ctx, chat, rng, "poster_paris_1", at(2017, 9, 14, 16, 5))
    pdf_lines = ["NORTHWIND MEDIA OFFICE - BULLETIN 01", "[stand-in document for a demo]"]
    pdf = Media(
        "file",
        tiny_pdf(pdf_lines),
        file_name="northwind_bulletin_01.pdf",
        mime_type="application/pdf",
    )
    caption = [tx.plain("[stand-in statement] Bulletin 01 (PDF) "), tx.hashtag("#حملة_تجريبية")]
    chat.post(at(2017, 9, 20, 11, 0), tx.normalize(caption), pdf)
    _outlet_card(ctx, chat, "card_2", at(2017, 9, 25, 10, 30), tx.outlet_statement(rng, 2, "en"))
    video = Media(
        "file",
        path=PLACEHOLDER,
        file_name="northwind_clip_02.mp4",
        size=18_874_368,
        media_type="video_file",
        mime_type="video/mp4",
        duration=94,
        width=1280,
        height=720,
    )
    caption = [tx.plain("[stand-in statement] Video release 02 "), tx.hashtag("#NorthwindDemo")]
    chat.post(at(2017, 10, 2, 15, 45), tx.normalize(caption), video)
    _outlet_card(ctx, chat, "card_3", at(2017, 10, 8, 12, 0), tx.outlet_statement(rng, 3, "ar"))
    chat.post(OUTLET_LAST_BEFORE_GAP, tx.outlet_statement(rng, 4, "en"))


def _outlet_after_gap(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """Feb 2018: the return card, a poster wave naming five more cities, an old poster again."""
    back = _outlet_card(ctx, chat, "card_return", OUTLET_RETURN, tx.return_statement())
    _outlet_poster(ctx, chat, rng, "poster_berlin", at(2018, 2, 13, 10, 10))
    _outlet_poster(ctx, chat, rng, "poster_amsterdam", at(2018, 2, 15, 9, 40))
    _outlet_poster(ctx, chat, rng, "poster_brussels", at(2018, 2, 17, 13, 20))
    again = replace(ctx.bank.original("poster_london_1"), variant="copy")
    caption = tx.poster_caption(rng, CITY_BY_KEY["london"], ("ar",))
    chat.post(at(2018, 2, 19, 8, 5), caption, again)
    _outlet_poster(ctx, chat, rng, "poster_new_york", at(2018, 2, 21, 18, 30))
    _outlet_poster(ctx, chat, rng, "poster_london_2", at(2018, 2, 24, 11, 45))
    chat.service(at(2018, 2, 26, 7, 50), "pin_message", ("message_id", back))


def build_outlet(ctx: Context) -> Chat:
    rng = ctx.rng("outlet")
    chat = Chat(
        "northwind_media_office", tx.OUTLET_NAME, "public_channel", 1348120101, tx.OUTLET_USERNAME
    )
    chat.service(OUTLET_CREATED, "create_channel", ("title", tx.OUTLET_NAME))
    _outlet_before_gap(ctx, chat, rng)
    _outlet_after_gap(ctx, chat, rng)
    number = 0
    phases = (
        (WINDOW_START, OUTLET_LAST_BEFORE_GAP, 0.6),
        (OUTLET_RETURN + timedelta(hours=2), WINDOW_END, 1.2),
    )
    for start, end, rate in phases:
        for when in daily_times(rng, start, end, ctx.rate(rate)):
            number += 1
            lang = ("ar", "en", "ar", "fr", "de", "nl")[rng.randrange(6)]
            maybe_edit(rng, chat.post(when, tx.outlet_statement(rng, number, lang, note=True)))
    ctx.outlet = chat
    return chat


# --------------------------------------------------------------------------- supporters


@dataclass(frozen=True)
class SupporterSpec:
    slug: str
    name: str
    bare_id: int
    username: str
    langs: tuple[str, ...]
    created: datetime
    surge_from: datetime
    base_rate: float
    surge_rate: float
    variants: tuple[str, ...]
    forward_prob: float


SUPPORTERS = (
    SupporterSpec(
        slug="lantern_relay",
        name="Lantern Relay",
        bare_id=1348120102,
        username="lantern_relay_demo",
        langs=("ar", "en"),
        created=at(2017, 9, 4, 20),
        surge_from=at(2018, 2, 8),
        base_rate=0.3,
        surge_rate=4.5,
        variants=("copy", "requality", "copy"),
        forward_prob=0.7,
    ),
    SupporterSpec(
        slug="northwind_echoes",
        name="Echoes of the North",
        bare_id=1348120103,
        username="echoes_north_demo",
        langs=("fr", "de", "nl"),
        created=at(2017, 9, 20, 19),
        surge_from=at(2018, 2, 10),
        base_rate=0.22,
        surge_rate=4.0,
        variants=("resize", "crop", "watermark"),
        forward_prob=0.45,
    ),
    SupporterSpec(
        slug="cinder_mirror",
        name="Cinder Mirror",
        bare_id=1348120104,
        username="cinder_mirror_demo",
        langs=("en", "ar", "fr"),
        created=at(2017, 11, 20, 21),
        surge_from=at(2018, 2, 14),
        base_rate=0.18,
        surge_rate=3.5,
        variants=("png", "mirror", "requality", "crop"),
        forward_prob=0.35,
    ),
)


def _repost(
    ctx: Context, spec: SupporterSpec, rng: random.Random, when: datetime, key: str
) -> tuple[Text, Media]:
    media = ctx.bank.variant(
        key, spec.variants[rng.randrange(len(spec.variants))], rng, f"@{spec.username}"
    )
    lang = spec.langs[rng.randrange(len(spec.langs))]
    city = ctx.bank.assets[key].city
    text = (
        tx.supporter_repost_caption(rng, CITY_BY_KEY[city], lang)
        if city
        else tx.supporter_text(rng, lang)
    )
    return text, media


def _supporter_post(
    ctx: Context, spec: SupporterSpec, rng: random.Random, when: datetime, surge: bool
) -> tuple[Text, Media | None]:
    lang = spec.langs[rng.randrange(len(spec.langs))]
    roll = rng.random()
    pool = ctx.available(when, "poster_") + ctx.available(when, "card_")
    if surge:
        recent = [k for k in pool if ctx.published[k] >= OUTLET_RETURN - timedelta(days=1)]
        pool = recent * 3 + pool if recent else pool
    repost, talk = (0.3, 0.4) if surge else (0.2, 0.3)
    if roll < repost and pool:
        return _repost(ctx, spec, rng, when, pool[rng.randrange(len(pool))])
    if roll < repost + talk:
        return tx.supporter_text(rng, lang, with_link=rng.random() < 0.5), None
    if roll < 0.95:
        return tx.filler_text(rng, lang), None
    return tx.filler_text(rng, lang), filler_photo(rng)


def build_supporter(ctx: Context, spec: SupporterSpec) -> Chat:
    rng = ctx.rng(spec.slug)
    chat = Chat(spec.slug, spec.name, "public_channel", spec.bare_id, spec.username)
    chat.service(spec.created, "create_channel", ("title", spec.name))
    for original in ctx.outlet_posts():
        if original.when < spec.created or original.when >= WINDOW_END:
            continue
        boost = 1.4 if original.when >= OUTLET_RETURN else 1.0
        if rng.random() < min(0.95, spec.forward_prob * boost):
            lag = jitter(rng, 4, 180 if original.when >= OUTLET_RETURN else 2 * 24 * 60)
            chat.forward(original, min(original.when + lag, WINDOW_END - timedelta(minutes=5)))
    phases = (
        (spec.created + timedelta(hours=3), spec.surge_from, spec.base_rate, False),
        (spec.surge_from, WINDOW_END, spec.surge_rate, True),
    )
    last: Msg | None = None
    for start, end, rate, surge in phases:
        for when in daily_times(rng, start, end, ctx.rate(rate)):
            text, media = _supporter_post(ctx, spec, rng, when, surge)
            reply = last if last is not None and media is None and rng.random() < 0.06 else None
            last = maybe_edit(rng, chat.post(when, text, media, reply_to=reply))
    return chat


def inject_bad_inputs(ctx: Context, chats: dict[str, Chat]) -> None:
    """One of each deliberate defect, at fixed, documented places."""
    rng = ctx.rng("bad-inputs")
    lantern = chats["lantern_relay"]
    media = ctx.bank.variant("poster_berlin", "requality", rng)
    media.disk_data = draw.truncated(media.data or b"", 0.4)
    msg = lantern.post(at(2018, 2, 20, 14, 5), tx.supporter_text(rng, "ar"), media)
    ctx.bad_inputs.append({"kind": "truncated_jpeg", "export": "lantern_relay", "msg": msg})

    echoes = chats["northwind_echoes"]
    media = ctx.bank.variant("poster_amsterdam", "crop", rng)
    media.write = False
    msg = echoes.post(at(2018, 2, 18, 16, 40), tx.supporter_text(rng, "nl"), media)
    ctx.bad_inputs.append({"kind": "missing_file", "export": "northwind_echoes", "msg": msg})

    cinder = chats["cinder_mirror"]
    media = Media(
        "photo", None, path="../../etc/passwd", width=800, height=533, size=1337, write=False
    )
    msg = cinder.post(at(2018, 2, 22, 11, 11), tx.supporter_text(rng, "en"), media)
    ctx.bad_inputs.append({"kind": "path_escape", "export": "cinder_mirror", "msg": msg})
    msg = cinder.post(at(2018, 2, 23, 9, 30), tx.supporter_text(rng, "fr"))
    msg.id = "not-a-number"
    ctx.bad_inputs.append({"kind": "malformed_id", "export": "cinder_mirror", "msg": msg})


def rename_cinder(chat: Chat) -> None:
    """The channel started as "Cinder Notes" and was renamed (exports show the new name)."""
    chat.messages[0].action_fields = (("title", "Cinder Notes"),)
    chat.service(at(2018, 1, 15, 20, 0), "edit_group_title", ("title", chat.name))


# --------------------------------------------------------------------------- news channel


NEWS_KEY_REPORTS: tuple[tuple[datetime, str, str | None, str | None], ...] = (
    (at(2017, 9, 7, 7, 30), "en", "london", "news_chart_1"),
    (at(2017, 9, 15, 8, 0), "fr", "paris", None),
    (at(2018, 2, 12, 16, 0), "en", None, None),
    (at(2018, 2, 13, 7, 45), "ar", "berlin", None),
    (at(2018, 2, 13, 12, 10), "de", "berlin", None),
    (at(2018, 2, 14, 9, 0), "fr", "brussels", None),
    (at(2018, 2, 15, 15, 30), "en", "paris", "news_frame_paris"),
    (at(2018, 2, 16, 10, 0), "en", "amsterdam", "news_chart_2"),
    (at(2018, 2, 18, 8, 20), "nl", "amsterdam", None),
    (at(2018, 2, 20, 17, 0), "en", "new_york", "news_press"),
    (at(2018, 2, 25, 9, 10), "ar", "new_york", None),
)


def build_news(ctx: Context) -> Chat:
    rng = ctx.rng("news")
    chat = Chat(
        "harbour_desk_news", "Harbour Desk News", "public_channel", 1348120110, "harbour_desk_demo"
    )
    for when in daily_times(rng, WINDOW_START, WINDOW_END, ctx.rate(0.5)):
        media = filler_photo(rng, "harbour") if rng.random() < 0.2 else None
        maybe_edit(rng, chat.post(when, tx.news_filler(rng), media), 0.1)
    first_report: Msg | None = None
    for when, lang, city, image in NEWS_KEY_REPORTS:
        text = tx.news_report(rng, lang, CITY_BY_KEY[city] if city else None)
        msg = chat.post(when, text, ctx.bank.original(image) if image else None)
        first_report = first_report or (msg if when >= OUTLET_RETURN else None)
    for when in daily_times(rng, OUTLET_RETURN + timedelta(hours=4), WINDOW_END, ctx.rate(0.9)):
        maybe_edit(rng, chat.post(when, tx.news_report(rng, tx.LANGS[rng.randrange(5)])), 0.15)
    update = tx.normalize(
        [
            tx.bold("Update: "),
            tx.plain(
                "the channel has posted six new posters "
                "since its return, monitoring groups say. [demo report]"
            ),
        ]
    )
    chat.post(at(2018, 2, 27, 8, 0), update, reply_to=first_report)
    chat.post(
        at(2017, 11, 3, 9, 0),
        tx.news_filler(rng),
        Media("photo", path=PLACEHOLDER, width=1280, height=853),
    )
    return chat


# --------------------------------------------------------------------------- html channel


def build_html_channel(ctx: Context) -> Chat:
    rng = ctx.rng("html")
    chat = Chat("html_channel", "Ember Post", "public_channel", 1348120105, "ember_post_demo")
    chat.service(at(2017, 12, 1, 18, 0), "create_channel", ("title", chat.name))
    for when in daily_times(rng, at(2017, 12, 2, 0), at(2018, 2, 1, 0), ctx.rate(0.15)):
        chat.post(when, tx.filler_text(rng, ("en", "nl")[rng.randrange(2)]))
    outlet = {
        m.media.family: m for m in ctx.outlet_posts() if m.media and m.media.variant == "original"
    }
    back = chat.forward(outlet["card_return"], OUTLET_RETURN + timedelta(minutes=38))
    chat.forward(outlet["poster_berlin"], at(2018, 2, 13, 10, 52))
    text = tx.supporter_repost_caption(rng, CITY_BY_KEY["amsterdam"], "nl")
    chat.post(at(2018, 2, 15, 20, 5), text, ctx.bank.variant("poster_amsterdam", "requality", rng))
    burst = at(2018, 2, 16, 19, 2)
    for k in range(3):
        chat.post(burst + timedelta(minutes=2 * k), tx.supporter_text(rng, ("en", "ar", "nl")[k]))
    chat.post(at(2018, 2, 16, 21, 0), tx.supporter_text(rng, "en", with_link=True), reply_to=back)
    for when in daily_times(rng, at(2018, 2, 12, 12), WINDOW_END, ctx.rate(1.0)):
        chat.post(
            when,
            tx.supporter_text(
                rng, ("en", "nl", "ar")[rng.randrange(3)], with_link=rng.random() < 0.4
            ),
        )
    return chat


# --------------------------------------------------------------------------- account export chats


USERS = (
    Peer("Amber Finch", "user5550002001"),
    Peer("Jonas Veld", "user5550002002"),
    Peer("مستخدم تجريبي", "user5550002003"),
    Peer("Demo Analyst", "user5550001001"),
)


def build_discussion(ctx: Context) -> Chat:
    rng = ctx.rng("discussion")
    chat = Chat(
        "discussion",
        "Lantern Relay Discussion",
        "public_supergroup",
        1348120106,
        media_prefix="chats/chat_1/",
    )
    chat.service(
        at(2018, 1, 10, 18, 0), "invite_members", ("members", [USERS[3].name]), actor=USERS[0]
    )
    history: list[Msg] = []
    phases = ((at(2018, 1, 10, 19), OUTLET_RETURN, 0.4), (OUTLET_RETURN, WINDOW_END, 2.0))
    for start, end, rate in phases:
        for when in daily_times(rng, start, end, ctx.rate(rate)):
            reply = history[rng.randrange(len(history))] if history and rng.random() < 0.3 else None
            sender = USERS[rng.randrange(3)]
            history.append(chat.post(when, tx.chat_text(rng), sender=sender, reply_to=reply))
    for key, when in (
        ("poster_london_1", at(2018, 2, 9, 21, 14)),
        ("poster_new_york", at(2018, 2, 21, 19, 2)),
    ):
        chat.post(
            when,
            tx.normalize([tx.plain("saved this one [demo chat]")]),
            replace(ctx.bank.original(key), variant="copy"),
            sender=USERS[1],
        )
    return chat


def build_archive(ctx: Context) -> Chat:
    rng = ctx.rng("archive")
    chat = Chat(
        "archive", "Northwind Archive", "private_channel", 1348120107, media_prefix="chats/chat_2/"
    )
    chat.service(at(2017, 9, 3, 7, 0), "create_channel", ("title", chat.name))
    for original in ctx.outlet_posts():
        if original.media is not None and original.media.kind == "photo" and rng.random() < 0.6:
            chat.forward(original, original.when + jitter(rng, 30, 600))
    return chat


# --------------------------------------------------------------------------- finalize


def photo_stamp(moment: datetime) -> str:
    return local(moment).strftime("%d-%m-%Y_%H-%M-%S")


def unique_name(taken: dict[str, bytes], path: str) -> str:
    """Telegram-style de-duplication: ``name.ext``, ``name (1).ext``, ..."""
    stem, dot, ext = path.rpartition(".")
    candidate, n = path, 0
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{ext}"
    return candidate


def finalize(chat: Chat, rng: random.Random, *, thumbs: bool = False) -> None:
    """Sort by time, number messages (with deleted-message gaps), lay out media files."""
    chat.messages.sort(key=lambda m: m.when)
    next_id, photo_no = 1, 0
    for msg in chat.messages:
        if not isinstance(msg.id, str):
            msg.id = next_id
        next_id += 1 + (rng.randrange(1, 4) if rng.random() < 0.05 else 0)
        media = msg.media
        if media is None or media.path is not None:
            continue
        if media.kind == "photo":
            photo_no += 1
            media.path = f"{chat.media_prefix}photos/photo_{photo_no}@{photo_stamp(msg.when)}.jpg"
        else:
            media.path = unique_name(chat.files, f"{chat.media_prefix}files/{media.file_name}")
        if media.write and media.data is not None:
            chat.files[media.path] = media.disk_data if media.disk_data is not None else media.data
        if thumbs and media.kind == "photo" and media.data is not None:
            thumb = draw.thumbnail(draw.decode(media.data))
            media.thumb, media.thumb_size = draw.encode_jpeg(thumb, 70), thumb.size
            chat.files[media.path.removesuffix(".jpg") + "_thumb.jpg"] = media.thumb


# --------------------------------------------------------------------------- JSON writer


def text_json(text: Text) -> tuple[str | list[Any], list[dict[str, str]]]:
    """tdesktop's ``text`` (string or mixed list) and ``text_entities`` (always a list)."""

    def obj(part: Part) -> dict[str, str]:
        out = {"type": part.kind, "text": part.text}
        if part.href is not None:
            out["href"] = part.href
        return out

    entities = [obj(part) for part in text]
    if not text:
        return "", entities
    if len(text) == 1 and text[0].kind == "plain":
        return text[0].text, entities
    return [part.text if part.kind == "plain" else obj(part) for part in text], entities


def _ref(value: Any) -> Any:
    if isinstance(value, Msg):
        return value.id
    return value


def _media_json(media: Media) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if media.kind == "photo":
        out["photo"] = media.path
        if media.declared_size is not None:
            out["photo_file_size"] = media.declared_size
        if media.width and media.height:
            out["width"], out["height"] = media.width, media.height
        return out
    out["file"] = media.path
    out["file_name"] = media.file_name
    if media.declared_size is not None:
        out["file_size"] = media.declared_size
    for key, value in (
        ("media_type", media.media_type),
        ("mime_type", media.mime_type),
        ("duration_seconds", media.duration),
    ):
        if value is not None:
            out[key] = value
    if media.width and media.height:
        out["width"], out["height"] = media.width, media.height
    return out


def message_json(msg: Msg) -> dict[str, Any]:
    out: dict[str, Any] = {"id": msg.id, "type": "service" if msg.action else "message"}
    out["date"] = local(msg.when).isoformat()
    out["date_unixtime"] = str(int(msg.when.timestamp()))
    if msg.edited is not None:
        out["edited"] = local(msg.edited).isoformat()
        out["edited_unixtime"] = str(int(msg.edited.timestamp()))
    if msg.action:
        out["actor"], out["actor_id"], out["action"] = (
            msg.sender.name,
            msg.sender.peer_id,
            msg.action,
        )
        out.update((key, _ref(value)) for key, value in msg.action_fields)
    else:
        out["from"], out["from_id"] = msg.sender.name, msg.sender.peer_id
        if msg.forwarded_from:
            out["forwarded_from"] = msg.forwarded_from
        if msg.reply_to is not None:
            out["reply_to_message_id"] = msg.reply_to.id
    if msg.media is not None:
        out.update(_media_json(msg.media))
    out["text"], out["text_entities"] = text_json(msg.text)
    return out


def chat_json(chat: Chat) -> dict[str, Any]:
    return {
        "name": chat.name,
        "type": chat.chat_type,
        "id": chat.bare_id,
        "messages": [message_json(m) for m in chat.messages],
    }


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")


# --------------------------------------------------------------------------- HTML writer

INDENT = "     "


def html_text(text: Text) -> str:
    out = []
    for part in text:
        body = html.escape(part.text).replace("\n", "<br>")
        if part.kind == "plain":
            out.append(body)
        elif part.kind == "bold":
            out.append(f"<strong>{body}</strong>")
        elif part.kind == "italic":
            out.append(f"<em>{body}</em>")
        elif part.kind == "hashtag":
            arg = html.escape(json.dumps(part.text[1:], ensure_ascii=False))
            out.append(f'<a href="" onclick="return ShowHashtag({arg})">{body}</a>')
        elif part.kind == "mention":
            out.append(f'<a href="https://t.me/{html.escape(part.text[1:])}">{body}</a>')
        else:
            href = part.href or (part.text if "://" in part.text else f"http://{part.text}")
            out.append(f'<a href="{html.escape(href)}">{body}</a>')
    return "".join(out)


def html_title(moment: datetime) -> str:
    return f"{local(moment).strftime('%d.%m.%Y %H:%M:%S')} {offset_label(moment)}"


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


def _photo_html(media: Media, pad: str) -> str:
    path = html.escape(media.path or "")
    thumb = html.escape((media.path or "").removesuffix(".jpg") + "_thumb.jpg")
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


def message_html(msg: Msg, joined: bool, page_of: dict[int, str], page: str) -> str:
    if msg.action:
        label = {"create_channel": f"Channel «{msg.sender.name}» created"}.get(
            msg.action, msg.action
        )
        body = _div("body details", html.escape(label), f"{INDENT} ")
        head = f'{INDENT}<div class="message service" id="message{msg.id}">\n\n'
        return f"{head}{body}{INDENT}</div>\n\n"
    pad = f"{INDENT}  "
    cls = "message default clearfix" + (" joined" if joined else "")
    out = f'{INDENT}<div class="{cls}" id="message{msg.id}">\n\n'
    out += "" if joined else _userpic(msg.sender.name, f"{INDENT} ")
    out += f'{INDENT} <div class="body">\n\n'
    out += f'{pad}<div class="pull_right date details" title="{html_title(msg.when)}">\n'
    out += f"{local(msg.when).strftime('%H:%M')}\n{pad}</div>\n\n"
    if not joined:
        out += _div("from_name", html.escape(msg.sender.name), pad)
    if msg.reply_to is not None:
        target = msg.reply_to.id
        where = "" if page_of.get(target) == page else page_of.get(target, "")
        out += _div(
            "reply_to details",
            f'In reply to <a href="{where}#go_to_message{target}" '
            f'onclick="return GoToMessage({target})">this message</a>',
            pad,
        )
    if msg.forward_of is not None:
        src = msg.forward_of
        stamp = local(src.when).strftime("%d.%m.%Y %H:%M:%S")
        span = f'<span class="date details" title="{html_title(src.when)}"> {stamp}</span>'
        head = f"{html.escape(src.sender.name)}{span}"
        out += _userpic(src.sender.name, pad, "forwarded ")
        inner = _div("from_name", head, pad + " ") + _content_html(msg, pad + " ")
        out += f'{pad}<div class="forwarded body">\n\n{inner}{pad}</div>\n\n'
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


def html_page(
    chat: Chat,
    msgs: list[Msg],
    page_of: dict[int, str],
    page: str,
    prev_page: str | None,
    next_page: str | None,
    sep_start: int,
) -> tuple[str, int]:
    body, prev, sep = "", None, sep_start
    if prev_page:
        body += _pagination(prev_page, "Previous messages")
    for msg in msgs:
        day = local(msg.when).date()
        if prev is None or local(prev.when).date() != day:
            label = f"{day.day} {day.strftime('%B %Y')}"
            body += (
                f'{INDENT}<div class="message service" id="message-{sep}">\n\n'
                + _div("body details", label, f"{INDENT} ")
                + f"{INDENT}</div>\n\n"
            )
            sep += 1
        body += message_html(msg, _is_joined(prev, msg), page_of, page)
        prev = msg
    if next_page:
        body += _pagination(next_page, "Next messages")
    doc = (
        '<!DOCTYPE html>\n<html>\n\n <head>\n\n  <meta charset="utf-8"/>\n'
        "<title>Exported Data</title>\n"
        '  <meta content="width=device-width, initial-scale=1.0" name="viewport"/>\n\n'
        '  <link href="css/style.css" rel="stylesheet"/>\n\n'
        '  <script src="js/script.js" type="text/javascript">\n\n  </script>\n\n </head>\n\n'
        ' <body onload="CheckLocation();">\n\n  <div class="page_wrap">\n\n'
        '   <div class="page_header">\n\n    <div class="content">\n\n'
        f'     <div class="text bold">\n{html.escape(chat.name)}\n     </div>\n\n'
        "    </div>\n\n   </div>\n\n"
        '   <div class="page_body chat_page">\n\n    <div class="history">\n\n'
        f"{body}    </div>\n\n   </div>\n\n  </div>\n\n </body>\n\n</html>\n"
    )
    return doc, sep


def html_export(chat: Chat, split: int) -> dict[str, bytes]:
    pages = [("messages.html", chat.messages[:split]), ("messages2.html", chat.messages[split:])]
    page_of = {m.id: name for name, msgs in pages for m in msgs if isinstance(m.id, int)}
    out, sep = {}, 1
    for index, (name, msgs) in enumerate(pages):
        prev_page = pages[index - 1][0] if index > 0 else None
        next_page = pages[index + 1][0] if index + 1 < len(pages) else None
        doc, sep = html_page(chat, msgs, page_of, name, prev_page, next_page, sep)
        out[name] = doc.encode("utf-8")
    return out


# --------------------------------------------------------------------------- account export


def account_json(chats: list[Chat]) -> dict[str, Any]:
    return {
        "about": "Here is the data you requested. This is a synthetic export generated for the "
        "watchfloor demo; every account, channel and message in it is fictional.",
        "personal_information": {
            "user_id": 5550001001,
            "first_name": "Demo",
            "last_name": "Analyst",
            "phone_number": "+1 555 010 0000",
            "username": "@demo_analyst",
            "bio": "Synthetic research account (watchfloor demo).",
        },
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [chat_json(chat) for chat in chats],
        },
    }


# --------------------------------------------------------------------------- writing + manifest


def safe_write(out_dir: Path, rel: str, data: bytes) -> Path:
    """Write ``data`` at ``out_dir/rel``; refuse anything that would land outside out_dir."""
    root = out_dir.resolve()
    target = (root / rel).resolve()
    if not target.is_relative_to(root) or target == root:
        raise ValueError(f"refusing to write outside {root}: {rel!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def write_export(out_dir: Path, slug: str, main: dict[str, bytes], chats: list[Chat]) -> Path:
    root = out_dir / slug
    if root.exists():
        shutil.rmtree(root)
    for chat in chats:
        for rel, data in sorted(chat.files.items()):
            safe_write(out_dir, f"{slug}/{rel}", data)
    for name, data in main.items():
        safe_write(out_dir, f"{slug}/{name}", data)
    return root


def _count(chat: Chat) -> dict[str, Any]:
    msgs = [m for m in chat.messages if m.action is None]
    return {
        "name": chat.name,
        "type": chat.chat_type,
        "id": chat.bare_id,
        "messages": len(chat.messages),
        "photos": sum(1 for m in msgs if m.media is not None and m.media.kind == "photo"),
        "forwards": sum(1 for m in msgs if m.forwarded_from),
    }


def disk_state(media: Media) -> str:
    if not media.write or media.data is None:
        return "absent"
    return "truncated" if media.disk_data is not None else "complete"


def manifest(ctx: Context, exports: dict[str, list[Chat]], fmt: dict[str, str]) -> dict[str, Any]:
    families: dict[str, list[dict[str, Any]]] = {}
    for slug, chats in exports.items():
        for chat in chats:
            for msg in chat.messages:
                if msg.media is not None and msg.media.family:
                    entry = {
                        "export": slug,
                        "chat": chat.name,
                        "message_id": msg.id,
                        "path": msg.media.path,
                        "variant": msg.media.variant,
                        "on_disk": disk_state(msg.media),
                    }
                    families.setdefault(msg.media.family, []).append(entry)
    bad = [
        {
            "kind": b["kind"],
            "export": b["export"],
            "message_id": b["msg"].id,
            "reference": b["msg"].media.path if b["msg"].media else None,
        }
        for b in ctx.bad_inputs
    ]
    return {
        "generator": "watchfloor.demo.generate_corpus",
        "seed": ctx.seed,
        "scale": ctx.scale,
        "synthetic": True,
        "timezone_note": "date is exporter-local (UTC+02:00 until 2017-10-29, then UTC+01:00)",
        "window": [WINDOW_START.isoformat(), WINDOW_END.isoformat()],
        "scenario": {
            "outlet": tx.OUTLET_NAME,
            "outlet_last_post_before_gap": OUTLET_LAST_BEFORE_GAP.isoformat(),
            "outlet_reactivation": OUTLET_RETURN.isoformat(),
            "gap_days": (OUTLET_RETURN - OUTLET_LAST_BEFORE_GAP).days,
            "surge_from": {s.slug: s.surge_from.isoformat() for s in SUPPORTERS},
            "target_cities": [c.key for c in tx.CITIES],
            "reporting_channel": "harbour_desk_news",
        },
        "exports": {
            slug: {"format": fmt[slug], "chats": [_count(c) for c in chats]}
            for slug, chats in exports.items()
        },
        "image_families": dict(sorted(families.items())),
        "bad_inputs": bad,
    }


def build_all(ctx: Context) -> dict[str, list[Chat]]:
    outlet = build_outlet(ctx)
    supporters = {spec.slug: build_supporter(ctx, spec) for spec in SUPPORTERS}
    rename_cinder(supporters["cinder_mirror"])
    inject_bad_inputs(ctx, supporters)
    exports: dict[str, list[Chat]] = {outlet.slug: [outlet]}
    exports.update((slug, [chat]) for slug, chat in supporters.items())
    news = build_news(ctx)
    exports[news.slug] = [news]
    exports["account_export"] = [build_discussion(ctx), build_archive(ctx)]
    exports["html_channel"] = [build_html_channel(ctx)]
    for slug, chats in exports.items():
        for chat in chats:
            finalize(chat, ctx.rng(f"ids/{chat.slug}"), thumbs=slug == "html_channel")
    return exports


def generate_corpus(out_dir: Path, *, seed: int = 2018, scale: float = 1.0) -> list[Path]:
    """Write the synthetic demo corpus under ``out_dir``; return one path per export folder.

    Deterministic: the same seed and scale give byte-identical files (on the same
    Pillow/font installation). ``scale`` multiplies the background posting rates;
    the scenario's key posts, image families and bad inputs are always present.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(seed=seed, scale=scale, bank=ImageBank(seed))
    exports = build_all(ctx)
    fmt = {slug: "json" for slug in exports} | {
        "account_export": "json-account",
        "html_channel": "html",
    }
    paths = []
    for slug, chats in exports.items():
        if slug == "html_channel":
            chat = chats[0]
            main = html_export(chat, split=max(2, len(chat.messages) * 2 // 3))
        elif slug == "account_export":
            main = {"result.json": dumps(account_json(chats))}
        else:
            main = {"result.json": dumps(chat_json(chats[0]))}
        paths.append(write_export(out_dir, slug, main, chats))
    safe_write(out_dir, MANIFEST_NAME, dumps(manifest(ctx, exports, fmt)) + b"\n")
    return paths
