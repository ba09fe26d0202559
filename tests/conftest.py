"""Shared fixtures: a workspace on real SQLite and on a real throwaway PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.reference import DATA, need
from watchfloor.config import Settings, load_settings
from watchfloor.store import Store, open_store

PG_BIN = Path(os.environ.get("WATCHFLOOR_TEST_PGBIN", "/usr/lib/postgresql/15/bin"))


@pytest.fixture(scope="session")
def shared() -> Path:
    need(DATA.is_dir(), f"reference data not found at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def telegram_exports(shared: Path) -> Path:
    return shared / "telegram-exports"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL from Debian's package, on loopback, for this test session."""
    need((PG_BIN / "initdb").exists(), f"PostgreSQL server binaries not found in {PG_BIN}")
    base = Path(tempfile.mkdtemp(prefix="watchfloor-pg-"))
    data, port = base / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(base / "pg.log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


_db_numbers = itertools.count()


def fresh_postgres_db(server: str) -> str:
    name = f"wf_test_{os.getpid()}_{next(_db_numbers)}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'watchfloor.db'}"
    return fresh_postgres_db(request.getfixturevalue("postgres_server"))


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return load_settings(tmp_path / "workspace", db_url, environ={})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "workspace", None, environ={})


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory, worker_id) -> Path:
    """The full demo workspace, built once per test run and shared by xdist workers (read-only)."""
    from tests.webtools import build_demo_workspace

    base = tmp_path_factory.getbasetemp()
    shared_base = base if worker_id == "master" else base.parent  # the run's folder, not older runs
    return build_demo_workspace(shared_base / "shared-demo")


@pytest.fixture(scope="module")
def demo_web(demo_workspace, tmp_path_factory):
    """The web app over a private copy of the demo workspace (SQLite), for one test module."""
    from tests.webtools import copy_workspace, web_env

    settings = copy_workspace(demo_workspace, tmp_path_factory.mktemp("web") / "workspace")
    with web_env(settings) as env:
        yield env


@pytest.fixture
def web(settings, store):
    """The web app over an empty workspace, on both databases."""
    from tests.webtools import web_env

    with web_env(settings, store) as env:
        yield env
