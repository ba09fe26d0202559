"""Hash-list formats: streaming readers and writers for the lists a bank is filled from.

Each reader takes a binary stream and yields ``(position, HashEntry | BadInput)``, one item per
line (per record for JSON), without reading the whole file first. A bad line never stops the
read: it becomes a ``BadInput`` with a specific code and the lines after it are still read.

Formats (``FORMATS``):

- ``pytx``: python-threatexchange's local signal file, one ``<signal type> <hash>`` a line, e.g.
  ``pdq f8f8f0ce…`` or ``video_md5 d41d8cd9…`` (``md5`` is accepted as well).
- ``hex``: one bare hash a line; 64 hex digits is PDQ, 32 is MD5.
- ``csv``: a header row naming the columns ``signal_type,hash,quality,label,note,enabled``; only
  ``hash`` is required, columns may come in any order and unknown columns are ignored.
- ``tat``: the JSON of Tech Against Terrorism's hash list as python-threatexchange's client reads
  it: a page ``{"count", "next", "previous", "checkpoint", "results": [...]}`` (or a bare array of
  records), each record with ``hash_digest``, ``algorithm`` (``PDQ``/``MD5``), ``ideology``,
  ``file_type``, ``deleted``, ``updated_on`` and ``id``. Watchfloor writes ``label``, ``quality``
  and ``note`` into each record as well, so that its own exports round-trip.

Blank lines, and lines starting with ``#`` in ``pytx`` and ``hex``, are skipped.
"""

from __future__ import annotations

import csv
import itertools
import re
import reprlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import ijson
import orjson

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "HEX_DIGITS",
    "PYTX_NAMES",
    "SIGNAL_TYPES",
    "BadInput",
    "HashEntry",
    "HashError",
    "HashFormat",
    "Item",
    "detect_format",
    "guess_signal_type",
    "parse_quality",
    "read_hash_file",
    "signal_type_named",
    "validate_hash",
]

SIGNAL_TYPES = ("pdq", "md5")
HEX_DIGITS = {"pdq": 64, "md5": 32}
PYTX_NAMES = {"pdq": "pdq", "md5": "video_md5"}  # python-threatexchange SignalType.get_name()
_TYPE_ALIASES = {"pdq": "pdq", "md5": "md5", "video_md5": "md5"}
CSV_COLUMNS = ("signal_type", "hash", "quality", "label", "note", "enabled")
TAT_IDEOLOGIES = ("islamist", "far-right")
_HEX = re.compile(r"[0-9a-fA-F]+")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_SNIFF_LINES = 50


@dataclass(frozen=True)
class HashEntry:
    """One hash of a list: ``value`` is lowercase hex, ``signal_type`` one of SIGNAL_TYPES."""

    signal_type: str
    value: str
    quality: int | None = None
    label: str | None = None
    note: str | None = None
    enabled: bool = True
    added_at: datetime | None = None  # written by the tat format as updated_on; never read


@dataclass(frozen=True)
class BadInput:
    """A line (or record) that is not a usable hash: quarantined with this code and reason."""

    code: str  # bad_hash, unknown_algorithm, malformed_line, malformed_record, bad_quality, ...
    reason: str
    text: str | None = None  # the offending input, kept as the quarantine payload


Item = tuple[int, HashEntry | BadInput]


