"""Matching media against the hash banks: ``match`` (PDQ, all eight rotations and flips) and
``md5_match`` (exact MD5).

Two analyzers, because the pipeline runs an analyzer only on subjects that have every signal it
needs: an image the ``pdq`` analyzer rejected, and every file that is not an image, still have
an MD5 and are still matched by ``md5_match``.

Rotations and flips are matched on the query side: the eight ``pdq_dihedral`` hashes of the
media item are looked up, and the bank holds one hash per entry. Hashes imported from hash lists
carry no image, and PDQ's rotated hashes cannot be derived from a hash (the median threshold
changes with the rotation), so indexing the eight variants of every entry is not possible for
them; eight exact look-ups take a few milliseconds against ten million entries
(benchmarks/matching.py).

Both analyzers prepare from the store: ``prepare`` brings the index under
``<workspace>/index/`` in step with the banks and takes the bank state into
``effective_version``, so any change to an enabled bank matches every item again. Worker
processes open the index lazily, memory-mapped, once per process.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from watchfloor.analyzers.base import (
    Analyzer,
    AnalyzerRejected,
    MediaItem,
    PreparesFromStore,
    SignalOut,
)
from watchfloor.matching.bank_index import (
    BankIndex,
    IndexRef,
    Match,
    index_directory,
    open_bank_index,
    sync_bank_index,
)
from watchfloor.pdq import DIHEDRAL_NAMES, QUALITY_THRESHOLD

MAX_EVIDENCE_MATCHES = 100  # the evidence lists the closest ones; `matches` counts all


class _BankMatcher(Analyzer, PreparesFromStore):
    """Shared by both analyzers: the index reference, prepared in the main process."""

    subject = "media"
    _ref: IndexRef | None = None

    def prepare(self, store: Any) -> None:
        if not self.options.workspace:
            raise ValueError(f"the {self.name} analyzer needs a workspace to keep its index in")
        self._ref = sync_bank_index(store, index_directory(self.options.workspace)).ref

    @property
    def effective_version(self) -> str:
        return f"{self.version}+{self._ref.fingerprint}" if self._ref else self.version

    def _index(self) -> BankIndex:
        if self._ref is None:
            raise RuntimeError(f"the {self.name} analyzer was not prepared from a store")
        return open_bank_index(self._ref)


def match_evidence(matches: list[Match]) -> dict[str, Any]:
    """The closest matches in full (``MAX_EVIDENCE_MATCHES`` at most) and how many there are."""
    return {
        "matches": len(matches),
        "closest": [m.as_dict() for m in matches[:MAX_EVIDENCE_MATCHES]],
    }


def _summary(best: Match, matches: list[Match]) -> dict[str, Any]:
    return {
        "bank": best.bank,
        "entry_id": best.entry_id,
        "label": best.label,
        "distance": best.distance,
        "banks": sorted({m.bank for m in matches}),
        "matches": len(matches),
    }


class MatchAnalyzer(_BankMatcher):
    name: ClassVar[str] = "match"
    version: ClassVar[str] = "1"
    emits: ClassVar[tuple[str, ...]] = ("pdq_match", "bank_match_skipped")
    needs: ClassVar[tuple[str, ...]] = ("pdq", "pdq_dihedral")
    description: ClassVar[str] = (
        "PDQ of images (all 8 rotations/flips) against the enabled banks, within each bank's "
        "distance threshold"
    )

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        quality, hashes = _pdq_inputs(inputs)
        if (reason := low_quality_reason(quality)) is not None:
            return [
                SignalOut(
                    "bank_match_skipped",
                    {"reason": reason, "quality": quality},
                    None,
                    {"signal_type": "pdq", "min_quality": QUALITY_THRESHOLD},
                )
            ]
        matches = match_dihedral(self._index(), hashes)
        if not matches:
            return []
        best = matches[0]
        value = _summary(best, matches) | {"transform": best.transform}
        evidence = match_evidence(matches) | {"quality": quality}
        return [SignalOut("pdq_match", value, 1 - best.distance / 256, evidence)]


def low_quality_reason(quality: int) -> str | None:
    """Why a hash of this quality is not matched; None when it is usable."""
    if quality >= QUALITY_THRESHOLD:
        return None
    return (
        f"PDQ quality {quality} is below {QUALITY_THRESHOLD}: the hash of an image this flat, "
        "small or featureless is too unreliable to match"
    )


def match_dihedral(
    index: BankIndex, hashes: dict[str, str], banks: set[str] | None = None
) -> list[Match]:
    """Matches of any of the named rotation/flip hashes, closest first, each entry once with
    the name of the hash that matched it closest in ``transform``."""
    names = list(hashes)
    matches = index.match_pdq([hashes[n] for n in names], banks)
    return [replace(m, transform=names[m.query]) for m in matches]


def _pdq_inputs(inputs: dict) -> tuple[int, dict[str, str]]:
    """Quality and the hashes to look up, original first, in DIHEDRAL_NAMES order."""
    pdq, dihedral = inputs.get("pdq"), inputs.get("pdq_dihedral") or {}
    try:
        quality = int(pdq["quality"])
        hashes = {"orig": _hex(pdq["hash"], 64)}
        hashes |= {n: _hex(dihedral[n], 64) for n in DIHEDRAL_NAMES if n in dihedral}
    except (TypeError, KeyError, ValueError) as exc:
        raise AnalyzerRejected("bad_input", f"malformed pdq signal: {exc!s}") from exc
    return quality, hashes


def _hex(value: Any, digits: int) -> str:
    if not isinstance(value, str) or len(value) != digits:
        raise ValueError(f"expected {digits} hex digits, got {value!r}")
    int(value, 16)
    return value.lower()


class Md5MatchAnalyzer(_BankMatcher):
    name: ClassVar[str] = "md5_match"
    version: ClassVar[str] = "1"
    emits: ClassVar[tuple[str, ...]] = ("md5_match",)
    needs: ClassVar[tuple[str, ...]] = ("md5",)
    description: ClassVar[str] = (
        "MD5 of every media item against the MD5 entries of the enabled banks"
    )

    def analyze(self, item: MediaItem, inputs: dict) -> list[SignalOut]:
        try:
            digest = _hex(inputs.get("md5"), 32)
        except ValueError as exc:
            raise AnalyzerRejected("bad_input", f"malformed md5 signal: {exc}") from exc
        matches = self._index().match_md5(digest)
        if not matches:
            return []
        return [SignalOut("md5_match", _summary(matches[0], matches), 1.0, match_evidence(matches))]
