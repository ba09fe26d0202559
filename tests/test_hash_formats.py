"""Hash-list formats: round trips, validation, line numbers of bad lines, streaming, detection."""

from __future__ import annotations

import io
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from watchfloor.matching.formats import (
    FORMATS,
    BadInput,
    HashEntry,
    HashError,
    detect_format,
    guess_signal_type,
    parse_quality,
    read_hash_file,
    validate_hash,
)

# python-threatexchange's PdqSignal and VideoMD5Signal examples (public test vectors).
PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064"
MD5_A = "cab08b36195edb1a1231d2d09fa450e0"
MD5_B = "d41d8cd98f00b204e9800998ecf8427e"


def sample_entries(n: int = 40, seed: int = 7) -> list[HashEntry]:
    """PDQ and MD5 entries with awkward labels and notes, some disabled."""
    rng = random.Random(seed)
    labels = [None, "outlet poster", 'comma, "quote"', "ملصق الوكالة", "two\nlines", "far-right"]
    entries = []
    for i in range(n):
        kind = "pdq" if i % 3 else "md5"
        entries.append(
            HashEntry(
                kind,
                f"{rng.getrandbits(256 if kind == 'pdq' else 128):0{64 if kind == 'pdq' else 32}x}",
                quality=rng.randrange(0, 101) if kind == "pdq" and i % 4 else None,
                label=labels[i % len(labels)],
                note=None if i % 5 else f"note {i}, from a list",
                enabled=i % 7 != 3,
            )
        )
    return entries


def write(fmt: str, entries: list[HashEntry]) -> bytes:
    out = io.StringIO()
    assert FORMATS[fmt].write(entries, out) == len(entries)
    return out.getvalue().encode()


def read(fmt: str, data: bytes) -> list[tuple[int, HashEntry | BadInput]]:
    return list(FORMATS[fmt].read(io.BytesIO(data)))


def good(items) -> list[HashEntry]:
    return [item for _, item in items if isinstance(item, HashEntry)]


def bad(items) -> list[tuple[int, str]]:
    return [(pos, item.code) for pos, item in items if isinstance(item, BadInput)]


# ---- round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "tat"])
def test_full_formats_round_trip_everything(fmt):
    entries = sample_entries()
    items = read(fmt, write(fmt, entries))
    assert bad(items) == []
    assert good(items) == entries  # type, hash, quality, label, note and enabled, in order


@pytest.mark.parametrize("fmt", ["pytx", "hex"])
def test_hash_only_formats_round_trip_type_and_hash(fmt):
    entries = sample_entries()
    items = read(fmt, write(fmt, entries))
    assert bad(items) == []
    assert [(e.signal_type, e.value) for e in good(items)] == [
        (e.signal_type, e.value) for e in entries
    ]
    assert [pos for pos, _ in items] == list(range(1, len(entries) + 1))


def test_pytx_lines_look_like_python_threatexchange():
    data = write("pytx", [HashEntry("pdq", PDQ_A), HashEntry("md5", MD5_A)])
    assert data.decode() == f"pdq {PDQ_A}\nvideo_md5 {MD5_A}\n"


def test_tat_export_has_the_hash_list_shape():
    entry = HashEntry("pdq", PDQ_A, quality=90, label="islamist", enabled=False)
    page = json.loads(write("tat", [entry, HashEntry("md5", MD5_A, label="poster")]))
    assert page["count"] == 2 and page["next"] is None and page["previous"] is None
    assert page["checkpoint"].endswith(",2")
    first, second = page["results"]
    assert {"hash_digest", "algorithm", "ideology", "file_type", "deleted", "updated_on", "id"} <= (
        first.keys()
    )
    assert (first["hash_digest"], first["algorithm"], first["deleted"]) == (PDQ_A, "PDQ", True)
    assert first["ideology"] == "islamist" and second["ideology"] is None
    assert (second["algorithm"], second["label"]) == ("MD5", "poster")


def test_csv_export_has_a_header():
    lines = write("csv", [HashEntry("pdq", PDQ_A, quality=91, label="a, b")]).decode().splitlines()
    assert lines == ["signal_type,hash,quality,label,note,enabled", f'pdq,{PDQ_A},91,"a, b",,true']


# ---- validation ------------------------------------------------------------------------------


