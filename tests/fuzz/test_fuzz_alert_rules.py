"""Fuzzing the alert-rule loader with YAML text.

Property: ``parse_rules`` returns a RuleSet or raises ``RulesError`` (which the CLI prints, one
problem a line); ``load_rules`` on a file of arbitrary bytes does the same.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.bounds import bounded
from tests.fuzz.export_strategies import JSON_VALUES
from tests.fuzz.mutations import mutated
from watchfloor.alerts.rules import RulesError, RuleSet, example_rules_path, load_rules, parse_rules
from watchfloor.alerts.sinks import SINK_FIELDS
from watchfloor.alerts.types import RULE_TYPES

MEMORY_MIB = 64
EXAMPLE = example_rules_path().read_bytes()
_KEYS = st.sampled_from(["id", "type", "severity", "params", "sinks", "description", "x"])
_YAML_VALUES = JSON_VALUES | st.floats() | st.lists(st.lists(st.integers(), max_size=2), max_size=2)


@st.composite
def rules_document(draw: st.DrawFn) -> dict:
    sinks = {
        draw(st.text(max_size=6) | st.integers()): draw(
            st.fixed_dictionaries({"type": st.sampled_from(sorted(SINK_FIELDS)) | _YAML_VALUES})
            | _YAML_VALUES
        )
        for _ in range(draw(st.integers(0, 2)))
    }
    rules = []
    for _ in range(draw(st.integers(0, 3))):
        rtype = draw(st.sampled_from(sorted(RULE_TYPES)) | _YAML_VALUES)
        params = draw(
            st.dictionaries(
                st.sampled_from(sorted(RULE_TYPES[rtype].params) or ["p"])
                if isinstance(rtype, str) and rtype in RULE_TYPES
                else st.text(max_size=5),
                _YAML_VALUES,
                max_size=3,
            )
            | _YAML_VALUES
        )
        rule = {"id": draw(st.text(max_size=8) | _YAML_VALUES), "type": rtype, "params": params}
        rule |= draw(st.dictionaries(_KEYS, _YAML_VALUES | st.just(list(sinks)), max_size=3))
        rules.append(rule)
    doc: dict = {"rules": rules, "sinks": sinks}
    if draw(st.booleans()):
        doc["webhook_allow"] = draw(
            st.lists(st.sampled_from(["127.0.0.1/32", "::1", "x"]) | _YAML_VALUES, max_size=2)
        )
    doc |= draw(st.dictionaries(st.text(max_size=4) | st.integers(), _YAML_VALUES, max_size=2))
    return doc


def check_text(text: str) -> None:
    with bounded(MEMORY_MIB):
        try:
            result = parse_rules(text, "fuzz.yaml")
        except RulesError as exc:
            assert exc.problems and all(isinstance(p, str) for p in exc.problems)
            return
    assert isinstance(result, RuleSet)


@given(rules_document())
def test_structured_rules(doc: dict) -> None:
    check_text(yaml.safe_dump(doc, allow_unicode=True))


@given(mutated(EXAMPLE))
def test_mutated_example(data: bytes) -> None:
    check_text(data.decode("utf-8", "replace"))


@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    check_text(text)


@given(st.binary(max_size=400) | mutated(EXAMPLE, most=2))
def test_rules_file_of_any_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="wf-fuzz-") as folder:
        path = Path(folder) / "rules.yaml"
        path.write_bytes(data)
        with bounded(MEMORY_MIB), contextlib.suppress(RulesError):
            load_rules(path)
