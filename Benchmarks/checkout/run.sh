#!/usr/bin/env bash
# Checkout benchmark (issue 7): complete checkouts per second through nginx — add to cart,
# checkout information, shipping, payment, "Place order" with bank transfer — by concurrent
# buyers (each with their own cookies and cart), on one store and spread over 50 stores, with
# the p50/p99 of every step. Target: ≥ 100 checkouts/s on one store, p99 < 50 ms per step.
#
#   Benchmarks/checkout/run.sh [PROFILE] [DURATION_SECONDS]      (defaults: test, 20)
#
# Needs the PROFILE's stack up (PostgreSQL, PgBouncer, registry). The binary measured is
# BENCH_BIN (default .build-checkout-release/release/storefleet: a release build), served by a
# private `storefleet serve` (BENCH_WORKERS, default 4) behind a private nginx rendered from
# nginx/ on BENCH_PORT (default 18481), both started here and stopped at the end. Buyers:
# BENCH_BUYERS (default 8), each a process with one keep-alive connection
# (Benchmarks/checkout/Driver.swift, compiled here; BENCH_DRIVER=python runs driver.py instead). Stores are provisioned with the sample catalog (every
# variant's stock set to 1,000,000, tracked, deny when sold out, so each order takes the
# row locks and writes the inventory movements a real one does) and deprovisioned at the end
# (KEEP=1 keeps them). Runs under `flock /tmp/sf/bench.lock`. Appends the figures to
# Benchmarks/RESULTS.md under "## Checkout" (BENCH_RECORD=0 does not).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
profile=${1:-test}
duration=${2:-20}
[[ ${BENCH_LOCKED:-0} == 1 ]] || exec env BENCH_LOCKED=1 flock /tmp/sf/bench.lock "$0" "$@"
env_file=.data/$profile/stack.env
[ -f "$env_file" ] || { echo "no stack at $env_file: start it first" >&2; exit 1; }
set -a; . "$env_file"; set +a
bin=${BENCH_BIN:-$root/.build-checkout-release/release/storefleet}
[[ -x $bin ]] || { echo "no binary at $bin: swift build -c release --product storefleet" >&2; exit 1; }
workers=${BENCH_WORKERS:-4}
buyers=${BENCH_BUYERS:-8}
stores=${BENCH_STORES:-50}
http_port=${BENCH_PORT:-18481}
work=$(mktemp -d /tmp/sf-checkout-bench.XXXXXX)
owner() { psql "$STOREFLEET_REGISTRY_OWNER_URL" -X -qAt -v ON_ERROR_STOP=1 "$@"; }
pghome=$(readlink -f ".data/$profile/postgres")
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
superuser_psql() { # port database args...
    (cd / && runuser -u postgres -- "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pghome/sockets" -p "$1" -d "$2" "${@:3}")
}

run_id=$(date +%s | tail -c 6)
slugs=()
cleanup() {
    stop_private_serve "$work"
    if [[ ${KEEP:-0} != 1 ]]; then
        for s in "${slugs[@]}"; do "$bin" deprovision --slug "$s" >/dev/null 2>&1 || true; done
    fi
    sleep 1; rm -rf "$work"
}
trap cleanup EXIT
. "$root/Benchmarks/lib/private-serve.sh"

# Our own serve on our own socket, and an nginx rendered from nginx/ in front of it.
ROOT=$root start_private_serve "$bin" "$workers" "$work" "$http_port" "$root/$env_file"

