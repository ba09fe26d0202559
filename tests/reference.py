"""Where the reference data lives (../shared/data beside the repository), and how tests need it:
skipped locally when it is absent, a failure under CI=true."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"
REFERENCE = DATA / "pdq-reference"
LANDMARKS = DATA / "landmarks"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(f"CI is missing a prerequisite: {reason}")
        pytest.skip(reason)


def need_path(path: Path) -> Path:
    need(path.exists(), f"reference data not found: {path}")
    return path
