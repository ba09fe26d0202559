"""Stand-in emblems drawn here (invented flags, a logo and an outlet wordmark; never real
symbols) and composites of them pasted onto real photos: perspective, scale, cloth-like waving,
occlusion, lighting, JPEG, and small fixed-position semi-transparent watermarks.

Shared by tests/test_emblems.py and benchmarks/emblem_accuracy.py; everything is seeded.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _font(size: int, name: str = "DejaVuSans-Bold.ttf") -> ImageFont.FreeTypeFont:
    path = FONT_DIR / name
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _star(cx: float, cy: float, outer: float, inner: float, n: int, rot: float = 0.0):
    points = []
    for i in range(2 * n):
        r = outer if i % 2 == 0 else inner
        a = rot + math.pi * i / n
        points.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    return points


def flag_arden() -> Image.Image:
    """An invented flag: teal and orange diagonal fields, a ringed seven-point star, a motto."""
    im = Image.new("RGB", (600, 400), (0, 120, 130))
    d = ImageDraw.Draw(im)
    d.polygon([(600, 0), (600, 400), (160, 400)], fill=(235, 130, 30))
    d.ellipse((70, 60, 270, 260), fill=(250, 245, 230), outline=(20, 40, 60), width=8)
    d.polygon(_star(170, 160, 85, 38, 7), fill=(180, 30, 50))
    d.rectangle((0, 310, 600, 370), fill=(20, 40, 60))
    d.text((300, 340), "ARDEN LEAGUE", font=_font(44), fill=(250, 245, 230), anchor="mm")
    d.text(
        (440, 150), "QVZ", font=_font(70, "DejaVuSerif-Bold.ttf"), fill=(20, 40, 60), anchor="mm"
    )
    return im


def flag_solace() -> Image.Image:
    """An invented flag: purple and yellow bands, a chain of triangles, a bird-like polygon."""
    im = Image.new("RGB", (600, 360), (90, 40, 120))
    d = ImageDraw.Draw(im)
    d.rectangle((0, 240, 600, 360), fill=(245, 210, 40))
    for i in range(10):
        x = 30 + i * 58
        d.polygon([(x, 300), (x + 24, 255), (x + 48, 300)], fill=(90, 40, 120))
    d.polygon(
        [(80, 170), (150, 60), (200, 130), (300, 40), (250, 170), (170, 150)],
        fill=(240, 240, 240),
    )
    d.text((440, 110), "SOLACE", font=_font(58), fill=(245, 210, 40), anchor="mm")
    d.text(
        (440, 185), "free coast 1887", font=_font(30, "DejaVuSerif.ttf"), fill="white", anchor="mm"
    )
    return im


def logo_vexa() -> Image.Image:
    """An invented logo: a shield with chevrons and rings, the letters VX."""
    im = Image.new("RGB", (480, 480), (235, 235, 225))
    d = ImageDraw.Draw(im)
    d.ellipse((20, 20, 460, 460), outline=(30, 30, 90), width=14)
    d.ellipse((55, 55, 425, 425), outline=(160, 20, 20), width=6)
    d.polygon(
        [(240, 80), (380, 130), (360, 300), (240, 400), (120, 300), (100, 130)], fill=(30, 30, 90)
    )
    for k in range(3):
        y = 250 + k * 40
        d.line([(140, y), (240, y + 45), (340, y)], fill=(230, 190, 60), width=12)
    d.text(
        (240, 180), "VX", font=_font(110, "DejaVuSerif-Bold.ttf"), fill=(235, 235, 225), anchor="mm"
    )
    return im


def wordmark_northwind() -> Image.Image:
    """RGBA: an invented outlet's wordmark (white with a dark outline, on transparent), stamped
    on pictures as a watermark."""
    im = Image.new("RGBA", (660, 200), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    white, shadow = (255, 255, 255, 255), (25, 25, 25, 255)
    d.ellipse((6, 26, 154, 174), outline=shadow, width=18)
    d.ellipse((10, 30, 150, 170), outline=white, width=10)
    d.polygon(_star(80, 100, 62, 14, 4, math.pi / 8), fill=white, outline=shadow, width=3)
    d.text(
        (170, 70),
        "NORTHWIND",
        font=_font(72),
        fill=white,
        anchor="lm",
        stroke_width=3,
        stroke_fill=shadow,
    )
    d.text(
        (172, 145),
        "media  est. 2016",
        font=_font(40, "DejaVuSans.ttf"),
        fill=white,
        anchor="lm",
        stroke_width=2,
        stroke_fill=shadow,
    )
    return im


def wordmark_reference(wordmark: Image.Image) -> Image.Image:
    """What an analyst registers for a watermark: the wordmark on a mid-grey ground."""
    ground = Image.new("RGB", wordmark.size, (128, 128, 128))
    ground.paste(wordmark, mask=wordmark.split()[3])
    return ground


@dataclass(frozen=True)
class StandIn:
    label: str
    kind: str  # flag, logo, watermark
    image: Image.Image  # RGB reference, as registered
    overlay: Image.Image | None = None  # RGBA drawn into photos (watermarks)


def stand_ins() -> list[StandIn]:
    mark = wordmark_northwind()
    return [
        StandIn("Arden League flag", "flag", flag_arden()),
        StandIn("Solace flag", "flag", flag_solace()),
        StandIn("Vexa logo", "logo", logo_vexa()),
        StandIn("Northwind Media", "watermark", wordmark_reference(mark), mark),
    ]


def save_png(image: Image.Image, path: Path) -> Path:
    image.save(path, format="PNG")
    return path


# compositing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Composite:
    jpeg: bytes
    label: str
    polygon: np.ndarray  # (4, 2) where the emblem's corners went
    width_fraction: float


def wave(rgb: np.ndarray, rng: random.Random, amplitude: float = 0.05) -> np.ndarray:
    """Cloth-like waving: a sinusoidal mesh warp along the flag with matching shading."""
    h, w = rgb.shape[:2]
    pad = int(h * amplitude * 1.5) + 2
    cycles = rng.uniform(1.0, 2.0)
    phase = rng.uniform(0, 2 * math.pi)
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h + 2 * pad, dtype=np.float32))
    angle = 2 * math.pi * cycles * xs / w + phase
    grow = xs / w  # waves grow away from the pole
    dy = amplitude * h * np.sin(angle) * grow
    dx = 0.015 * w * np.cos(angle) * grow
    map_x, map_y = xs + dx, ys - pad + dy
    out = cv2.remap(rgb, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    shade = 1.0 + 0.25 * np.cos(angle)[..., None] * grow[..., None]
    alpha = cv2.remap(np.full((h, w), 255, np.uint8), map_x, map_y, cv2.INTER_LINEAR)
    out = np.clip(out.astype(np.float32) * shade, 0, 255).astype(np.uint8)
    return np.dstack([out, alpha])


def _perspective_corners(
    w: int, h: int, target_w: float, image_size: tuple[int, int], rng: random.Random, tilt: float
) -> np.ndarray:
    iw, ih = image_size
    scale = target_w / w
    sw, sh = w * scale, h * scale
    if sh > ih * 0.95:  # too tall for the photo: shrink (the width fraction is reported as is)
        sw, sh = sw * ih * 0.95 / sh, ih * 0.95
    jitter = tilt * min(sw, sh)
    base = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    base += np.array(
        [[rng.uniform(-jitter, jitter) for _ in range(2)] for _ in range(4)], np.float32
    )
    angle = math.radians(rng.uniform(-12, 12))
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    base = (base - base.mean(0)) @ rot.T.astype(np.float32)
    # fit inside the photo: scale down if needed, then place at random
    span = base.max(0) - base.min(0)
    shrink = min(1.0, (iw - 2) / span[0], (ih - 2) / span[1])
    base = base * shrink
    base -= base.min(0)
    span = base.max(0)
    offset = np.array([rng.uniform(0, iw - 1 - span[0]), rng.uniform(0, ih - 1 - span[1])])
    return (base + offset).astype(np.float32)


def paste_emblem(
    photo: np.ndarray,
    emblem: np.ndarray,
    width_fraction: float,
    rng: random.Random,
    *,
    waving: bool = False,
    tilt: float = 0.12,
) -> tuple[np.ndarray, np.ndarray]:
    """The photo with the emblem warped in; and where the emblem's corners went."""
    ih, iw = photo.shape[:2]
    rgba = (
        wave(emblem, rng)
        if waving
        else np.dstack([emblem, np.full(emblem.shape[:2], 255, np.uint8)])
    )
    h, w = rgba.shape[:2]
    corners = _perspective_corners(w, h, width_fraction * iw, (iw, ih), rng, tilt)
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    warped = cv2.warpPerspective(rgba, matrix, (iw, ih), flags=cv2.INTER_AREA)
    alpha = warped[..., 3:4].astype(np.float32) / 255
    out = photo.astype(np.float32) * (1 - alpha) + warped[..., :3].astype(np.float32) * alpha
    return out.astype(np.uint8), corners


