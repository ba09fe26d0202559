"""One message of a Telegram Desktop JSON export (any format since 2018) to a Post."""

from __future__ import annotations

import hashlib
import reprlib
from typing import Any

import orjson

from watchfloor.records import Post, Rejected
from watchfloor.sources.base import TimeContext, from_unixtime
from watchfloor.sources.entities import extract_entities
from watchfloor.sources.telegram_export.media_refs import json_media_refs


def flatten_text(text: Any) -> tuple[str, list[dict]]:
    """`text` is a string, or a list of strings and entity objects once formatting is present."""
    if isinstance(text, str):
        return text, []
    if not isinstance(text, list):
        return "", []
    parts: list[str] = []
    marked: list[dict] = []
    for part in text:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            parts.append(str(part.get("text", "")))
            marked.append(part)
    return "".join(parts), marked


def _sender(msg: dict) -> tuple[str | None, str | None]:
    sender_id = msg.get("from_id", msg.get("actor_id"))
    name = msg.get("from", msg.get("actor"))
    return (None if sender_id is None else str(sender_id)), (
        name if isinstance(name, str) else None
    )


def _optional_int(value: Any) -> int | None:
    """An integer the store's 64-bit columns can hold, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def _post_dates(msg: dict, time: TimeContext) -> tuple[Any, Any, str | None]:
    assumed = None
    if "date_unixtime" in msg:
        date = from_unixtime(msg["date_unixtime"])
    else:
        date, assumed = time.from_local(msg["date"]), time.assumed_tz_name
    if "edited_unixtime" in msg:
        edited = from_unixtime(msg["edited_unixtime"])
    elif isinstance(msg.get("edited"), str):
        edited, assumed = time.from_local(msg["edited"]), time.assumed_tz_name
    else:
        edited = None
    return date, edited, assumed


def json_message_to_post(
    msg: Any, index: int, *, channel_key: str, source: str, time: TimeContext
) -> Post | Rejected:
    locator = f"message #{index}"
    try:
        raw = orjson.dumps(msg)
    except orjson.JSONEncodeError as exc:  # nested over 255 deep, or an integer over 64 bits
        reason = f"the message cannot be stored as JSON: {exc}"
        return Rejected(source, locator, "malformed_message", reason, reprlib.repr(msg))
    if not isinstance(msg, dict):
        return Rejected(
            source, locator, "malformed_message", "a message must be a JSON object", raw.decode()
        )
    message_id = msg.get("id")
    if _optional_int(message_id) is None:
        return Rejected(
            source,
            locator,
            "malformed_message",
            f"message id must be a 64-bit integer, got {reprlib.repr(message_id)}",
            raw.decode(),
        )
    locator = f"message {message_id}"
    if msg.get("type") == "unsupported":
        return Rejected(
            source,
            locator,
            "unsupported_message",
            "Telegram Desktop exported this message as 'unsupported': it has no content",
            raw.decode(),
        )
    if "date" not in msg and "date_unixtime" not in msg:
        return Rejected(source, locator, "malformed_message", "message has no date", raw.decode())
    try:
        date, edited, assumed = _post_dates(msg, time)
    except (TypeError, ValueError, OverflowError) as exc:
        return Rejected(source, locator, "bad_date", f"unreadable date: {exc}", raw.decode())
    text, marked = flatten_text(msg.get("text", ""))
    entities = msg.get("text_entities")
    sender_id, sender_name = _sender(msg)
    forwarded_id = msg.get("forwarded_from_id")
    return Post(
        channel_key=channel_key,
        message_id=message_id,
        date=date,
        edit_date=edited,
        date_assumed_tz=assumed,
        kind=str(msg.get("type") or "message"),
        text=text,
        raw=raw,
        raw_format="json",
        sender_id=sender_id,
        sender_name=sender_name,
        forwarded_from=msg.get("forwarded_from")
        if isinstance(msg.get("forwarded_from"), str)
        else None,
        forwarded_from_id=None if forwarded_id is None else str(forwarded_id),
        reply_to=_optional_int(msg.get("reply_to_message_id")),
        entities=extract_entities(text, entities if isinstance(entities, list) else marked),
        media=json_media_refs(msg),
    )


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
