#!/usr/bin/env bash
# Builds the npm package in js/dist: the release WebAssembly (profile `wasm`: size-optimized, lto,
# one codegen unit, panic=abort), the wasm-bindgen CLI pinned to the exact wasm-bindgen version in
# Cargo.lock, then the JavaScript bundles and type declarations. Installs the wasm32 target, the
# CLI and the npm packages (from js/package-lock.json) when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "== installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  echo "== installing wasm-bindgen-cli $wb_version (a few minutes, once)"
  # no --locked: the registry copy lacks one pinned transitive version (see shared TOOLCHAIN notes)
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

# Four modules: plan evaluation (payplan_bg.wasm; for Node, payplan_node_bg.wasm, the same with the
# batch kernel, built for speed), the same with live preview sessions
# (payplan_preview_bg.wasm, what a CRM widget loads through `payplan/preview`; for Node,
# payplan_preview_node_bg.wasm, with the kernel, built for speed) and the quota-planning,
# metrics and territory operations (payplan_ops_bg.wasm, loaded by `payplan/operations` only).
wasm_out=target/wasm32-unknown-unknown/wasm/payplan.wasm
bindgen() {
  wasm-bindgen --target web --remove-name-section --remove-producers-section --out-dir js/wasm --out-name "$1" "${2:-$wasm_out}"
}
rm -rf js/wasm
echo "== building the WebAssembly module (plan evaluation)"
cargo build --locked --lib --target wasm32-unknown-unknown --profile wasm --no-default-features
bindgen payplan
echo "== building the WebAssembly module (plan evaluation with the batch kernel, for Node)"
# (the Node entries' module: the same API with the batch kernel for summaries, src/engine/batch.rs;
# browsers load the smaller payplan_bg.wasm, whose download size has a budget)
# (optimized for speed, profile `wasm-speed`: summaries of 100,000 transactions in half the time of
# the size profile, for about 3 ms more cold start; see BENCHMARKS.md)
cargo build --locked --lib --target wasm32-unknown-unknown --profile wasm-speed
bindgen payplan_node target/wasm32-unknown-unknown/wasm-speed/payplan.wasm
echo "== building the WebAssembly module (operations)"
cargo build --locked --lib --target wasm32-unknown-unknown --profile wasm --no-default-features --features wasm-ops
bindgen payplan_ops
echo "== building the WebAssembly module (plan evaluation with live preview sessions)"
# (browsers: the size profile, for the download; see BENCHMARKS.md "Preview latency")
cargo build --locked --lib --target wasm32-unknown-unknown --profile wasm --no-default-features --features wasm-preview
bindgen payplan_preview
echo "== building the WebAssembly module (live preview sessions, for Node)"
# (the Node entries of payplan/preview: the same API with the batch kernel, profile `wasm-speed`;
# the keystroke path of a deal back-dated to the start of the quarter takes a p99 of 7-8 us instead
# of 16-17 us; no download budget applies to it)
cargo build --locked --lib --target wasm32-unknown-unknown --profile wasm-speed --features wasm-preview
bindgen payplan_preview_node target/wasm32-unknown-unknown/wasm-speed/payplan.wasm

echo "== installing npm packages"
if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
  (cd js && npm ci --no-audit --no-fund)
fi
echo "== laying out js/dist"
(cd js && node scripts/build.mjs)
