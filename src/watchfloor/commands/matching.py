"""`watchfloor match`: look files up in the hash banks without ingesting them.

Exit codes: 0 done (matched or not); 2 usage error (e.g. an unknown bank); 4 some files could
not be read at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from watchfloor.cli import EXIT_HASH_FAILED, AppContext, emit_json, err, json_option, table
from watchfloor.matching.bank_index import (
    BankIndex,
    index_directory,
    open_bank_index,
    sync_bank_index,
)
from watchfloor.matching.lookup import look_up_file


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
