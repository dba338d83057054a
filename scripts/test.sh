#!/usr/bin/env bash
# Installs what the tests need (Debian's Chromium, a venv with the dev extras), starts a
# real Chroma server on 127.0.0.1 for the client-server tests, then runs lint, types and
# the whole test suite. Extra arguments go to pytest. This is the README's test command
# and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if [ ! -x /usr/bin/chromium ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

.venv/bin/ruff check .
.venv/bin/mypy

# A real `chroma run` server on loopback; the store tests run against it too.
chroma_dir=$(mktemp -d)
chroma_port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.venv/bin/chroma run --path "$chroma_dir" --host 127.0.0.1 --port "$chroma_port" >"$chroma_dir.log" 2>&1 &
chroma_pid=$!
trap 'kill "$chroma_pid" 2>/dev/null || true; rm -rf "$chroma_dir" "$chroma_dir.log"' EXIT
export CHROMA_TEST_PORT="$chroma_port"

.venv/bin/python -m pytest "$@"
