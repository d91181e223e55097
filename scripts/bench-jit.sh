#!/usr/bin/env bash
# The JIT benchmark of issue 5, run by hand (not in CI). Builds rawbox and the guest workloads
# (`bench-images`: null, int16, int32, mem, calls), boots each under rawbox --engine interp,
# rawbox --engine jit and qemu-system-i386 (TCG), checks that all three print the checksum the
# generator computed, then times a FreeDOS boot to the prompt the same three ways, and prints
# wall times, ratios and guest MIPS.
#
# Usage: scripts/bench-jit.sh [--scale N] [--runs N] [--timeout SECONDS]
#   --scale N    multiply the workloads' iteration counts (default 1: a few seconds each
#                under the interpreter)
#   --runs N     run everything N times and keep the fastest wall time (default 1)
#   --timeout S  give up on one run after S seconds (default 300)
# Environment: RAWBOX_SHARED (default ../shared) locates images/freedos722.img;
# RAWBOX_BIN runs another rawbox binary than target/release/rawbox.
# Exit status: 0 when every checksum and boot marker was right, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

scale=1
runs=1
timeout_s=300
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-jit.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

SHARED="${RAWBOX_SHARED:-../shared}"
OUT=target/bench-images
WORK="$OUT/runs"
RAWBOX="${RAWBOX_BIN:-./target/release/rawbox}"
QEMU=qemu-system-i386

./scripts/need-debs.sh qemu-system-x86 mtools time
echo "== building rawbox and bench-images (release)" >&2
cargo build --release -p rawbox --quiet
cargo build --release -p rawbox-tests --bin bench-images --quiet
mkdir -p "$WORK"
./target/release/bench-images "$OUT" --scale "$scale" >&2

# Engines: without --engine support, the default engine runs once, in the interp column.
# (The help text is captured first: `grep -q` closing a pipe early fails under pipefail.)
rawbox_help=$("$RAWBOX" --help 2>&1 || true)
if grep -q -- --engine <<<"$rawbox_help"; then
  engines=(interp jit)
else
  engines=(default)
  echo "jit: not available in this build (no --engine flag); timing the default engine" >&2
fi
has_stats=0
grep -q -- --stats <<<"$rawbox_help" && has_stats=1

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
# min A B where either may be empty
fmin() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print b; else if (b == "" || a + 0 <= b + 0) print a; else print b }'; }
ratio() {
  if [ -z "$1" ] || [ -z "$2" ]; then echo "n/a"; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'
}

# Guest instructions from rawbox --stats output (the first number on a line mentioning
# "instructions"), empty when there is none.
stats_instructions() {
  grep -i 'instructions' "$1" 2>/dev/null | head -n1 | tr -d ',_' | grep -oE '[0-9]+' | head -n1 || true
}

# rawbox_args ENGINE: the engine and stats flags this build understands.
rawbox_args() {
  local a=()
  [ "$1" != default ] && a+=(--engine "$1")
  [ "$has_stats" = 1 ] && a+=(--stats)
  echo "${a[@]}"
}

# run_rawbox ENGINE IMG MARKER TAG: boots IMG headless until MARKER appears on COM1.
# Sets: wall, rss_kb, serial_file, stats_insns.
run_rawbox() {
  local engine="$1" img="$2" marker="$3" tag="$4"
  serial_file="$WORK/$tag.$engine.com1"
  local log="$WORK/$tag.$engine.log" tfile="$WORK/$tag.$engine.time"
  local t0 t1 rc=0
  t0=$(now)
  # shellcheck disable=SC2046 # the flags are words without spaces
  /usr/bin/time -f '%M' -o "$tfile" "$RAWBOX" --headless --quiet --serial "file:$serial_file" \
    --until-serial "$marker" --timeout "$timeout_s" $(rawbox_args "$engine") --fda "$img" \
    </dev/null >"$log" 2>&1 || rc=$?
  t1=$(now)
  wall=$(sub "$t1" "$t0")
  rss_kb=$(tail -n1 "$tfile" 2>/dev/null || echo "?")
  stats_insns=$(stats_instructions "$log")
  if [ "$rc" -ne 0 ]; then
    echo "rawbox ($engine) on $tag exited with $rc; see $log" >&2
  fi
}

