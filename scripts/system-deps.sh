#!/bin/sh
# Installs the Debian packages the tests use, when missing: chromium (browser tests),
# raptor2-utils (independent re-parse of dumps), nginx (the replicas test, docs/deploy.md),
# libreoffice-writer-nogui (Word reports: renders their automatic paragraph numbers; test PDFs),
# virtuoso-opensource (a real existing store for the remote-store tests; its own service is not used).
# Needs root or sudo; says so otherwise.
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v rapper >/dev/null 2>&1 || missing="$missing raptor2-utils"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v soffice >/dev/null 2>&1 || missing="$missing libreoffice-writer-nogui"
command -v virtuoso-t >/dev/null 2>&1 || missing="$missing virtuoso-opensource"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "system-deps: please install:$missing (Debian packages); the tests that need them will be skipped" >&2
  exit 0
fi
echo "system-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
