#!/usr/bin/env bash
# Builds the Liquid libFuzzer target (parse + render, ASan) into .build-fuzz/ and runs it for a
# bounded time over the committed corpus (Fuzz/corpus/liquid/, the golden suite's templates).
# Exits non-zero on a crash, a hang (-timeout), running out of memory, or a broken limit invariant
# (see Fuzz/LiquidFuzz/main.swift). Crash inputs are saved under Fuzz/crashes/.
#   scripts/fuzz-liquid.sh [SECONDS, default 180]
# Reproduce one input: .build-fuzz/liquid-fuzz Fuzz/crashes/crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-180}
build=${FUZZ_BUILD_DIR:-.build-fuzz}
binary=$build/liquid-fuzz
mkdir -p "$build/corpus" Fuzz/crashes

# LIQUID_SOURCES: another copy of Sources/Liquid to build (e.g. a snapshot of a commit).
mapfile -t sources < <(find "$(realpath "${LIQUID_SOURCES:-Sources/Liquid}")" -name '*.swift' | sort)
if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" Fuzz/LiquidFuzz/main.swift -newer "$binary" | head -1)" ]; then
  rm -f "$binary"
  echo "== building $binary (swiftc -sanitize=fuzzer,address)" >&2
  # ld.gold warns about every ASan register thunk; the warnings say nothing about our code.
  # From inside the build folder: swiftc leaves module files in its working directory.
  (cd "$build" && swiftc -O -g -suppress-warnings -sanitize=fuzzer,address -parse-as-library \
    -module-name LiquidFuzz "${sources[@]}" "$OLDPWD/Fuzz/LiquidFuzz/main.swift" -o liquid-fuzz) 2>&1 |
    { grep -v 'Cannot export local symbol' || true; } >&2
fi

echo "== fuzzing Liquid for ${seconds}s (corpus: Fuzz/corpus/liquid + $build/corpus)" >&2
# New inputs go to the first corpus folder ($build/corpus, not committed); the committed seeds
# are only read. LeakSanitizer checks every input (FUZZ_DETECT_LEAKS=0 turns it off).
export ASAN_OPTIONS="detect_leaks=${FUZZ_DETECT_LEAKS:-1}${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
# ASan and libFuzzer report crashes; Swift's own backtracer, started on a trap, can outlive the
# crashed fuzzer holding our stdout open, which hangs anything reading this script's output.
export SWIFT_BACKTRACE=enable=no
status=0
"$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=8192 \
  -detect_leaks="${FUZZ_DETECT_LEAKS:-1}" \
  -dict=Fuzz/liquid.dict -artifact_prefix=Fuzz/crashes/ -print_final_stats=1 \
  "$build/corpus" Fuzz/corpus/liquid 2>"$build/fuzz.log" || status=$?
grep -E '^(#[0-9]+[[:space:]]+(DONE|INITED)|stat::number_of_executed_units|stat::peak_rss_mb)' "$build/fuzz.log" >&2 || true
if [ "$status" -ne 0 ]; then
  echo "!! LIQUID FUZZER FAILED (exit $status); log: $build/fuzz.log" >&2
  grep -E -A25 'LIQUID FUZZ INVARIANT|ERROR: (AddressSanitizer|libFuzzer)|==ERROR|Test unit written' "$build/fuzz.log" | head -60 >&2 || true
  unit=$(sed -n 's/.*Test unit written to //p' "$build/fuzz.log" | tail -1)
  if [ -n "$unit" ] && [ -f "$unit" ]; then
    echo "!! input ($unit; NUL shown as ^@):" >&2
    head -c 600 "$unit" | cat -v >&2; echo >&2
  fi
  exit "$status"
fi
echo "== no crash, hang or broken limit in ${seconds}s" >&2
