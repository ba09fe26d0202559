"""Streaming readers for Telegram Desktop JSON exports: single-chat and full-account `result.json`.

Memory stays flat in the size of the export: messages are built one at a time by ijson's C backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from watchfloor.records import Channel
from watchfloor.sources.base import ChatStream, SourceError, TimeContext, file_identity
from watchfloor.sources.telegram_export.json_messages import json_message_to_post

ACCOUNT_KEYS = {
    "chats",
    "left_chats",
    "personal_information",
    "about",
    "contacts",
    "frequent_contacts",
}
CHAT_LISTS = ("chats.list.item", "left_chats.list.item")
_SCALARS = ("string", "number", "integer", "boolean", "null")
# What reading a JSON export may raise past its header: invalid or cut-off JSON, or bytes that are
# not UTF-8. The ingest step keeps what came before and quarantines the file.
MALFORMED_JSON_ERRORS = (ijson.JSONError, UnicodeDecodeError)


class ProgressReader:
    """A binary file that counts the bytes read from it, for progress bars."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.position += len(data)
        return data


def read_top_level(path: Path) -> dict[str, Any]:
    """Top-level scalars and container names, reading only as far as needed to tell the kind."""
    header: dict[str, Any] = {"_containers": set()}
    with open(path, "rb") as f:
        try:
            for prefix, event, value in ijson.parse(f, use_float=True):
                if prefix == "" and event not in ("start_map", "end_map", "map_key"):
                    raise SourceError("not_an_export", "the JSON root is not an object")
                if prefix == "" and event == "map_key":
                    header["_containers"].add(value)
                    if value == "chats" or (value == "messages" and "id" in header):
                        break
                elif prefix and "." not in prefix and event in _SCALARS:
                    header[prefix] = value
        except ijson.JSONError as exc:
            raise SourceError("malformed_json", f"not valid JSON: {exc}") from exc
    return header


def export_kind(header: dict[str, Any]) -> str:
    containers = header.get("_containers", set())
    if "messages" in containers:
        return "single_chat"
    if containers & ACCOUNT_KEYS:
        return "full_account"
    raise SourceError(
        "not_an_export", "JSON has neither 'messages' (single chat) nor 'chats' (full account)"
    )


def chat_channel(header: dict[str, Any], source: Path) -> Channel:
    chat_id = header.get("id")
    if chat_id is None:
        raise SourceError("malformed_export", f"{source.name}: chat has no 'id'")
    return Channel(
        platform="telegram",
        platform_id=str(chat_id),
        title=header.get("name") if isinstance(header.get("name"), str) else None,
        kind=header.get("type") if isinstance(header.get("type"), str) else None,
    )


def _stream(
    channel: Channel, source: Path, resume_key: str, items: Iterator[Any], time: TimeContext
) -> ChatStream:
    key, src = channel.key, str(source)

    def to_record(item: Any, index: int):
        return json_message_to_post(item, index, channel_key=key, source=src, time=time)

    return ChatStream(channel, source, source.parent, resume_key, items, to_record)


def single_chat(
    path: Path, header: dict[str, Any], reader: ProgressReader, time: TimeContext
) -> Iterator[ChatStream]:
    channel = chat_channel(header, path)
    items = ijson.items(reader, "messages.item", use_float=True)
    yield _stream(channel, path, f"{file_identity(path)}|{channel.key}", items, time)


def full_account(path: Path, reader: ProgressReader, time: TimeContext) -> Iterator[ChatStream]:
    """Every chat of `chats.list` and `left_chats.list`, in one pass over the event stream."""
    events = ijson.parse(reader, use_float=True)
    identity = file_identity(path)
    for prefix, event, _value in events:
        if prefix in CHAT_LISTS and event == "start_map":
            header = _chat_header(events, prefix)
            if header is None:
                continue
            channel = chat_channel(header, path)
            messages = _builder_items(events, f"{prefix}.messages.item")
            yield _stream(channel, path, f"{identity}|{channel.key}", messages, time)
            for _ in messages:  # whatever the consumer left unread
                pass


def _chat_header(events: Iterator, chat_prefix: str) -> dict[str, Any] | None:
    """Scalars of a chat object up to its 'messages' key (tdesktop writes name, type, id first)."""
    header: dict[str, Any] = {}
    for prefix, event, value in events:
        if prefix == chat_prefix and event == "map_key" and value == "messages":
            return header
        if prefix == chat_prefix and event == "end_map":
            return None  # a chat without messages
        depth_one = (
            prefix.startswith(chat_prefix + ".") and prefix.count(".") == chat_prefix.count(".") + 1
        )
        if depth_one and event in _SCALARS:
            header[prefix.rsplit(".", 1)[1]] = value
    return None


def _builder_items(events: Iterator, item_prefix: str) -> Iterator[Any]:
    array_prefix = item_prefix.rsplit(".", 1)[0]
    builder: ijson.ObjectBuilder | None = None
    for prefix, event, value in events:
        if builder is None:
            if prefix == array_prefix and event == "end_array":
                return
            if prefix == item_prefix and event in ("start_map", "start_array"):
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
            elif prefix == item_prefix:
                yield value  # a scalar where a message should be: to_record rejects it
            continue
        builder.event(event, value)
        if prefix == item_prefix and event in ("end_map", "end_array"):
            yield builder.value
            builder = None
