#!/usr/bin/env bash
# Shopping feeds benchmark (issue 8): a store with VARIANTS variants (generate_series SQL, through
# `storefleet feeds seed-benchmark`), then `storefleet feeds generate --channel google` timed with
# /usr/bin/time -v (wall clock and peak RSS) on a release build. Target: < 3 s and < 64 MB.
#
#   Benchmarks/feeds/run.sh [VARIANTS] [ROUNDS]        (default 100000 variants, 3 rounds)
#
# Needs a stack: STOREFLEET_STACK_ENV, else .data/run/stack.env, else .data/test/stack.env.
# STOREFLEET_BENCH_BIN=path uses that binary instead of building one (it must be a release build).
# The store is left in place (slug printed) unless CLEANUP=1. Prints a Markdown table row set.
set -euo pipefail

VARIANTS=${1:-100000}
ROUNDS=${2:-3}
PER_PRODUCT=4
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

env_file=${STOREFLEET_STACK_ENV:-}
for candidate in "$env_file" .data/run/stack.env .data/test/stack.env; do
    [[ -n $candidate && -f $candidate ]] && { env_file=$candidate; break; }
done
[[ -f $env_file ]] || { echo "no stack.env: run scripts/stack.sh up run (or set STOREFLEET_STACK_ENV)" >&2; exit 1; }
set -a; . "$env_file"; set +a

if [[ -z ${STOREFLEET_BENCH_BIN:-} ]]; then
    echo "building storefleet (release)..." >&2
    swift build -c release --product storefleet --scratch-path .build-feeds-release >/dev/null
    bin=$root/.build-feeds-release/release/storefleet
else
    bin=$STOREFLEET_BENCH_BIN
fi

slug=feeds-bench-$(date +%s | tail -c 7)
work=$(mktemp -d /tmp/sf-feeds-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$bin" provision --slug "$slug" --name "Feeds Benchmark" --currency USD --country US >&2
t0=$(date +%s.%N)
"$bin" feeds seed-benchmark --store "$slug" --products $((VARIANTS / PER_PRODUCT)) --variants-per-product $PER_PRODUCT >&2
t1=$(date +%s.%N)
echo "seeded in $(echo "$t1 - $t0" | bc) s" >&2

echo "| round | wall clock (s) | peak RSS (MB) | items | file (MB) |"
echo "|------:|---------------:|--------------:|------:|----------:|"
for round in $(seq 1 "$ROUNDS"); do
    /usr/bin/time -v "$bin" feeds generate --store "$slug" --channel google --out "$work/google.xml" \
        --show-warnings 0 2> "$work/time.txt" || { cat "$work/time.txt" >&2; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/time.txt")
    items=$(grep -o '[0-9]* items' "$work/time.txt" | head -1 | cut -d' ' -f1)
    size=$(awk -v b="$(stat -c %s "$work/google.xml")" 'BEGIN { printf "%.1f", b / 1048576 }')
    echo "| $round | $wall | $rss | $items | $size |"
done
python3 -c "import sys, xml.dom.pulldom as p; n = sum(1 for e, node in p.parse(sys.argv[1]) if e == p.START_ELEMENT and node.tagName == 'item'); print(f'well-formed XML, {n} items', file=sys.stderr)" "$work/google.xml"

if [[ ${CLEANUP:-0} == 1 ]]; then
    "$bin" deprovision --slug "$slug" >&2 || true
else
    echo "store $slug kept (CLEANUP=1 removes it)" >&2
fi
