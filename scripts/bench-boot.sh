#!/usr/bin/env bash
# Times a headless FreeDOS boot (freedos-boot-1440k.img to the A:\> prompt) with the
# interpreter, five runs. A benchmark, not a test: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${RAWBOX_SHARED:-../shared}"
cargo build --release -p rawbox --quiet
img=$(mktemp --suffix=.img)
trap 'rm -f "$img"' EXIT
for i in 1 2 3 4 5; do
  cp "$SHARED/images/freedos-boot-1440k.img" "$img"
  start=$(date +%s.%N)
  ./target/release/rawbox --headless --quiet --fda "$img" --until-text 'A:\>' --timeout 30 >/dev/null
  end=$(date +%s.%N)
  awk -v i="$i" -v s="$start" -v e="$end" 'BEGIN { printf "run %d: boot to A:\\> in %.3f s\n", i, e - s }'
done
