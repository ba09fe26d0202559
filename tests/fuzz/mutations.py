"""Byte-level mutations of a valid input, as a Hypothesis strategy (the moves of a simple
mutational fuzzer: cut, flip, insert, delete, repeat, overwrite with edge values, append)."""

from __future__ import annotations

from hypothesis import strategies as st

_EDGE_BYTES = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"]


@st.composite
def _mutation(draw: st.DrawFn, data: bytes) -> bytes:
    size = len(data)
    at = draw(st.integers(0, size))
    kind = draw(st.sampled_from(["cut", "flip", "insert", "delete", "repeat", "edge", "append"]))
    if kind == "cut":
        return data[:at]
    if kind == "flip" and at < size:
        bit = 1 << draw(st.integers(0, 7))
        return data[:at] + bytes([data[at] ^ bit]) + data[at + 1 :]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 64)) :]
    if kind == "repeat":
        piece = data[at : at + draw(st.integers(1, 64))]
        return data[:at] + piece * draw(st.integers(2, 50)) + data[at:]
    if kind == "edge":
        edge = draw(st.sampled_from(_EDGE_BYTES))
        return data[:at] + edge + data[at + len(edge) :]
    return data + draw(st.binary(max_size=64))


@st.composite
def mutated(draw: st.DrawFn, base: bytes | st.SearchStrategy[bytes], most: int = 4) -> bytes:
    """``base`` (or a value drawn from it) changed by 0..``most`` mutations."""
    data = draw(base) if isinstance(base, st.SearchStrategy) else base
    for _ in range(draw(st.integers(0, most))):
        data = draw(_mutation(data))
    return data
