#!/usr/bin/env bash
# Tenancy benchmark (issue #4): provision N stores (fsync on, nothing created in advance: the
# template is built by the first provisioning), report p50/p99 seconds per store; provision a few
# more in parallel while the template is being updated (none may fail); migrate all N with one new
# migration (total); then, when the App serves storefronts, wrk over all N stores vs one store.
#
#   Benchmarks/tenancy/run.sh [N]            (default 200)
#
# Needs a stack: STOREFLEET_STACK_ENV, else .data/run/stack.env, else .data/test/stack.env.
# Uses its own template database (sf_bench_template) and a copy of migrations/ with the extra
# migration, so the real template and migration set are untouched; removes its stores at the end
# (KEEP=1 keeps them). Appends the figures to Benchmarks/RESULTS.md under "## Tenancy".
set -euo pipefail

N=${1:-200}
PARALLEL_EXTRA=${PARALLEL_EXTRA:-8}
MIGRATE_PARALLEL=${MIGRATE_PARALLEL:-4}
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
    swift build -c release --product storefleet >/dev/null
    bin=$root/.build/release/storefleet
else
    bin=$STOREFLEET_BENCH_BIN
fi

work=$(mktemp -d /tmp/sf-tenancy-bench.XXXXXX)
cp -r migrations "$work/migrations"
export STOREFLEET_MIGRATIONS_DIR=$work/migrations
export STOREFLEET_TEMPLATE_DB=sf_bench_template
run_id=$(date +%s | tail -c 6)
prefix="bench$run_id"