class HashError(ValueError):
    """A hash, signal type or quality that does not validate; ``code`` says which."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def signal_type_named(name: str) -> str:
    """``pdq``, ``md5`` or ``video_md5`` (any case) as a Watchfloor signal type."""
    canonical = _TYPE_ALIASES.get(name.strip().lower())
    if canonical is None:
        raise HashError(
            "unknown_algorithm", f"unknown hash algorithm {name!r}: only PDQ and MD5 are banked"
        )
    return canonical


def validate_hash(signal_type: str, value: str) -> str:
    """The hash as lowercase hex, or ``HashError('bad_hash')`` naming what is wrong with it."""
    value = value.strip()
    if not _HEX.fullmatch(value):
        raise HashError("bad_hash", f"{_short(value)!r} is not hexadecimal")
    expected = HEX_DIGITS[signal_type]
    if len(value) != expected:
        raise HashError(
            "bad_hash",
            f"a {signal_type.upper()} hash has {expected} hex digits, this one {len(value)}",
        )
    return value.lower()


def guess_signal_type(value: str) -> str:
    """PDQ for 64 hex digits, MD5 for 32; ``HashError('bad_hash')`` otherwise."""
    value = value.strip()
    if not _HEX.fullmatch(value):
        raise HashError("bad_hash", f"{_short(value)!r} is not hexadecimal")
    for signal_type, digits in HEX_DIGITS.items():
        if len(value) == digits:
            return signal_type
    raise HashError("bad_hash", f"{len(value)} hex digits: a PDQ hash has 64, an MD5 hash 32")


def parse_quality(value: Any) -> int | None:
    """A PDQ quality 0..100 from a number or its text; empty means unknown."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise HashError("bad_quality", f"quality must be a whole number 0..100, not {value!r}")
    try:
        number = int(value.strip()) if isinstance(value, str) else value
    except ValueError:
        number = None
    if not isinstance(number, int) or not 0 <= number <= 100:
        raise HashError("bad_quality", f"quality must be a whole number 0..100, not {value!r}")
    return number


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _entry(signal_type: str | None, value: str, **fields: Any) -> HashEntry:
    kind = guess_signal_type(value) if signal_type is None else signal_type
    return HashEntry(kind, validate_hash(kind, value), **fields)


# ---- line formats ----------------------------------------------------------------------------


def _text_lines(stream: BinaryIO) -> Iterator[tuple[int, str | None, bytes]]:
    """(line number, text or None if not UTF-8, raw bytes), a byte-order mark dropped."""
    for number, raw in enumerate(stream, 1):
        chunk = raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
        try:
            yield number, chunk.decode("utf-8"), raw
        except UnicodeDecodeError:
            yield number, None, raw


def _meaningful_lines(stream: BinaryIO) -> Iterator[tuple[int, str | BadInput]]:
    for number, text, raw in _text_lines(stream):
        if text is None:
            payload = raw.decode("utf-8", "replace").strip()
            yield number, BadInput("malformed_line", "the line is not UTF-8 text", payload)
            continue
        line = text.strip()
        if line and not line.startswith("#"):
            yield number, line


def read_pytx(stream: BinaryIO) -> Iterator[Item]:
    for number, line in _meaningful_lines(stream):
        yield number, line if isinstance(line, BadInput) else _pytx_line(line)


def _pytx_line(line: str) -> HashEntry | BadInput:
    fields = line.split()
    if len(fields) != 2:
        reason = f"expected '<signal type> <hash>', found {len(fields)} field(s)"
        if len(fields) == 1:
            reason += " (a file of bare hashes is --format hex)"
        return BadInput("malformed_line", reason, line)
    try:
        return _entry(signal_type_named(fields[0]), fields[1])
    except HashError as exc:
        return BadInput(exc.code, exc.reason, line)


def read_hex(stream: BinaryIO) -> Iterator[Item]:
    for number, line in _meaningful_lines(stream):
        if isinstance(line, BadInput):
            yield number, line
        elif len(line.split()) != 1:
            yield number, BadInput("malformed_line", "expected one bare hash on the line", line)
        else:
            yield number, _checked(lambda v=line: _entry(None, v), line)


def _checked(make: Callable[[], HashEntry], text: str) -> HashEntry | BadInput:
    try:
        return make()
    except HashError as exc:
        return BadInput(exc.code, exc.reason, text)


def write_pytx(entries: Iterable[HashEntry], out: TextIO) -> int:
    written = 0
    for entry in entries:
        out.write(f"{PYTX_NAMES[entry.signal_type]} {entry.value}\n")
        written += 1
    return written


def write_hex(entries: Iterable[HashEntry], out: TextIO) -> int:
    written = 0
    for entry in entries:
        out.write(f"{entry.value}\n")
        written += 1
    return written


# ---- CSV -------------------------------------------------------------------------------------


