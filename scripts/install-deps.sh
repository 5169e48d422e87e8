#!/usr/bin/env bash
# Installs the Debian packages the local stack needs, and only those that are missing.
# Quiet and offline when everything is present; runs `apt-get update` first otherwise.
#
#   scripts/install-deps.sh                   what `make run` and the Swift tests need
#   scripts/install-deps.sh --browser-tests   that, plus Chromium and its WebDriver for Tests/Browser
#                                             (scripts/browser-tests.sh asks for it; so `make test` does)
set -euo pipefail

packages=(
    # build: the C libraries the Swift package links (see Package.swift's system-library targets)
    libfcgi-dev libpq-dev libssl-dev libcurl4-openssl-dev libxml2-dev libvips-dev
    # the local stack (scripts/stack.sh)
    nginx postgresql pgbouncer gettext-base openssl curl ca-certificates acl procps
    # benchmarks, Python stand-ins (aiosmtpd, localstripe live in a venv), the Liquid reference
    wrk hyperfine python3-venv ruby-liquid
)
case ${1:-} in
    "") ;;
    --browser-tests) packages+=(chromium chromium-driver fonts-dejavu-core) ;;
    *) echo "usage: $0 [--browser-tests]" >&2; exit 64 ;;
esac

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: no Swift toolchain on PATH; install Swift 6 from https://www.swift.org/install/linux/" >&2
    exit 1
fi
