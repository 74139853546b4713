#!/usr/bin/env bash
# Runs before `npm start` and `npm test` (npm's pre-scripts): makes a fresh clone ready.
# - DynamoDB Local is the official jar and needs a Java runtime (17+).
# - The browser tests drive Debian's Chromium (never a downloaded browser): `npm test` installs it.
# - Dependencies are installed from the lock file when missing or when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing a Java runtime for DynamoDB Local" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "setup: DynamoDB Local needs Java 17 or newer on the PATH (e.g. apt-get install default-jre-headless)" >&2
    exit 1
  fi
fi

# Only the tests need a browser; CHROMIUM_PATH names one that is not Debian's.
if [ "${npm_lifecycle_event:-}" = "pretest" ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Chromium for the browser tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: the browser tests need Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (e.g. apt-get install chromium, or set CHROMIUM_PATH)" >&2
    exit 1
  fi
fi

stamp=node_modules/.switchboard-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
