"""Hypothesis profiles for the fuzz harnesses, chosen by WATCHFLOOR_FUZZ_PROFILE.

- ``ci`` (the default): 200 examples a harness (a third of that for the ingest one, which writes
  to both databases), derandomised, so that the suite is reproducible and takes a few minutes in
  all under ``-n 2``. It replays the same inputs on every run: finding new crashes is the job of
  the long runs. ``WATCHFLOOR_FUZZ_EXAMPLES`` changes the count.
- ``long``: random inputs, many examples (``WATCHFLOOR_FUZZ_EXAMPLES``, default 20,000 a
  harness), failures saved to ``.hypothesis/`` so that the next run replays them first.
  ``scripts/fuzz.sh`` runs it.

Every harness runs its target under ``tests.fuzz.bounds.bounded``: a hang aborts the process with
a traceback of where it hung, and memory growth past a bound fails the example.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_SLOW_INPUTS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("WATCHFLOOR_FUZZ_EXAMPLES", "200")),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_INPUTS,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("WATCHFLOOR_FUZZ_EXAMPLES", "20000")),
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_INPUTS,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
settings.load_profile(os.environ.get("WATCHFLOOR_FUZZ_PROFILE", "ci"))
