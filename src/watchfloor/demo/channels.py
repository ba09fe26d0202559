"""Two more public channels: a news desk reporting on the campaign, and a small
reposter exported as HTML."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from watchfloor.demo import texts
from watchfloor.demo.clock import at
from watchfloor.demo.images import filler_photo
from watchfloor.demo.model import Chat, Media, Msg
from watchfloor.demo.randomness import daily_times, pick
from watchfloor.demo.scenario import (
    OUTLET_RETURN,
    PLACEHOLDER,
    WINDOW_END,
    WINDOW_START,
    Context,
    maybe_edit,
)
from watchfloor.demo.variants import make_variant

# (when, language, city named, image key) of the news desk's reports on the campaign
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
NEWS_UPDATE = texts.normalize(
    [
        texts.bold("Update: "),
        texts.plain(
            "the channel has posted six new posters "
            "since its return, monitoring groups say. [demo report]"
        ),
    ]
)


def _post_key_reports(ctx: Context, chat: Chat, rng: random.Random) -> Msg | None:
    """Post the scheduled reports; return the first one after the outlet's return."""
    first_report: Msg | None = None
    for when, lang, city, image in NEWS_KEY_REPORTS:
        text = texts.news_report(rng, lang, texts.CITY_BY_KEY[city] if city else None)
        msg = chat.post(when, text, ctx.bank.original(image) if image else None)
        first_report = first_report or (msg if when >= OUTLET_RETURN else None)
    return first_report


def build_news(ctx: Context) -> Chat:
    rng = ctx.rng("news")
    chat = Chat(
        "harbour_desk_news", "Harbour Desk News", "public_channel", 1348120110, "harbour_desk_demo"
    )
    for when in daily_times(rng, WINDOW_START, WINDOW_END, ctx.rate(0.5)):
        media = filler_photo(rng, "harbour") if rng.random() < 0.2 else None
        maybe_edit(rng, chat.post(when, texts.news_filler(rng), media), 0.1)
    first_report = _post_key_reports(ctx, chat, rng)
    for when in daily_times(rng, OUTLET_RETURN + timedelta(hours=4), WINDOW_END, ctx.rate(0.9)):
        report = texts.news_report(rng, pick(rng, texts.LANGS))
        maybe_edit(rng, chat.post(when, report), 0.15)
    chat.post(at(2018, 2, 27, 8, 0), NEWS_UPDATE, reply_to=first_report)
    skipped = Media("photo", path=PLACEHOLDER, width=1280, height=853)
    chat.post(at(2017, 11, 3, 9, 0), texts.news_filler(rng), skipped)
    return chat


def build_html_channel(ctx: Context) -> Chat:
    rng = ctx.rng("html")
    chat = Chat("html_channel", "Ember Post", "public_channel", 1348120105, "ember_post_demo")
    chat.announce_creation(at(2017, 12, 1, 18, 0))
    for when in daily_times(rng, at(2017, 12, 2, 0), at(2018, 2, 1, 0), ctx.rate(0.15)):
        chat.post(when, texts.filler_text(rng, pick(rng, ("en", "nl"))))
    outlet = {
        m.media.family: m for m in ctx.outlet_posts() if m.media and m.media.variant == "original"
    }
    back = chat.forward(outlet["card_return"], OUTLET_RETURN + timedelta(minutes=38))
    chat.forward(outlet["poster_berlin"], at(2018, 2, 13, 10, 52))
    text = texts.supporter_repost_caption(rng, texts.CITY_BY_KEY["amsterdam"], "nl")
    repost = make_variant(ctx.bank, "poster_amsterdam", "requality", rng)
    chat.post(at(2018, 2, 15, 20, 5), text, repost)
    burst = at(2018, 2, 16, 19, 2)
    for k, lang in enumerate(("en", "ar", "nl")):
        chat.post(burst + timedelta(minutes=2 * k), texts.supporter_text(rng, lang))
    reply = texts.supporter_text(rng, "en", with_link=True)
    chat.post(at(2018, 2, 16, 21, 0), reply, reply_to=back)
    for when in daily_times(rng, at(2018, 2, 12, 12), WINDOW_END, ctx.rate(1.0)):
        lang = pick(rng, ("en", "nl", "ar"))
        chat.post(when, texts.supporter_text(rng, lang, with_link=rng.random() < 0.4))
    return chat
