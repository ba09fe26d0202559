"""Fuzzed exports through the whole ingest step into a real store, SQLite and PostgreSQL.

The reader harnesses (test_fuzz_exports.py) check the records; this one checks that the store
takes every record the readers make: PostgreSQL refuses NUL characters and over-long VARCHARs
where SQLite does not. Property: ``ingest_paths`` returns a report (each file ingested or
quarantined with its error), never raises.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.bounds import bounded
from tests.fuzz.export_strategies import html_page, json_export_bytes, storable_stress_export
from tests.fuzz.mutations import mutated
from watchfloor.ingest import ingest_paths

MEMORY_MIB = 256
_FEWER = settings(
    max_examples=max(10, settings().max_examples // 3),
    suppress_health_check=[*settings().suppress_health_check, HealthCheck.function_scoped_fixture],
)
_names = itertools.count()


@_FEWER
@given(
    exports=st.lists(
        st.tuples(st.just("result.json"), storable_stress_export())
        | st.tuples(st.just("result.json"), mutated(json_export_bytes(), most=2))
        | st.tuples(st.just("messages.html"), mutated(html_page(), most=2)),
        min_size=1,
        max_size=3,
    )
)
def test_ingest_into_the_store(store, settings, exports: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory(prefix="wf-fuzz-") as folder:
        paths = []
        for name, data in exports:
            path = Path(folder) / f"export{next(_names)}" / name
            path.parent.mkdir()
            path.write_bytes(data)
            paths.append(path.parent)
        with bounded(MEMORY_MIB):
            report = ingest_paths(store, settings, paths, batch_size=2)
    assert len(report.sources) == len(paths)
