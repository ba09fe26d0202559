"""Alert sinks against real local servers: a webhook receiver that checks the HMAC, the refusal
of internal addresses, retries with backoff, and e-mail through aiosmtpd."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from watchfloor.alerts.sinks import SinkContext, deliver
from watchfloor.alerts.webhook import DeliveryError, refusal

SECRET = "s3cret-for-tests"
PAYLOAD = {
    "id": 7, "rule": "outlet-reactivated", "type": "reactivation", "severity": "high",
    "subject": "dormancy:x:2018-05-01", "summary": "Outlet posted again", "status": "new",
    "revision": 1, "count": 1, "first_fired": "2018-05-02T00:00:00Z",
    "last_fired": "2018-05-02T00:00:00Z", "evidence": {"silent_days": 120},
}  # fmt: skip
LOCAL = (ipaddress.ip_network("127.0.0.1/32"),)


class Receiver:
    """A webhook endpoint on loopback answering with the given statuses, then 200."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def ctx(tmp_path: Path, allow=LOCAL, sleeps: list[float] | None = None) -> SinkContext:
    return SinkContext(
        base=tmp_path, allow=allow, sleep=(sleeps if sleeps is not None else []).append
    )


def hook(url: str, **extra) -> dict:
    return {"type": "webhook", "url": url, "secret": SECRET, "timeout": 5, **extra}


def test_a_signed_delivery_to_an_allow_listed_local_receiver(receiver, tmp_path):
    attempts = deliver(hook(f"http://127.0.0.1:{receiver.port}/hook"), PAYLOAD, ctx(tmp_path))
    assert attempts == 1
    ((headers, body),) = receiver.requests
    assert json.loads(body) == PAYLOAD
    stamp = headers["X-Watchfloor-Timestamp"]
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Watchfloor-Signature"], f"sha256={expected}")
    assert headers["Content-Type"] == "application/json"
    forged = hmac.new(b"other", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Watchfloor-Signature"] != f"sha256={forged}"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:{port}/hook",
        "http://[::ffff:127.0.0.1]:{port}/hook",
        "http://0.0.0.0:{port}/hook",
        "http://224.0.0.1/hook",
        "http://localhost:{port}/hook",
    ],
)
def test_internal_addresses_are_refused_unless_allow_listed(receiver, tmp_path, url):
    with pytest.raises(DeliveryError, match="refused") as caught:
        deliver(hook(url.format(port=receiver.port)), PAYLOAD, ctx(tmp_path, allow=()))
    assert caught.value.permanent and caught.value.attempts == 1
    assert receiver.requests == []


