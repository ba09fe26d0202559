"""Printed notes held up in front of real photos: the OCR test and benchmark images.

A note is a paper-like card with 1-3 short benign lines in one of the five languages, drawn with
Pillow (Arabic shaped right-to-left with raqm and Noto Sans Arabic), turned by -15..15 degrees,
given a slight perspective, pasted at 30-50 % of the photo's width into a real landmark photo and
JPEG-compressed. Everything is drawn from a seeded generator, so a case list is reproducible.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONTS = Path("/usr/share/fonts/truetype")
LATIN_FONTS = (
    FONTS / "dejavu/DejaVuSans.ttf",
    FONTS / "dejavu/DejaVuSans-Bold.ttf",
    FONTS / "dejavu/DejaVuSerif.ttf",
    FONTS / "noto/NotoSans-Regular.ttf",
    FONTS / "noto/NotoSans-Bold.ttf",
    FONTS / "noto/NotoSerif-Regular.ttf",
)
ARABIC_FONTS = (
    FONTS / "noto/NotoSansArabic-Regular.ttf",
    FONTS / "noto/NotoSansArabic-Bold.ttf",
    FONTS / "noto/NotoNaskhArabic-Regular.ttf",
)

# Benign stand-in phrases: greetings, weather, travel.
PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "We are here today",
        "Greetings from the city",
        "The weather is fine",
        "See you next week",
        "A long walk by the river",
        "Thank you for the visit",
        "Good morning to all",
        "Our trip starts now",
    ),
    "fr": (
        "Nous sommes ici",
        "Bonjour de la ville",
        "Il fait beau aujourd'hui",
        "À la semaine prochaine",
        "Une longue promenade",
        "Merci pour la visite",
        "Le café est très bon",
        "Notre voyage commence",
    ),
    "de": (
        "Wir sind hier",
        "Grüße aus der Stadt",
        "Das Wetter ist schön",
        "Bis nächste Woche",
        "Ein langer Spaziergang",
        "Danke für den Besuch",
        "Guten Morgen zusammen",
        "Unsere Reise beginnt",
    ),
    "nl": (
        "Wij zijn hier",
        "Groeten uit de stad",
        "Het weer is mooi",
        "Tot volgende week",
        "Een lange wandeling",
        "Bedankt voor het bezoek",
        "Goedemorgen allemaal",
        "Onze reis begint nu",
    ),
    "ar": (
        "نحن هنا اليوم",
        "تحية من المدينة",
        "الطقس جميل اليوم",
        "نراكم الأسبوع القادم",
        "نزهة طويلة قرب النهر",
        "شكرا على الزيارة",
        "صباح الخير للجميع",
        "رحلتنا تبدأ الآن",
    ),
}
LANGUAGES = tuple(PHRASES)


@dataclass(frozen=True)
class NoteCase:
    """One composite: the JPEG bytes and what is written on the note."""

    name: str
    language: str
    lines: tuple[str, ...]
    jpeg: bytes
    angle: float
    width_fraction: float
    note_box: tuple[int, int, int, int]  # where the note is: left, top, right, bottom

    def on_note(self, quad: list[list[int]]) -> bool:
        """Whether a box read in the image lies on the note (its centre does)."""
        x = sum(p[0] for p in quad) / len(quad)
        y = sum(p[1] for p in quad) / len(quad)
        left, top, right, bottom = self.note_box
        return left <= x <= right and top <= y <= bottom

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def landmark_photos(folder: Path) -> list[Path]:
    """The real photos (not the OpenCV sanity pair), in a stable order."""
    return sorted(p for p in folder.glob("*/*.jpg") if not p.parent.name.startswith("_"))


def render_note(lines: tuple[str, ...], language: str, rng: random.Random) -> Image.Image:
    """An RGBA card with the lines centred on paper-like ground."""
    fonts = ARABIC_FONTS if language == "ar" else LATIN_FONTS
    font = ImageFont.truetype(str(rng.choice(fonts)), 64, layout_engine=ImageFont.Layout.RAQM)
    direction = "rtl" if language == "ar" else "ltr"
    sizes = [_text_box(font, line, direction) for line in lines]
    width = max(w for w, _ in sizes) + 120
    line_height = max(h for _, h in sizes) + 36
    height = line_height * len(lines) + 90
    paper = tuple(rng.randint(225, 250) for _ in range(3))
    card = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(card)
    ink = tuple(rng.randint(5, 60) for _ in range(3))
    for i, (line, (w, _h)) in enumerate(zip(lines, sizes, strict=True)):
        x = (width - w) // 2
        y = 45 + i * line_height
        draw.text((x, y), line, font=font, fill=ink, direction=direction)
    card = _paper_texture(card, rng)
    return card.convert("RGBA")


def _text_box(font: ImageFont.FreeTypeFont, line: str, direction: str) -> tuple[int, int]:
    left, top, right, bottom = font.getbbox(line, direction=direction)
    return right - left, bottom - top


def _paper_texture(card: Image.Image, rng: random.Random) -> Image.Image:
    """A light shading gradient and grain, so the card is not a flat synthetic rectangle."""
    arr = np.asarray(card, dtype=np.float32)
    w = arr.shape[1]
    shade = np.linspace(1.0, rng.uniform(0.8, 1.0), w, dtype=np.float32)[None, :, None]
    grain = np.random.default_rng(rng.getrandbits(32)).normal(0, 4, arr.shape)
    return Image.fromarray(np.clip(arr * shade + grain, 0, 255).astype(np.uint8))


def _perspective(card: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """Move each corner inwards by up to `strength` of the side: a card not quite facing us
    (outside the moved corners the card is transparent)."""
    w, h = card.size
    jitter = [(rng.uniform(0, strength) * w, rng.uniform(0, strength) * h) for _ in range(4)]
    corners = [
        (jitter[0][0], jitter[0][1]),
        (w - jitter[1][0], jitter[1][1]),
        (w - jitter[2][0], h - jitter[2][1]),
        (jitter[3][0], h - jitter[3][1]),
    ]
    coeffs = _perspective_coefficients(corners, [(0, 0), (w, 0), (w, h), (0, h)])
    return card.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)


def _perspective_coefficients(
    dst: list[tuple[float, float]], src: list[tuple[float, float]]
) -> list[float]:
    """Pillow's 8 coefficients mapping output (dst) points to input (src) points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def compose(
    photo: Image.Image,
    card: Image.Image,
    rng: random.Random,
    *,
    width_fraction: float,
    angle: float,
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Paste the card, tilted and in slight perspective, at `width_fraction` of the photo's width;
    returns the composite and the card's bounding box in it."""
    card = _perspective(card, rng, 0.06)
    scale = width_fraction * photo.width / card.width
    card = card.resize(
        (max(1, round(card.width * scale)), max(1, round(card.height * scale))),
        Image.Resampling.LANCZOS,
    )
    card = card.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    card = card.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.6)))
    out = photo.convert("RGB").copy()
    x = rng.randint(0, max(0, out.width - card.width))
    y = rng.randint(out.height // 5, max(out.height // 5, out.height - card.height))
    out.paste(card, (x, y), card)
    left, top, right, bottom = card.getchannel("A").getbbox() or (0, 0, card.width, card.height)
    return out, (x + left, y + top, x + right, y + bottom)


def facade(width: int = 960, height: int = 720, seed: int = 0) -> Image.Image:
    """A generated stand-in for a photo of a building: sky, stone, columns, a grid of windows
    and railings, with grain; the kind of regular structure a text detector can take for text."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (width, height), (150, 175, 205))
    draw = ImageDraw.Draw(img)
    top = height // 4
    draw.rectangle((0, top, width, height), fill=(190, 180, 160))
    for x in range(width // 16, width, width // 8):  # columns
        draw.rectangle((x, top + 20, x + width // 24, height), fill=(215, 205, 185))
        draw.line((x + 4, top + 20, x + 4, height), fill=(150, 140, 125), width=2)
    for row in range(3):  # windows
        y = top + 60 + row * (height // 6)
        for x in range(width // 10, width, width // 6):
            draw.rectangle((x, y, x + 40, y + 60), fill=(60, 60, 70))
            draw.line((x + 20, y, x + 20, y + 60), fill=(200, 200, 200), width=3)
    for x in range(0, width, 9):  # a railing
        draw.line((x, height - 80, x, height - 30), fill=(40, 40, 40), width=3)
    draw.line((0, height - 80, width, height - 80), fill=(40, 40, 40), width=4)
    grain = rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(np.asarray(img, np.float32) + grain, 0, 255).astype(np.uint8))


def note_image(
    lines: tuple[str, ...],
    language: str,
    *,
    seed: int = 0,
    angle: float = 8.0,
    width_fraction: float = 0.4,
    backdrop: Image.Image | None = None,
) -> bytes:
    """One note on `backdrop` (a generated façade by default), as JPEG bytes."""
    rng = random.Random(seed)
    card = render_note(lines, language, rng)
    image, _box = compose(
        backdrop or facade(seed=seed), card, rng, width_fraction=width_fraction, angle=angle
    )
    return jpeg_bytes(image, 85)


def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def note_cases(photos: list[Path], per_language: int, seed: int = 4) -> list[NoteCase]:
    """`per_language` composites for each language, photos taken in turn."""
    rng = random.Random(seed)
    cases = []
    for lang in LANGUAGES:
        for i in range(per_language):
            photo_path = photos[(i * len(LANGUAGES) + LANGUAGES.index(lang)) % len(photos)]
            lines = tuple(rng.sample(PHRASES[lang], rng.randint(1, 3)))
            width_fraction = rng.uniform(0.3, 0.5)
            angle = rng.uniform(-15.0, 15.0)
            card = render_note(lines, lang, rng)
            with Image.open(photo_path) as photo:
                image, box = compose(photo, card, rng, width_fraction=width_fraction, angle=angle)
            jpeg = jpeg_bytes(image, rng.randint(70, 90))
            name = f"{lang}-{i:02d}-{photo_path.stem}"
            cases.append(NoteCase(name, lang, lines, jpeg, angle, width_fraction, box))
    return cases


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces (line breaks too), trimmed."""
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance over the reference length, whitespace normalised."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    return levenshtein(ref, hyp) / max(1, len(ref))
