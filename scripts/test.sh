#!/usr/bin/env bash
# `make test`: build (debug, tests included), start the test stack, run `swift test` against it
# (and the Liquid fuzzer for FUZZ_SECONDS when scripts/fuzz-liquid.sh exists), then stop the
# stack — always, also when a test fails, hangs (TEST_TIMEOUT, default 1200 s) or the run is
# interrupted. Exits with the tests' status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
swift=${SWIFT:-swift}
scratch=${SCRATCH:-.build}
fuzz_seconds=${FUZZ_SECONDS:-60}
test_timeout=${TEST_TIMEOUT:-1200}

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

# A hung test must not hang CI: after TEST_TIMEOUT seconds the whole test process group is
# stopped (and the stack still comes down). stdbuf keeps the output line by line when it goes
# to a file or a pipe, so a log shows how far the run got.
# `timeout` runs in a process group of its own (and, in the background, would ignore SIGINT),
# so an interrupt is passed on to that group as SIGTERM.
status=0
STOREFLEET_STACK_ENV=$repo/.data/test/stack.env \
    timeout -k 30 "$test_timeout" stdbuf -oL -eL \
    "$swift" test --skip-build --scratch-path "$scratch" &
tests=$!
trap 'kill -TERM -- "-$tests" 2>/dev/null; exit 130' INT
trap 'kill -TERM -- "-$tests" 2>/dev/null; exit 143' TERM
wait "$tests" || status=$?
if ((status == 124)); then
    echo "make test: swift test did not finish within ${test_timeout}s and was stopped" >&2
fi

if [[ -x scripts/fuzz-liquid.sh ]]; then
    scripts/fuzz-liquid.sh "$fuzz_seconds" || status=$((status ? status : 1))
fi

if ((status != 0)); then
    echo "make test: FAILED (status $status); the stack's logs are in .data/test/logs/" >&2
fi
exit "$status"
