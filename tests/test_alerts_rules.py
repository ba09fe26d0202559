"""Alert rule files: the shipped examples are valid, and every mistake is reported with its line."""

from __future__ import annotations

import ipaddress
import json

import pytest
from click.testing import CliRunner

from watchfloor.alerts.rules import RulesError, example_rules_path, load_rules, parse_rules
from watchfloor.alerts.types import RULE_TYPES
from watchfloor.cli import main

GOOD = """\
sinks:
  log: {type: file, path: alerts.jsonl}
webhook_allow: [127.0.0.1/32, "fd00::/8"]
rules:
  - id: quiet-outlet
    type: reactivation
    severity: high
    params: {min_silent_days: 45}
    sinks: [log]
  - id: fr
    type: threat_in_country
    severity: critical
    params: {country: France}
"""


def test_the_shipped_examples_cover_every_rule_type():
    ruleset = load_rules(example_rules_path())
    assert {r.type for r in ruleset.rules} == set(RULE_TYPES)
    assert {r.id for r in ruleset.rules} >= {"outlet-reactivated", "emblem-at-landmark"}
    reactivated = next(r for r in ruleset.rules if r.id == "outlet-reactivated")
    assert reactivated.params == {"min_silent_days": 30, "attribution": "official"}


def test_the_demo_rules_are_the_examples_logged_to_a_file():
    demo = load_rules(example_rules_path().with_name("demo.yaml"))
    examples = load_rules(example_rules_path())
    assert [(r.id, r.params) for r in demo.rules] == [(r.id, r.params) for r in examples.rules]
    assert {r.sinks for r in demo.rules} == {("log",)}


def test_a_valid_file_gets_defaults_and_networks():
    ruleset = parse_rules(GOOD)
    quiet, fr = ruleset.rules
    assert quiet.params == {"min_silent_days": 45, "attribution": None}
    assert fr.params == {"country": "France", "labels": ["threat"], "min_score": 0.5}
    assert fr.sinks == ()
    assert ruleset.webhook_allow == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("fd00::/8"),
    )


BAD = """\
sinks:
  a: {type: fax}
  b: {type: webhook}
webhook_allow: [not-a-net]
rules:
  - id: x
    type: surge
    severity: urgent
    params: {min_factor: -1, bogus: 2}
    sinks: [nowhere]
  - id: x
    type: nope
    severity: low
  - id: y
    type: threat_in_country
    severity: low
  - id: z
    type: reactivation
    severity: low
    colour: red
"""


def test_every_mistake_is_listed_with_its_line():
    with pytest.raises(RulesError) as caught:
        parse_rules(BAD, "bad.yaml")
    problems = caught.value.problems
    expected = [
        "bad.yaml:2: sink 'a': 'type' must be one of",
        "bad.yaml:3: sink 'b': missing 'url'",
        "bad.yaml:4: 'not-a-net' is not an IP network",
        "bad.yaml:8: rule 'x': 'severity' must be one of",
        "bad.yaml:9: rule 'x': surge takes no parameter 'bogus'",
        "bad.yaml:9: rule 'x': parameter 'min_factor': must not be negative",
        "bad.yaml:10: rule 'x': no sink named 'nowhere'",
        "bad.yaml:12: rule 'x': 'type' must be one of",
        "bad.yaml:14: rule 'y': threat_in_country needs parameter 'country'",
        "bad.yaml:20: rule 'z': unknown key 'colour'",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)


def test_duplicate_ids_and_broken_yaml():
    twice = (
        "rules:\n  - {id: a, type: surge, severity: low}\n  - {id: a, type: surge, severity: low}\n"
    )
    with pytest.raises(RulesError, match=r"<rules>:3: rule id 'a' is used twice"):
        parse_rules(twice)
    with pytest.raises(RulesError, match=r"f.yaml:3: not valid YAML"):
        parse_rules("rules:\n  - [unclosed\n", "f.yaml")
    with pytest.raises(RulesError, match="non-empty list"):
        parse_rules("sinks: {}\n")


def test_rules_check_command(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BAD)
    runner = CliRunner()
    ok = runner.invoke(main, ["alerts", "rules", "check", str(good)])
    assert ok.exit_code == 0 and "2 rules, 1 sinks, valid" in ok.output
    failed = runner.invoke(main, ["alerts", "rules", "check", "--json", str(bad)])
    assert failed.exit_code == 2
    assert json.loads(failed.output)["valid"] is False
    missing = runner.invoke(main, ["alerts", "rules", "check", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
