"""Where alerts go: a JSONL file, stdout, a webhook (see webhook.py) or e-mail over SMTP.

Each sink is named in the rules file's ``sinks`` mapping; ``deliver`` sends one alert payload
to one sink and returns the attempts it took, or raises DeliveryError.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import orjson

from watchfloor.alerts.webhook import DeliveryError, Network, post_webhook

# type -> (required settings, optional settings)
SINK_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "file": ({"path"}, set()),
    "stdout": (set(), set()),
    "webhook": ({"url"}, {"secret", "secret_env", "timeout", "retries", "backoff"}),
    "email": (
        {"host", "from", "to"},
        {"port", "starttls", "username", "password_env", "timeout"},
    ),
}


@dataclass
class SinkContext:
    base: Path  # relative file paths are relative to this (the workspace)
    allow: Sequence[Network] = ()
    sleep: Callable[[float], None] = time.sleep
    stdout: Any = field(default=None)


def body(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


def _file(conf: dict[str, Any], payload: dict[str, Any], ctx: SinkContext) -> int:
    path = Path(conf["path"]).expanduser()
    path = path if path.is_absolute() else ctx.base / path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as out:
            out.write(body(payload) + b"\n")
    except OSError as exc:
        raise DeliveryError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return 1


def _stdout(conf: dict[str, Any], payload: dict[str, Any], ctx: SinkContext) -> int:
    out = ctx.stdout or sys.stdout
    out.write(body(payload).decode() + "\n")
    out.flush()
    return 1


def _webhook(conf: dict[str, Any], payload: dict[str, Any], ctx: SinkContext) -> int:
    return post_webhook(conf, body(payload), ctx.allow, ctx.sleep)


def mail_message(conf: dict[str, Any], payload: dict[str, Any]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"[watchfloor {payload['severity']}] {payload['summary']}"[:200]
    msg["From"] = conf["from"]
    to = conf["to"]
    msg["To"] = ", ".join(to) if isinstance(to, list) else str(to)
    msg["X-Watchfloor-Alert"] = str(payload["id"])
    text = (
        f"{payload['summary']}\n\nrule: {payload['rule']} ({payload['type']})\n"
        f"severity: {payload['severity']}\nsubject: {payload['subject']}\n"
        f"first fired: {payload['first_fired']}\nlast fired: {payload['last_fired']}\n\n"
        "evidence:\n" + orjson.dumps(payload["evidence"], option=orjson.OPT_INDENT_2).decode()
    )
    msg.set_content(text)
    return msg


def _email(conf: dict[str, Any], payload: dict[str, Any], ctx: SinkContext) -> int:
    port = int(conf.get("port", 587 if conf.get("starttls") else 25))
    try:
        with smtplib.SMTP(conf["host"], port, timeout=float(conf.get("timeout", 30))) as smtp:
            if conf.get("starttls"):
                smtp.starttls(context=ssl.create_default_context())
            if conf.get("username"):
                smtp.login(conf["username"], os.environ.get(conf.get("password_env", ""), ""))
            smtp.send_message(mail_message(conf, payload))
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {conf['host']}:{port}: {exc}") from exc
    return 1


SENDERS = {"file": _file, "stdout": _stdout, "webhook": _webhook, "email": _email}


def deliver(conf: dict[str, Any], payload: dict[str, Any], ctx: SinkContext) -> int:
    return SENDERS[conf["type"]](conf, payload, ctx)
