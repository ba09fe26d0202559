"""The alert rules in force: `<workspace>/rules.yaml` if present, else the shipped examples.

Admins edit the workspace file; a new text is validated with the same parser as
`watchfloor alerts` before it is saved, and the file it replaces is kept as rules.yaml.bak.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from watchfloor.accounts.edits import Actor
from watchfloor.alerts.rules import RulesError, RuleSet, example_rules_path, parse_rules

RULES_FILE = "rules.yaml"
MAX_RULES_BYTES = 256 * 1024
_LINE = re.compile(r"^[^:]*:(\d+): ")


def rules_path(workspace: Path) -> Path:
    return workspace / RULES_FILE


def active_path(workspace: Path) -> Path:
    own = rules_path(workspace)
    return own if own.is_file() else example_rules_path()


def _rules(ruleset: RuleSet) -> list[dict[str, Any]]:
    return [asdict(r) | {"sinks": list(r.sinks)} for r in ruleset.rules]


def rules_view(workspace: Path) -> dict[str, Any]:
    """The active file's text and rules; a broken file shows its problems instead."""
    path = active_path(workspace)
    text = path.read_text(encoding="utf-8")
    view: dict[str, Any] = {
        "source": "workspace" if path == rules_path(workspace) else "shipped examples",
        "path": str(path),
        "text": text,
        "rules": [],
        "sinks": [],
        "problems": [],
    }
    try:
        ruleset = parse_rules(text, RULES_FILE)
    except RulesError as exc:
        view["problems"] = problem_list(exc)
        return view
    view["rules"] = _rules(ruleset)
    view["sinks"] = [{"name": n, "type": c.get("type")} for n, c in ruleset.sinks.items()]
    return view


def problem_list(exc: RulesError) -> list[dict[str, Any]]:
    """Each problem with the line it is on (None when the parser could not tell)."""
    out = []
    for problem in exc.problems:
        found = _LINE.match(problem)
        out.append({"line": int(found.group(1)) if found else None, "message": problem})
    return out


def save_rules(conn: Connection, actor: Actor, workspace: Path, text: str) -> dict[str, Any]:
    """Validate and save; ``RulesError`` (nothing written) when the text is not usable."""
    if len(text.encode("utf-8")) > MAX_RULES_BYTES:
        raise RulesError([f"{RULES_FILE}: longer than {MAX_RULES_BYTES // 1024} KiB"])
    text = text.replace("\r\n", "\n")
    ruleset = parse_rules(text, RULES_FILE)
    path = rules_path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{RULES_FILE}.tmp")
    tmp.write_text(text, encoding="utf-8")
    if path.is_file():
        os.replace(path, path.with_name(RULES_FILE + ".bak"))
    os.replace(tmp, path)
    detail = {"rules": len(ruleset.rules), "ids": [r.id for r in ruleset.rules][:50]}
    actor.record(conn, "rules_edit", "rules", RULES_FILE, detail)
    return {"saved": str(path), "rules": _rules(ruleset)}
