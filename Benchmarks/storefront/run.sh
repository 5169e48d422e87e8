#!/usr/bin/env bash
# Storefront benchmark (issue #6): a store with 10,000 active products, wrk on loopback against
# nginx, in one run: GET /healthz, a product page, a collection page (1,000 products, sorted by
# price, page 1 of the keyset), and a search. Pages are served from each worker's page cache
# (checked against the store's storefront_version), so this measures the steady state a busy
# store sees; the first request of each URL renders it.
# Target: product page ≥ 40% of /healthz req/s in the same run, p99 < 15 ms at 32 connections.
# Uses the stack of PROFILE (default `run`: start it with `make run`, a release build, 2 workers).
#   Benchmarks/storefront/run.sh [PROFILE] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${1:-run}
duration=${2:-15s}
env_file=.data/$profile/stack.env
[ -f "$env_file" ] || { echo "no stack at $env_file: run 'make run' first" >&2; exit 1; }
set -a; . "$env_file"; set +a
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
bin=${STOREFLEET_BIN:?stack.env names no STOREFLEET_BIN}

slug=${BENCH_STORE:-sfbench}
products=${BENCH_PRODUCTS:-10000}
base="http://127.0.0.1:${STOREFLEET_HTTP_PORT}"
store_host="$slug.${STOREFLEET_PLATFORM_DOMAIN}"
conns=32

# The store, provisioned once; its database found through the registry.
if ! psql "$STOREFLEET_REGISTRY_OWNER_URL" -Atc "SELECT 1 FROM stores WHERE slug = '$slug'" | grep -q 1; then
  "$bin" provision --slug "$slug" --name "Benchmark Outfitters" --currency USD >/dev/null
