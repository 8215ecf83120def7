#!/usr/bin/env bash
# Installs what is missing and runs every test of the project. This is the README's test command
# and what CI runs (.ci/run). Safe to run again: it skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== formatting and lints"
# src/lib.rs denies clippy::unwrap_used, expect_used, panic, indexing_slicing, unreachable, todo and
# unimplemented outside tests, and forbids unsafe code; -D warnings below makes every one fatal.
cargo fmt --all -- --check
cargo clippy --locked --all-features --all-targets --quiet -- -D warnings

echo "== Rust: unit, golden-vector, property, CRM-export, bad-input and CLI tests (native)"
echo "   (tests/fuzz_replay.rs is the fuzz smoke run: the fuzz targets' bodies over the seed corpus, the"
echo "   regressions and generated mutations, on stable; scripts/fuzz.sh runs the real fuzzers on nightly)"
cargo test --locked --all-features

echo "== docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --all-features --quiet

echo "== WebAssembly package: build (installs the wasm32 target, the pinned wasm-bindgen CLI, npm packages)"
./scripts/build-wasm.sh

echo "== TypeScript declarations match the schemas"
(cd js && node scripts/gen-types.mjs --check)

echo "== JavaScript: golden vectors (ESM and CommonJS), the API, sessions, the command line and the benchmark baselines in Node; every vector in headless"
echo "   Chromium; the packed package in a fresh project; memory; a strict TypeScript consumer"
echo "   (test-js-extra.sh installs Debian's chromium when it is missing)"
(cd js && node --test test/golden.test.mjs test/golden.test.cjs test/api.test.mjs test/bad-inputs.test.mjs test/session.test.mjs test/cli.test.mjs test/baselines.test.mjs test/kernel.test.mjs test/table.test.mjs)
./scripts/test-js-extra.sh
