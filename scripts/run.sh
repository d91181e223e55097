#!/usr/bin/env bash
# Builds and runs rawbox with the given arguments (no arguments: the built-in demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/need-debs.sh libsdl2-dev >&2
cargo build --release -p rawbox --quiet
exec ./target/release/rawbox "$@"
