"""Ingest (of different and of the same exports), two analyze runs and web and library writers,
all at once against one PostgreSQL database: every process exits 0, nothing is lost or
doubled, the result equals a one-process run (the CI-sized benchmarks/concurrency.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "concurrency.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("concurrency_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_concurrent_writers_on_postgresql(tmp_path, postgres_server):
    bench = load_benchmark()
    report = bench.run_load(postgres_server, tmp_path, messages=200, images=6, web=24, edits=20)
    failed = [(o.name, o.returncode, o.error) for o in report.processes if o.returncode]
    assert not failed, failed
    assert not report.problems, report.problems
    assert report.posts == 300 and report.media >= 6 and report.signals > 0
    assert report.web_changes == 48 and report.bank_edits == 40