# A store: the sample catalog, plenty of stock, its variants for the driver.
provision() { # slug → "host=id,id,..."
    local slug=$1
    "$bin" provision --slug "$slug" --name "Checkout Bench $slug" --sample-data --sample-count 8 >/dev/null
    local id database port=""
    id=$(owner -c "SELECT id FROM stores WHERE slug = '$slug'")
    database="sf_store_$id"
    for p in "${STOREFLEET_SERVER1_ADMIN_URL##*:}" "${STOREFLEET_SERVER2_ADMIN_URL##*:}"; do
        p=${p%%/*}
        if superuser_psql "$p" postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then port=$p; fi
    done
    superuser_psql "$port" "$database" -At -c \
        "UPDATE variants SET inventory_quantity = 1000000, inventory_tracked = true, inventory_policy = 'deny'" >/dev/null
    echo "$port $database" >>"$work/databases"
    local ids
    ids=$(superuser_psql "$port" "$database" -At -c \
        "SELECT string_agg(v.id::text, ',') FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'active'")
    echo "$slug.$STOREFLEET_PLATFORM_DOMAIN=$ids"
}

# The driver: compiled (Driver.swift, a few percent of a core) unless BENCH_DRIVER=python
# (driver.py, the first one, ~20% of a core on this machine).
driver_bin=$root/.build-bench/checkout-driver
if [[ ${BENCH_DRIVER:-swift} == swift ]] && [[ ! -x $driver_bin || Benchmarks/checkout/Driver.swift -nt $driver_bin ]]; then
    mkdir -p "$root/.build-bench"
    (cd "$root/.build-bench" && swiftc -O "$root/Benchmarks/checkout/Driver.swift" -o "$driver_bin")
fi
drive() { # "host=ids;host=ids" → JSON
    local spec=$1 hosts
    hosts=$(tr ';' '\n' <<<"$spec" | cut -d= -f1 | paste -sd, -)
    if [[ ${BENCH_DRIVER:-swift} == swift ]]; then
        "$driver_bin" --port "$http_port" --variants "$spec" --buyers "$buyers" --duration "$duration"
    else
        python3 Benchmarks/checkout/driver.py --port "$http_port" --hosts "$hosts" --variants "$spec" \
            --buyers "$buyers" --duration "$duration"
    fi
}
# One store first, measured before the 50 others exist: provisioning them leaves the servers
# busy for a while (autovacuum visiting 50 new databases, set-up jobs), which is not checkout.
one_slug="bench-co-$run_id-one"
slugs+=("$one_slug")
one=$(provision "$one_slug")
# Provisioning copies the template database through the WAL and a dropped store forces a
# checkpoint: flush both now, so their writes are not in the window measured.
settle() {
    sleep 5   # the new stores' set-up jobs
    for p in "${STOREFLEET_SERVER1_ADMIN_URL##*:}" "${STOREFLEET_SERVER2_ADMIN_URL##*:}"; do
        superuser_psql "${p%%/*}" postgres -c "CHECKPOINT" >/dev/null
    done
}
# A store that has been trading has planner statistics for its carts and orders. A new one has
# none: connections prepare their statements while those tables are nearly empty, so the plans
# they keep scan them whole until autovacuum analyses them (within a minute or so) — fine for a
# real store's first minute, but it would be most of a 20 s window. So each phase first trades
# for 5 s, then analyses the stores (as autovacuum would have), which makes the workers plan
# their statements again, and only then measures.
warm_up() { # spec
    local saved=$duration
    duration=5 drive "$1" >/dev/null
    duration=$saved
    while read -r port database; do
        superuser_psql "$port" "$database" -c "VACUUM ANALYZE" >/dev/null
    done <"$work/databases"
    : >"$work/databases"
}
warm_up "$one"
settle
one_json=$(drive "$one")
started=$(date +%s)
many=()
for n in $(seq 1 "$stores"); do
    slug="bench-co-$run_id-$n"
    slugs+=("$slug")
    many+=("$(provision "$slug")")
done
echo "provisioned $stores stores in $(( $(date +%s) - started )) s" >&2
warm_up "$(IFS=';'; echo "${many[*]}")"
settle     # the same for the 50 new stores
many_json=$(drive "$(IFS=';'; echo "${many[*]}")")
echo "$one_json" >&2
echo "$many_json" >&2

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
report=$(python3 - "$one_json" "$many_json" <<PY
import json, sys
one, many = json.loads(sys.argv[1]), json.loads(sys.argv[2])
steps = ["add", "information", "information_post", "shipping", "shipping_post", "payment", "complete"]
names = {"add": "POST /cart/add", "information": "GET /checkout", "information_post": "POST /checkout",
         "shipping": "GET /checkout/shipping", "shipping_post": "POST /checkout/shipping",
         "payment": "GET /checkout/payment", "complete": "POST /checkout/complete (places the order)"}
print("### $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, ${cpu}, load $(cut -d' ' -f1 /proc/loadavg), "
      "private serve with $workers workers ($(basename "$bin") $(git rev-parse --short HEAD)), $buyers buyers, ${duration} s")
print()
print("| | one store | %d stores |" % many["stores"])
print("|---|---:|---:|")
print("| **checkouts/s** | **%s** | **%s** |" % (one["checkouts_per_second"], many["checkouts_per_second"]))
print("| failed checkouts | %d | %d |" % (one["failed"], many["failed"]))
for s in steps:
    a, b = one["steps"][s], many["steps"][s]
    print("| %s p50 / p99 ms | %s / %s | %s / %s |" % (names[s], a["p50_ms"], a["p99_ms"], b["p50_ms"], b["p99_ms"]))
PY
)
echo "$report"
if [[ ${BENCH_RECORD:-1} == 1 ]]; then
    f=Benchmarks/RESULTS.md
    grep -q '^## Checkout' "$f" || printf '\n## Checkout\n\n`Benchmarks/checkout/run.sh [PROFILE] [DURATION]`: see the script header. Target: ≥ 100 checkouts/s on one store, p99 < 50 ms per step.\n' >> "$f"
    python3 - "$f" "$report" <<'PY'
import sys
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
head, sep, rest = text.partition("\n## Checkout\n")
nxt = rest.find("\n## ")
section, tail = (rest, "") if nxt < 0 else (rest[:nxt], rest[nxt:])
open(path, "w").write(head + sep + section.rstrip("\n") + "\n\n" + report + "\n" + tail)
PY
fi
