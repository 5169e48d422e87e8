#!/usr/bin/env bash
# Request-path benchmark (issue #3): wrk on loopback against nginx, in one run:
#   1. a static file served by nginx alone      (the machine's ceiling for nginx)
#   2. GET /healthz through nginx → FastCGI      (the hello page of this stack)
#   3. the demo storefront home with 20 products (one tenant query + a Liquid render)
# Target: storefront ≥ 50% of /healthz req/s in the same run, ≥ 6,000 req/s, p99 < 10 ms at 32
# connections. Uses the stack of PROFILE (default `run`: start it with `make run`).
#   Benchmarks/request-path/run.sh [PROFILE] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${1:-run}
duration=${2:-15s}
env_file=.data/$profile/stack.env
[ -f "$env_file" ] || { echo "no stack at $env_file: run 'make run' first" >&2; exit 1; }
set -a; . "$env_file"; set +a
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

base="http://127.0.0.1:${STOREFLEET_HTTP_PORT}"
store_host="${BENCH_STORE:-demo}.${STOREFLEET_PLATFORM_DOMAIN}"
conns=32

# Warm-up and sanity: every target must answer 200 before it is measured.
for spec in "/assets/bench/hello.txt|" "/healthz|" "/|$store_host"; do
  path=${spec%%|*}; host=${spec#*|}
  code=$(curl -s -o /dev/null -w '%{http_code}' ${host:+-H "Host: $host"} "$base$path")
  [ "$code" = 200 ] || { echo "GET $path (Host ${host:-default}) answered $code, not 200" >&2; exit 1; }
done

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

read -r static_rps static_p99 < <(measure static /assets/bench/hello.txt "")
read -r hello_rps hello_p99 < <(measure healthz /healthz "")
read -r home_rps home_p99 < <(measure storefront / "$store_host")
ratio=$(awk -v a="$home_rps" -v b="$hello_rps" 'BEGIN{printf "%.0f", 100*a/b}')

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
workers=$(pgrep -fc 'storefleet serve' || true)
report=$(cat <<REPORT
### $(date -u +%Y-%m-%dT%H:%MZ) — $(nproc) cores, ${cpu}, wrk -t2 -c$conns -d$duration, storefleet workers: ${BENCH_WORKERS:-see stack} (processes: $workers)
| target | req/s | p99 ms |
|---|---:|---:|
| nginx static file | $static_rps | $static_p99 |
| /healthz (nginx → FastCGI) | $hello_rps | $hello_p99 |
| storefront home, 20 products | $home_rps | $home_p99 |

Storefront / healthz: **${ratio}%** (target ≥ 50%, ≥ 6,000 req/s, p99 < 10 ms).
REPORT
)
echo "$report"
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  f=Benchmarks/RESULTS.md
  [ -f "$f" ] || echo "# Benchmark results" > "$f"
  grep -q '^## Request path' "$f" || printf '\n## Request path\n' >> "$f"
  # Append under the section (sections are appended in order, so the end of the file is fine when
  # this section is last; otherwise insert before the next section).
  python3 - "$f" "$report" <<'PY'
import sys
path, report = sys.argv[1], sys.argv[2]
text = open(path).read()
head, sep, rest = text.partition("\n## Request path\n")
nxt = rest.find("\n## ")
section, tail = (rest, "") if nxt < 0 else (rest[:nxt], rest[nxt:])
open(path, "w").write(head + sep + section.rstrip("\n") + "\n\n" + report + "\n" + tail)
PY
fi
