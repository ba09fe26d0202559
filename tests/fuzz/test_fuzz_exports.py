"""Fuzzing the Telegram Desktop export readers (JSON and HTML).

Property: reading an export either yields, for every item, a Post or a Rejected (the ingest step
stores the one and quarantines the other), or raises what the ingest step turns into a
quarantined file: ``SourceError`` or ``MALFORMED_JSON_ERRORS``. Nothing else, no hang, bounded
memory.
"""

from __future__ import annotations

import tempfile
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.bounds import bounded
from tests.fuzz.export_strategies import html_page, json_export_bytes
from tests.fuzz.mutations import mutated
from watchfloor.records import Post, Rejected
from watchfloor.sources.base import SourceError, TimeContext
from watchfloor.sources.telegram_export import TelegramExport
from watchfloor.sources.telegram_export.json_messages import content_hash
from watchfloor.sources.telegram_export.json_reader import MALFORMED_JSON_ERRORS

TIME = TimeContext(ZoneInfo("Pacific/Kiritimati"), "Pacific/Kiritimati")  # UTC+14: edge years
EXPECTED_ERRORS = (SourceError, *MALFORMED_JSON_ERRORS)
MEMORY_MIB = 128


def read_export(path: Path) -> list[Post | Rejected]:
    """Everything the ingest step would read from the export, or one of EXPECTED_ERRORS."""
    records: list[Post | Rejected] = []
    export = TelegramExport(path, TIME)
    for stream in export.chats():
        for index, item in enumerate(stream.items):
            records.append(stream.to_record(item, index))
        export.progress()
    return records


def check_record(record: Post | Rejected) -> None:
    assert isinstance(record, (Post, Rejected)), type(record)
    if isinstance(record, Rejected):
        assert record.code and record.reason
        return
    assert -(2**63) <= record.message_id < 2**63
    assert record.reply_to is None or -(2**63) <= record.reply_to < 2**63
    assert record.date.tzinfo is not None and record.date.utcoffset() == UTC.utcoffset(None)
    assert record.edit_date is None or record.edit_date.tzinfo is not None
    assert isinstance(record.text, str) and isinstance(record.raw, bytes)
    assert all(isinstance(ref.path, str) for ref in record.media)
    content_hash(record.raw)


def check_export(files: dict[str, bytes], target: str) -> None:
    with tempfile.TemporaryDirectory(prefix="wf-fuzz-") as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        with bounded(MEMORY_MIB):
            try:
                records = read_export(Path(folder) / target)
            except EXPECTED_ERRORS:
                return
        for record in records:
            check_record(record)


@given(mutated(json_export_bytes()))
def test_json_export(data: bytes) -> None:
    check_export({"result.json": data}, "result.json")


@given(st.binary(max_size=2048))
def test_json_export_raw_bytes(data: bytes) -> None:
    check_export({"result.json": data}, "result.json")


@given(mutated(html_page()), st.one_of(st.none(), mutated(html_page(), most=2)))
def test_html_export(page: bytes, second: bytes | None) -> None:
    files = {"messages.html": page} | ({"messages2.html": second} if second is not None else {})
    check_export(files, ".")


@given(st.binary(max_size=2048))
def test_html_export_raw_bytes(data: bytes) -> None:
    check_export({"messages.html": data}, "messages.html")