fi
read -r db server < <(psql "$STOREFLEET_REGISTRY_OWNER_URL" -AtF ' ' -c "
  SELECT d.database_name, s.name FROM stores st JOIN tenant_databases d ON d.store_id = st.id
  JOIN database_servers s ON s.id = d.server_id WHERE st.slug = '$slug'")
admin_url=$([ "$server" = server2 ] && echo "$STOREFLEET_SERVER2_ADMIN_URL" || echo "$STOREFLEET_SERVER1_ADMIN_URL")
tenant_url="${admin_url%/*}/$db"

# 10,000 products (three sizes each, a sample image), 1,000 of them in a collection; seeded once.
have=$(psql "$tenant_url" -Atc "SELECT count(*) FROM products WHERE status = 'active'")
if [ "$have" -lt "$products" ]; then
  psql "$tenant_url" -q -v ON_ERROR_STOP=1 -v n="$products" <<'SQL'
BEGIN;
TRUNCATE products, collections RESTART IDENTITY CASCADE;
INSERT INTO products (handle, title, description_html, vendor, product_type, tags, status, created_at)
SELECT 'product-' || g, 'Product ' || g || ' ' || (ARRAY['Linen Shirt','Wool Beanie','Canvas Tote','Stoneware Mug','Trail Runner'])[1 + g % 5],
       '<p>A well made thing, number ' || g || '. Built to last, easy to care for.</p>',
       (ARRAY['Northbound','Harbor & Pine','Kiln Street','Ember Lane','Paper Harbor'])[1 + g % 5],
       (ARRAY['Shirts','Hats','Bags','Kitchen','Shoes'])[1 + g % 5],
       ARRAY['tag' || (g % 20)], 'active', now() - g * interval '1 minute'
FROM generate_series(1, :n) g;
INSERT INTO product_options (product_id, name, position) SELECT id, 'Size', 1 FROM products;
INSERT INTO product_option_values (option_id, value, position)
SELECT o.id, v.value, v.position FROM product_options o,
       (VALUES ('S', 1), ('M', 2), ('L', 3)) v (value, position);
INSERT INTO product_images (product_id, position, alt, storage_key, content_type, width, height)
SELECT id, 1, title, '/assets/sample/' || (ARRAY['shirt','beanie','backpack','mug','sneaker'])[1 + id % 5] || '.svg',
       'image/svg+xml', 800, 1000 FROM products;
INSERT INTO variants (product_id, position, title, sku, price_minor, compare_at_minor, inventory_quantity)
SELECT p.id, v.position, v.value, 'SKU-' || p.id || '-' || v.value, 1000 + (p.id * 37) % 20000,
       CASE WHEN p.id % 7 = 0 THEN 25000 END, (p.id + v.position) % 12
FROM products p JOIN product_options o ON o.product_id = p.id JOIN product_option_values v ON v.option_id = o.id;
INSERT INTO variant_option_values (variant_id, product_id, option_id, option_value_id)
SELECT va.id, va.product_id, o.id, v.id FROM variants va
JOIN product_options o ON o.product_id = va.product_id
JOIN product_option_values v ON v.option_id = o.id AND v.value = va.title;
INSERT INTO collections (handle, title, description_html) VALUES ('bench', 'Bench Picks', '<p>A thousand of them.</p>');
INSERT INTO collection_products (collection_id, product_id, position)
SELECT 1, id, id FROM products WHERE id % 10 = 0;
COMMIT;
ANALYZE products; ANALYZE variants; ANALYZE product_images; ANALYZE collection_products;
SQL
fi

product_path=/products/product-5000
collection_path="/collections/bench?sort_by=price-ascending"
search_path="/search?q=linen+shirt"

# Warm-up and sanity: every target answers 200 (and fills both workers' caches).
for spec in "/healthz|" "$product_path|$store_host" "$collection_path|$store_host" "$search_path|$store_host"; do
  path=${spec%%|*}; host=${spec#*|}
  for _ in 1 2 3 4; do
    code=$(curl -s -o /dev/null -w '%{http_code}' ${host:+-H "Host: $host"} "$base$path")
    [ "$code" = 200 ] || { echo "GET $path (Host ${host:-default}) answered $code, not 200" >&2; exit 1; }
  done
done
# The first render of each page, uncached (a new query string each time), for the record.
cold_ms=$(for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' -H "Host: $store_host" "$base$product_path?cold=$RANDOM$i"; done |
  awk '{s+=$1} END {printf "%.1f", 1000*s/NR}')

measure() { # name path host → "reqs p99ms"
  local out
  out=$(wrk -t2 -c$conns -d"$duration" --latency ${3:+-H "Host: $3"} "$base$2")
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  [ -z "$non2xx" ] || { echo "$1: $non2xx non-2xx answers" >&2; exit 1; }
  echo "$rps $p99"
}

read -r hello_rps hello_p99 < <(measure healthz /healthz "")
read -r product_rps product_p99 < <(measure product "$product_path" "$store_host")
read -r collection_rps collection_p99 < <(measure collection "$collection_path" "$store_host")
read -r search_rps search_p99 < <(measure search "$search_path" "$store_host")
ratio=$(awk -v a="$product_rps" -v b="$hello_rps" 'BEGIN{printf "%.0f", 100*a/b}')

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
workers=$(pgrep -fc 'storefleet serve' || true)
report=$(cat <<REPORT
### $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, ${cpu}, load $(cut -d" " -f1 /proc/loadavg), wrk -t2 -c$conns -d$duration, $products products (processes: $workers)
| target | req/s | p99 ms |
|---|---:|---:|
| /healthz (nginx → FastCGI) | $hello_rps | $hello_p99 |
| product page \`$product_path\` | $product_rps | $product_p99 |
| collection \`$collection_path\` | $collection_rps | $collection_p99 |
| search \`$search_path\` | $search_rps | $search_p99 |

Product page / healthz: **${ratio}%** (target ≥ 40%, p99 < 15 ms). An uncached product page
(first render, through nginx): ${cold_ms} ms on average.
REPORT
)
echo "$report"
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  f=Benchmarks/RESULTS.md
  [ -f "$f" ] || echo "# Benchmark results" > "$f"
  grep -q '^## Storefront' "$f" || printf '\n## Storefront\n' >> "$f"
  python3 - "$f" "$report" <<'PY'
import sys
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
head, sep, rest = text.partition("\n## Storefront\n")
nxt = rest.find("\n## ")
section, tail = (rest, "") if nxt < 0 else (rest[:nxt], rest[nxt:])
open(path, "w").write(head + sep + section.rstrip("\n") + "\n\n" + report + "\n" + tail)
PY
fi
