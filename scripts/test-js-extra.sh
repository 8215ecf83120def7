#!/usr/bin/env bash
# Extra tests of the built npm package (run after ./scripts/build-wasm.sh): every golden vector in
# headless Chromium through dist/web.mjs, the earnings calculator and the CRM deal preview examples
# driven in Chromium (screenshots in js/test-artifacts/), the packed tarball installed into a
# fresh project (ESM, CommonJS, inline), memory that stays flat over thousands of compile/evaluate/free, and a strict
# TypeScript consumer of the whole public API. Installs Debian's chromium when it is missing
# (CHROMIUM_PATH may point at another Chromium build instead).
set -euo pipefail
cd "$(dirname "$0")/.."

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing ($chromium); install it as root, then run this script again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium" >&2
    exit 1
  fi
  echo "== installing chromium (Debian package, once)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  if [ ! -x "$chromium" ]; then
    echo "chromium was installed but $chromium is not executable; set CHROMIUM_PATH" >&2
    exit 1
  fi
fi

if [ ! -f js/dist/web.mjs ] || [ ! -f js/dist/payplan_bg.wasm ]; then
  echo "js/dist is missing: run ./scripts/build-wasm.sh first" >&2
  exit 1
fi

echo "== extra JS tests (browser, packed package, memory, TypeScript consumer)"
cd js
node --test test/browser.test.mjs test/earnings-calculator.test.mjs test/crm-deal-preview.test.mjs test/package.test.mjs test/memory.test.mjs test/types.test.mjs
