#!/usr/bin/env bash
# Admin dashboard benchmark (issue 5): a store with 10,000 orders (generate_series: 90 days of
# history, lines, refunds, unpaid and cancelled orders among them), then wrk through nginx on the
# store's dashboard (signed in with a session cookie) and on /healthz, in the same run.
# Target: dashboard ≥ 30% of /healthz req/s.
#
#   Benchmarks/admin/run.sh [PROFILE] [DURATION]      (defaults: run, 15s)
#
# Needs the PROFILE's stack up (its PostgreSQL servers and registry). The binary measured is
# BENCH_BIN (a release build: swift build -c release --product storefleet), served by a private
# `storefleet serve` (BENCH_WORKERS, default 2) behind a private nginx rendered from nginx/ on
# port BENCH_PORT (default 18480), both started here and stopped at the end, so the profile's
# own serve and nginx (someone else's binary, maybe) are left alone. BENCH_PRIVATE=0 measures
# the profile's own nginx and serve instead.
# Run as root (the orders are written as the PostgreSQL superuser over the local socket, as the
# stack's scripts do). Creates its own user, organization and store, and removes them at the end
# (KEEP=1 keeps them). Appends the figures to Benchmarks/RESULTS.md under "## Admin dashboard"
# (BENCH_RECORD=0 does not).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
profile=${1:-run}
duration=${2:-15s}
orders=${BENCH_ORDERS:-10000}
env_file=.data/$profile/stack.env
[ -f "$env_file" ] || { echo "no stack at $env_file: start it first (see the header of this script)" >&2; exit 1; }
set -a; . "$env_file"; set +a
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
bin=${BENCH_BIN:-${STOREFLEET_BIN:?STOREFLEET_BIN is not in $env_file}}
workers=${BENCH_WORKERS:-2}
private=${BENCH_PRIVATE:-1}
work=$(mktemp -d /tmp/sf-admin-bench.XXXXXX)

pghome=$(readlink -f ".data/$profile/postgres")
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}   # as scripts/stack.sh
superuser_psql() { # port database args...
    (cd / && runuser -u postgres -- "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pghome/sockets" -p "$1" -d "$2" "${@:3}")
}
owner() { psql "$STOREFLEET_REGISTRY_OWNER_URL" -X -qAt -v ON_ERROR_STOP=1 "$@"; }

run_id=$(date +%s | tail -c 6)
slug="bench-admin-$run_id"
email="bench-admin-$run_id@example.com"
token="benchadmin${run_id}$(openssl rand -hex 16)"
user_id=""
cleanup() {
    stop_private_serve "$work"
    if [[ ${KEEP:-0} != 1 ]]; then
        "$bin" deprovision --slug "$slug" >/dev/null 2>&1 || true
        [[ -n $user_id ]] && owner -c "DELETE FROM users WHERE id = $user_id" >/dev/null 2>&1 || true
    fi
    sleep 1; rm -rf "$work"
}
trap cleanup EXIT
. "$root/Benchmarks/lib/private-serve.sh"

http_port=$STOREFLEET_HTTP_PORT
if [[ $private == 1 ]]; then
    # Our own serve on our own socket, and an nginx rendered from nginx/ in front of it.
    http_port=${BENCH_PORT:-18480}
    ROOT=$root start_private_serve "$bin" "$workers" "$work" "$http_port" "$root/$env_file"
fi

# A merchant with an organization and a signed-in session (the cookie's token, stored hashed).
user_id=$(owner -c "INSERT INTO users (email, name, password_hash) VALUES ('$email', 'Bench Admin', 'scrypt\$bench') RETURNING id" | head -1)
org_id=$(owner -c "SELECT storefleet_create_organization('Bench Admin org $run_id', $user_id)" | head -1)
owner -c "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at)
          VALUES (sha256(convert_to('$token', 'UTF8')), $user_id, 'bench-csrf-$run_id-0123456789', now() + interval '1 day')" >/dev/null

"$bin" provision --slug "$slug" --name "Bench Admin Store" --org "$org_id" --sample-data --currency EUR \
    --timezone Europe/Berlin >/dev/null
