#!/usr/bin/env bash
# `make test`: build (debug, tests included), start the test stack, run `swift test` against it
# (and the Liquid fuzzer for FUZZ_SECONDS when scripts/fuzz-liquid.sh exists), then stop the
# stack — always, also when a test fails or the run is interrupted. Exits with the tests' status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
swift=${SWIFT:-swift}
scratch=${SCRATCH:-.build}
fuzz_seconds=${FUZZ_SECONDS:-60}

"$swift" build --build-tests --scratch-path "$scratch"
bin=$("$swift" build --scratch-path "$scratch" --show-bin-path)/storefleet

stop_stack() {
    local status=$?
    scripts/stack.sh down test || status=1
    exit "$status"
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STOREFLEET_BIN=$bin scripts/stack.sh up test

status=0
STOREFLEET_STACK_ENV=$repo/.data/test/stack.env \
    "$swift" test --skip-build --scratch-path "$scratch" || status=$?

if [[ -x scripts/fuzz-liquid.sh ]]; then
    scripts/fuzz-liquid.sh "$fuzz_seconds" || status=$((status ? status : 1))
fi

if ((status != 0)); then
    echo "make test: FAILED (status $status); the stack's logs are in .data/test/logs/" >&2
fi
exit "$status"
