"""The `ocr` analyzer: text written in an image (a printed note held up, a caption, a sign).

Arabic, English, French, German and Dutch; see ``watchfloor.vision.ocr`` for how. The signal is
derived text that the text analyzers read like a post's text (``ProducesText``):

    kind "ocr_text", score = mean line confidence, value = {
      "text": the lines in reading order joined with "\\n",
      "language": the language of most letters (ar, en, fr, de, nl or other),
      "lines": [{"text", "box": [[x, y] x 4], "language", "confidence", "engine"}, ...]}

No signal when an image has no text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from watchfloor.analyzers.base import Analyzer, MediaItem, ProducesText, SignalOut, decode_image

__all__ = ["OcrAnalyzer"]

DECODE_REDUCE_TO = 900  # shorter side kept when decoding: plenty for a note at 30 % of the width


class OcrAnalyzer(ProducesText, Analyzer):
    name: ClassVar[str] = "ocr"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("ocr_text",)
    text_kinds: ClassVar[tuple[str, ...]] = ("ocr_text",)
    description: ClassVar[str] = (
        "Text in images (Arabic, English, French, German, Dutch): lines, boxes, language, "
        "confidence"
    )

    def accepts(self, item: MediaItem) -> bool:
        return item.mime is None or item.mime.startswith("image/")

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        from watchfloor.vision.ocr import read_text  # the engines load in the worker, not here

        decoded = decode_image(item, self.options, DECODE_REDUCE_TO)
        lines = read_text(decoded.rgb)
        if not lines:
            return []
        value = text_value(lines, decoded.scale)
        score = round(sum(ln["confidence"] for ln in value["lines"]) / len(value["lines"]), 4)
        engines = sorted({ln["engine"] for ln in value["lines"]})
        return [SignalOut("ocr_text", value, score, {"engines": engines})]

    def derived_text(self, kind: str, value: Any) -> str | None:
        if kind not in self.text_kinds or not isinstance(value, dict):
            return None
        text = value.get("text")
        return text if isinstance(text, str) and text else None


def text_value(lines: list, scale: int = 1) -> dict[str, Any]:
    """The signal value of OcrLines found in an image decoded at 1/`scale` of its size."""
    from watchfloor.vision.ocr_language import dominant_language

    out = []
    for line in lines:
        entry = line.as_dict()
        entry["box"] = [[x * scale, y * scale] for x, y in entry["box"]]
        out.append(entry)
    return {
        "text": "\n".join(ln.text for ln in lines),
        "language": dominant_language((ln.text, ln.language) for ln in lines),
        "lines": out,
    }
