#!/usr/bin/env bash
# Runs every rawbox test: the single-step CPU suites (against committed baselines and
# known-failure lists) and the whole cargo test suite. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED="${RAWBOX_SHARED:-../shared}"

# Debian packages the tests need: libSDL2 (the window frontend), Xvfb and xdotool (the window
# tests drive a real window on a private X server), mtools (FAT images for the hard-disk boot
# and EDIT tests), SeaBIOS and the VGA BIOS images (frontend-sdl/tests/seabios.rs), gdb (the
# --gdb stub test in frontend-sdl/tests/debug_cli.rs).
scripts/need-debs.sh libsdl2-dev xvfb xdotool mtools seabios vgabios gdb

if [ ! -d "$SHARED/cpu-tests" ]; then
  echo "test.sh: $SHARED/cpu-tests not found (set RAWBOX_SHARED)" >&2
  exit 1
fi

cargo build --release --workspace --all-targets

echo "== single-step suite: 80286-real under --cpu 80286"
./target/release/sst "$SHARED/cpu-tests/80286-real" --cpu 80286 --show 0 \
  --baseline tests/baselines/80286-real.txt \
  --known-failures tests/known-failures/80286-real.txt | grep -v '^pass '
echo "== single-step suite: 8086 under --cpu 8086"
./target/release/sst "$SHARED/cpu-tests/8086" --cpu 8086 --show 0 \
  --baseline tests/baselines/8086.txt \
  --known-failures tests/known-failures/8086.txt | grep -v '^pass '

# The same suites through the JIT in force-compile mode: same baselines, same known failures.
echo "== single-step suite: 80286-real under --cpu 80286 --engine jit"
./target/release/sst "$SHARED/cpu-tests/80286-real" --cpu 80286 --engine jit --show 0 \
  --baseline tests/baselines/80286-real.txt \
  --known-failures tests/known-failures/80286-real.txt | grep -v '^pass '
echo "== single-step suite: 8086 under --cpu 8086 --engine jit"
./target/release/sst "$SHARED/cpu-tests/8086" --cpu 8086 --engine jit --show 0 \
  --baseline tests/baselines/8086.txt \
  --known-failures tests/known-failures/8086.txt | grep -v '^pass '

echo "== cargo test"
cargo test --release --workspace
