#!/usr/bin/env bash
# Where a steady Raft event's time goes, by function: the load of `engine.raft5.*` (`dist/bench.js
# --load`) under valgrind's callgrind with its cache simulation, WARM discarded runs, then N more; the
# difference of the two profiles is what N steady runs cost. Our code's instructions repeat within 3%,
# its cache misses within 5 to 14%, the collector's counts within about 10% (or more, when a collection falls
# in or out of the measured runs); wall time here drifts by tens of percent. Needs valgrind (apt-get install valgrind); takes minutes.
#
#   bash scripts/profile-engine.sh            # WARM=3 N=2 TOP=30
#   CALLERS_OF=Builtins_LoadIC_Megamorphic bash scripts/profile-engine.sh   # also list that builtin's callers
#   KEEP=1 bash scripts/profile-engine.sh     # keep the profiles and maps (their folder is printed)
#
# The node flags are the bench's collector setting (--max-semi-space-size=64) and no more: `--predictable`
# (and `--predictable-gc-schedule`) keeps the young generation small, which doubles the collections of
# this load and the collector's share of the counts.
set -euo pipefail
WARM=${WARM:-3}
N=${N:-2}
TOP=${TOP:-30}
command -v valgrind >/dev/null || { echo "profile-engine: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
node esbuild.js --bench
OUT=$(mktemp -d)
FLAGS=(--single-threaded --hash-seed=1 --random-seed=1 --max-semi-space-size=64 --perf-basic-prof)
EVENTS=$(node "${FLAGS[@]:0:4}" dist/bench.js --load="$WARM,$N")
profile() { # name, measured runs
  valgrind --tool=callgrind --cache-sim=yes --dump-instr=yes --callgrind-out-file="$OUT/$1.out" --log-file="$OUT/$1.log" \
    node "${FLAGS[@]}" --no-logfile-per-isolate --logfile="$OUT/$1.v8.log" dist/bench.js --load="$WARM,$2" >/dev/null
}
profile base 0 &
profile more "$N"
wait
pid() { grep -o -m1 '^==[0-9]*==' "$OUT/$1.log" | tr -d '='; }
BASE_MAP=/tmp/perf-$(pid base).map
MORE_MAP=/tmp/perf-$(pid more).map
node scripts/callgrind-by-function.js "$OUT/base.out" "$BASE_MAP" "$OUT/more.out" "$MORE_MAP" "$EVENTS" "$TOP"
if [ -n "${KEEP:-}" ]; then
  mv "$BASE_MAP" "$OUT/base.map"
  mv "$MORE_MAP" "$OUT/more.map"
  echo "profiles kept in $OUT: node scripts/callgrind-by-function.js $OUT/base.out $OUT/base.map $OUT/more.out $OUT/more.map $EVENTS"
else
  rm -rf "$OUT" "$BASE_MAP" "$MORE_MAP"
fi