slugs=()
cleanup() {
    if [[ ${KEEP:-0} != 1 ]]; then
        echo "removing ${#slugs[@]} benchmark stores..." >&2
        for s in "${slugs[@]}"; do "$bin" deprovision --slug "$s" >/dev/null 2>&1 || true; done
        for url in "${STOREFLEET_SERVER1_ADMIN_URL:-}" "${STOREFLEET_SERVER2_ADMIN_URL:-}"; do
            [[ -n $url ]] && psql "$url" -qAt -c "DROP DATABASE IF EXISTS sf_bench_template" >/dev/null 2>&1 || true
        done
        psql "$STOREFLEET_REGISTRY_OWNER_URL" -qAt \
            -c "DELETE FROM tenant_templates WHERE database_name = 'sf_bench_template'" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" migrate --registry >/dev/null

fsync=$(psql "$STOREFLEET_SERVER1_ADMIN_URL" -qAt -c "SHOW fsync")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
max_conn=$(psql "$STOREFLEET_SERVER1_ADMIN_URL" -qAt -c "SHOW max_connections")
endpoints=$(psql "$STOREFLEET_REGISTRY_OWNER_URL" -qAt -c "
    SELECT string_agg(name || ' at ' || tenant_host || ':' || tenant_port, ', ' ORDER BY name) FROM database_servers")
[[ -n ${STOREFLEET_PGBOUNCER_PORT:-} ]] && grep -q ":$STOREFLEET_PGBOUNCER_PORT" <<<"$endpoints" \
    && pool="PgBouncer (transaction mode, per-database pools)" || pool="direct to PostgreSQL"
servers=$("$bin" servers list | tail -n +2 | wc -l)
echo "provisioning $N stores (fsync=$fsync, $servers servers)..." >&2

# 1. Sequential provisioning, one CLI process per store (as sign-ups arrive one by one).
: >"$work/seconds"
: >"$work/wall"
for i in $(seq 1 "$N"); do
    slug="$prefix-$i"
    slugs+=("$slug")
    start=$(date +%s.%N)
    line=$("$bin" provision --slug "$slug" --name "Bench $i")
    end=$(date +%s.%N)
    sed -E 's/.* in ([0-9.]+)s.*/\1/' <<<"$line" >>"$work/seconds"
    echo "$end - $start" | bc -l >>"$work/wall"
done

percentile() {  # file p → value
    sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((NR*p/100)+0.999); if (i<1) i=1; printf "%.3f", a[i]}'
}
p50=$(percentile "$work/seconds" 50); p99=$(percentile "$work/seconds" 99)
w50=$(percentile "$work/wall" 50); w99=$(percentile "$work/wall" 99)
first=$(head -1 "$work/seconds")
placement=$(psql "$STOREFLEET_REGISTRY_OWNER_URL" -qAt -F' ' -c "
    SELECT ds.name, count(*) FROM stores s JOIN tenant_databases td ON td.store_id = s.id
    JOIN database_servers ds ON ds.id = td.server_id
    WHERE s.slug LIKE '$prefix-%' AND s.status = 'active' GROUP BY ds.name ORDER BY ds.name" | paste -sd, -)
echo "provision: p50 ${p50}s p99 ${p99}s (library); wall incl. process start p50 ${w50}s p99 ${w99}s; first ${first}s; placement $placement" >&2

# 2. One new migration; provision more stores in parallel while the first of them updates the
#    template (the others wait on the advisory lock: none may fail).
cat >"$work/migrations/tenant/9000_bench_loyalty.sql" <<'SQL'
CREATE TABLE bench_loyalty (
    customer_id bigint PRIMARY KEY,
    points      integer NOT NULL DEFAULT 0 CHECK (points >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bench_loyalty_points ON bench_loyalty (points);
SQL
extra=()
for i in $(seq 1 "$PARALLEL_EXTRA"); do extra+=("$prefix-x$i"); done
slugs+=("${extra[@]}")
parallel_failures=0
printf '%s\n' "${extra[@]}" | xargs -P 4 -I{} sh -c "'$bin' provision --slug {} --name Extra >/dev/null 2>>'$work/parallel.err' || echo fail" \
    >"$work/parallel.out"
parallel_failures=$(grep -c fail "$work/parallel.out" || true)
echo "parallel provisioning during a template update: $PARALLEL_EXTRA stores, $parallel_failures failed" >&2

# 3. Migrate the first N stores (they are one migration behind).
start=$(date +%s.%N)
migrate_status=0
"$bin" migrate --tenants "${slugs[@]:0:$N}" --parallel "$MIGRATE_PARALLEL" >"$work/migrate.out" 2>&1 || migrate_status=$?
end=$(date +%s.%N)
migrate_total=$(echo "$end - $start" | bc -l | xargs printf "%.2f")
migrated=$(grep -c '^ok' "$work/migrate.out" || true)
echo "migrate: $migrated of $N stores in ${migrate_total}s (parallel $MIGRATE_PARALLEL, exit $migrate_status)" >&2

# 4. Storefront throughput: all stores vs one store, same page, same run (needs the App).
wrk_line="not run: the storefront did not answer 200 for a benchmark store (App not serving yet)"
base=${STOREFLEET_BASE_URL:-http://127.0.0.1:${STOREFLEET_HTTP_PORT:-8080}}
domain=${STOREFLEET_PLATFORM_DOMAIN:-storefleet.localhost}
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $prefix-1.$domain" "$base/" || true)
if [[ $code == 200 ]] && command -v wrk >/dev/null; then
    cat >"$work/many.lua" <<LUA
local n, i = $N, 0
request = function()
    i = (i % n) + 1
    return wrk.format("GET", "/", { ["Host"] = "$prefix-" .. i .. ".$domain" })
end
LUA
    cat >"$work/one.lua" <<LUA
request = function() return wrk.format("GET", "/", { ["Host"] = "$prefix-1.$domain" }) end
LUA
    wrk -t2 -c32 -d5s -s "$work/many.lua" "$base/" >/dev/null 2>&1 || true   # warm-up
    one=$(wrk -t2 -c32 -d15s -s "$work/one.lua" "$base/" | awk '/Requests\/sec/ {print $2}')
    many=$(wrk -t2 -c32 -d15s -s "$work/many.lua" "$base/" | awk '/Requests\/sec/ {print $2}')
    ratio=$(echo "100 * $many / $one" | bc -l | xargs printf "%.0f")
    wrk_line="storefront home, wrk -t2 -c32 -d15s: one store ${one} req/s, all $N stores ${many} req/s (${ratio}% of one store)"
fi
echo "$wrk_line" >&2

results=Benchmarks/RESULTS.md
[[ -f $results ]] || echo "# Benchmark results" >"$results"
grep -q '^## Tenancy' "$results" || printf '\n## Tenancy\n' >>"$results"
report=$(cat <<MD

Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores (load average $load_before at the start: the machine is shared), PostgreSQL $(psql "$STOREFLEET_SERVER1_ADMIN_URL" -qAt -c "SHOW server_version" | cut -d' ' -f1), fsync=$fsync, $servers servers (\`Benchmarks/tenancy/run.sh $N\`):

- Provisioning $N stores one after another: **p50 ${p50} s, p99 ${p99} s** per store (library time: role, clone of the
  template with \`CREATE DATABASE ... TEMPLATE\` (WAL_LOG), grants, ledger, activation); wall time per
  \`storefleet provision\` process p50 ${w50} s, p99 ${w99} s. The first store, which built the template, took ${first} s.
  Placement: $placement.
- $PARALLEL_EXTRA more stores provisioned 4 at a time while the first of them updated the template to a new
  migration: $parallel_failures failed.
- \`storefleet migrate\` of the $N stores with one new migration: **${migrate_total} s total** ($migrated ok, $MIGRATE_PARALLEL processes).
- $wrk_line.
  Tenant connections: each worker's \`StoreDirectory\` LRU (its capacity as the App configures it; the
  App's default is 256, \`STOREFLEET_TENANT_CONNECTIONS\`), tenant endpoints $pool ($endpoints), max_connections=$max_conn.
MD
)
# Insert at the end of the Tenancy section (other sections may follow it).
python3 - "$results" "$report" <<'PY'
import sys
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
head, sep, rest = text.partition("\n## Tenancy\n")
nxt = rest.find("\n## ")
section, tail = (rest, "") if nxt < 0 else (rest[:nxt], rest[nxt:])
open(path, "w").write(head + sep + section.rstrip("\n") + "\n" + report + "\n" + tail)
PY
echo "added to the Tenancy section of $results" >&2
