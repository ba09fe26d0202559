"""What a rule type is: its parameters and a check that returns findings keyed by subject."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection


class RuleUnavailable(RuntimeError):
    """A rule type whose analysis is not installed (e.g. campaigns): the rule is skipped."""


@dataclass(frozen=True)
class Finding:
    """One subject a rule fires on: ``subject`` is stable across runs (it keys the alert)."""

    subject: str
    summary: str
    evidence: dict[str, Any]


def plain(value: Any) -> Any:
    """JSON-ready copy (dates as ISO text), so evidence compares equal after a round trip."""
    return orjson.loads(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValueError("expected a list of names")
    return [str(v) for v in value]


def _number(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        if value < 0:
            raise ValueError("must not be negative")
        if not math.isfinite(value):  # YAML's .inf and .nan
            raise ValueError(f"expected a finite number, got {value!r}")
        return kind(value)

    return convert


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty text")
    return value.strip()


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "int": _number(int),
    "float": _number(float),
    "text": _text,
    "names": _str_list,
    "flag": _flag,
}


@dataclass(frozen=True)
class Param:
    kind: str  # a CONVERTERS key
    default: Any = None
    required: bool = False
    help: str = ""

    def convert(self, value: Any) -> Any:
        return CONVERTERS[self.kind](value)


Check = Callable[[Connection, dict[str, Any]], list[Finding]]


@dataclass(frozen=True)
class RuleType:
    name: str
    description: str
    params: dict[str, Param]
    check: Check
