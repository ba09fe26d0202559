"""OCR accuracy and speed on printed notes held up in front of real photos.

Each case is a paper-like note with 1-3 short benign lines in Arabic, English, French, German or
Dutch, at 30-50 % of the photo's width, tilted -15..15 degrees, in slight perspective, pasted
into a real photo of ``../shared/data/landmarks`` and JPEG-compressed (``tests/note_composites.py``).
The ``ocr`` analyzer reads each one; reported per language:

- CER: character error rate, the edit distance between what is on the note and what was read
  on it (the lines whose boxes lie on the note, whitespace normalised) over the note's length,
  pooled over the cases
  (target <= 0.05), and the worst single case;
- language accuracy: the signal's dominant language is the note's;
- then, on the clean photos (no note), how many got any text at all, and what it was;
- time per image (one process, one thread), with a note and clean: CPU seconds and wall-clock
  seconds; and the process's peak memory (what an OCR worker holds).

    .venv/bin/python benchmarks/ocr_accuracy.py                  # 10 notes per language
    .venv/bin/python benchmarks/ocr_accuracy.py --per-language 20 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests/note_composites.py

from tests.note_composites import (  # noqa: E402
    LANGUAGES,
    NoteCase,
    landmark_photos,
    levenshtein,
    normalise,
    note_cases,
)

from watchfloor.analyzers.base import AnalyzerOptions, MediaItem  # noqa: E402
from watchfloor.analyzers.ocr import OcrAnalyzer  # noqa: E402

LANDMARKS = ROOT.parent / "shared" / "data" / "landmarks"


@dataclass
class LanguageResult:
    cases: int = 0
    errors: int = 0
    characters: int = 0
    worst_cer: float = 0.0
    language_correct: int = 0
    misreads: list[dict] = field(default_factory=list)

    @property
    def cer(self) -> float:
        return self.errors / max(1, self.characters)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children, if any: unlike the wall clock, not
    inflated when other work shares the cores."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def read(analyzer: OcrAnalyzer, path: Path) -> tuple[dict | None, float, float]:
    """The signal value (None: no text), wall seconds and CPU seconds."""
    item = MediaItem("0" * 64, path, path.stat().st_size, "image/jpeg")
    wall, cpu = time.perf_counter(), cpu_seconds()
    outputs = analyzer.analyze(item, {})
    value = outputs[0].value if outputs else None
    return value, time.perf_counter() - wall, cpu_seconds() - cpu


def note_text(case: NoteCase, value: dict | None) -> str:
    """The lines read on the note (a photo may carry text of its own: a sign, a watermark)."""
    lines = value["lines"] if value else []
    return "\n".join(ln["text"] for ln in lines if case.on_note(ln["box"]))


def score_case(result: LanguageResult, case: NoteCase, value: dict | None) -> None:
    text = note_text(case, value)
    reference = normalise(case.text)
    distance = levenshtein(reference, normalise(text))
    result.cases += 1
    result.errors += distance
    result.characters += len(reference)
    result.worst_cer = max(result.worst_cer, distance / max(1, len(reference)))
    result.language_correct += bool(value) and value["language"] == case.language
    if distance:
        result.misreads.append({"case": case.name, "expected": case.text, "read": text})


def run(args: argparse.Namespace) -> dict:
    photos = landmark_photos(LANDMARKS)
    analyzer = OcrAnalyzer(AnalyzerOptions())
    results = {lang: LanguageResult() for lang in LANGUAGES}
    times: dict[str, list[tuple[float, float]]] = {"note": [], "clean": []}
    clean_hits = []
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.jpg"
        warm.write_bytes(note_cases(photos[:1], 1, seed=99)[0].jpeg)
        read(analyzer, warm)  # engines load once per process: not part of the per-image time
        for case in note_cases(photos, args.per_language, seed=args.seed):
            path = Path(tmp) / f"{case.name}.jpg"
            path.write_bytes(case.jpeg)
            value, *seconds = read(analyzer, path)
            times["note"].append(tuple(seconds))
            score_case(results[case.language], case, value)
        for photo in photos:
            value, *seconds = read(analyzer, photo)
            times["clean"].append(tuple(seconds))
            if value:
                clean_hits.append({"photo": photo.name, "text": value["text"]})
    return {
        "per_language": args.per_language,
        "seed": args.seed,
        "languages": {
            lang: {
                "cases": r.cases,
                "cer": round(r.cer, 4),
                "worst_case_cer": round(r.worst_cer, 4),
                "language_accuracy": round(r.language_correct / max(1, r.cases), 4),
                "misreads": r.misreads,
            }
            for lang, r in results.items()
        },
        "clean_photos": len(photos),
        "clean_photos_with_text": len(clean_hits),
        "clean_photo_text": clean_hits,
        "seconds_per_image": {
            kind: {"wall": round(mean(w for w, _ in t), 3), "cpu": round(mean(c for _, c in t), 3)}
            for kind, t in times.items()
        },
        # the whole run is one process: this is what a worker holds at its peak
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def report(summary: dict) -> None:
    print(f"{summary['per_language']} notes per language (seed {summary['seed']})")
    print(f"{'language':<9}{'cases':>6}{'CER':>8}{'worst':>8}{'lang acc':>10}")
    for lang, r in summary["languages"].items():
        print(
            f"{lang:<9}{r['cases']:>6}{r['cer']:>8.3f}{r['worst_case_cer']:>8.3f}"
            f"{r['language_accuracy']:>10.2f}"
        )
    for lang, r in summary["languages"].items():
        for m in r["misreads"]:
            print(f"  {lang} {m['case']}: {m['expected']!r} -> {m['read']!r}")
    print(
        f"clean photos with text: {summary['clean_photos_with_text']} of {summary['clean_photos']}"
    )
    for hit in summary["clean_photo_text"]:
        print(f"  {hit['photo']}: {hit['text']!r}")
    for kind, t in summary["seconds_per_image"].items():
        print(
            f"seconds per {kind} image: {t['cpu']} CPU, {t['wall']} wall (one process, one thread)"
        )
    print(
        f"peak memory of the process (engines and language detector loaded): {summary['peak_rss_mb']} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-language", type=int, default=10, help="notes per language (10)")
    parser.add_argument("--seed", type=int, default=4, help="composite generator seed (4)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if not LANDMARKS.is_dir():
        print(f"reference photos not found: {LANDMARKS}", file=sys.stderr)
        return 2
    summary = run(args)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        report(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
