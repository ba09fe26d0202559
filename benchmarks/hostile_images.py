"""Worst cases within the default image limits: time and peak memory of decoding files that sit
just under each limit (and one over it, to show that refusing costs nothing).

Each case runs in a fresh process, whose peak resident size (VmHWM) is read before and after:

    .venv/bin/python benchmarks/hostile_images.py [--json] [--quick]

``--quick`` sets a quarter of the default limits (for a smoke run). The files are written to a temporary
folder and removed at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile_images import write_streamed_png

from watchfloor.imaging import DEFAULT_LIMITS, ImageLimits

_PROBE = """
import json, sys, time
from watchfloor.imaging import ImageLimits, ImageRejected, decode_rgb, probe_image
def peak():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
call = probe_image if sys.argv[2] == "probe" else decode_rgb
before, start = peak(), time.perf_counter()
try:
    call(sys.argv[1], limits=ImageLimits(**json.loads(sys.argv[3]))); code = None
except ImageRejected as exc:
    code = exc.code
print(json.dumps({"code": code, "seconds": time.perf_counter() - start,
                  "peak_mib": (peak() - before) / 1024}))
"""


def _gif_parts() -> tuple[bytes, bytes]:
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    data = buffer.getvalue()
    flags = data[10]
    end = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    return data[:end], data[end:-1]


def junk_gif(path: Path, size: int) -> None:
    """A GIF whose first frame comes after ``size`` bytes that Pillow skips one at a time."""
    head, frame = _gif_parts()
    path.write_bytes(head + bytes(size - len(head) - len(frame) - 1) + frame + b";")


def many_frames_gif(path: Path, frames: int) -> None:
    head, frame = _gif_parts()
    path.write_bytes(head + frame * frames + b";")


def many_scans_jpeg(path: Path, side: int, scans: int) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (90, 120, 200)).save(buffer, "JPEG", progressive=True)
    data = buffer.getvalue()
    last = data[data.rindex(b"\xff\xda") : -2]
    extra = scans - data.count(b"\xff\xda")
    path.write_bytes(data[:-2] + last * extra + b"\xff\xd9")


def scaled_limits(scale: float) -> ImageLimits:
    limits = DEFAULT_LIMITS
    return replace(
        limits,
        pixels=int(limits.pixels * scale),
        bytes=int(limits.bytes * scale),
        frames=max(2, int(limits.frames * scale)),
    )


def cases(limits: ImageLimits) -> list[tuple[str, str, Callable[[Path], None]]]:
    side = int(limits.pixels**0.5)
    nbytes, frames = limits.bytes, limits.frames
    return [
        (f"PNG {side}x{side} grey, full decode", "decode", lambda p: write_streamed_png(p, side, side)),
        (f"progressive JPEG {side}x{side}, {limits.jpeg_scans} scans", "decode",
         lambda p: many_scans_jpeg(p, side, limits.jpeg_scans)),
        (f"JPEG {side}x{side}, {limits.jpeg_scans + 1} scans (refused)", "decode",
         lambda p: many_scans_jpeg(p, side, limits.jpeg_scans + 1)),
        (f"GIF, first frame after {nbytes - 64:,} junk bytes", "probe", lambda p: junk_gif(p, nbytes - 64)),
        (f"GIF, {frames:,} frames", "probe", lambda p: many_frames_gif(p, frames)),
        (f"GIF, {frames + 1:,} frames (refused)", "probe", lambda p: many_frames_gif(p, frames + 1)),
        (f"PNG {side + 100}x{side + 100} (refused)", "decode",
         lambda p: write_streamed_png(p, side + 100, side + 100)),
    ]  # fmt: skip


def run(
    name: str, call: str, write: Callable[[Path], None], folder: Path, limits: ImageLimits
) -> dict:
    path = folder / "case.img"
    write(path)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path), call, json.dumps(asdict(limits))],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout) | {"case": name, "call": call, "bytes": path.stat().st_size}
    path.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    limits = scaled_limits(0.25 if args.quick else 1.0)
    print(f"limits: {limits}")
    with tempfile.TemporaryDirectory(prefix="wf-hostile-") as folder:
        results = [run(*case, Path(folder), limits) for case in cases(limits)]
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for r in results:
        outcome = r["code"] or "decoded"
        print(f"{r['case']:<55} {r['bytes']:>12,} B  {outcome:<16} "
              f"{r['seconds']:7.2f} s  {r['peak_mib']:7.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
