#!/usr/bin/env bash
# `make test`: build (debug, tests included), start the test stack, run `swift test` against it,
# then the browser tests (scripts/browser-tests.sh: headless Chromium over the same stack) and
# the Liquid fuzzer for FUZZ_SECONDS when scripts/fuzz-liquid.sh exists, then stop the stack —
# always, also when a test fails, hangs (TEST_TIMEOUT, default 1200 s) or the run is
# interrupted. Exits non-zero when any of them failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
swift=${SWIFT:-swift}
scratch=${SCRATCH:-.build}
fuzz_seconds=${FUZZ_SECONDS:-180}
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

# The tests run in a session of their own (setsid), so that every process they start can be
# found and stopped afterwards even when it made itself a process group of its own (swift test
# starts the test bundle that way, and the bundle its helper servers): a hung test is stopped
# after TEST_TIMEOUT seconds, an interrupt stops the tests, and nothing they leave behind
# outlives `make test`. stdbuf keeps the output line by line in a file or a pipe, so a log
# shows how far a run got.
session_members() { # the live (not zombie) pids whose session id is $1
    local f fields state sid
    for f in /proc/[0-9]*/stat; do
        { fields=$(<"$f"); } 2>/dev/null || continue    # gone meanwhile
        fields=${fields##*) }                   # after "pid (comm) "
        read -r state _ _ sid _ <<<"$fields"    # state ppid pgrp session
        if [[ $sid == "$1" && $state != Z ]]; then echo "${f//[^0-9]/}"; fi
    done
    return 0
}
stop_tests() {
    local pids deadline=$((SECONDS + 15))
    pids=$(session_members "$tests")
    [[ -n $pids ]] || return 0
    kill -TERM $pids 2>/dev/null || true
    while [[ -n $(session_members "$tests") ]] && ((SECONDS < deadline)); do sleep 0.2; done
    pids=$(session_members "$tests")
    [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
}

status=0
STOREFLEET_STACK_ENV=$repo/.data/test/stack.env \
    setsid timeout -k 30 "$test_timeout" stdbuf -oL -eL \
    "$swift" test --skip-build --scratch-path "$scratch" &
tests=$!
trap 'stop_tests; exit 130' INT
trap 'stop_tests; exit 143' TERM
wait "$tests" || status=$?
stop_tests
if ((status == 124)); then
    echo "make test: swift test did not finish within ${test_timeout}s and was stopped" >&2
fi

# The browser tests, while the stack is still up, in a session of their own like swift test's
# (Chromium and its driver are stopped with them). Their screenshots: test-output/browser/.
browser_status=0
STOREFLEET_STACK_ENV=$repo/.data/test/stack.env setsid stdbuf -oL -eL scripts/browser-tests.sh &
tests=$!
wait "$tests" || browser_status=$?
stop_tests
if ((browser_status != 0)); then
    echo "make test: the browser tests failed (status $browser_status); screenshots in test-output/browser/" >&2
    status=$((status ? status : 1))
fi

if [[ -x scripts/fuzz-liquid.sh ]]; then
    scripts/fuzz-liquid.sh "$fuzz_seconds" || status=$((status ? status : 1))
fi

if ((status != 0)); then
    echo "make test: FAILED (status $status); the stack's logs are in .data/test/logs/" >&2
fi
exit "$status"
