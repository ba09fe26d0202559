"""Text in images: detection, straightening, recognition by script, junk filtering, reading order.

1. rapidocr's detector finds text boxes (rotated quadrilaterals) on the image scaled to
   ``detector_side`` pixels; boxes scored under ``min_box_score``, too small or standing upright
   are dropped.
2. Each box is straightened: the quadrilateral is warped to an upright rectangle (a note tilted by
   15 degrees or seen in slight perspective comes out level), cut from the full-size image.
3. rapidocr's multilingual Latin recogniser reads it. A reading scored ``min_latin_score`` or more
   that is all Latin letters (façades give runs of CJK glyphs and 'IIII' for railings) is a line.
4. Otherwise Tesseract reads the box as Arabic (``ara``), which also splits a box holding several
   lines; a line whose words average ``min_tesseract_confidence`` and which is all Arabic letters
   is kept. If rapidocr saw Latin letters, Tesseract ``eng+fra+deu+nld`` gets the same chance.
5. Lines are put in reading order: top to bottom, then left to right (right to left in a row of
   Arabic lines).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from watchfloor.matching.verify import single_threaded_opencv
from watchfloor.vision.ocr_engines import DETECTOR_SIDE, Engines, TesseractWord, engines
from watchfloor.vision.ocr_language import latin_language, letters_by_script, looks_like_text

__all__ = ["OcrLine", "OcrParams", "read_text", "reading_order"]

Quad = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]
LATIN_TESSERACT = "eng+fra+deu+nld"
DIGITS_CONFIDENCE = 0.8
TESSERACT_HEIGHT = 64  # pixels: the crop height Tesseract reads best as a block


@dataclass(frozen=True)
class OcrParams:
    detector_side: int = DETECTOR_SIDE
    min_box_score: float = 0.5
    min_box_height: int = 10  # pixels of the full-size image
    max_boxes: int = 24  # the best-scored boxes read per image
    min_latin_score: float = 0.9
    min_tesseract_confidence: float = 0.75
    good_tesseract_confidence: float = 0.88  # a reading this good ends the search (see below)
    crop_height: tuple[int, int] = (48, 128)  # straightened boxes are scaled into this range


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: Quad  # clockwise from top-left, full-size image pixels
    language: str
    confidence: float
    engine: str

    def as_dict(self) -> dict:
        out = asdict(self)
        out["box"] = [list(p) for p in self.box]
        out["confidence"] = round(self.confidence, 4)
        return out


def read_text(rgb: np.ndarray, params: OcrParams = OcrParams()) -> list[OcrLine]:
    """The lines of text in an RGB image, in reading order."""
    eng = engines(params.detector_side)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    quads, scores = eng.detect(bgr)
    order = np.argsort(-scores, kind="stable")[: params.max_boxes]
    lines: list[OcrLine] = []
    for i in order:
        if scores[i] >= params.min_box_score and _usable_box(quads[i], params):
            lines.extend(_read_box(eng, bgr, quads[i], params))
    return reading_order(lines)


def _usable_box(quad: np.ndarray, params: OcrParams) -> bool:
    width, height = _sides(quad)
    return height >= params.min_box_height and width >= height


def _sides(quad: np.ndarray) -> tuple[float, float]:
    width = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))
    height = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
    return float(width), float(height)


def straighten(
    bgr: np.ndarray, quad: np.ndarray, crop_height: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The quadrilateral warped upright, and the homography from the crop back to the image."""
    width, height = _sides(quad)
    low, high = crop_height
    scale = min(max(1.0, low / height), high / height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    target = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    with single_threaded_opencv():
        to_crop = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
        crop = cv2.warpPerspective(
            bgr, to_crop, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
    return crop, np.linalg.inv(to_crop)


def _read_box(eng: Engines, bgr: np.ndarray, quad: np.ndarray, params: OcrParams) -> list[OcrLine]:
    crop, to_image = straighten(bgr, quad, params.crop_height)
    text, score = eng.recognise(crop)
    text = " ".join(text.split())
    letters = letters_by_script(text)
    if letters["other"]:
        return []  # CJK glyphs: what the Latin recogniser makes of façades and railings
    if not letters:
        # the Latin recogniser reads Arabic as nothing at all, junk as digits ('888')
        return [] if any(ch.isdigit() for ch in text) else _tesseract(eng, crop, to_image, params)
    if score >= params.min_latin_score and looks_like_text(text, "latin"):
        return [OcrLine(text, _int_quad(quad), latin_language(text), score, "rapidocr")]
    return _tesseract(eng, crop, to_image, params, LATIN_TESSERACT) or _tesseract(
        eng, crop, to_image, params
    )


def _tesseract(
    eng: Engines,
    crop: np.ndarray,
    to_image: np.ndarray,
    params: OcrParams,
    languages: str = "ara",
) -> list[OcrLine]:
    with single_threaded_opencv():
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    return _tesseract_lines(eng, grey, to_image, languages, params)


def _tesseract_lines(
    eng: Engines, grey: np.ndarray, to_image: np.ndarray, languages: str, params: OcrParams
) -> list[OcrLine]:
    """Tesseract's lines in a straightened box. Its page layout analysis at times finds nothing
    at all in a clean line of text; read as one raw line (mode 13) the same crop comes out right,
    though with more small slips. So: the crop scaled to 64 pixels high as a block of text
    (mode 6) first, then as it is as a raw line, then as it is as a block, each only if none
    before was read well enough; the reading with the highest confidence wins. Measured on 32
    Arabic note lines: 3 character errors with the first two, where either alone made 18 or more.
    A raw line often ends in a full stop made of the note's edge: it is dropped."""
    script = "arabic" if languages == "ara" else "latin"
    best: list[list[TesseractWord]] = []
    best_confidence = -1.0
    for image, factor, psm in _variants(grey):
        words = [w for w in eng.tesseract(image, languages, psm) if _real_word(w, script)]
        if psm == 13 and words and words[-1].text.endswith("."):
            last = words[-1]
            words[-1] = TesseractWord(last.text.rstrip("."), last.confidence, last.line, last.box)
        confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
        if confidence > best_confidence:
            best, best_confidence = _scaled_lines(words, factor), confidence
        if confidence >= params.good_tesseract_confidence:
            break
    lines = []
    for words in best:
        text = " ".join(w.text for w in words)
        # the median: one word spoilt by the note's edge ('word.' at 0.06) does not sink a line
        confidence = float(np.median([w.confidence for w in words]))
        if confidence < params.min_tesseract_confidence or not looks_like_text(text, script):
            continue
        language = "ar" if script == "arabic" else latin_language(text)
        lines.append(OcrLine(text, _words_quad(words, to_image), language, confidence, "tesseract"))
    return lines


def _variants(grey: np.ndarray) -> Iterator[tuple[np.ndarray, float, int]]:
    """(image, its scale relative to the crop, Tesseract page segmentation mode)."""
    factor = TESSERACT_HEIGHT / grey.shape[0]
    with single_threaded_opencv():
        resized = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    yield resized, factor, 6
    yield grey, 1.0, 13
    yield grey, 1.0, 6  # a loose box around a whole note: its text is small at 64 pixels


def _scaled_lines(words: list[TesseractWord], factor: float) -> list[list[TesseractWord]]:
    """Words grouped by Tesseract's lines, their boxes back in the crop's pixels."""
    lines: dict[tuple[int, int, int], list[TesseractWord]] = {}
    for w in words:
        box = tuple(round(v / factor) for v in w.box)
        lines.setdefault(w.line, []).append(TesseractWord(w.text, w.confidence, w.line, box))
    return list(lines.values())


def _real_word(word: TesseractWord, script: str) -> bool:
    """Letters of the script, or a number read with confidence: not the '|' and '1' Tesseract
    makes of the edges of a note or of the background beside it."""
    if letters_by_script(word.text)[script]:
        return True
    digits = sum(ch.isdigit() for ch in word.text)
    return digits >= 2 and word.confidence >= DIGITS_CONFIDENCE


def _words_quad(words: list[TesseractWord], to_image: np.ndarray) -> Quad:
    left = min(w.box[0] for w in words)
    top = min(w.box[1] for w in words)
    right = max(w.box[0] + w.box[2] for w in words)
    bottom = max(w.box[1] + w.box[3] for w in words)
    corners = np.float32([[[left, top], [right, top], [right, bottom], [left, bottom]]])
    with single_threaded_opencv():
        mapped = cv2.perspectiveTransform(corners, to_image)[0]
    return _int_quad(mapped)


def _int_quad(points: np.ndarray) -> Quad:
    a, b, c, d = ((round(float(x)), round(float(y))) for x, y in points)
    return (a, b, c, d)


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom, in the frame of the text itself (a note tilted by 15 degrees has lines whose
    boxes overlap in image height); lines side by side form a row, read left to right, or right to
    left when the row is Arabic."""
    if not lines:
        return []
    angle = float(np.median([_angle(ln) for ln in lines]))
    frames = [_Levelled(ln, angle) for ln in lines]
    rows: list[list[_Levelled]] = []
    for item in sorted(frames, key=lambda f: f.centre[1]):
        if rows and rows[-1][-1].same_row(item):
            rows[-1].append(item)
        else:
            rows.append([item])
    ordered = []
    for row in rows:
        rtl = sum(f.line.language == "ar" for f in row) * 2 > len(row)
        ordered.extend(f.line for f in sorted(row, key=lambda f: f.centre[0], reverse=rtl))
    return ordered


def _angle(line: OcrLine) -> float:
    (x0, y0), (x1, y1) = line.box[0], line.box[1]
    return float(np.arctan2(y1 - y0, x1 - x0))


class _Levelled:
    """A line's box turned by -angle, so that the text runs horizontally."""

    def __init__(self, line: OcrLine, angle: float) -> None:
        c, s = np.cos(-angle), np.sin(-angle)
        points = np.array(line.box, np.float64) @ np.array([[c, s], [-s, c]])
        self.line = line
        self.centre = points.mean(axis=0)
        self.top, self.bottom = float(points[:, 1].min()), float(points[:, 1].max())

    def same_row(self, other: _Levelled) -> bool:
        overlap = min(self.bottom, other.bottom) - max(self.top, other.top)
        return overlap > 0.5 * min(self.bottom - self.top, other.bottom - other.top)
