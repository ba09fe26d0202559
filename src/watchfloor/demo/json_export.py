"""Telegram Desktop's JSON export format: single-chat and full-account ``result.json``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from watchfloor.demo.clock import local, unix_seconds
from watchfloor.demo.model import Chat, Media, Msg
from watchfloor.demo.texts import Part, Text

ACCOUNT_OWNER_INFO = {
    "user_id": 5550001001,
    "first_name": "Demo",
    "last_name": "Analyst",
    "phone_number": "+1 555 010 0000",
    "username": "@demo_analyst",
    "bio": "Synthetic research account (watchfloor demo).",
}


def _entity_json(part: Part) -> dict[str, str]:
    out = {"type": part.kind, "text": part.text}
    if part.href is not None:
        out["href"] = part.href
    return out


def text_json(text: Text) -> tuple[str | list[Any], list[dict[str, str]]]:
    """tdesktop's ``text`` (string or mixed list) and ``text_entities`` (always a list)."""
    entities = [_entity_json(part) for part in text]
    if not text:
        return "", entities
    if len(text) == 1 and text[0].kind == "plain":
        return text[0].text, entities
    return [part.text if part.kind == "plain" else _entity_json(part) for part in text], entities


def _media_json(media: Media) -> dict[str, Any]:
    if media.kind == "photo":
        out: dict[str, Any] = {"photo": media.path}
        optional = {"photo_file_size": media.declared_size}
    else:
        out = {"file": media.path, "file_name": media.file_name}
        optional = {
            "file_size": media.declared_size,
            "media_type": media.media_type,
            "mime_type": media.mime_type,
            "duration_seconds": media.duration,
        }
    out.update((key, value) for key, value in optional.items() if value is not None)
    if media.width and media.height:
        out["width"], out["height"] = media.width, media.height
    return out


def _stamp_json(prefix: str, moment: datetime) -> dict[str, str]:
    """Local time (``date``) and the exact moment (``date_unixtime``), as tdesktop writes them."""
    return {prefix: local(moment).isoformat(), f"{prefix}_unixtime": unix_seconds(moment)}


def _service_json(msg: Msg) -> dict[str, Any]:
    out: dict[str, Any] = {
        "actor": msg.sender.name,
        "actor_id": msg.sender.peer_id,
        "action": msg.action,
    }
    for key, value in msg.action_fields:
        out[key] = value.id if isinstance(value, Msg) else value
    return out


def _sender_json(msg: Msg) -> dict[str, Any]:
    out: dict[str, Any] = {"from": msg.sender.name, "from_id": msg.sender.peer_id}
    if msg.forwarded_from:
        out["forwarded_from"] = msg.forwarded_from
    if msg.reply_to is not None:
        out["reply_to_message_id"] = msg.reply_to.id
    return out


def message_json(msg: Msg) -> dict[str, Any]:
    out: dict[str, Any] = {"id": msg.id, "type": "service" if msg.action else "message"}
    out.update(_stamp_json("date", msg.when))
    if msg.edited is not None:
        out.update(_stamp_json("edited", msg.edited))
    out.update(_service_json(msg) if msg.action else _sender_json(msg))
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


def account_json(chats: list[Chat]) -> dict[str, Any]:
    return {
        "about": "Here is the data you requested. This is a synthetic export generated for the "
        "watchfloor demo; every account, channel and message in it is fictional.",
        "personal_information": dict(ACCOUNT_OWNER_INFO),
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [chat_json(chat) for chat in chats],
        },
    }


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")