def test_validation_of_hashes():
    assert validate_hash("pdq", PDQ_A.upper()) == PDQ_A
    assert guess_signal_type(PDQ_A) == "pdq" and guess_signal_type(MD5_A.upper()) == "md5"
    for kind, value in [("pdq", MD5_A), ("md5", PDQ_A), ("pdq", PDQ_A[:-1] + "g"), ("md5", "")]:
        with pytest.raises(HashError) as exc:
            validate_hash(kind, value)
        assert exc.value.code == "bad_hash"
    with pytest.raises(HashError, match="40 hex digits"):
        guess_signal_type("a" * 40)
    assert parse_quality("87") == 87 and parse_quality("") is None and parse_quality(None) is None
    for value in ["101", "-1", "9.5", "high", True, 50.0]:
        with pytest.raises(HashError) as exc:
            parse_quality(value)
        assert exc.value.code == "bad_quality"


def test_pytx_bad_lines_are_reported_with_their_line_numbers():
    text = "\n".join(
        [
            f"pdq {PDQ_A}",  # 1
            "",  # 2 blank: skipped
            "# a comment",  # 3 skipped
            f"video_md5 {MD5_A}",  # 4
            "pdq abc",  # 5 too short
            f"tmk {PDQ_B}",  # 6 not banked
            PDQ_B,  # 7 no type
            f"pdq {PDQ_B} extra",  # 8
            f"pdq {MD5_B}",  # 9 an MD5 called PDQ
            f"MD5 {MD5_B.upper()}",  # 10 alias, any case
            f"pdq {PDQ_B[:-1]}z",  # 11 not hex
        ]
    )
    items = read("pytx", text.encode())
    assert bad(items) == [
        (5, "bad_hash"),
        (6, "unknown_algorithm"),
        (7, "malformed_line"),
        (8, "malformed_line"),
        (9, "bad_hash"),
        (11, "bad_hash"),
    ]
    assert [(p, e.signal_type, e.value) for p, e in items if isinstance(e, HashEntry)] == [
        (1, "pdq", PDQ_A),
        (4, "md5", MD5_A),
        (10, "md5", MD5_B),
    ]
    (problem,) = [e for p, e in items if p == 6]
    assert problem.text == f"tmk {PDQ_B}" and "tmk" in problem.reason


def test_hex_lines_pick_the_type_by_length():
    text = f"{PDQ_A}\n\n{MD5_A.upper()}\r\n{'ab' * 20}\n{PDQ_B} {MD5_B}\nxyz\n"
    items = read("hex", text.encode())
    assert [(e.signal_type, e.value) for e in good(items)] == [("pdq", PDQ_A), ("md5", MD5_A)]
    assert bad(items) == [(4, "bad_hash"), (5, "malformed_line"), (6, "bad_hash")]


def test_lines_that_are_not_utf8_are_rejected_and_reading_goes_on():
    data = (
        b"\xef\xbb\xbf" + f"pdq {PDQ_A}\n".encode() + b"pdq \xff\xfe\n" + f"md5 {MD5_A}\n".encode()
    )
    items = read("pytx", data)
    assert bad(items) == [(2, "malformed_line")]
    assert [e.value for e in good(items)] == [PDQ_A, MD5_A]


def test_csv_columns_by_name_in_any_order():
    text = (
        "Label,HASH,extra,quality\n"
        f"poster,{PDQ_A},ignored,77\n"
        f",{MD5_A},,\n"
        f'"multi\nline label",{PDQ_B},,12\n'
        f"x,{MD5_B},,\n"
    )
    items = read("csv", text.encode())
    assert bad(items) == []
    assert [(p, e.signal_type, e.quality, e.label) for p, e in items] == [
        (2, "pdq", 77, "poster"),
        (3, "md5", None, None),
        (4, "pdq", 12, "multi\nline label"),
        (6, "md5", None, "x"),  # the record on line 4 took two lines
    ]


def test_csv_bad_rows_are_reported_with_their_line_numbers():
    text = "\n".join(
        [
            "signal_type,hash,quality,label,note,enabled",
            f"pdq,{PDQ_A},90,ok,,true",  # 2
            f"pdq,{PDQ_B},900,,,",  # 3 bad quality
            f"sha256,{PDQ_B},,,,",  # 4 unknown algorithm
            f"pdq,{PDQ_B}",  # 5 wrong number of fields
            f"md5,{PDQ_B},,,,",  # 6 a PDQ called MD5
            f"md5,{MD5_A},,,,maybe",  # 7 bad enabled
            f",{MD5_B},,,,false",  # 8 type from the length, disabled
        ]
    )
    items = read("csv", text.encode())
    assert bad(items) == [
        (3, "bad_quality"),
        (4, "unknown_algorithm"),
        (5, "malformed_line"),
        (6, "bad_hash"),
        (7, "malformed_line"),
    ]
    assert [(p, e.value, e.enabled) for p, e in items if isinstance(e, HashEntry)] == [
        (2, PDQ_A, True),
        (8, MD5_B, False),
    ]


