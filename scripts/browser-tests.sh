#!/usr/bin/env bash
# The browser tests: every Tests/Browser/test_*.py, run by pytest in the project venv, driving
# headless Chromium (Debian's chromium + chromium-driver) against the running test stack.
#
#   scripts/browser-tests.sh [pytest arguments...]     e.g. -k onboarding, or Tests/Browser/test_x.py
#
# Needs the test stack up (`make test` starts it; by hand: STOREFLEET_BIN=... scripts/stack.sh up
# test). Reads its settings from STOREFLEET_STACK_ENV (default .data/test/stack.env). Screenshots
# go to test-output/browser/<test>/ (emptied first). Installs what is missing: the Debian packages
# (scripts/install-deps.sh --browser-tests) and the venv (scripts/venv.sh). A run stops after
# BROWSER_TEST_TIMEOUT seconds (default 600). Exits with pytest's status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
timeout_seconds=${BROWSER_TEST_TIMEOUT:-600}
export STOREFLEET_STACK_ENV=${STOREFLEET_STACK_ENV:-$repo/.data/test/stack.env}

scripts/install-deps.sh --browser-tests
python=$(scripts/venv.sh)

if [[ ! -s $STOREFLEET_STACK_ENV ]]; then
    echo "browser-tests: no test stack ($STOREFLEET_STACK_ENV missing); run make test, or" \
        "STOREFLEET_BIN=.build/debug/storefleet scripts/stack.sh up test" >&2
    exit 1
fi

# All of Tests/Browser unless a test file (or file::test) is named.
targets=(Tests/Browser)
for argument in "$@"; do
    if [[ $argument == Tests/Browser/* && -e ${argument%%::*} ]]; then targets=(); fi
done

rm -rf test-output/browser
mkdir -p test-output/browser
# No .pytest_cache or __pycache__ in the checkout.
PYTHONDONTWRITEBYTECODE=1 timeout -k 10 "$timeout_seconds" \
    "$python" -m pytest -p no:cacheprovider --rootdir Tests/Browser -rxXfE "${targets[@]}" "$@"
