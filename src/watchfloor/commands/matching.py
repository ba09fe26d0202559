"""`watchfloor match`: look files up in the hash banks without ingesting them.

Exit codes: 0 done (matched or not); 2 usage error (e.g. an unknown bank); 4 some files could
not be read at all.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import click

from watchfloor.analyzers.match import low_quality_reason, match_dihedral
from watchfloor.cli import EXIT_HASH_FAILED, AppContext, emit_json, err, json_option, table
from watchfloor.imaging import ImageRejected
from watchfloor.matching.bank_index import (
    BankIndex,
    index_directory,
    open_bank_index,
    sync_bank_index,
)
from watchfloor.pdq import pdq_hash_file

CHUNK = 1 << 20


def look_up_file(
    index: BankIndex, path: Path, *, mode: str, banks: set[str] | None = None
) -> dict[str, Any]:
    """PDQ (all rotations and flips) and MD5 matches of one file; a file that is no image is
    still looked up by MD5. Raises OSError when the file cannot be read."""
    result: dict[str, Any] = {"file": str(path), "md5": _md5(path), "pdq": None, "quality": None}
    matches = index.match_md5(result["md5"], banks)
    try:
        pdq = pdq_hash_file(path, mode=mode)
    except ImageRejected as exc:
        result["skipped"] = f"no PDQ ({exc.code}): {exc}"
    else:
        result |= {"pdq": pdq.hash, "quality": pdq.quality}
        result["skipped"] = low_quality_reason(pdq.quality)
        if result["skipped"] is None:
            matches = match_dihedral(index, pdq.dihedral, banks) + matches
    result["matches"] = [m.as_dict() for m in matches]
    return result


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _bank_filter(index: BankIndex, names: tuple[str, ...]) -> set[str] | None:
    if not names:
        return None
    unknown = sorted(set(names) - set(index.bank_names()))
    if unknown:
        enabled = ", ".join(index.bank_names()) or "none"
        raise click.UsageError(f"no enabled bank named {', '.join(unknown)}; enabled: {enabled}")
    return set(names)


@click.command(name="match")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--bank", "bank_names", multiple=True, help="Match only against this bank; repeatable."
)
@json_option
@click.pass_obj
def match(app: AppContext, files: tuple[Path, ...], bank_names: tuple[str, ...], as_json: bool):
    """Look files up in the enabled banks (PDQ with rotations and flips, and MD5), without
    ingesting them."""
    report = sync_bank_index(app.store, index_directory(app.settings.workspace))
    index = open_bank_index(report.ref)
    banks = _bank_filter(index, bank_names)
    if not index.bank_names():
        err.print("no enabled banks: nothing can match (see `watchfloor banks`)")
    results, failed = [], 0
    for path in files:
        try:
            results.append(look_up_file(index, path, mode=app.settings.pdq_mode, banks=banks))
        except OSError as exc:
            failed += 1
            results.append({"file": str(path), "error": "unreadable", "reason": str(exc)})
    if as_json:
        emit_json(results)
    else:
        _print(results)
    if failed:
        sys.exit(EXIT_HASH_FAILED)


def _print(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["file"], "", "", "", f"error: {r['reason']}", ""])
            continue
        for m in r["matches"]:
            how = (
                "md5 exact"
                if m["signal_type"] == "md5"
                else f"pdq {m['distance']} {m['transform']}"
            )
            rows.append([r["file"], r["quality"], m["bank"], m["label"], how, m["entry_id"]])
        if not r["matches"]:
            rows.append([r["file"], r["quality"], "", "", r["skipped"] or "no match", ""])
    table("Matches", ["file", "quality", "bank", "label", "match", "entry"], rows)


COMMANDS = [match]
