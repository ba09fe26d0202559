"""Text in images: detection, straightening, recognition by script, junk filtering, reading order.

1. rapidocr's detector finds text boxes (rotated quadrilaterals) on the image scaled to
   ``detector_side`` pixels; boxes scored under ``min_box_score``, too small, or less than
   ``min_box_aspect`` times wider than high (windows, columns) are dropped.
2. Each box is straightened: the quadrilateral is warped to an upright rectangle (a note tilted by
   15 degrees or seen in slight perspective comes out level), cut from the full-size image.
3. rapidocr's multilingual Latin recogniser (PP-OCRv6: English, French, German, Dutch and more)
   reads it. A reading scored ``min_latin_score`` or more, all Latin letters, with a word of
   three letters or more, is a line. A reading with CJK glyphs or only digits is junk (what the
   recogniser makes of façades, railings and windows) and the box is dropped.
4. The recogniser reads Arabic as nothing at all (or as a few letters with low confidence): such
   boxes go to Tesseract ``ara``, which also splits a box holding several lines. A line whose words'
   median confidence is ``min_tesseract_confidence`` or more, all Arabic letters, is kept.
   (Tesseract's Latin languages were tried as a fallback too: 0.8 s of CPU a call, for nothing
   the recogniser had missed on the test notes.)
5. Lines are put in reading order: top to bottom in the text's own frame (a tilted note's lines
   overlap in image height), then left to right, or right to left in a row of Arabic lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from watchfloor.matching.verify import single_threaded_opencv
from watchfloor.vision.ocr_engines import DETECTOR_SIDE, Engines, TesseractWord, engines
from watchfloor.vision.ocr_language import latin_language, letters_by_script, looks_like_text

__all__ = ["OcrLine", "OcrParams", "read_text", "reading_order"]

Quad = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]
DIGITS_CONFIDENCE = 0.8
MIN_SIDE = 8  # pixels at the detector's working size; rapidocr cannot scale thinner images
# The recogniser (trained on many Latin-script languages) at times reads a German umlaut as a
# macron ('schōn'); none of English, French, German or Dutch writes one.
_MACRONS = str.maketrans("āēīōūĀĒĪŌŪ", "äëïöüÄËÏÖÜ")
_INNER_QUOTE = re.compile(r'(?<=[^\W\d_])"(?=[^\W\d_])')  # aujourd"hui: an apostrophe
ONE_LINE_ASPECT = 3.0  # a box this many times wider than high holds one line
SPLIT_LINE_PENALTY = 0.9
EDGE_MARKS = ".,'`\"|:;!-_"
TESSERACT_HEIGHTS = (40, 64)  # pixels: crop heights Tesseract is first asked to read as a block


@dataclass(frozen=True)
class OcrParams:
    detector_side: int = DETECTOR_SIDE
    min_box_score: float = 0.5
    min_box_height: int = 10  # pixels of the full-size image
    min_box_aspect: float = 1.5  # width / height: windows and columns are read as 'II'
    max_boxes: int = 24  # the best-scored boxes read per image
    min_latin_score: float = 0.9
    min_tesseract_confidence: float = 0.7
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
    height, width = rgb.shape[:2]
    if min(height, width) * params.detector_side < MIN_SIDE * max(height, width):
        return []  # a sliver (at working size under MIN_SIDE pixels across): nothing to read
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
    return height >= params.min_box_height and width >= params.min_box_aspect * height


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
    text = _INNER_QUOTE.sub("'", " ".join(text.translate(_MACRONS).split()))
    letters = letters_by_script(text)
    if letters["other"]:
        return []  # CJK glyphs: what the Latin recogniser makes of façades and railings
    if not letters:
        # the Latin recogniser reads Arabic as nothing at all, junk as digits ('888')
        return [] if any(ch.isdigit() for ch in text) else _tesseract(eng, crop, to_image, params)
    if score >= params.min_latin_score and looks_like_text(text, "latin"):
        return [OcrLine(text, _int_quad(quad), latin_language(text), score, "rapidocr")]
    return _tesseract(eng, crop, to_image, params)  # Arabic is at times read as 'l 2o0'


def _tesseract(
    eng: Engines, crop: np.ndarray, to_image: np.ndarray, params: OcrParams
) -> list[OcrLine]:
    with single_threaded_opencv():
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    return _tesseract_lines(eng, grey, to_image, params)


def _tesseract_lines(
    eng: Engines, grey: np.ndarray, to_image: np.ndarray, params: OcrParams
) -> list[OcrLine]:
    """Tesseract's lines in a straightened box. Its page layout analysis at times finds nothing
    at all in a clean line of text, and which version of a crop it fails on varies: scaled to 40
    or 64 pixels high, slightly blurred, or read as one raw line (mode 13, more small slips). So
    it reads them in turn until one is read well enough (mean word confidence 0.88); the reading
    with the highest confidence wins. On 62 Arabic note lines: no error with all four, 51-157
    character errors with any one alone. ASCII marks at the ends of Arabic words (a full stop,
    a quote: the note's edges) are dropped."""
    best: list[list[TesseractWord]] = []
    best_confidence = -1.0
    one_line = grey.shape[1] >= ONE_LINE_ASPECT * grey.shape[0]
    for image, factor, psm in _variants(grey):
        words = [_trimmed(w) for w in eng.tesseract(image, "ara", psm) if _real_word(w)]
        confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
        if one_line and len({w.line for w in words}) > 1:
            confidence *= SPLIT_LINE_PENALTY  # a line cut in two ('... الز' + 'لزيارة')
        if confidence > best_confidence:
            best, best_confidence = _scaled_lines(words, factor), confidence
        if confidence >= params.good_tesseract_confidence:
            break
    lines = []
    for words in best:
        text = " ".join(w.text for w in words)
        # the median: one word spoilt by the note's edge ('word.' at 0.06) does not sink a line
        confidence = float(np.median([w.confidence for w in words]))
        if confidence < params.min_tesseract_confidence or not looks_like_text(text, "arabic"):
            continue
        lines.append(OcrLine(text, _words_quad(words, to_image), "ar", confidence, "tesseract"))
    return lines


def _variants(grey: np.ndarray) -> Iterator[tuple[np.ndarray, float, int]]:
    """(image, its scale relative to the crop, Tesseract page segmentation mode), in the order
    that read 62 Arabic note lines (three seeds of the composites) without an error."""
    for height in TESSERACT_HEIGHTS:
        factor = height / grey.shape[0]
        with single_threaded_opencv():
            scaled = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        yield scaled, factor, 6
    with single_threaded_opencv():
        blurred = cv2.GaussianBlur(grey, (3, 3), 0)
    yield blurred, 1.0, 6
    yield grey, 1.0, 13


def _scaled_lines(words: list[TesseractWord], factor: float) -> list[list[TesseractWord]]:
    """Words grouped by Tesseract's lines, their boxes back in the crop's pixels."""
    lines: dict[tuple[int, int, int], list[TesseractWord]] = {}
    for w in words:
        box = tuple(round(v / factor) for v in w.box)
        lines.setdefault(w.line, []).append(TesseractWord(w.text, w.confidence, w.line, box))
    return list(lines.values())


def _trimmed(word: TesseractWord) -> TesseractWord:
    """Without the ASCII marks a raw line picks up from the note's edges ("'word", "word.")."""
    return TesseractWord(word.text.strip(EDGE_MARKS), word.confidence, word.line, word.box)


def _real_word(word: TesseractWord) -> bool:
    """Letters of the script, or a number read with confidence: not the '|' and '1' Tesseract
    makes of the edges of a note or of the background beside it."""
    if letters_by_script(word.text)["arabic"]:
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
