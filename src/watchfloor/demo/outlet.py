"""The outlet's channel: statements, landmark posters, a four-month silence, a return."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from watchfloor.demo import texts
from watchfloor.demo.clock import at
from watchfloor.demo.images import POSTER_BY_KEY
from watchfloor.demo.model import Chat, Media, Msg
from watchfloor.demo.pdf import tiny_pdf
from watchfloor.demo.randomness import daily_times, pick
from watchfloor.demo.scenario import (
    OUTLET_CREATED,
    OUTLET_LAST_BEFORE_GAP,
    OUTLET_RETURN,
    PLACEHOLDER,
    WINDOW_END,
    WINDOW_START,
    Context,
    maybe_edit,
)
from watchfloor.demo.texts import Text

NOTE_LANGS = ("ar", "en", "ar", "fr", "de", "nl")  # Arabic twice as often


def _publish(ctx: Context, chat: Chat, key: str, when: datetime, text: Text) -> Msg:
    """Post an original image; the first post of it is when supporters can repost it."""
    ctx.publish(key, when)
    return chat.post(when, text, ctx.bank.original(key))


def _publish_poster(ctx: Context, chat: Chat, rng: random.Random, key: str, when: datetime) -> Msg:
    spec = POSTER_BY_KEY[key]
    caption = texts.poster_caption(rng, texts.CITY_BY_KEY[spec.city], spec.langs)
    return _publish(ctx, chat, key, when, caption)


def _tagged(statement: str, tag: str) -> Text:
    return texts.normalize([texts.plain(statement), texts.hashtag(tag)])


def _bulletin_pdf() -> Media:
    lines = ["NORTHWIND MEDIA OFFICE - BULLETIN 01", "[stand-in document for a demo]"]
    return Media(
        "file", tiny_pdf(lines), file_name="northwind_bulletin_01.pdf", mime_type="application/pdf"
    )


def _skipped_video() -> Media:
    """A video the exporter was told not to download: only its metadata is exported."""
    return Media(
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


def _outlet_before_gap(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """Sept-Oct 2017: cards, two landmark posters, a PDF, a skipped video, then silence."""
    statement = texts.outlet_statement(rng, 1, "ar")
    first = _publish(ctx, chat, "card_1", at(2017, 9, 2, 9, 15), statement)
    london = _publish_poster(ctx, chat, rng, "poster_london_1", at(2017, 9, 6, 17, 40))
    more = _tagged("[stand-in statement] More posters follow. ", "#NorthwindDemo")
    chat.post(at(2017, 9, 6, 18, 55), more, reply_to=london, edited=at(2017, 9, 6, 19, 20))
    chat.service(at(2017, 9, 10, 8, 0), "pin_message", ("message_id", first))
    _publish_poster(ctx, chat, rng, "poster_paris_1", at(2017, 9, 14, 16, 5))
    caption = _tagged("[stand-in statement] Bulletin 01 (PDF) ", "#حملة_تجريبية")
    chat.post(at(2017, 9, 20, 11, 0), caption, _bulletin_pdf())
    statement = texts.outlet_statement(rng, 2, "en")
    _publish(ctx, chat, "card_2", at(2017, 9, 25, 10, 30), statement)
    caption = _tagged("[stand-in statement] Video release 02 ", "#NorthwindDemo")
    chat.post(at(2017, 10, 2, 15, 45), caption, _skipped_video())
    _publish(ctx, chat, "card_3", at(2017, 10, 8, 12, 0), texts.outlet_statement(rng, 3, "ar"))
    chat.post(OUTLET_LAST_BEFORE_GAP, texts.outlet_statement(rng, 4, "en"))


def _outlet_after_gap(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """Feb 2018: the return card, a poster wave naming five more cities, an old poster again."""
    back = _publish(ctx, chat, "card_return", OUTLET_RETURN, texts.return_statement())
    _publish_poster(ctx, chat, rng, "poster_berlin", at(2018, 2, 13, 10, 10))
    _publish_poster(ctx, chat, rng, "poster_amsterdam", at(2018, 2, 15, 9, 40))
    _publish_poster(ctx, chat, rng, "poster_brussels", at(2018, 2, 17, 13, 20))
    caption = texts.poster_caption(rng, texts.CITY_BY_KEY["london"], ("ar",))
    chat.post(at(2018, 2, 19, 8, 5), caption, ctx.bank.byte_copy("poster_london_1"))
    _publish_poster(ctx, chat, rng, "poster_new_york", at(2018, 2, 21, 18, 30))
    _publish_poster(ctx, chat, rng, "poster_london_2", at(2018, 2, 24, 11, 45))
    chat.service(at(2018, 2, 26, 7, 50), "pin_message", ("message_id", back))


def _post_routine_notes(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """Numbered notes at a steady rate around the key posts, none during the gap."""
    number = 0
    phases = (
        (WINDOW_START, OUTLET_LAST_BEFORE_GAP, 0.6),
        (OUTLET_RETURN + timedelta(hours=2), WINDOW_END, 1.2),
    )
    for start, end, rate in phases:
        for when in daily_times(rng, start, end, ctx.rate(rate)):
            number += 1
            lang = pick(rng, NOTE_LANGS)
            maybe_edit(rng, chat.post(when, texts.outlet_statement(rng, number, lang, note=True)))


def build_outlet(ctx: Context) -> Chat:
    rng = ctx.rng("outlet")
    chat = Chat(
        "northwind_media_office",
        texts.OUTLET_NAME,
        "public_channel",
        1348120101,
        texts.OUTLET_USERNAME,
    )
    chat.announce_creation(OUTLET_CREATED)
    _outlet_before_gap(ctx, chat, rng)
    _outlet_after_gap(ctx, chat, rng)
    _post_routine_notes(ctx, chat, rng)
    ctx.outlet = chat
    return chat