def occlude(image: np.ndarray, polygon: np.ndarray, rng: random.Random, share: float) -> None:
    """Cover part of the emblem with a dark pole-like bar or a blob (a hand, a head)."""
    x0, y0 = polygon.min(0)
    x1, y1 = polygon.max(0)
    bw, bh = (x1 - x0), (y1 - y0)
    if rng.random() < 0.5:
        width = bw * share
        x = rng.uniform(x0, x1 - width)
        pts = np.array([[x, y0 - 5], [x + width, y0 - 5], [x + width, y1 + 5], [x, y1 + 5]])
    else:
        r = math.sqrt(share * bw * bh / math.pi)
        cx, cy = rng.uniform(x0 + r / 2, x1 - r / 2), rng.uniform(y0 + r / 2, y1 - r / 2)
        t = np.linspace(0, 2 * math.pi, 24)
        pts = np.stack([cx + r * np.cos(t), cy + r * 1.2 * np.sin(t)], 1)
    colour = tuple(int(c) for c in rng.choice([(40, 30, 25), (180, 140, 120), (60, 60, 70)]))
    cv2.fillPoly(image, [pts.astype(np.int32)], colour)


def relight(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """A global gain and offset plus a soft gradient across the picture."""
    w = image.shape[1]
    gain = rng.uniform(0.6, 1.3)
    ramp = np.linspace(1 - rng.uniform(0, 0.25), 1 + rng.uniform(0, 0.25), w, dtype=np.float32)
    out = image.astype(np.float32) * gain * ramp[None, :, None] + rng.uniform(-20, 20)
    return np.clip(out, 0, 255).astype(np.uint8)


def stamp_watermark(
    photo: np.ndarray, overlay: Image.Image, width_fraction: float, alpha: float, corner: str
) -> tuple[np.ndarray, np.ndarray]:
    """A semi-transparent wordmark at a fixed position (a corner, with a margin)."""
    ih, iw = photo.shape[:2]
    w = max(8, round(width_fraction * iw))
    h = max(4, round(overlay.height * w / overlay.width))
    mark = np.asarray(overlay.resize((w, h), Image.LANCZOS)).astype(np.float32)
    margin = round(0.03 * iw)
    x = margin if "left" in corner else iw - margin - w
    y = margin if "top" in corner else ih - margin - h
    a = mark[..., 3:4] / 255 * alpha
    out = photo.astype(np.float32)
    out[y : y + h, x : x + w] = out[y : y + h, x : x + w] * (1 - a) + mark[..., :3] * a
    polygon = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
    return out.astype(np.uint8), polygon


def jpeg(image: np.ndarray, quality: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def load_photo(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def emblem_composite(
    photo: np.ndarray, stand_in: StandIn, width_fraction: float, seed: int, *, waving: bool
) -> Composite:
    """A flag or logo in a photo: perspective, optional waving, occlusion, lighting, JPEG."""
    rng = random.Random(seed)
    emblem = np.asarray(stand_in.image)
    image, polygon = paste_emblem(photo, emblem, width_fraction, rng, waving=waving)
    if rng.random() < 0.5:
        occlude(image, polygon, rng, rng.uniform(0.08, 0.2))
    image = relight(image, rng)
    return Composite(jpeg(image, rng.randint(50, 85)), stand_in.label, polygon, width_fraction)


CORNERS = ("bottom right", "bottom left", "top right", "top left")


def watermark_composite(
    photo: np.ndarray, stand_in: StandIn, width_fraction: float, alpha: float, seed: int
) -> Composite:
    rng = random.Random(seed)
    assert stand_in.overlay is not None
    corner = rng.choice(CORNERS)
    image, polygon = stamp_watermark(photo, stand_in.overlay, width_fraction, alpha, corner)
    return Composite(jpeg(image, rng.randint(50, 85)), stand_in.label, polygon, width_fraction)


def landmark_photos(root: Path) -> list[Path]:
    """The 45 labelled photos (labels.csv), without the feature-matching sanity pair."""
    lines = (root / "labels.csv").read_text(encoding="utf-8").splitlines()[1:]
    files = [line.split(",", 1)[0] for line in lines if line.strip()]
    return [root / f for f in files if not f.startswith("_feature_matching_sanity")]


WIDTHS = (0.15, 0.2, 0.3, 0.5, 0.75, 1.0)
WATERMARKS = ((0.15, 0.35), (0.2, 0.45), (0.3, 0.6), (0.15, 0.6), (0.25, 0.35))


def accuracy_cases(index: int, photo: np.ndarray) -> list[tuple[str, int, Composite]]:
    """The accuracy benchmark's images for photo number ``index``: (group, index of the
    stand-in or -1, composite). Groups: clean (the photo), rigid and waving (six widths, the
    three flags and logos in turn, waving every other time), watermark (five width/alpha pairs)."""
    emblems = stand_ins()
    out: list[tuple[str, int, Composite]] = [
        ("clean", -1, Composite(jpeg(photo, 90), "", np.zeros((4, 2), np.float32), 0))
    ]
    for j, width in enumerate(WIDTHS):
        k, waving = (index + j) % 3, (index + j) % 2 == 1
        composite = emblem_composite(photo, emblems[k], width, 1000 * index + j, waving=waving)
        out.append(("waving" if waving else "rigid", k, composite))
    for j, (width, alpha) in enumerate(WATERMARKS):
        seed = 1000 * index + 100 + j
        out.append(("watermark", 3, watermark_composite(photo, emblems[3], width, alpha, seed)))
    return out
