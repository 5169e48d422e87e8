#!/usr/bin/env bash
# The admin product list with 100,000 products: seeds a fresh store of the test stack with
# seed.sql (generate_series), then times AdminProductList.page — the code the admin page runs —
# for the first, middle and last page of every sort and filter, and prints p50/p95 in ms.
# Target: p50 < 50 ms for any page. The store is removed afterwards (KEEP=1 keeps it;
# STORE=<id> times a kept store again without seeding).
#
#   Benchmarks/catalog/run.sh            uses .build-catalog (debug build; the database dominates)
#   SCRATCH=.build-x Benchmarks/catalog/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-catalog}
export STOREFLEET_STACK_ENV=${STOREFLEET_STACK_ENV:-$PWD/.data/test/stack.env}
export STOREFLEET_CATALOG_BENCH=1
export STOREFLEET_CATALOG_BENCH_KEEP=${KEEP:-0}
[[ -n ${STORE:-} ]] && export STOREFLEET_CATALOG_BENCH_STORE=$STORE
swift build --build-tests --scratch-path "$scratch" >/dev/null
swift test --skip-build --scratch-path "$scratch" --filter CatalogListBenchmark 2>&1 \
    | grep -E '^(\||store|seed|✘|.*recorded an issue)' || true
