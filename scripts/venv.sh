#!/usr/bin/env bash
# Creates the project's Python venv (.venv at the repo root) and installs
# scripts/python-requirements.txt into it. Idempotent and quiet when nothing changed: pip runs
# only when the requirements file differs from the one last installed. Safe to run concurrently
# (one run at a time holds a lock). Prints the venv's python path on stdout.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
venv=$repo/.venv
requirements=$repo/scripts/python-requirements.txt
stamp=$venv/.requirements.sha256

# The lock sits inside .venv (ignored by git); `python3 -m venv` accepts the existing folder.
mkdir -p "$venv"
exec 9>"$venv/.lock"
flock -w 600 9 || { echo "venv.sh: another venv.sh is still working on $venv" >&2; exit 1; }

if [[ ! -x $venv/bin/python ]]; then
    echo "venv.sh: creating $venv" >&2
    python3 -m venv "$venv" >&2 ||
        { echo "venv.sh: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi

wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ ! -s $stamp || $(<"$stamp") != "$wanted" ]]; then
    echo "venv.sh: installing $requirements" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    echo "$wanted" >"$stamp.new"
    mv "$stamp.new" "$stamp"
fi
echo "$venv/bin/python"
