#!/usr/bin/env bash
# Long fuzz runs of the Hypothesis harnesses in tests/fuzz (the CI runs a short, fixed version).
#
#   scripts/fuzz.sh                      # every harness, 20,000 examples each, 2 processes
#   scripts/fuzz.sh images 100000        # the harnesses whose file name holds "images"
#   WORKERS=1 scripts/fuzz.sh exports    # one process
#
# Inputs are random on every run; a failure is saved in .hypothesis/ and replayed first by the
# next run, and the output shows the shrunk input and a @reproduce_failure line. To reproduce:
#   WATCHFLOOR_FUZZ_PROFILE=long .venv/bin/pytest -p no:randomly tests/fuzz/test_fuzz_<name>.py -x
# then copy the minimal input into a regression test in tests/test_fuzz_regressions.py.
set -euo pipefail
cd "$(dirname "$0")/.."
FILTER="${1:-}"
EXAMPLES="${2:-20000}"
WORKERS="${WORKERS:-2}"
PYTEST=(.venv/bin/python -m pytest -p no:randomly -p no:cacheprovider -q --durations=0)
[ "$WORKERS" -gt 1 ] && PYTEST+=(-n "$WORKERS")

shopt -s nullglob
files=(tests/fuzz/test_fuzz_*"$FILTER"*.py)
if [ ${#files[@]} -eq 0 ]; then
  echo "no harness matches '$FILTER' (try: exports, hash_lists, alert_rules, images, ingest)" >&2
  exit 2
fi
echo "fuzzing ${files[*]} with $EXAMPLES examples a harness on $WORKERS process(es)"
start=$(date +%s)
status=0
WATCHFLOOR_FUZZ_PROFILE=long WATCHFLOOR_FUZZ_EXAMPLES="$EXAMPLES" "${PYTEST[@]}" "${files[@]}" || status=$?
echo "took $(( $(date +%s) - start )) s"
if [ "$status" -ne 0 ]; then
  cat >&2 <<'HOW'
A harness failed. Above: the shrunk input ("Failing test case" / "Falsifying example") and a
@reproduce_failure(...) decorator. The input is in .hypothesis/ and is replayed first by:
  WATCHFLOOR_FUZZ_PROFILE=long .venv/bin/pytest -p no:randomly <the failing test> -x
Fix the parser, then add the minimal input as a test in tests/test_fuzz_regressions.py.
A run that stopped with "Timeout (0:01:00)!" and a traceback hung where the traceback shows.
HOW
fi
exit "$status"
