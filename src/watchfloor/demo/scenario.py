"""The campaign's timeline and the state the channel builders share while filling it in."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from watchfloor.demo.clock import at
from watchfloor.demo.images import ImageBank
from watchfloor.demo.model import Chat, Msg
from watchfloor.demo.randomness import jitter

WINDOW_START = at(2017, 9, 1, 0)
WINDOW_END = at(2018, 3, 1, 0)
OUTLET_CREATED = at(2017, 8, 28, 10)
OUTLET_LAST_BEFORE_GAP = at(2017, 10, 14, 18)
OUTLET_RETURN = at(2018, 2, 12, 8, 30)

PLACEHOLDER = "(File not included. Change data exporting settings to download.)"


@dataclass(frozen=True)
class BadInput:
    """A deliberately broken input, recorded for the manifest's ground truth."""

    kind: str
    export: str
    msg: Msg


@dataclass
class Context:
    seed: int
    scale: float
    bank: ImageBank
    outlet: Chat | None = None
    published: dict[str, datetime] = field(default_factory=dict)  # asset key -> first post
    bad_inputs: list[BadInput] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        """An independent stream per builder, so one builder's changes leave the others alone."""
        return random.Random(f"{self.seed}/{name}")

    def rate(self, per_day: float) -> float:
        return per_day * self.scale

    def outlet_posts(self) -> list[Msg]:
        assert self.outlet is not None
        return [m for m in self.outlet.messages if m.action is None]

    def publish(self, key: str, when: datetime) -> None:
        self.published.setdefault(key, when)

    def available(self, when: datetime, prefix: str = "") -> list[str]:
        """Image keys the outlet had published by ``when``, oldest first."""
        keys = [k for k, t in self.published.items() if t <= when and k.startswith(prefix)]
        return sorted(keys, key=lambda k: (self.published[k], k))


def maybe_edit(rng: random.Random, msg: Msg, prob: float = 0.08) -> Msg:
    if msg.text and rng.random() < prob:
        msg.edited = msg.when + jitter(rng, 3, 240)
    return msg
