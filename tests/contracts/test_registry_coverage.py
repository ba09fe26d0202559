"""Every registered analyzer has a contract test class, so a new plugin cannot skip the contract."""

from __future__ import annotations

import importlib
import pkgutil

import tests.contracts as contracts
from tests.contracts.analyzer_contract import AnalyzerContract
from watchfloor.analyzers.registry import AnalyzerRegistry


def contract_classes() -> set[str]:
    for info in pkgutil.iter_modules(contracts.__path__):
        importlib.import_module(f"tests.contracts.{info.name}")
    return {c.analyzer_cls.name for c in AnalyzerContract.__subclasses__()}


def test_every_registered_analyzer_has_a_contract_test():
    registered = set(AnalyzerRegistry.from_entry_points().names())
    assert registered and registered <= contract_classes()
