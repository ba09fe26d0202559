"""Web test helpers: a demo workspace built once per test run, and signed-in clients.

The demo workspace (the full `watchfloor demo`: ingest, every analyzer, alerts) is built once
under the shared pytest temp folder, guarded by a file lock so that xdist workers share it;
each test module gets its own copy, so tests may change it freely.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from watchfloor.accounts import tokens, users
from watchfloor.config import Settings, load_settings
from watchfloor.store import Store, open_store
from watchfloor.web.app import create_app

PASSWORD = "a long enough test password"
ROLES = ("viewer", "analyst", "admin")


def build_demo_workspace(base: Path) -> Path:
    """The demo workspace under `base`, built by the first caller; others wait and reuse it."""
    from watchfloor.demo.runner import run_demo

    base.mkdir(parents=True, exist_ok=True)
    workspace, done = base / "demo-workspace", base / "demo-workspace.done"
    with open(base / "demo-workspace.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(workspace, ignore_errors=True)
            settings = load_settings(workspace, None, environ={})
            store = open_store(settings)
            try:
                run_demo(store, settings, workers=2)
            finally:
                store.close()
            done.touch()
    return workspace


def copy_workspace(source: Path, dest: Path) -> Settings:
    """A private copy; the SQLite URL is rebuilt for the new folder."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("demo-corpus"))
    return load_settings(dest, None, environ={})


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log `client` in through the real form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login",
        data={"name": name, "password": password, "login_token": token, "next": "/account"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    account = client.get("/account")
    return re.search(r'name="csrf_token" value="([^"]+)"', account.text).group(1)


@dataclass
class WebEnv:
    settings: Settings
    store: Store
    app: object

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://127.0.0.1")

    def user(self, name: str, role: str) -> str:
        """The user, added unless it exists (other processes may add it at the same time)."""
        try:
            with self.store.begin() as conn:
                users.add_user(conn, name, role, PASSWORD)
        except users.AccountError:
            with self.store.connect() as conn:
                users.get_user(conn, name)  # it exists: fine; anything else is raised
        return name

    def browser(self, role: str) -> tuple[TestClient, str]:
        """A client logged in as a fresh user of `role`, and its CSRF token."""
        client = self.client()
        csrf = login(client, self.user(f"{role}-user", role))
        return client, csrf

    def token(self, role: str, scopes: str = "read,write") -> str:
        name = self.user(f"{role}-bot", role)
        with self.store.begin() as conn:
            _info, secret = tokens.create_token(conn, name, "test", scopes)
        return secret

    def api(self, role: str, scopes: str = "read,write") -> TestClient:
        client = self.client()
        client.headers["authorization"] = f"Bearer {self.token(role, scopes)}"
        return client


@contextmanager
def web_env(settings: Settings, store: Store | None = None) -> Iterator[WebEnv]:
    own = store is None
    store = store or open_store(settings)
    try:
        yield WebEnv(settings, store, create_app(settings, store))
    finally:
        if own:
            store.close()
