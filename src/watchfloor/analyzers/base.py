"""The analyzer interface. Adding an analyzer is one module plus one entry-point line.

An analyzer declares its name, version, subject ("media" or "post"), the signal kinds it
emits and the kinds it needs from other analyzers; the pipeline orders them by those needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from watchfloor.imaging import (
    DEFAULT_LIMITS,
    DecodedImage,
    ImageLimits,
    ImageRejected,
    decode_rgb,
)
from watchfloor.records import SubjectType


class AnalyzerRejected(Exception):
    """The subject is bad input for this analyzer (corrupt, hostile, unsupported): quarantine it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MediaItem:
    sha256: str
    path: Path
    size: int
    mime: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def key(self) -> str:
        return self.sha256


@dataclass(frozen=True)
class PostItem:
    key: str  # channel key / message id
    channel_key: str
    message_id: int
    date: datetime
    text: str
    content_hash: str
    entities: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SignalOut:
    kind: str
    value: Any
    score: float | None = None
    evidence: dict[str, Any] | None = None


@dataclass(frozen=True)
class AnalyzerOptions:
    """Settings an analyzer may read; plain values so that analyzers pickle to worker processes."""

    pdq_mode: str = "fast"
    max_image_pixels: int = 64_000_000
    image_limits: ImageLimits = DEFAULT_LIMITS  # its pixels give way to max_image_pixels
    workspace: str | None = None  # where analyzers keep derived files (indexes); None: keep none


def decode_image(
    item: MediaItem, options: AnalyzerOptions, reduce_to: int | None = None
) -> DecodedImage:
    """A media item's pixels (``imaging.decode_rgb``, within the configured pixel limit); a file
    that cannot be decoded safely is bad input for the analyzer: ``AnalyzerRejected``."""
    try:
        return decode_rgb(
            item.path,
            max_pixels=options.max_image_pixels,
            limits=options.image_limits,
            reduce_to=reduce_to,
        )
    except ImageRejected as exc:
        raise AnalyzerRejected(exc.code, str(exc)) from exc


class Analyzer(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    subject: ClassVar[SubjectType]
    emits: ClassVar[tuple[str, ...]]
    needs: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def __init__(self, options: AnalyzerOptions | None = None) -> None:
        self.options = options or AnalyzerOptions()

    @property
    def effective_version(self) -> str:
        """The version stored with each signal; a change makes the pipeline recompute."""
        return self.version

    def accepts(self, item: MediaItem | PostItem) -> bool:
        return True

    @abstractmethod
    def analyze(self, item: Any, inputs: dict[str, Any]) -> list[SignalOut]:
        """Signals for one subject. `inputs` maps each needed kind to its signal value."""


class PreparesFromStore(ABC):
    """Capability: an analyzer that reads the store once, in the main process, before a run
    (for example to build an index of hash banks). It may change `effective_version` so that a
    change in what it read recomputes its signals. What it keeps must pickle to worker processes."""

    @abstractmethod
    def prepare(self, store: Any) -> list[str] | None:
        """`store` is a watchfloor.store.Store. Returns the problems met that did not stop the
        preparation (a reference it had to leave out, say), shown in the run's report."""


class ProducesText(ABC):
    """Capability: the analyzer's signals carry derived text (text read in an image, say) that the
    text analyzers read like post text. `text_kinds` names the signal kinds that carry it."""

    text_kinds: ClassVar[tuple[str, ...]]

    @abstractmethod
    def derived_text(self, kind: str, value: Any) -> str | None:
        """The text in one of this analyzer's signal values (None: none, or not a text kind)."""
