"""Fuzzing the hash-list importers (pytx, hex, csv, tat) and format detection.

Property: a reader yields ``(position, HashEntry | BadInput)`` items with increasing positions and
never raises: every problem is a BadInput, which the import quarantines. Hashes it accepts are
valid lowercase hex of the right length.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.bounds import bounded
from tests.fuzz.export_strategies import JSON_VALUES, deep
from tests.fuzz.mutations import mutated
from watchfloor.matching.formats import (
    FORMATS,
    HEX_DIGITS,
    SIGNAL_TYPES,
    BadInput,
    HashEntry,
    detect_format,
    read_hash_file,
)

MEMORY_MIB = 64
_HEXES = st.sampled_from([32, 64, 63, 0]).flatmap(
    lambda n: st.text("0123456789abcdefABCDEF", min_size=n, max_size=n)
)
_CELL = _HEXES | st.text(max_size=12) | st.sampled_from(["pdq", "md5", "video_md5", "true", "50"])


@st.composite
def line_file(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["pytx", "hex", "csv", "comment", "blank"]))
        if kind == "pytx":
            lines.append(
                f"{draw(st.sampled_from(['pdq', 'md5', 'video_md5', 'x']))} {draw(_HEXES)}"
            )
        elif kind == "hex":
            lines.append(draw(_HEXES))
        elif kind == "csv":
            lines.append(",".join(draw(st.lists(_CELL, max_size=7))))
        else:
            lines.append("# note" if kind == "comment" else "")
    if draw(st.booleans()):
        lines.insert(
            0,
            ",".join(
                draw(
                    st.permutations(["signal_type", "hash", "quality", "label", "note", "enabled"])
                )
            ),
        )
    return ("\r\n" if draw(st.booleans()) else "\n").join(lines).encode()


_RECORD = st.fixed_dictionaries(
    {},
    optional={
        "hash_digest": _HEXES | JSON_VALUES,
        "algorithm": st.sampled_from(["PDQ", "MD5", "SHA1"]) | JSON_VALUES,
        "deleted": st.booleans() | JSON_VALUES,
        "quality": st.integers() | JSON_VALUES,
        "ideology": JSON_VALUES,
        "label": JSON_VALUES,
        "note": JSON_VALUES,
        "id": st.integers() | JSON_VALUES,
        "file_type": JSON_VALUES,
        "extra": deep(),
    },
)


@st.composite
def tat_file(draw: st.DrawFn) -> bytes:
    records = draw(st.lists(_RECORD | JSON_VALUES, max_size=5))
    page = (
        records
        if draw(st.booleans())
        else {"count": len(records), "next": None, "results": records}
    )
    return json.dumps(page).encode()


def check_reader(data: bytes, fmt: str) -> None:
    with bounded(MEMORY_MIB):
        items = list(FORMATS[fmt].read(io.BytesIO(data)))
    positions = [position for position, _ in items]
    assert positions == sorted(positions), positions
    for _, item in items:
        assert isinstance(item, (HashEntry, BadInput)), type(item)
        if isinstance(item, BadInput):
            assert item.code and item.reason
            continue
        assert item.signal_type in SIGNAL_TYPES
        assert len(item.value) == HEX_DIGITS[item.signal_type]
        assert item.value == item.value.lower() and int(item.value, 16) >= 0
        assert item.quality is None or 0 <= item.quality <= 100


ALL_FORMATS = st.sampled_from(sorted(FORMATS))


@given(mutated(line_file()), ALL_FORMATS)
def test_line_formats(data: bytes, fmt: str) -> None:
    check_reader(data, fmt)


@given(mutated(tat_file()))
def test_tat_json(data: bytes) -> None:
    check_reader(data, "tat")


@given(st.binary(max_size=1024), ALL_FORMATS)
def test_raw_bytes(data: bytes, fmt: str) -> None:
    check_reader(data, fmt)


@given(mutated(line_file() | tat_file()), st.sampled_from(["list.txt", "list.csv", "list.json"]))
def test_detect_then_read(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="wf-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        with bounded(MEMORY_MIB):
            fmt = detect_format(path)
            items = list(read_hash_file(path, fmt))
        assert fmt in FORMATS
        assert all(isinstance(item, (HashEntry, BadInput)) for _, item in items)