def read_csv(stream: BinaryIO) -> Iterator[Item]:
    not_utf8: set[int] = set()

    def decoded() -> Iterator[str]:
        for number, text, raw in _text_lines(stream):
            if text is None:
                not_utf8.add(number)
            yield raw.decode("utf-8", "replace") if text is None else text

    reader = csv.reader(decoded(), strict=True)
    columns: list[str] | None = None
    last = 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if not_utf8.intersection(range(start, last + 1)):
                yield start, BadInput("malformed_line", "the line is not UTF-8 text", ",".join(row))
            elif columns is None:
                columns = [c.strip().lower() for c in row]
                if "hash" not in columns:
                    yield (
                        start,
                        BadInput(
                            "malformed_line",
                            "the first row must be a header naming a 'hash' column, e.g. "
                            + ",".join(CSV_COLUMNS),
                            ",".join(row),
                        ),
                    )
                    return
            else:
                yield start, _csv_row(columns, row)
    except csv.Error as exc:
        yield last + 1, BadInput("malformed_line", f"not valid CSV, reading stopped here: {exc}")


def _csv_row(columns: list[str], row: list[str]) -> HashEntry | BadInput:
    text = ",".join(row)
    if len(row) != len(columns):
        return BadInput(
            "malformed_line", f"{len(row)} fields, the header names {len(columns)}", text
        )
    cells = {name: cell.strip() for name, cell in zip(columns, row, strict=True)}
    try:
        kind = signal_type_named(cells["signal_type"]) if cells.get("signal_type") else None
        return _entry(
            kind,
            cells["hash"],
            quality=parse_quality(cells.get("quality")),
            label=cells.get("label") or None,
            note=cells.get("note") or None,
            enabled=_parse_enabled(cells.get("enabled")),
        )
    except HashError as exc:
        return BadInput(exc.code, exc.reason, text)


def _parse_enabled(value: str | None) -> bool:
    if not value or value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise HashError("malformed_line", f"enabled must be true or false, not {value!r}")


def write_csv(entries: Iterable[HashEntry], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    written = 0
    for e in entries:
        quality = "" if e.quality is None else e.quality
        enabled = "true" if e.enabled else "false"
        writer.writerow([e.signal_type, e.value, quality, e.label or "", e.note or "", enabled])
        written += 1
    return written


# ---- Tech Against Terrorism hash list (JSON) ---------------------------------------------------


def read_tat(stream: BinaryIO) -> Iterator[Item]:
    events = ijson.parse(stream, use_float=True)
    index = 0
    try:
        first = next(events, None)
        prefix = _tat_prefix(first)
        if prefix is None:
            yield (
                1,
                BadInput(
                    "malformed_json",
                    'expected a hash-list page {..., "results": [...]} or an array',
                ),
            )
            return
        for index, record in enumerate(ijson.items(itertools.chain([first], events), prefix), 1):
            yield index, _tat_record(record)
    except (ijson.JSONError, UnicodeDecodeError) as exc:  # a lone "\\udc00" is no UTF-8
        reason = f"the JSON breaks off or is invalid after record {index}: {exc}".splitlines()[0]
        yield index + 1, BadInput("malformed_json", reason)


def _tat_prefix(first: tuple[str, str, Any] | None) -> str | None:
    if first is None:
        return None
    return {"start_array": "item", "start_map": "results.item"}.get(first[1])


def _tat_record(record: Any) -> HashEntry | BadInput:
    text = _json_text(record)
    if not isinstance(record, dict):
        return BadInput("malformed_record", "a hash-list record must be a JSON object", text)
    digest, algorithm = record.get("hash_digest"), record.get("algorithm")
    if not isinstance(digest, str) or not isinstance(algorithm, str):
        return BadInput(
            "malformed_record", "a record needs text fields hash_digest and algorithm", text
        )
    deleted = record.get("deleted", False)
    if not isinstance(deleted, bool):
        return BadInput("malformed_record", f"deleted must be true or false, not {deleted!r}", text)
    try:
        return _entry(
            signal_type_named(algorithm),
            digest,
            quality=parse_quality(record.get("quality")),
            label=_tat_label(record),
            note=record["note"] if "note" in record else _tat_note(record),
            enabled=not deleted,
        )
    except HashError as exc:
        return BadInput(exc.code, exc.reason, text)


def _tat_label(record: dict[str, Any]) -> str | None:
    label = record["label"] if "label" in record else record.get("ideology")
    return label if isinstance(label, str) and label else None


def _tat_note(record: dict[str, Any]) -> str | None:
    parts = []
    if record.get("id") is not None:
        parts.append(f"TAT id {record['id']}")
    if record.get("file_type"):
        parts.append(f"file type {record['file_type']}")
    return ", ".join(parts) or None


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value, default=str).decode()
    except orjson.JSONEncodeError:  # nested over 255 deep, or an integer over 64 bits
        return reprlib.repr(value)


