#!/usr/bin/env bash
# Liquid benchmark (issue #2): one product-listing page (50 products, a product-card partial per
# product, standard filters), parsed once and rendered many times by
#   1. Storefleet's engine (Sources/Liquid, swiftc -O -wmo), autoescape off and on,
#   2. python-liquid (pip, in Benchmarks/liquid/.venv),
#   3. Shopify's Ruby engine, liquid 5.4 (Debian ruby-liquid).
# The three autoescape-off outputs must be byte-identical, or the run fails. Then our
# commerce-filter page (money, img_url, ...; no other engine has these filters) is measured alone.
# Target: ≥ 20× python-liquid and ≥ 10× Ruby renders/s.
#   Benchmarks/liquid/run.sh [SECONDS per measurement, default 4] [ROUNDS, default 2]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds=${1:-4}
rounds=${2:-2}
build="$root/.build-bench/liquid"
out="$build/out"
templates="$here/templates"
data="$here/data/listing.json"
page=product-listing
export TZ=UTC  # the date filter formats in local time in the Ruby and Python engines
mkdir -p "$out"

fail() { echo "run.sh: $*" >&2; exit 1; }
command -v ruby >/dev/null || fail "ruby is missing: apt-get install ruby ruby-liquid"
ruby -e 'require "liquid"; exit(Liquid::VERSION.start_with?("5.4") ? 0 : 1)' ||
  fail "Ruby liquid 5.4 is missing: apt-get install ruby-liquid"

venv="$here/.venv"
if ! "$venv/bin/python" -c 'import liquid' 2>/dev/null; then
  echo "== creating $venv with python-liquid" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'python-liquid==2.3.6'
fi

echo "== building the Swift benchmark (swiftc -O -wmo) into $build" >&2
# LIQUID_SOURCES: another copy of Sources/Liquid to build (e.g. a snapshot of a commit).
mapfile -t sources < <(find "${LIQUID_SOURCES:-$root/Sources/Liquid}" -name '*.swift' | sort)
# From inside the build folder: swiftc leaves module files in its working directory.
(cd "$build" && swiftc -O -wmo -suppress-warnings -module-name LiquidBench "${sources[@]}" "$here/main.swift" -o "$build/liquid-bench")

# Each engine prints "name version renders seconds mean best" (best: the best half-second window);
# the lines of all rounds go to $out/<label>.txt. Rounds interleave the engines, so a burst of
# other work on the machine does not land on one engine only.
measure() { # label command...
  local label=$1; shift
  "$@" >>"$out/$label.txt" || fail "$label failed"
}
best() { awk '$NF > b { b = $NF } END { print b }' "$out/$1.txt"; }
mean() { awk '{ s += $(NF-1) } END { printf "%.1f", s / NR }' "$out/$1.txt"; }

echo "== measuring: $rounds rounds of ${seconds}s per engine" >&2
rm -f "$out"/*.txt
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
  measure swift "$build/liquid-bench" "$templates" "$data" $page "$seconds" "$out/swift.html"
  measure python "$venv/bin/python" "$here/bench.py" "$templates" "$data" $page "$seconds" "$out/python.html"
  measure ruby ruby "$here/bench.rb" "$templates" "$data" $page "$seconds" "$out/ruby.html"
  measure swift-autoescape "$build/liquid-bench" "$templates" "$data" $page "$seconds" "$out/swift-autoescape.html" --autoescape
  measure python-autoescape "$venv/bin/python" "$here/bench.py" "$templates" "$data" $page "$seconds" "$out/python-autoescape.html" --autoescape
  measure swift-commerce "$build/liquid-bench" "$templates" "$here/data/commerce.json" commerce-listing "$seconds" "$out/swift-commerce.html" --autoescape --commerce
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
swift_off=$(best swift); swift_on=$(best swift-autoescape); commerce=$(best swift-commerce)
python_off=$(best python); python_on=$(best python-autoescape); ruby_off=$(best ruby)

# Autoescape off: all three engines must agree byte for byte.
identical=yes
for other in python ruby; do
  if ! cmp -s "$out/swift.html" "$out/$other.html"; then
    identical=no
    echo "!! OUTPUT MISMATCH: Storefleet vs $other (autoescape off); first differences:" >&2
    diff "$out/$other.html" "$out/swift.html" | head -20 >&2 || true
  fi
done
cmp -s "$out/python.html" "$out/ruby.html" || fail "python-liquid and Ruby disagree: the page uses something non-standard"

# Autoescape on: Storefleet and python-liquid should escape the same outputs exactly once; they
# spell two entities differently (markupsafe writes &#34; and &#39;, html.escape &#x27;).
entities() { sed -e 's/&#34;/\&quot;/g' -e 's/&#x27;/\&#39;/g' "$1"; }
if cmp -s <(entities "$out/swift-autoescape.html") <(entities "$out/python-autoescape.html"); then
  escaped_alike=yes
else
  escaped_alike="NO (see diff $out/python-autoescape.html $out/swift-autoescape.html)"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
bytes=$(wc -c <"$out/swift.html")
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
cat <<REPORT

Liquid benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $cpu
page: $page.liquid + product-card.liquid, 50 products, $bytes bytes, parsed once
$rounds rounds of ${seconds}s per engine, interleaved; renders/s of the best half-second window
(the mean of the rounds' averages beside it);
load average before/after: $load_before / $load_after

| engine                                   | renders/s (best) | mean | vs python-liquid | vs Ruby liquid |
|------------------------------------------|-----------------:|-----:|-----------------:|---------------:|
| Storefleet, autoescape off               | $swift_off | $(mean swift) | $(ratio "$swift_off" "$python_off")× | $(ratio "$swift_off" "$ruby_off")× |
| Storefleet, autoescape on                | $swift_on | $(mean swift-autoescape) | $(ratio "$swift_on" "$python_off")× | $(ratio "$swift_on" "$ruby_off")× |
| python-liquid $(awk 'NR == 1 {print $2}' "$out/python.txt"), autoescape off      | $python_off | $(mean python) | 1.0× | $(ratio "$python_off" "$ruby_off")× |
| python-liquid, autoescape on             | $python_on | $(mean python-autoescape) | $(ratio "$python_on" "$python_off")× | $(ratio "$python_on" "$ruby_off")× |
| Ruby liquid $(awk 'NR == 1 {print $2}' "$out/ruby.txt") (no autoescape)        | $ruby_off | $(mean ruby) | $(ratio "$ruby_off" "$python_off")× | 1.0× |
| Storefleet commerce page, autoescape on  | $commerce | $(mean swift-commerce) | – | – |

outputs byte-identical (autoescape off): $identical
autoescape on escapes like python-liquid's autoescape (modulo entity spelling): $escaped_alike
REPORT

target_python=$(awk -v a="$swift_off" -v b="$python_off" 'BEGIN { print (a >= 20 * b) ? "met" : "MISSED" }')
target_ruby=$(awk -v a="$swift_off" -v b="$ruby_off" 'BEGIN { print (a >= 10 * b) ? "met" : "MISSED" }')
echo "targets: ≥20× python-liquid $target_python, ≥10× Ruby $target_ruby"
echo "outputs kept in $out"
[ "$identical" = yes ] || fail "OUTPUTS DIFFER: see the diff above"
