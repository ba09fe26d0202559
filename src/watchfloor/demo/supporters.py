"""Supporter channels: they forward the outlet, repost its images as near-duplicates,
and surge after its return."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchfloor.demo import texts
from watchfloor.demo.clock import at
from watchfloor.demo.images import filler_photo
from watchfloor.demo.model import Chat, Media, Msg
from watchfloor.demo.randomness import daily_times, jitter, pick
from watchfloor.demo.scenario import OUTLET_RETURN, WINDOW_END, Context, maybe_edit
from watchfloor.demo.texts import Text
from watchfloor.demo.variants import make_variant


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


def _repost(ctx: Context, spec: SupporterSpec, rng: random.Random, key: str) -> tuple[Text, Media]:
    media = make_variant(ctx.bank, key, pick(rng, spec.variants), rng, f"@{spec.username}")
    lang = pick(rng, spec.langs)
    city = ctx.bank.assets[key].city
    if city:
        return texts.supporter_repost_caption(rng, texts.CITY_BY_KEY[city], lang), media
    return texts.supporter_text(rng, lang), media


def _repost_pool(ctx: Context, when: datetime, surge: bool) -> list[str]:
    """Published posters and cards; during the surge, the return wave weighs triple."""
    pool = ctx.available(when, "poster_") + ctx.available(when, "card_")
    if surge:
        recent = [k for k in pool if ctx.published[k] >= OUTLET_RETURN - timedelta(days=1)]
        pool = recent * 3 + pool if recent else pool
    return pool


def _supporter_post(
    ctx: Context, spec: SupporterSpec, rng: random.Random, when: datetime, surge: bool
) -> tuple[Text, Media | None]:
    lang = pick(rng, spec.langs)
    roll = rng.random()
    pool = _repost_pool(ctx, when, surge)
    repost, talk = (0.3, 0.4) if surge else (0.2, 0.3)
    if roll < repost and pool:
        return _repost(ctx, spec, rng, pick(rng, pool))
    if roll < repost + talk:
        return texts.supporter_text(rng, lang, with_link=rng.random() < 0.5), None
    if roll < 0.95:
        return texts.filler_text(rng, lang), None
    return texts.filler_text(rng, lang), filler_photo(rng)


def _forward_outlet(ctx: Context, spec: SupporterSpec, chat: Chat, rng: random.Random) -> None:
    """Forward some outlet posts, more of them and faster once the outlet is back."""
    for original in ctx.outlet_posts():
        if original.when < spec.created or original.when >= WINDOW_END:
            continue
        returned = original.when >= OUTLET_RETURN
        if rng.random() < min(0.95, spec.forward_prob * (1.4 if returned else 1.0)):
            lag = jitter(rng, 4, 180 if returned else 2 * 24 * 60)
            chat.forward(original, min(original.when + lag, WINDOW_END - timedelta(minutes=5)))


def _post_own(ctx: Context, spec: SupporterSpec, chat: Chat, rng: random.Random) -> None:
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


def build_supporter(ctx: Context, spec: SupporterSpec) -> Chat:
    rng = ctx.rng(spec.slug)
    chat = Chat(spec.slug, spec.name, "public_channel", spec.bare_id, spec.username)
    chat.announce_creation(spec.created)
    _forward_outlet(ctx, spec, chat, rng)
    _post_own(ctx, spec, chat, rng)
    return chat


def rename_cinder(chat: Chat) -> None:
    """The channel started as "Cinder Notes" and was renamed (exports show the new name)."""
    chat.messages[0].action_fields = (("title", "Cinder Notes"),)
    chat.service(at(2018, 1, 15, 20, 0), "edit_group_title", ("title", chat.name))