def test_csv_without_a_hash_header_is_one_rejection():
    items = read("csv", f"{PDQ_A},90\n{PDQ_B},80\n".encode())
    assert bad(items) == [(1, "malformed_line")] and good(items) == []


def tat_page(records: list) -> bytes:
    page = {"count": len(records), "next": None, "previous": None, "checkpoint": "1724856487.7,3"}
    return json.dumps(page | {"results": records}).encode()


def tat_record(digest: str, algorithm: str = "PDQ", **fields) -> dict:
    record = {
        "hash_digest": digest,
        "algorithm": algorithm,
        "ideology": "islamist",
        "file_type": "png",
        "deleted": False,
        "updated_on": 1704901040.222779,
        "id": 2819,
    }
    return record | fields


def test_tat_records_as_the_client_reads_them():
    records = [
        tat_record(PDQ_A),
        tat_record(MD5_A, "MD5", ideology="far-right", id=2820, file_type="mp4"),
        tat_record("456def", "SHA256", id=2821),
        tat_record(PDQ_B, deleted=True, id=2822),
        "not a record",
        tat_record(MD5_B, "MD5", deleted="yes"),
        {"algorithm": "PDQ"},
        tat_record(PDQ_A[:-2], id=2823),
    ]
    for data in (tat_page(records), json.dumps(records).encode()):  # a page or a bare array
        items = read("tat", data)
        assert bad(items) == [
            (3, "unknown_algorithm"),
            (5, "malformed_record"),
            (6, "malformed_record"),
            (7, "malformed_record"),
            (8, "bad_hash"),
        ]
        first, second, deleted = good(items)
        assert first == HashEntry("pdq", PDQ_A, label="islamist", note="TAT id 2819, file type png")
        assert (second.signal_type, second.label, second.note) == (
            "md5",
            "far-right",
            "TAT id 2820, file type mp4",
        )
        assert deleted.value == PDQ_B and not deleted.enabled


def test_tat_that_breaks_off_keeps_the_records_before():
    data = tat_page([tat_record(PDQ_A), tat_record(PDQ_B)])
    items = read("tat", data[: data.index(PDQ_B.encode()) + 10])
    assert [e.value for e in good(items)] == [PDQ_A]
    assert bad(items) == [(2, "malformed_json")]
    assert bad(read("tat", b"")) == [(1, "malformed_json")]
    assert bad(read("tat", b'"just a string"')) == [(1, "malformed_json")]


# ---- streaming and detection -----------------------------------------------------------------


class EndlessStream(io.RawIOBase):
    """A file that never ends: readers must not try to read it all."""

    def __init__(self, head: bytes, line: bytes) -> None:
        self.chunks: Iterator[bytes] = itertools.chain([head], itertools.repeat(line))
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer):
            self.pending += next(self.chunks)
        n = len(buffer)
        buffer[:n], self.pending = self.pending[:n], self.pending[n:]
        return n


@pytest.mark.parametrize(
    ("fmt", "head", "line"),
    [
        ("pytx", b"", f"pdq {PDQ_A}\n".encode()),
        ("hex", b"", f"{MD5_A}\n".encode()),
        ("csv", b"hash,label\n", f"{PDQ_A},x\n".encode()),
        (
            "tat",
            b'{"next": null, "results": [{}',
            b', {"hash_digest": "%s", "algorithm": "MD5"}' % MD5_A.encode(),
        ),
    ],
)
def test_readers_stream(fmt, head, line):
    stream = io.BufferedReader(EndlessStream(head, line))
    first = list(itertools.islice(FORMATS[fmt].read(stream), 5))
    assert len(first) == 5


def test_detect_format(tmp_path: Path):
    cases = {
        "list.csv": "hash\n",
        "list.JSON": "[]",
        "list.txt": f"# shared list\n\npdq {PDQ_A}\n",
        "bare.txt": f"{PDQ_A}\n",
        "noext": f"signal_type,hash\npdq,{PDQ_A}\n",
        "page": '{"results": []}',
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    assert {name: detect_format(tmp_path / name) for name in cases} == {
        "list.csv": "csv",
        "list.JSON": "tat",
        "list.txt": "pytx",
        "bare.txt": "hex",
        "noext": "csv",
        "page": "tat",
    }


def test_read_hash_file_opens_and_streams_a_path(tmp_path: Path):
    path = tmp_path / "l.txt"
    path.write_text(f"pdq {PDQ_A}\n")
    assert [e for _, e in read_hash_file(path, "pytx")] == [HashEntry("pdq", PDQ_A)]
