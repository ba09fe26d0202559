"""Settings: explicit options win over WATCHFLOOR_* variables, which win over defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchfloor.config import ConfigError, load_settings


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s.workspace == Path("watchfloor-data")
    assert s.db_url == f"sqlite:///{tmp_path / 'watchfloor-data' / 'watchfloor.db'}"
    assert (s.export_tz, s.pdq_mode) == ("UTC", "fast")


def test_environment_then_options():
    env = {
        "WATCHFLOOR_WORKSPACE": "/srv/case",
        "WATCHFLOOR_DB": "postgresql+psycopg://u@db/wf",
        "WATCHFLOOR_EXPORT_TZ": "Europe/Brussels",
        "WATCHFLOOR_PDQ_MODE": "exact",
    }
    s = load_settings(environ=env)
    assert (str(s.workspace), s.db_url, s.export_tz, s.pdq_mode) == (
        "/srv/case",
        env["WATCHFLOOR_DB"],
        "Europe/Brussels",
        "exact",
    )
    s = load_settings(
        "/tmp/other", "sqlite:////tmp/x.db", export_tz="UTC", pdq_mode="fast", environ=env
    )
    assert (str(s.workspace), s.db_url, s.export_tz, s.pdq_mode) == (
        "/tmp/other",
        "sqlite:////tmp/x.db",
        "UTC",
        "fast",
    )


@pytest.mark.parametrize(
    ("field", "value"), [("export_tz", "Mars/Olympus_Mons"), ("pdq_mode", "turbo")]
)
def test_bad_values_are_refused(field, value):
    with pytest.raises(ConfigError):
        load_settings(environ={}, **{field: value})
