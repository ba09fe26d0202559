"""The OCR engines: rapidocr's text detector and Latin recogniser, and Tesseract.

rapidocr (PP-OCRv6 small detector and multilingual Latin recogniser) runs from the ONNX files
inside its wheel, named explicitly: given a model path it never looks anything up, while with
its defaults it would download whatever model its configuration names (its Arabic recogniser is
not in the wheel). Tesseract is Debian's library with its own tessdata, kept loaded in the process
through ``tesserocr`` (built from source against it: the tesserocr wheel bundles Tesseract 5.5,
whose page layout analysis found no text at all in some straightened Arabic lines that Debian's
5.3 reads), on one thread (``OMP_THREAD_LIMIT=1``): the pipeline already runs one worker per
core. Running the ``tesseract`` binary instead cost ~45 ms of CPU per call to start it and load
its Arabic model.

Engines are loaded lazily, once per process (``engines()``), and never travel in an analyzer's
pickled state; a process forked from one that had loaded them loads its own.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from watchfloor.matching.verify import single_threaded_opencv

__all__ = [
    "DETECTOR_MODEL",
    "RECOGNISER_MODEL",
    "Engines",
    "OcrUnavailable",
    "TesseractWord",
    "bundled_model",
    "engines",
    "tesseract_words",
]

DETECTOR_MODEL = "PP-OCRv6_det_small.onnx"
RECOGNISER_MODEL = "PP-OCRv6_rec_small.onnx"
CLASSIFIER_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"  # named only so that nothing is looked up
DETECTOR_SIDE = 736  # working size (longer side); at 640 a note lost its first letters
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c"), None)


class OcrUnavailable(RuntimeError):
    """An OCR engine or its model files are missing from this installation."""


def bundled_model(name: str) -> Path:
    """A model file inside the installed rapidocr wheel."""
    import rapidocr

    path = Path(rapidocr.__file__).parent / "models" / name
    if not path.is_file():
        raise OcrUnavailable(f"rapidocr's bundled model {name} is missing ({path})")
    return path


def _rapid_params(detector_side: int) -> dict[str, Any]:
    one_thread = {
        "EngineConfig.onnxruntime.intra_op_num_threads": 1,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        # rapidocr turns onnxruntime's memory arena off; with it the detector took 0.15 s
        # of CPU per image instead of 0.17 (benchmarks/vision.py), the same boxes
        "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
    }
    return {
        "Global.use_cls": False,
        "Global.text_score": 0.0,
        "Global.log_level": "error",
        "Det.model_path": str(bundled_model(DETECTOR_MODEL)),
        "Det.limit_side_len": detector_side,
        "Det.limit_type": "max",
        "Rec.model_path": str(bundled_model(RECOGNISER_MODEL)),
        "Cls.model_path": str(bundled_model(CLASSIFIER_MODEL)),
        **one_thread,
    }


@dataclass(frozen=True)
class TesseractWord:
    text: str
    confidence: float  # 0..1
    line: tuple[int, int, int]  # (block, paragraph, line) within the image
    box: tuple[int, int, int, int]  # left, top, width, height


class Engines:
    """rapidocr's detector and recogniser plus Tesseract, for one process."""

    def __init__(self, detector_side: int = DETECTOR_SIDE) -> None:
        from rapidocr import RapidOCR

        self._tesseract = _TesseractApis()
        with single_threaded_opencv():
            self._rapid = RapidOCR(params=_rapid_params(detector_side))

    def detect(self, bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Text boxes (N x 4 x 2, clockwise from top-left, in `bgr`'s pixels) and their scores."""
        with single_threaded_opencv():
            out = self._rapid(bgr, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        if boxes is None or len(boxes) == 0:
            return np.zeros((0, 4, 2), np.float32), np.zeros(0, np.float32)
        return np.asarray(boxes, np.float32), np.asarray(out.scores, np.float32)

    def recognise(self, bgr_line: np.ndarray) -> tuple[str, float]:
        """One straightened line image read as Latin script: (text, confidence 0..1)."""
        with single_threaded_opencv():
            out = self._rapid(bgr_line, use_det=False, use_cls=False, use_rec=True)
        texts = getattr(out, "txts", None)
        if not texts:
            return "", 0.0
        return str(texts[0]), float(out.scores[0])

    def tesseract(self, grey: np.ndarray, languages: str, psm: int = 6) -> list[TesseractWord]:
        """Words Tesseract reads in a grey image, with confidences; `psm` is its page
        segmentation mode (6: a block of text, 13: one raw line)."""
        return self._tesseract.read(grey, languages, psm)


class _TesseractApis:
    """One loaded Tesseract per language set (loading a model takes tens of milliseconds). A
    Tesseract handle is not thread-safe: threads of one process (a Dask worker with several
    threads) take turns."""

    def __init__(self) -> None:
        # read once, when OpenMP loads with Tesseract: its LSTM asks for several threads
        os.environ["OMP_THREAD_LIMIT"] = "1"
        try:
            import tesserocr
        except ImportError as exc:
            raise OcrUnavailable(
                "tesserocr is not installed (the README's set-up builds it against Debian's "
                "Tesseract: pip install --no-binary tesserocr tesserocr)"
            ) from exc
        self._module = tesserocr
        self.path, self.languages = tesserocr.get_languages()
        self._apis: dict[str, Any] = {}
        self._lock = threading.Lock()

    def read(self, grey: np.ndarray, languages: str, psm: int) -> list[TesseractWord]:
        with self._lock:
            return tesseract_words(self._api(languages), grey, psm)

    def _api(self, languages: str) -> Any:
        if languages not in self._apis:
            missing = [lang for lang in languages.split("+") if lang not in self.languages]
            if missing:
                raise OcrUnavailable(
                    f"Tesseract has no model for {', '.join(missing)} in {self.path} "
                    f"(Debian: apt-get install tesseract-ocr-{missing[0]})"
                )
            oem = self._module.OEM.LSTM_ONLY
            self._apis[languages] = self._module.PyTessBaseAPI(lang=languages, oem=oem)
        return self._apis[languages]


def tesseract_words(api: Any, grey: np.ndarray, psm: int = 6) -> list[TesseractWord]:
    """Words a loaded Tesseract (``tesserocr.PyTessBaseAPI``) reads in a grey image."""
    from PIL import Image

    api.SetPageSegMode(psm)
    api.SetImage(Image.fromarray(np.ascontiguousarray(grey)))
    return _parse_tsv(api.GetTSVText(0))


def _parse_tsv(tsv: str) -> list[TesseractWord]:
    """The words of Tesseract's TSV output (level 5 rows), with or without its header row."""
    words = []
    for row in tsv.splitlines():
        cells = row.split("\t")
        text = cells[11].translate(_BIDI_MARKS).strip() if len(cells) >= 12 else ""
        if cells[0] != "5" or not text:
            continue
        block, par, line = (int(c) for c in cells[2:5])
        left, top, width, height = (int(c) for c in cells[6:10])
        confidence = max(0.0, min(1.0, float(cells[10]) / 100.0))
        words.append(
            TesseractWord(text, confidence, (block, par, line), (left, top, width, height))
        )
    return words


_ENGINES: dict[tuple[int, int], Engines] = {}


def engines(detector_side: int = DETECTOR_SIDE) -> Engines:
    """This process's engines, loaded on first use."""
    key = (os.getpid(), detector_side)
    if key not in _ENGINES:
        _ENGINES.clear()  # those of a parent process, if this one was forked
        _ENGINES[key] = Engines(detector_side)
    return _ENGINES[key]
