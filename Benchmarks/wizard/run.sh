#!/usr/bin/env bash
# Time from the store wizard's last submit (POST /stores/new/review) to the new store's
# storefront answering 200 with the store's name and its first product (so the starter content
# is in), through nginx, with the stack's own `storefleet jobs` running the provisioning job.
# Prints each run and p50/p90.
#
#   Benchmarks/wizard/run.sh [RUNS] [PROFILE]      (defaults: 20 runs, profile run)
#
# Needs a stack (scripts/stack.sh up PROFILE) whose serve and jobs run a build with the wizard.
# STOREFLEET_STACK_ENV overrides the stack.env it reads. Each run creates a store in one
# benchmark organization (its store limit raised to fit), with sample data and a first product,
# as a merchant clicking through the wizard would.
set -euo pipefail
runs=${1:-20}
profile=${2:-run}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
env_file=${STOREFLEET_STACK_ENV:-$repo/.data/$profile/stack.env}
[[ -r $env_file ]] || { echo "no $env_file: start the stack (scripts/stack.sh up $profile)" >&2; exit 1; }
exec python3 "$repo/Benchmarks/wizard/wizard_bench.py" "$env_file" "$runs"