def fake_dns(monkeypatch, answers: dict[str, list[list[str]]]) -> None:
    """The system resolver answering for made-up names; each lookup takes the next answer."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        addresses = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_hostname_resolving_to_a_private_address_is_refused(monkeypatch, tmp_path):
    fake_dns(monkeypatch, {"hooks.intranet.test": [["10.20.30.40"]],
                           "mixed.test": [["93.184.216.34", "192.168.1.5"]]})  # fmt: skip
    with pytest.raises(DeliveryError, match=r"10\.20\.30\.40 \(private\)"):
        deliver(hook("https://hooks.intranet.test/x"), PAYLOAD, ctx(tmp_path, allow=()))
    with pytest.raises(DeliveryError, match=r"192\.168\.1\.5 \(private\)"):
        deliver(hook("https://mixed.test/x"), PAYLOAD, ctx(tmp_path, allow=()))


def test_the_connection_goes_to_the_checked_address(monkeypatch, receiver, tmp_path):
    """DNS rebinding: a second lookup answering an internal address is never consulted."""
    fake_dns(monkeypatch, {"hooks.test": [["127.0.0.1"], ["10.0.0.9"]]})
    url = f"http://hooks.test:{receiver.port}/hook"
    assert deliver(hook(url), PAYLOAD, ctx(tmp_path)) == 1
    ((headers, _),) = receiver.requests
    assert headers["Host"] == f"hooks.test:{receiver.port}"


def test_refusal_reasons():
    assert refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert refusal(ipaddress.ip_address("172.16.0.1")) == "private"
    assert refusal(ipaddress.ip_address("fe80::1")) == "link-local"
    assert refusal(ipaddress.ip_address("240.0.0.1")) == "reserved"
    assert refusal(ipaddress.ip_address("100.64.0.1")) == "not globally routable"


def test_server_errors_are_retried_with_exponential_backoff(tmp_path):
    r = Receiver([500, 503])
    try:
        sleeps: list[float] = []
        conf = hook(f"http://127.0.0.1:{r.port}/hook", retries=3, backoff=0.5)
        assert deliver(conf, PAYLOAD, ctx(tmp_path, sleeps=sleeps)) == 3
        assert sleeps == [0.5, 1.0] and len(r.requests) == 3
    finally:
        r.close()
    r = Receiver([500, 500, 500, 500])
    try:
        sleeps = []
        conf = hook(f"http://127.0.0.1:{r.port}/hook", retries=2, backoff=1)
        with pytest.raises(DeliveryError, match="gave up after 3 attempts: HTTP 500") as caught:
            deliver(conf, PAYLOAD, ctx(tmp_path, sleeps=sleeps))
        assert caught.value.attempts == 3 and sleeps == [1.0, 2.0]
    finally:
        r.close()


def test_client_errors_are_not_retried_and_timeouts_are(tmp_path):
    r = Receiver([404])
    try:
        with pytest.raises(DeliveryError, match="HTTP 404") as caught:
            deliver(hook(f"http://127.0.0.1:{r.port}/hook", retries=3), PAYLOAD, ctx(tmp_path))
        assert caught.value.attempts == 1 and caught.value.permanent
    finally:
        r.close()
    r = Receiver(delay=1.0)
    try:
        conf = hook(f"http://127.0.0.1:{r.port}/hook", retries=1, backoff=0, timeout=0.2)
        with pytest.raises(DeliveryError, match="Timeout") as caught:
            deliver(conf, PAYLOAD, ctx(tmp_path))
        assert caught.value.attempts == 2 and not caught.value.permanent
    finally:
        r.close()


def test_a_missing_secret_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("WF_TEST_SECRET", raising=False)
    conf = {"type": "webhook", "url": "http://127.0.0.1:9/x", "secret_env": "WF_TEST_SECRET"}
    with pytest.raises(DeliveryError, match="WF_TEST_SECRET"):
        deliver(conf, PAYLOAD, ctx(tmp_path))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_email_through_a_real_smtp_server(tmp_path):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        conf = {"type": "email", "host": "127.0.0.1", "port": port,
                "from": "watchfloor@example.org", "to": ["desk@example.org", "duty@example.org"]}  # fmt: skip
        assert deliver(conf, PAYLOAD, ctx(tmp_path)) == 1
    finally:
        controller.stop()
    ((sender, rcpts, raw),) = inbox.messages
    assert sender == "watchfloor@example.org"
    assert rcpts == ["desk@example.org", "duty@example.org"]
    mail = message_from_bytes(raw)
    assert mail["Subject"] == "[watchfloor high] Outlet posted again"
    assert mail["X-Watchfloor-Alert"] == "7"
    assert '"silent_days": 120' in mail.get_payload(decode=True).decode()


def test_email_to_a_closed_port_fails(tmp_path):
    conf = {"type": "email", "host": "127.0.0.1", "port": free_port(), "from": "a@example.org",
            "to": "b@example.org", "timeout": 2}  # fmt: skip
    with pytest.raises(DeliveryError, match=r"SMTP 127\.0\.0\.1"):
        deliver(conf, PAYLOAD, ctx(tmp_path))


def test_jsonl_file_and_stdout(tmp_path, capsys):
    conf = {"type": "file", "path": "out/alerts.jsonl"}
    deliver(conf, PAYLOAD, ctx(tmp_path))
    deliver(conf, PAYLOAD | {"id": 8}, ctx(tmp_path))
    lines = (tmp_path / "out" / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [7, 8]
    deliver({"type": "stdout"}, PAYLOAD, ctx(tmp_path))
    assert json.loads(capsys.readouterr().out) == PAYLOAD