# run_qemu IMG TAG: boots a benchmark image; the guest leaves through isa-debug-exit.
run_qemu() {
  local img="$1" tag="$2" t0 t1 rc=0
  serial_file="$WORK/$tag.qemu.com1"
  rm -f "$serial_file"
  t0=$(now)
  timeout "$timeout_s" "$QEMU" -accel tcg -m 64 -display none -no-reboot \
    -serial "file:$serial_file" -drive "if=floppy,index=0,format=raw,file=$img" -boot a \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$WORK/$tag.qemu.log" 2>&1 || rc=$?
  t1=$(now)
  wall=$(sub "$t1" "$t0")
  # isa-debug-exit: exit status (0 << 1) | 1 = 1.
  if [ "$rc" -ne 1 ]; then
    echo "qemu on $tag exited with $rc (expected 1 from isa-debug-exit)" >&2
  fi
}

# run_qemu_until IMG MARKER TAG: boots IMG, polls COM1 output for MARKER, then stops QEMU.
run_qemu_until() {
  local img="$1" marker="$2" tag="$3" t0 t1 pid deadline
  serial_file="$WORK/$tag.qemu.com1"
  : >"$serial_file"
  t0=$(now)
  "$QEMU" -accel tcg -m 64 -display none -no-reboot -serial "file:$serial_file" \
    -drive "if=floppy,index=0,format=raw,file=$img" -boot a </dev/null >"$WORK/$tag.qemu.log" 2>&1 &
  pid=$!
  deadline=$(awk -v t="$t0" -v s="$timeout_s" 'BEGIN { printf "%.0f", t + s }')
  while ! grep -q -- "$marker" "$serial_file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
      echo "qemu on $tag: no '$marker' on COM1" >&2
      break
    fi
    sleep 0.01
  done
  t1=$(now)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  wall=$(sub "$t1" "$t0")
}

checksum_of() { grep -oE 'CHECKSUM [0-9a-fA-F]{8}' "$1" 2>/dev/null | head -n1 | cut -d' ' -f2 | tr 'A-F' 'a-f' || true; }

failed=0
mips_source="the generator's instruction count of each workload (REP MOVSD counted once)"
rows=()
notes=()

# Start-up cost per engine (the null row), subtracted for the "net" ratio.
declare -A base=()
# net_ratio A A0 B B0: (A - A0) / (B - B0), n/a when a value is missing.
net_ratio() {
  if [ -z "$1" ] || [ -z "$2" ] || [ -z "$3" ] || [ -z "$4" ]; then echo "n/a"; return; fi
  awk -v a="$1" -v a0="$2" -v b="$3" -v b0="$4" \
    'BEGIN { if (b - b0 > 0 && a - a0 >= 0) printf "%.2f", (a - a0) / (b - b0); else print "n/a" }'
}

# One table row: NAME, interp/jit/qemu seconds, interp/jit MIPS, checksum verdict.
row_format='%-8s %8s %8s %8s %8s %8s %8s %8s %8s %8s  %s'
add_row() {
  local name="$1" t_interp="$2" t_jit="$3" t_qemu="$4" m_interp="$5" m_jit="$6" check="$7"
  local net="n/a"
  [ "$name" != null ] && net=$(net_ratio "$t_jit" "${base[jit]:-}" "$t_qemu" "${base[qemu]:-}")
  local int_net="n/a"
  [ "$name" != null ] && int_net=$(net_ratio "$t_interp" "${base[interp]:-}" "$t_qemu" "${base[qemu]:-}")
  rows+=("$(printf "$row_format" "$name" \
    "${t_interp:-n/a}" "${t_jit:-n/a}" "${t_qemu:-n/a}" \
    "$(ratio "$t_jit" "$t_qemu")" "$net" "$(ratio "$t_jit" "$t_interp")" "$int_net" \
    "$m_interp" "$m_jit" "$check")")
}

# mips_of WALL INSNS: millions of instructions per second of wall time.
mips_of() { awk -v t="$1" -v n="$2" 'BEGIN { if (t + 0 > 0 && n != "") printf "%.0f", n / t / 1e6; else print "?" }'; }

