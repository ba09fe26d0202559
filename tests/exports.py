"""Writing small Telegram Desktop exports for tests, in the real formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BASE = datetime(2018, 1, 10, 12, 0, tzinfo=UTC)


def message(
    message_id: int, text: Any = "", *, minutes: int | None = None, **fields: Any
) -> dict[str, Any]:
    when = BASE.timestamp() + 60 * (message_id if minutes is None else minutes)
    msg = {
        "id": message_id,
        "type": "message",
        "date": datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(int(when)),
        "from": "Stand-in Outlet",
        "from_id": "channel1001",
        "text": text,
        "text_entities": [{"type": "plain", "text": text}]
        if isinstance(text, str)
        else [e if isinstance(e, dict) else {"type": "plain", "text": e} for e in text],
    }
    msg.update(fields)
    return msg


def single_chat(
    messages: list[dict],
    *,
    chat_id: int = 1001,
    name: str = "Stand-in Outlet",
    kind: str = "public_channel",
) -> dict:
    return {"name": name, "type": kind, "id": chat_id, "messages": messages}


def write_export(folder: Path, data: dict, filename: str = "result.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