def write_tat(entries: Iterable[HashEntry], out: TextIO) -> int:
    out.write('{"next": null, "previous": null, "results": [')
    written, checkpoint = 0, ""
    for written, entry in enumerate(entries, 1):
        record = _tat_out(written, entry)
        out.write(("\n  " if written == 1 else ",\n  ") + _json_text(record))
        checkpoint = f"{record['updated_on']},{written}"
    out.write(f'\n], "count": {written}, "checkpoint": {_json_text(checkpoint)}}}\n')
    return written


def _tat_out(number: int, e: HashEntry) -> dict[str, Any]:
    return {
        "id": number,
        "hash_digest": e.value,
        "algorithm": e.signal_type.upper(),
        "ideology": e.label if e.label in TAT_IDEOLOGIES else None,
        "file_type": None,
        "deleted": not e.enabled,
        "updated_on": e.added_at.timestamp() if e.added_at else 0.0,
        "label": e.label,
        "quality": e.quality,
        "note": e.note,
    }


# ---- registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HashFormat:
    name: str
    description: str
    unit: str  # what a reader's position counts: "line" or "record"
    suffixes: tuple[str, ...]  # file name endings that select it when no format is given
    marks_disabled: bool  # whether a disabled entry can be written as disabled
    read: Callable[[BinaryIO], Iterator[Item]]
    write: Callable[[Iterable[HashEntry], TextIO], int]


FORMATS: dict[str, HashFormat] = {
    f.name: f
    for f in (
        HashFormat(
            "pytx",
            "python-threatexchange local file: '<signal type> <hash>' a line",
            "line",
            (".pytx",),
            False,
            read_pytx,
            write_pytx,
        ),
        HashFormat(
            "hex",
            "one bare hash a line (64 hex digits PDQ, 32 MD5)",
            "line",
            (".hex",),
            False,
            read_hex,
            write_hex,
        ),
        HashFormat(
            "csv",
            "CSV with a header: " + ",".join(CSV_COLUMNS),
            "line",
            (".csv",),
            True,
            read_csv,
            write_csv,
        ),
        HashFormat(
            "tat",
            "Tech Against Terrorism hash-list JSON (hash_digest, algorithm, deleted, id, ...)",
            "record",
            (".json",),
            True,
            read_tat,
            write_tat,
        ),
    )
}


def detect_format(path: Path) -> str:
    """The format a file's name ending says, else what its first lines look like."""
    for name, fmt in FORMATS.items():
        if path.name.lower().endswith(fmt.suffixes):
            return name
    with path.open("rb") as stream:
        for _, line in itertools.islice(_meaningful_lines(stream), _SNIFF_LINES):
            if isinstance(line, str):
                return _sniff(line)
    return "hex"


def _sniff(line: str) -> str:
    if line.startswith(("{", "[")):
        return "tat"
    fields = line.split()
    if len(fields) == 2 and fields[0].lower() in _TYPE_ALIASES:
        return "pytx"
    if "," in line and "hash" in [c.strip().lower() for c in line.split(",")]:
        return "csv"
    return "hex"


def read_hash_file(path: Path, fmt: str) -> Iterator[Item]:
    """Stream the items of a file in the named format (see ``FORMATS``)."""
    reader = FORMATS[fmt].read
    with path.open("rb") as stream:
        yield from reader(stream)
