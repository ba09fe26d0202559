"""``demo_manifest.json``: the corpus's ground truth for tests and for the demo's checks."""

from __future__ import annotations

from typing import Any

from watchfloor.demo import texts
from watchfloor.demo.model import Chat, Media
from watchfloor.demo.scenario import (
    OUTLET_LAST_BEFORE_GAP,
    OUTLET_RETURN,
    WINDOW_END,
    WINDOW_START,
    Context,
)
from watchfloor.demo.supporters import SUPPORTERS

MANIFEST_NAME = "demo_manifest.json"
Exports = dict[str, list[Chat]]


def disk_state(media: Media) -> str:
    if not media.write or media.data is None:
        return "absent"
    return "truncated" if media.disk_data is not None else "complete"


def _chat_summary(chat: Chat) -> dict[str, Any]:
    posts = [m for m in chat.messages if m.action is None]
    return {
        "name": chat.name,
        "type": chat.chat_type,
        "id": chat.bare_id,
        "messages": len(chat.messages),
        "photos": sum(1 for m in posts if m.media is not None and m.media.kind == "photo"),
        "forwards": sum(1 for m in posts if m.forwarded_from),
    }


def _image_families(exports: Exports) -> dict[str, list[dict[str, Any]]]:
    """Every appearance of each original image, by family, in export order."""
    families: dict[str, list[dict[str, Any]]] = {}
    for slug, chats in exports.items():
        for chat in chats:
            for msg in chat.messages:
                if msg.media is None or not msg.media.family:
                    continue
                entry = {
                    "export": slug,
                    "chat": chat.name,
                    "message_id": msg.id,
                    "path": msg.media.path,
                    "variant": msg.media.variant,
                    "on_disk": disk_state(msg.media),
                }
                families.setdefault(msg.media.family, []).append(entry)
    return dict(sorted(families.items()))


def _bad_inputs(ctx: Context) -> list[dict[str, Any]]:
    return [
        {
            "kind": bad.kind,
            "export": bad.export,
            "message_id": bad.msg.id,
            "reference": bad.msg.media.path if bad.msg.media else None,
        }
        for bad in ctx.bad_inputs
    ]


def _scenario() -> dict[str, Any]:
    return {
        "outlet": texts.OUTLET_NAME,
        "outlet_last_post_before_gap": OUTLET_LAST_BEFORE_GAP.isoformat(),
        "outlet_reactivation": OUTLET_RETURN.isoformat(),
        "gap_days": (OUTLET_RETURN - OUTLET_LAST_BEFORE_GAP).days,
        "surge_from": {s.slug: s.surge_from.isoformat() for s in SUPPORTERS},
        "target_cities": [c.key for c in texts.CITIES],
        "reporting_channel": "harbour_desk_news",
    }


def manifest(ctx: Context, exports: Exports, formats: dict[str, str]) -> dict[str, Any]:
    return {
        "generator": "watchfloor.demo.generate_corpus",
        "seed": ctx.seed,
        "scale": ctx.scale,
        "synthetic": True,
        "timezone_note": "date is exporter-local (UTC+02:00 until 2017-10-29, then UTC+01:00)",
        "window": [WINDOW_START.isoformat(), WINDOW_END.isoformat()],
        "scenario": _scenario(),
        "exports": {
            slug: {"format": formats[slug], "chats": [_chat_summary(c) for c in chats]}
            for slug, chats in exports.items()
        },
        "image_families": _image_families(exports),
        "bad_inputs": _bad_inputs(ctx),
    }
