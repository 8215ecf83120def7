#!/usr/bin/env bash
# Installs what is missing and runs every test of the project. This is the README's test command
# and what CI runs (.ci/run). Safe to run again: it skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust: unit, golden-vector, property and CRM tests (native)"
cargo test --locked --all-features

echo "== docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --all-features --quiet
