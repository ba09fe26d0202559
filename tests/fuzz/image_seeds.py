"""Small valid images in every format the decoder opens, and structure-aware corruptions of them
(PNG chunks with their CRCs fixed, declared sizes rewritten, polyglot files)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import cache

import numpy as np
from hypothesis import strategies as st
from PIL import Image

from tests.fuzz.mutations import mutated


def _pixels(width: int = 40, height: int = 30, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _animated(fmt: str, **options: object) -> bytes:
    frames = [_pixels(seed=s) for s in range(3)]
    return _save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=50, **options)


@cache
def seeds() -> dict[str, bytes]:
    image = _pixels()
    return {
        "jpeg": _save(image, "JPEG", quality=80),
        "jpeg_progressive": _save(image, "JPEG", quality=80, progressive=True),
        "jpeg_exif": _save(image, "JPEG", exif=Image.Exif().tobytes()),
        "png": _save(image, "PNG"),
        "png_palette": _save(image.convert("P"), "PNG"),
        "apng": _animated("PNG"),
        "gif": _animated("GIF", loop=0),
        "webp": _save(image, "WEBP", quality=70),
        "webp_animated": _animated("WEBP", lossless=True),
        "bmp": _save(image, "BMP"),
        "tiff": _save(image, "TIFF"),
        "tiff_multipage": _animated("TIFF"),
    }


SEEDS = st.sampled_from(sorted(seeds())).map(lambda name: seeds()[name])


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def png_bytes(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = [b"\x89PNG\r\n\x1a\n"]
    for kind, body in chunks:
        crc = zlib.crc32(kind + body)
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc))
    return b"".join(out)


@st.composite
def corrupted_png(draw: st.DrawFn) -> bytes:
    """A PNG with chunks mutated, repeated, dropped or added, every CRC still right."""
    base = seeds()[draw(st.sampled_from(["png", "png_palette", "apng"]))]
    chunks = png_chunks(base)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(chunks) - 1))
        kind, body = chunks[at]
        move = draw(st.sampled_from(["mutate", "drop", "repeat", "add", "size"]))
        if move == "mutate":
            chunks[at] = (kind, draw(mutated(body, most=2)))
        elif move == "drop" and len(chunks) > 1:
            del chunks[at]
        elif move == "repeat":
            chunks[at:at] = [(kind, body)] * draw(st.integers(1, 20))
        elif move == "add":
            new_kind = draw(
                st.sampled_from(
                    [
                        b"IDAT",
                        b"tEXt",
                        b"zTXt",
                        b"iCCP",
                        b"acTL",
                        b"fcTL",
                        b"PLTE",
                        b"tRNS",
                        b"eXIf",
                    ]
                )
            )
            chunks.insert(at, (new_kind, draw(st.binary(max_size=64))))
        elif move == "size" and kind == b"IHDR":
            size = struct.pack(
                ">II", draw(st.integers(0, 2**31 - 1)), draw(st.integers(0, 2**31 - 1))
            )
            chunks[at] = (kind, size + body[8:])
    return png_bytes(chunks)


@st.composite
def declared_size_rewritten(draw: st.DrawFn) -> bytes:
    """A JPEG, GIF, BMP or WebP whose header declares a (often huge) size of its own choosing."""
    width, height = draw(st.integers(0, 65535)), draw(st.integers(0, 65535))
    fmt = draw(st.sampled_from(["jpeg", "jpeg_progressive", "gif", "bmp", "webp"]))
    data = bytearray(seeds()[fmt])
    if fmt.startswith("jpeg"):
        at = max(data.find(b"\xff\xc0"), data.find(b"\xff\xc2"))
        data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    elif fmt == "gif":
        data[6:10] = struct.pack("<HH", width, height)
    elif fmt == "bmp":
        data[18:26] = struct.pack("<ii", width, -height if draw(st.booleans()) else height)
    else:
        at = data.find(b"VP8")
        data[at + 14 : at + 18] = struct.pack("<HH", width & 0x3FFF, height & 0x3FFF)
    return bytes(data)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "a harmless archive hidden after an image")
    return buffer.getvalue()


_TAILS = [_zip_bytes(), b"<html><body><script>alert(1)</script></body></html>", b"%PDF-1.4\n%%EOF"]


@st.composite
def polyglot(draw: st.DrawFn) -> bytes:
    """An image with a ZIP, HTML or PDF appended, or an HTML page in front of one."""
    image = draw(SEEDS)
    tail = draw(st.sampled_from(_TAILS))
    return tail + image if draw(st.integers(0, 4)) == 0 else image + tail


@st.composite
def many_scans_jpeg(draw: st.DrawFn) -> bytes:
    """A progressive JPEG with its last scan repeated: every scan walks the whole image."""
    data = seeds()["jpeg_progressive"]
    last = data[data.rindex(b"\xff\xda") : -2]
    return data[:-2] + last * draw(st.integers(1, 300)) + b"\xff\xd9"