database="sf_store_$(owner -c "SELECT id FROM stores WHERE slug = '$slug' AND status = 'active'" | head -1)"
port=""
for p in "${STOREFLEET_SERVER1_ADMIN_URL##*:}" "${STOREFLEET_SERVER2_ADMIN_URL##*:}"; do
    p=${p%%/*}
    if superuser_psql "$p" postgres -At -c "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then port=$p; fi
done
[[ -n $port ]] || { echo "cannot find $database on either server" >&2; exit 1; }

# 10,000 orders over the last 90 days: 85% paid, 5% partly refunded, 5% pending, 5% cancelled;
# 1–3 lines each from the sample catalog.
started=$(date +%s.%N)
superuser_psql "$port" "$database" <<SQL
BEGIN;
CREATE TEMP TABLE bench_variants AS
    SELECT row_number() OVER (ORDER BY v.id) AS n, v.id AS variant_id, v.product_id, p.title, v.price_minor
    FROM variants v JOIN products p ON p.id = v.product_id;
INSERT INTO orders (email, currency, subtotal_minor, total_minor, financial_status, status, cancelled_at,
                    cancel_reason, created_at, paid_at)
SELECT 'buyer' || g || '@example.com', 'EUR', 0, 0,
       CASE WHEN g % 20 = 0 THEN 'pending' WHEN g % 20 = 1 THEN 'partially_refunded' ELSE 'paid' END,
       CASE WHEN g % 20 = 2 THEN 'cancelled' ELSE 'open' END,
       CASE WHEN g % 20 = 2 THEN now() END, CASE WHEN g % 20 = 2 THEN 'customer' END,
       now() - (g * interval '90 days' / $orders), now() - (g * interval '90 days' / $orders)
FROM generate_series(1, $orders) AS g;
INSERT INTO order_items (order_id, product_id, variant_id, title, quantity, unit_price_minor)
SELECT o.id, v.product_id, v.variant_id, v.title, 1 + (o.id + k) % 3, v.price_minor
FROM orders o
CROSS JOIN generate_series(0, 2) AS k
JOIN bench_variants v ON v.n = 1 + (o.id * 7 + k * 13) % (SELECT count(*) FROM bench_variants)
WHERE k < 1 + o.id % 3;
UPDATE orders o SET subtotal_minor = s.sum, total_minor = s.sum
FROM (SELECT order_id, sum(quantity * unit_price_minor) AS sum FROM order_items GROUP BY order_id) s
WHERE s.order_id = o.id;
INSERT INTO refunds (order_id, amount_minor, status)
SELECT id, total_minor / 4, 'succeeded' FROM orders WHERE financial_status = 'partially_refunded' AND total_minor >= 4;
UPDATE orders o SET refunded_minor = r.amount_minor FROM refunds r WHERE r.order_id = o.id;
COMMIT;
ANALYZE;
SQL
seeded=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
count=$(superuser_psql "$port" "$database" -At -c "SELECT count(*) FROM orders")

base="http://127.0.0.1:${http_port}"
host=$STOREFLEET_PLATFORM_DOMAIN
cookie="sf_session=$token"
dashboard="/store/$slug/admin"

# Sanity: the dashboard answers 200 with figures before it is measured; time one cold render.
cold=$(curl -s -o /tmp/sf-bench-dashboard.html -w '%{http_code} %{time_total}' -H "Host: $host" -H "Cookie: $cookie" "$base$dashboard")
[[ ${cold%% *} == 200 ]] || { echo "GET $dashboard answered ${cold%% *}" >&2; exit 1; }
grep -q 'role="img"' /tmp/sf-bench-dashboard.html || { echo "the dashboard has no chart" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")
[[ $code == 200 ]] || { echo "GET /healthz answered $code" >&2; exit 1; }

conns=32
measure() { # path [headers...] → "reqs p99ms"
    local path=$1; shift
    local out rps p99 non2xx
    out=$(wrk -t2 -c$conns -d"$duration" --latency "$@" "$base$path")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    [[ -z $non2xx ]] || { echo "$path: $non2xx non-2xx answers" >&2; exit 1; }
    echo "$rps $p99"
}
read -r hello_rps hello_p99 < <(measure /healthz)
read -r dash_rps dash_p99 < <(measure "$dashboard" -H "Host: $host" -H "Cookie: $cookie")
ratio=$(awk -v a="$dash_rps" -v b="$hello_rps" 'BEGIN{printf "%.0f", 100*a/b}')

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
served_by=$([[ $private == 1 ]] && echo "private serve, $workers workers, $(basename "$bin") $(git rev-parse --short HEAD)" || echo "the $profile profile's serve")
report=$(cat <<REPORT
### $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, ${cpu}, load $(cut -d' ' -f1 /proc/loadavg), wrk -t2 -c$conns -d$duration, $served_by
Store: $count orders over 90 days (seeded in ${seeded} s), Europe/Berlin; first dashboard view ${cold#* } s.

| target | req/s | p99 ms |
|---|---:|---:|
| /healthz (nginx → FastCGI) | $hello_rps | $hello_p99 |
| dashboard, signed in | $dash_rps | $dash_p99 |

Dashboard / healthz: **${ratio}%** (target ≥ 30%).
REPORT
)
echo "$report"
if [[ ${BENCH_RECORD:-1} == 1 ]]; then
    f=Benchmarks/RESULTS.md
    grep -q '^## Admin dashboard' "$f" || printf '\n## Admin dashboard\n\n`Benchmarks/admin/run.sh [PROFILE] [DURATION]`: see the script header.\n' >> "$f"
    python3 - "$f" "$report" <<'PY'
import sys
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
head, sep, rest = text.partition("\n## Admin dashboard\n")
nxt = rest.find("\n## ")
section, tail = (rest, "") if nxt < 0 else (rest[:nxt], rest[nxt:])
open(path, "w").write(head + sep + section.rstrip("\n") + "\n\n" + report + "\n" + tail)
PY
fi
