"""Small analyzers used only by the pipeline tests (importable, so worker processes can load them)."""

from __future__ import annotations

import os
from typing import ClassVar

from watchfloor.analyzers.base import Analyzer, MediaItem, PreparesFromStore, SignalOut


class PdqPrefixAnalyzer(Analyzer):
    """Needs the pdq signal: proves ordering and input-change tracking."""

    name: ClassVar[str] = "pdq_prefix"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("pdq_prefix",)
    needs: ClassVar[tuple[str, ...]] = ("pdq",)
    description: ClassVar[str] = "first hex digits of the PDQ hash"

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        return [SignalOut("pdq_prefix", inputs["pdq"]["hash"][:4])]


class CrashingAnalyzer(Analyzer):
    """Kills its worker process on PNG files, as a segfaulting native library would."""

    name: ClassVar[str] = "crasher"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("size_class",)
    description: ClassVar[str] = "dies on PNGs"

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        if item.path.read_bytes()[:4] == b"\x89PNG":
            os._exit(17)
        return [SignalOut("size_class", "small" if item.size < 50_000 else "large")]


class CycleA(Analyzer):
    name: ClassVar[str] = "cycle_a"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("a",)
    needs: ClassVar[tuple[str, ...]] = ("b",)

    def analyze(self, item, inputs):
        return []


class CycleB(CycleA):
    name: ClassVar[str] = "cycle_b"
    emits: ClassVar[tuple[str, ...]] = ("b",)
    needs: ClassVar[tuple[str, ...]] = ("a",)


class ChannelCountAnalyzer(Analyzer, PreparesFromStore):
    """Reads the store before a run: its version follows the number of channels."""

    name: ClassVar[str] = "channel_count"
    version: ClassVar[str] = "1"
    subject = "media"
    emits: ClassVar[tuple[str, ...]] = ("channels_seen",)
    description: ClassVar[str] = "how many channels existed when the media was analysed"
    channels = 0

    def prepare(self, store) -> None:
        from watchfloor.store import queries

        with store.connect() as conn:
            self.channels = len(queries.list_channels(conn))

    @property
    def effective_version(self) -> str:
        return f"{self.version}+{self.channels}ch"

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        return [SignalOut("channels_seen", self.channels)]
