"""Alert rules from a YAML file, validated with the line each mistake is on.

A rules file has three top-level keys: ``rules`` (a list), ``sinks`` (name -> sink settings)
and optionally ``webhook_allow`` (networks a webhook may reach although they are internal,
e.g. ``127.0.0.1/32`` for a receiver on the same machine). See examples/rules.yaml.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from watchfloor.alerts.sinks import SINK_FIELDS
from watchfloor.alerts.types import RULE_TYPES

SEVERITIES = ("info", "low", "medium", "high", "critical")
RULE_KEYS = {"id", "type", "severity", "params", "sinks", "description"}
TOP_KEYS = {"rules", "sinks", "webhook_allow"}
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,119}$")
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class RulesError(ValueError):
    """A rules file that cannot be used; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    severity: str
    params: dict[str, Any]
    sinks: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    sinks: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhook_allow: tuple[IpNetwork, ...] = ()
    source: str = "<rules>"


def example_rules_path() -> Path:
    return Path(str(resources.files("watchfloor.alerts") / "examples" / "rules.yaml"))


def load_rules(path: Path | str) -> RuleSet:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError([f"{path}: cannot read: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise RulesError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str = "<rules>") -> RuleSet:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise RulesError([f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    checker = _Checker(source)
    ruleset = checker.document(data, node)
    if checker.problems:
        raise RulesError(checker.problems)
    return ruleset


def _child(node: Any, key: str | int) -> Any:
    """The YAML node under a mapping key or at a list index (for its line number)."""
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _is_one_of(value: Any, names: Iterable[str]) -> bool:
    """``value in names`` for any YAML value: a list or mapping is unhashable, and no name."""
    return isinstance(value, str) and value in names


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, node: Any, message: str) -> None:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        self.problems.append(f"{self.source}{line}: {message}")

    def document(self, data: Any, node: Any) -> RuleSet:
        if not isinstance(data, dict):
            self.fail(node, "expected a mapping with 'rules' and 'sinks'")
            return RuleSet(())
        for key in sorted(set(data) - TOP_KEYS, key=str):  # YAML keys may be numbers too
            self.fail(_child(node, key), f"unknown key {key!r} (expected {sorted(TOP_KEYS)})")
        sinks = self.sinks(data.get("sinks") or {}, _child(node, "sinks"))
        allow = self.allow(data.get("webhook_allow") or [], _child(node, "webhook_allow"))
        raw_rules = data.get("rules")
        if not isinstance(raw_rules, list) or not raw_rules:
            self.fail(_child(node, "rules") or node, "'rules' must be a non-empty list")
            return RuleSet((), sinks, allow, self.source)
        rules_node = _child(node, "rules")
        rules = [self.rule(r, _child(rules_node, i), sinks) for i, r in enumerate(raw_rules)]
        seen: set[str] = set()
        for i, rule in enumerate(rules):
            if rule is not None and rule.id in seen:
                self.fail(_child(rules_node, i), f"rule id {rule.id!r} is used twice")
            if rule is not None:
                seen.add(rule.id)
        return RuleSet(tuple(r for r in rules if r), sinks, allow, self.source)

    def sinks(self, data: Any, node: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(data, dict):
            self.fail(node, "'sinks' must map sink names to their settings")
            return {}
        good = {}
        for name, conf in data.items():
            where = _child(node, name)
            if not isinstance(conf, dict) or not _is_one_of(conf.get("type"), SINK_FIELDS):
                self.fail(where, f"sink {name!r}: 'type' must be one of {sorted(SINK_FIELDS)}")
                continue
            required, optional = SINK_FIELDS[conf["type"]]
            for key in sorted(required - set(conf)):
                self.fail(where, f"sink {name!r}: missing {key!r}")
            for key in sorted(set(conf) - required - optional - {"type"}, key=str):
                self.fail(where, f"sink {name!r}: unknown setting {key!r}")
            good[str(name)] = conf
        return good

    def allow(self, data: Any, node: Any) -> tuple[IpNetwork, ...]:
        if not isinstance(data, list):
            self.fail(node, "'webhook_allow' must be a list of networks like 127.0.0.1/32")
            return ()
        nets = []
        for i, value in enumerate(data):
            try:
                nets.append(ipaddress.ip_network(str(value), strict=False))
            except ValueError:
                self.fail(_child(node, i) or node, f"{value!r} is not an IP network")
        return tuple(nets)

    def rule(self, data: Any, node: Any, sinks: dict[str, Any]) -> Rule | None:
        if not isinstance(data, dict):
            self.fail(node, "each rule must be a mapping with id, type, severity")
            return None
        before = len(self.problems)
        rid = str(data.get("id", ""))
        label = f"rule {rid!r}" if rid else "rule"
        if not ID_RE.match(rid):
            self.fail(node, f"{label}: 'id' must be letters, digits, '.', '_' or '-'")
        for key in sorted(set(data) - RULE_KEYS, key=str):
            self.fail(_child(node, key), f"{label}: unknown key {key!r}")
        if not _is_one_of(data.get("severity"), SEVERITIES):
            self.fail(
                _child(node, "severity") or node,
                f"{label}: 'severity' must be one of {', '.join(SEVERITIES)}",
            )
        rtype = data.get("type")
        params = self.params(label, rtype, data.get("params") or {}, node)
        rule_sinks = data.get("sinks") or []
        if not isinstance(rule_sinks, list):
            self.fail(_child(node, "sinks"), f"{label}: 'sinks' must be a list of sink names")
            rule_sinks = []
        for name in rule_sinks:
            if not _is_one_of(name, sinks):
                self.fail(_child(node, "sinks"), f"{label}: no sink named {name!r}")
        if len(self.problems) > before:
            return None
        return Rule(
            rid, rtype, data["severity"], params, tuple(rule_sinks), data.get("description")
        )

    def params(self, label: str, rtype: Any, given: Any, node: Any) -> dict[str, Any]:
        if not _is_one_of(rtype, RULE_TYPES):
            where = _child(node, "type") or node
            self.fail(where, f"{label}: 'type' must be one of {', '.join(sorted(RULE_TYPES))}")
            return {}
        where = _child(node, "params") or node
        if not isinstance(given, dict):
            self.fail(where, f"{label}: 'params' must be a mapping")
            return {}
        spec = RULE_TYPES[rtype].params
        for key in sorted(set(given) - set(spec), key=str):
            self.fail(
                where,
                f"{label}: {rtype} takes no parameter {key!r} "
                f"(it takes {', '.join(sorted(spec)) or 'none'})",
            )
        out = {}
        for key, param in spec.items():
            if key not in given:
                if param.required:
                    self.fail(where, f"{label}: {rtype} needs parameter {key!r}")
                out[key] = param.default
                continue
            try:
                out[key] = param.convert(given[key])
            except (TypeError, ValueError) as exc:
                self.fail(_child(where, key) or where, f"{label}: parameter {key!r}: {exc}")
        return out
