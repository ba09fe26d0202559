"""Look files or hashes up in the enabled hash banks without ingesting anything.

Shared by `watchfloor match` and the web API's bank look-up: PDQ of an image with all its
rotations and flips, and the MD5 of the bytes (which also finds non-images).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from watchfloor.analyzers.match import low_quality_reason, match_dihedral
from watchfloor.imaging import DEFAULT_MAX_PIXELS, ImageRejected
from watchfloor.matching.bank_index import BankIndex
from watchfloor.matching.formats import guess_signal_type, validate_hash
from watchfloor.pdq import pdq_hash_file

CHUNK = 1 << 20


def look_up_file(
    index: BankIndex,
    path: Path,
    *,
    mode: str,
    banks: set[str] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> dict[str, Any]:
    """PDQ (all rotations and flips) and MD5 matches of one file; a file that is no image is
    still looked up by MD5. Raises OSError when the file cannot be read."""
    result: dict[str, Any] = {
        "file": str(path),
        "md5": file_md5(path),
        "pdq": None,
        "quality": None,
    }
    matches = index.match_md5(result["md5"], banks)
    try:
        pdq = pdq_hash_file(path, mode=mode, max_pixels=max_pixels)
    except ImageRejected as exc:
        result["skipped"] = f"no PDQ ({exc.code}): {exc}"
    else:
        result |= {"pdq": pdq.hash, "quality": pdq.quality}
        result["skipped"] = low_quality_reason(pdq.quality)
        if result["skipped"] is None:
            matches = match_dihedral(index, pdq.dihedral, banks) + matches
    result["matches"] = [m.as_dict() for m in matches]
    return result


def look_up_hash(index: BankIndex, value: str, banks: set[str] | None = None) -> dict[str, Any]:
    """Matches of one PDQ (64 hex digits) or MD5 (32) hash; ``HashError`` for anything else."""
    signal_type = guess_signal_type(value)
    value = validate_hash(signal_type, value)
    if signal_type == "pdq":
        matches = index.match_pdq([value], banks)
    else:
        matches = index.match_md5(value, banks)
    return {"hash": value, "signal_type": signal_type, "matches": [m.as_dict() for m in matches]}


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
