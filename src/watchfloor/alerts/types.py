"""The rule types a rules file may use, by name."""

from __future__ import annotations

from watchfloor.alerts import checks_activity, checks_content
from watchfloor.alerts.findings import RuleType

RULE_TYPES: dict[str, RuleType] = {
    t.name: t for t in (*checks_activity.TYPES, *checks_content.TYPES)
}
