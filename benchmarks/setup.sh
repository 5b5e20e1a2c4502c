#!/bin/sh
# Set up what the benchmark needs; does nothing when it is already there.
#   Debian: wrk (load generator), virtuoso-opensource (a peer) -- installed when missing.
#   PyPI:   benchmarks/requirements.txt into benchmarks/work/venv (not the project's .venv).
# The Debian package's own Virtuoso service is not started (policy-rc.d during the install);
# the benchmark runs its own Virtuoso with an ini bound to 127.0.0.1 (see peers.py).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work="$here/work"
mkdir -p "$work"

missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v virtuoso-t >/dev/null 2>&1 || missing="$missing virtuoso-opensource"
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "benchmarks/setup.sh: need root to apt-get install$missing" >&2
        exit 1
    fi
    created_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        created_policy=yes
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
        || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; }
    [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

venv="$work/venv"
stamp="$venv/.installed"
if [ ! -f "$stamp" ] || [ "$here/requirements.txt" -nt "$stamp" ]; then
    test -x "$venv/bin/python" || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
    touch "$stamp"
fi
