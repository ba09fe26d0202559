"""The webhook sink: a signed JSON POST that refuses to reach internal addresses.

Every address the host resolves to is checked (loopback, private, link-local, multicast,
reserved, unspecified and other non-global ranges are refused unless allow-listed), and the
request then goes to the checked address itself, with the original Host header and TLS server
name, so a second DNS answer cannot point it elsewhere (DNS rebinding). Redirects are not
followed and proxy settings from the environment are ignored, for the same reason.

Signature: ``X-Watchfloor-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` with
the shared secret, and ``X-Watchfloor-Timestamp: <unix seconds>`` (receivers should reject
stale timestamps to stop replays).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
REFUSED_KINDS = ("loopback", "link_local", "multicast", "unspecified", "reserved", "private")
PERMANENT_STATUS = range(400, 500)
RETRIED_STATUS = {408, 425, 429}


class DeliveryError(RuntimeError):
    """A delivery that failed; ``attempts`` were made, ``permanent`` ones are not retried now."""

    def __init__(self, message: str, attempts: int = 1, permanent: bool = False) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.permanent = permanent


def refusal(address: Address) -> str | None:
    """Why a webhook may not reach this address, or None when it is a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in REFUSED_KINDS:
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "not globally routable"


def resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise DeliveryError(f"cannot resolve {host}: {exc.strerror}") from exc
    found = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


def checked_address(url: httpx.URL, allow: Sequence[Network]) -> Address:
    """The address to connect to, after checking every address the host resolves to."""
    if url.scheme not in ("http", "https") or not url.host:
        raise DeliveryError(f"not an http(s) URL: {url}", permanent=True)
    addresses = resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
    if not addresses:
        raise DeliveryError(f"{url.host} resolves to no address")
    for address in addresses:
        why = refusal(address)
        if why and not any(address in net for net in allow):
            raise DeliveryError(
                f"refused: {url.host} resolves to {address} ({why}); allow-list it in "
                "webhook_allow to send there",
                permanent=True,
            )
    return addresses[0]


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    return (
        "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )


def _secret(conf: dict[str, Any]) -> bytes:
    if conf.get("secret"):
        return str(conf["secret"]).encode()
    name = conf.get("secret_env")
    value = os.environ.get(name) if name else None
    if not value:
        raise DeliveryError(f"no webhook secret: set {name or 'secret_env'}", permanent=True)
    return value.encode()


@dataclass(frozen=True)
class WebhookOptions:
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubled each time

    @classmethod
    def of(cls, conf: dict[str, Any]) -> WebhookOptions:
        return cls(
            float(conf.get("timeout", cls.timeout)),
            int(conf.get("retries", cls.retries)),
            float(conf.get("backoff", cls.backoff)),
        )


def _attempt(client: httpx.Client, url: httpx.URL, address: Address, body: bytes, secret: bytes):
    stamp = str(int(time.time()))
    default_port = 443 if url.scheme == "https" else 80
    host = url.host if url.port in (None, default_port) else f"{url.host}:{url.port}"
    if ":" in url.host and url.port not in (None, default_port):
        host = f"[{url.host}]:{url.port}"
    headers = {
        "Content-Type": "application/json",
        "Host": host,
        "User-Agent": "watchfloor-alerts",
        "X-Watchfloor-Timestamp": stamp,
        "X-Watchfloor-Signature": signature(secret, stamp, body),
    }
    pinned = url.copy_with(host=str(address))
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.post(pinned, content=body, headers=headers, extensions=extensions)


def post_webhook(
    conf: dict[str, Any],
    body: bytes,
    allow: Sequence[Network] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST the body; returns the attempts it took. Raises DeliveryError when it gave up."""
    url = httpx.URL(str(conf["url"]))
    secret = _secret(conf)
    options = WebhookOptions.of(conf)
    error = "not attempted"
    with httpx.Client(timeout=options.timeout, follow_redirects=False, trust_env=False) as client:
        for attempt in range(1, options.retries + 2):
            if attempt > 1:
                sleep(options.backoff * 2 ** (attempt - 2))
            try:
                address = checked_address(url, allow)
                response = _attempt(client, url, address, body, secret)
            except DeliveryError as exc:
                exc.attempts = attempt
                if exc.permanent:
                    raise
                error = str(exc)
                continue
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
            if response.is_success:
                return attempt
            error = f"HTTP {response.status_code}"
            if (
                response.status_code in PERMANENT_STATUS
                and response.status_code not in RETRIED_STATUS
            ):
                raise DeliveryError(error, attempt, permanent=True)
    raise DeliveryError(f"gave up after {options.retries + 1} attempts: {error}", attempt)
