"""The contract every analyzer honours. A plugin's test class inherits `AnalyzerContract`,
names its class and gives good and bad sample subjects; the tests below come for free."""

from __future__ import annotations

import hashlib
import math
import pickle
from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from watchfloor.analyzers.base import (
    Analyzer,
    AnalyzerOptions,
    AnalyzerRejected,
    MediaItem,
    PostItem,
)
from watchfloor.analyzers.registry import AnalyzerRegistry

README = Path(__file__).resolve().parents[2] / "README.md"


def media_item(path: Path, mime: str | None = None) -> MediaItem:
    data = path.read_bytes()
    return MediaItem(hashlib.sha256(data).hexdigest(), path, len(data), mime)


class AnalyzerContract:
    analyzer_cls: ClassVar[type[Analyzer]]

    def good_subjects(self, tmp_path: Path) -> list[MediaItem | PostItem]:
        raise NotImplementedError

    def bad_subjects(self, tmp_path: Path) -> list[MediaItem | PostItem]:
        return []

    def inputs_for(self, subject: MediaItem | PostItem) -> dict:
        """The signals an analyzer with `needs` gets for this subject (kind -> value)."""
        return {}

    @pytest.fixture
    def analyzer(self) -> Analyzer:
        return self.analyzer_cls(AnalyzerOptions())

    def test_declares_what_it_is(self, analyzer):
        cls = self.analyzer_cls
        assert isinstance(cls.name, str) and cls.name.isidentifier()
        assert isinstance(cls.version, str) and cls.version
        assert cls.subject in ("media", "post")
        assert cls.emits and all(isinstance(k, str) and k for k in cls.emits)
        assert isinstance(cls.needs, tuple) and not set(cls.needs) & set(cls.emits)
        assert cls.description
        assert analyzer.effective_version.startswith(cls.version)

    def test_registered_through_the_entry_point_group(self):
        assert AnalyzerRegistry.from_entry_points().get(self.analyzer_cls.name) is self.analyzer_cls

    def test_documented_in_readme(self):
        assert f"`{self.analyzer_cls.name}`" in README.read_text(encoding="utf-8")

    def test_emits_only_declared_well_formed_signals(self, analyzer, tmp_path):
        subjects = self.good_subjects(tmp_path)
        assert subjects, "a contract test needs at least one good sample subject"
        for subject in subjects:
            assert analyzer.accepts(subject)
            outputs = analyzer.analyze(subject, self.inputs_for(subject))
            assert outputs, f"no signal for a good subject {subject}"
            for out in outputs:
                assert out.kind in self.analyzer_cls.emits
                orjson.dumps(out.value)
                orjson.dumps(out.evidence)
                assert out.score is None or (0.0 <= out.score <= 1.0 and not math.isnan(out.score))
                assert out.evidence is None or isinstance(out.evidence, dict)

    def test_is_deterministic(self, analyzer, tmp_path):
        for subject in self.good_subjects(tmp_path):
            inputs = self.inputs_for(subject)
            assert analyzer.analyze(subject, inputs) == analyzer.analyze(subject, inputs)

    def test_travels_to_worker_processes(self, analyzer, tmp_path):
        clone = pickle.loads(pickle.dumps(analyzer))
        for subject in self.good_subjects(tmp_path):
            inputs = self.inputs_for(subject)
            assert clone.analyze(subject, inputs) == analyzer.analyze(subject, inputs)

    def test_rejects_bad_input_with_a_reason(self, analyzer, tmp_path):
        for subject in self.bad_subjects(tmp_path):
            with pytest.raises(AnalyzerRejected) as info:
                analyzer.analyze(subject, self.inputs_for(subject))
            assert info.value.code and str(info.value)
