"""Deliberately broken inputs, one of each kind, at fixed and documented places.

The ingest pipeline must survive them; the manifest lists them as ground truth.
"""

from __future__ import annotations

import random

from watchfloor.demo import raster, texts
from watchfloor.demo.clock import at
from watchfloor.demo.model import Chat, Media, Msg
from watchfloor.demo.scenario import BadInput, Context
from watchfloor.demo.variants import make_variant


def _record(ctx: Context, kind: str, chat: Chat, msg: Msg) -> None:
    ctx.bad_inputs.append(BadInput(kind, chat.slug, msg))


def _truncated_jpeg(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """A photo whose file on disk is cut off mid-download."""
    media = make_variant(ctx.bank, "poster_berlin", "requality", rng)
    media.disk_data = raster.truncated(media.data or b"", 0.4)
    msg = chat.post(at(2018, 2, 20, 14, 5), texts.supporter_text(rng, "ar"), media)
    _record(ctx, "truncated_jpeg", chat, msg)


def _missing_file(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """A photo referenced by the export but absent from disk."""
    media = make_variant(ctx.bank, "poster_amsterdam", "crop", rng)
    media.write = False
    msg = chat.post(at(2018, 2, 18, 16, 40), texts.supporter_text(rng, "nl"), media)
    _record(ctx, "missing_file", chat, msg)


def _path_escape(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """A photo reference that points outside the export folder."""
    media = Media(
        "photo", None, path="../../etc/passwd", width=800, height=533, size=1337, write=False
    )
    msg = chat.post(at(2018, 2, 22, 11, 11), texts.supporter_text(rng, "en"), media)
    _record(ctx, "path_escape", chat, msg)


def _malformed_id(ctx: Context, chat: Chat, rng: random.Random) -> None:
    """A message whose id is not a number."""
    msg = chat.post(at(2018, 2, 23, 9, 30), texts.supporter_text(rng, "fr"))
    msg.id = "not-a-number"
    _record(ctx, "malformed_id", chat, msg)


def inject_bad_inputs(ctx: Context, supporters: dict[str, Chat]) -> None:
    rng = ctx.rng("bad-inputs")
    _truncated_jpeg(ctx, supporters["lantern_relay"], rng)
    _missing_file(ctx, supporters["northwind_echoes"], rng)
    _path_escape(ctx, supporters["cinder_mirror"], rng)
    _malformed_id(ctx, supporters["cinder_mirror"], rng)