while IFS=$'\t' read -r name expected insns _summary; do
  case "$name" in ''|'#'*) continue ;; esac
  img="$OUT/$name.img"
  declare -A best=()
  declare -A sums=()
  declare -A stat=()
  for ((r = 1; r <= runs; r++)); do
    for engine in "${engines[@]}"; do
      echo "== $name: rawbox $engine (run $r)" >&2
      run_rawbox "$engine" "$img" DONE "$name"
      best[$engine]=$(fmin "${best[$engine]:-}" "$wall")
      sums[$engine]=$(checksum_of "$serial_file")
      stat[$engine]=$stats_insns
    done
    echo "== $name: qemu (run $r)" >&2
    run_qemu "$img" "$name"
    best[qemu]=$(fmin "${best[qemu]:-}" "$wall")
    sums[qemu]=$(checksum_of "$serial_file")
  done
  check="ok"
  for k in "${!sums[@]}"; do
    if [ "${sums[$k]}" != "$expected" ]; then
      check="MISMATCH"
      notes+=("$name: $k printed '${sums[$k]:-nothing}', expected $expected")
      failed=1
    fi
  done
  [ "$check" = ok ] && check="ok ($expected)"
  # Guest MIPS: from --stats when the build has it, else from the generator's count.
  declare -A mips=()
  for engine in "${engines[@]}"; do
    if [ -n "${stat[$engine]:-}" ]; then
      mips[$engine]="$(mips_of "${best[$engine]}" "${stat[$engine]}")"
      mips_source="rawbox --stats"
    else
      mips[$engine]="$(mips_of "${best[$engine]}" "$insns")"
    fi
  done
  t_interp="${best[interp]:-${best[default]:-}}"
  if [ "$name" = null ]; then
    mips=([interp]=- [jit]=-)
    base=([interp]="$t_interp" [jit]="${best[jit]:-}" [qemu]="${best[qemu]}")
  fi
  add_row "$name" "$t_interp" "${best[jit]:-}" "${best[qemu]}" \
    "${mips[interp]:-${mips[default]:-n/a}}" "${mips[jit]:-n/a}" "$check"
  unset mips
  unset best sums stat
done <"$OUT/expected.tsv"

# FreeDOS boot to the prompt: a scratch copy of freedos722.img whose AUTOEXEC.BAT ends by
# writing a marker to COM1.
src="$SHARED/images/freedos722.img"
if [ -f "$src" ]; then
  fd_base="$OUT/freedos722-bench.img"
  cp "$src" "$fd_base"
  chmod u+w "$fd_base"
  autoexec="$WORK/AUTOEXEC.BAT"
  mtype -i "$fd_base" ::/AUTOEXEC.BAT >"$autoexec"
  # End the last line if it is not ended, then add the marker line (DOS line ends).
  if [ -s "$autoexec" ] && [ "$(tail -c1 "$autoexec" | od -An -c | tr -d ' ')" != '\n' ]; then
    printf '\r\n' >>"$autoexec"
  fi
  printf 'echo BOOTED>COM1\r\n' >>"$autoexec"
  mcopy -o -i "$fd_base" "$autoexec" ::/AUTOEXEC.BAT
  fd_img="$WORK/freedos.img"
  declare -A best=()
  declare -A seen=()
  rss=""
  for ((r = 1; r <= runs; r++)); do
    for engine in "${engines[@]}"; do
      echo "== freedos: rawbox $engine (run $r)" >&2
      cp "$fd_base" "$fd_img"
      run_rawbox "$engine" "$fd_img" BOOTED freedos
      best[$engine]=$(fmin "${best[$engine]:-}" "$wall")
      grep -q BOOTED "$serial_file" && seen[$engine]=1 || seen[$engine]=0
      [ "$engine" = "${engines[-1]}" ] && rss="$rss_kb"
    done
    echo "== freedos: qemu (run $r)" >&2
    cp "$fd_base" "$fd_img"
    run_qemu_until "$fd_img" BOOTED freedos
    best[qemu]=$(fmin "${best[qemu]:-}" "$wall")
    grep -q BOOTED "$serial_file" && seen[qemu]=1 || seen[qemu]=0
  done
  check="ok (BOOTED)"
  for k in "${!seen[@]}"; do
    if [ "${seen[$k]}" != 1 ]; then
      check="NO MARKER"
      notes+=("freedos: $k never printed BOOTED")
      failed=1
    fi
  done
  t_interp="${best[interp]:-${best[default]:-}}"
  add_row freedos "$t_interp" "${best[jit]:-}" "${best[qemu]}" - - "$check"
  notes+=("freedos: rawbox (${engines[-1]}) peak resident memory ${rss:-?} KB (64 MB guest)")
else
  notes+=("freedos: $src not found, skipped (set RAWBOX_SHARED)")
fi

echo
echo "JIT benchmark (scale $scale, best of $runs; wall seconds including BIOS boot)"
printf "$row_format\n" workload "interp s" "jit s" "qemu s" jit/qemu "(net)" jit/int \
  "int/qemu" "MIPS int" "MIPS jit" checksum
for row in "${rows[@]}"; do echo "$row"; done
if [ "${engines[0]}" = default ]; then
  echo "jit: not available in this build (the interp column is the default engine)"
fi
echo "null: boot, print, exit: the start-up cost included in every other row"
echo "ratios: wall-time quotients (below 1.0: the first is faster); (net) and int/qemu"
echo "subtract each engine's null time first, comparing the guest work alone"
echo "guest MIPS: from $mips_source over wall time"
for n in "${notes[@]}"; do echo "note: $n"; done
exit "$failed"
