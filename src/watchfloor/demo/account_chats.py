"""The chats of the full-account export: a discussion group and a private archive channel."""

from __future__ import annotations

import random

from watchfloor.demo import texts
from watchfloor.demo.clock import at
from watchfloor.demo.model import Chat, Msg, Peer
from watchfloor.demo.randomness import daily_times, jitter, pick
from watchfloor.demo.scenario import OUTLET_RETURN, WINDOW_END, Context

MEMBERS = (
    Peer("Amber Finch", "user5550002001"),
    Peer("Jonas Veld", "user5550002002"),
    Peer("مستخدم تجريبي", "user5550002003"),
)
ACCOUNT_OWNER = Peer("Demo Analyst", "user5550001001")


def _chatter(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """Members talking, some replying to earlier messages; busier after the outlet returns."""
    history: list[Msg] = []
    phases = ((at(2018, 1, 10, 19), OUTLET_RETURN, 0.4), (OUTLET_RETURN, WINDOW_END, 2.0))
    for start, end, rate in phases:
        for when in daily_times(rng, start, end, ctx.rate(rate)):
            reply = pick(rng, history) if history and rng.random() < 0.3 else None
            sender = pick(rng, MEMBERS)
            history.append(chat.post(when, texts.chat_text(rng), sender=sender, reply_to=reply))


def build_discussion(ctx: Context) -> Chat:
    rng = ctx.rng("discussion")
    chat = Chat(
        "discussion",
        "Lantern Relay Discussion",
        "public_supergroup",
        1348120106,
        media_prefix="chats/chat_1/",
    )
    invited = ("members", [ACCOUNT_OWNER.name])
    chat.service(at(2018, 1, 10, 18, 0), "invite_members", invited, actor=MEMBERS[0])
    _chatter(ctx, chat, rng)
    saved = texts.normalize([texts.plain("saved this one [demo chat]")])
    for key, when in (
        ("poster_london_1", at(2018, 2, 9, 21, 14)),
        ("poster_new_york", at(2018, 2, 21, 19, 2)),
    ):
        chat.post(when, saved, ctx.bank.byte_copy(key), sender=MEMBERS[1])
    return chat


def build_archive(ctx: Context) -> Chat:
    rng = ctx.rng("archive")
    chat = Chat(
        "archive", "Northwind Archive", "private_channel", 1348120107, media_prefix="chats/chat_2/"
    )
    chat.announce_creation(at(2017, 9, 3, 7, 0))
    for original in ctx.outlet_posts():
        if original.media is not None and original.media.kind == "photo" and rng.random() < 0.6:
            chat.forward(original, original.when + jitter(rng, 30, 600))
    return chat
