#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of fuzz/targets/ against an
# AddressSanitizer + coverage build of libtrigml.so.
#
#   fuzz/run_fuzz.sh                       # CI mode: 30 s per target + every regression input once
#   fuzz/run_fuzz.sh --seconds 300         # longer time budget per target
#   fuzz/run_fuzz.sh --jobs 2              # two targets at a time (CI: one per core)
#   fuzz/run_fuzz.sh --runs 1000000        # long mode: 1M executions per target, one target at a time
#   fuzz/run_fuzz.sh --regressions         # only replay Tests/fuzz-corpus/*/regressions/* and the seeds
#   fuzz/run_fuzz.sh --build               # only build
#   fuzz/run_fuzz.sh --no-build --no-replay --claim DIR
#                                          # only fuzz, with the targets an earlier --build or
#                                          # --regressions made, one at a time, each target
#                                          # claimed first in DIR (mkdir): several such runs
#                                          # share the targets (run-tests.sh: one per lane)
#   fuzz/run_fuzz.sh --update-corpus       # after a long run: merge the working corpus's small
#                                          # inputs (<= 1 kB) that add coverage into
#                                          # Tests/fuzz-corpus/<target>/min/ (committed)
#   fuzz/run_fuzz.sh [options] t5_batch    # some targets only
#
# How it is built (the combination that works with the Swift 6.3 toolchain):
#   library: swift build -c release -Xswiftc -static-stdlib -Xswiftc -sanitize=address
#            -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
#            --scratch-path .build-fuzz
#     The .so carries ASan checks and SanitizerCoverage counters but no
#     sanitizer runtime: it resolves __asan_* and __sanitizer_cov_* from the
#     executable that loads it.
#   targets: the toolchain's clang (same LLVM as swiftc) with
#            -fsanitize=fuzzer,address,undefined, linked against that .so
#            (DT_NEEDED + rpath), so libFuzzer registers the library's
#            counters at start-up and mutates towards new Swift coverage.
#   The static Swift standard library inside the .so is not instrumented;
#   everything under Sources/ is.
#
# A target is fuzz/targets/<name>.c (see fuzz/common/fuzz_support.h), with
# optional fuzz/targets/<name>.flags (extra libFuzzer flags, one line),
# fuzz/targets/<name>.dict (a libFuzzer dictionary),
# fuzz/targets/<name>.seeds (globs of real files under the source tree to
# seed from) and fuzz/targets/<name>.requires (entry points it needs: the
# target fails when the library lacks them). Committed seeds: Tests/fuzz-corpus/<name>/; crash reproducers
# (must pass once fixed): Tests/fuzz-corpus/<name>/regressions/.
# Working corpora, artifacts and logs: build-fuzz/ (not committed).
#
# Failure: any crash, sanitizer report, contract check (FZ_REQUIRE), input
# slower than 1 s (-timeout=1) or more than 2 GB RSS. The reproducer is in
# build-fuzz/artifacts/<name>/; replay it with build-fuzz/bin/<name> FILE.
# Ends with one line: "run-fuzz: P passed, F failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

seconds=30
runs=""
jobs=1
mode=fuzz
build=1
replay=1
claim=""
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --regressions) mode=regressions; shift ;;
    --build) mode=build; shift ;;
    --no-build) build=0; shift ;;
    --no-replay) replay=0; shift ;;
    --claim) claim=$2; jobs=1; shift 2 ;;
    --update-corpus) mode=update; shift ;;
    -h|--help) sed -n '2,47p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

CLANG=${TRIGML_FUZZ_CC:-}
if [ -z "$CLANG" ]; then
  # The Swift toolchain's own clang: its compiler-rt has libFuzzer and
  # matches the LLVM that instruments the Swift code.
  CLANG="$(dirname "$(command -v swift)")/clang"
fi
if ! [ -x "$CLANG" ]; then
  echo "run-fuzz: no clang next to swift ($CLANG); set TRIGML_FUZZ_CC" >&2
  echo "run-fuzz: 0 passed, 1 failed"; exit 1
fi
LLD=()
[ -x "$(dirname "$CLANG")/ld.lld" ] && LLD=(-fuse-ld=lld)

OUT=$ROOT/build-fuzz
SCRATCH=$ROOT/.build-fuzz
LIBDIR=$SCRATCH/release
mkdir -p "$OUT/bin" "$OUT/logs"

passed=0; failed=0
ok()   { passed=$((passed + 1)); echo "run-fuzz: PASS $*"; }
bad()  { failed=$((failed + 1)); echo "run-fuzz: FAIL $*"; }
finish() { echo "run-fuzz: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# ------------------------------------------------------------------ build
# Only the library product: the targets need nothing else (not trigml-cli).
swift_build() {
  swift build -c release -Xswiftc -static-stdlib -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
    --scratch-path "$SCRATCH" --product trigml >"$OUT/logs/swift-build.log" 2>&1
}
if [ "$build" = 1 ]; then
  echo "run-fuzz: building libtrigml.so with ASan + coverage ($SCRATCH)"
  # One retry: SwiftPM stops when a source changes under it (an editor saving).
  if ! swift_build && ! swift_build; then
    tail -30 "$OUT/logs/swift-build.log"
    bad "swift build of the fuzz library"; finish
  fi
fi

# The targets link -ltrigml, which records the SONAME libtrigml.so.1
# (Package.swift); SwiftPM writes only libtrigml.so.
ln -sf libtrigml.so "$LIBDIR/libtrigml.so.1"

if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/targets/*.c; do targets+=("$(basename "$f" .c)"); done
fi
support=(fuzz/common/fuzz_support.c Tests/c/t5_synth.c examples-c/common/t5_file.c examples-c/common/byte_cursor.c examples-c/common/file_bytes.c)
cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -DTRIGML_SOURCE_DIR="\"$ROOT\"" -Iinclude -Ifuzz/common -Iexamples-c/common -ITests/c)
# The support files are compiled once, with the targets' flags, and linked into each.
support_objects=()
if [ "$build" = 1 ]; then
  mkdir -p "$OUT/obj"
  for src in "${support[@]}"; do
    obj=$OUT/obj/$(basename "$src" .c).o
    if ! "$CLANG" "${cflags[@]}" -c "$src" -o "$obj" >"$OUT/logs/support.build.log" 2>&1; then
      cat "$OUT/logs/support.build.log"; bad "support file $src: build"; finish
    fi
    support_objects+=("$obj")
  done
fi
exported=$(nm -D --defined-only "$LIBDIR/libtrigml.so" 2>/dev/null | awk '{print $3}')
kept=()
for t in "${targets[@]}"; do
  src=fuzz/targets/$t.c
  [ -f "$src" ] || { bad "$t: no $src"; continue; }
  # <t>.requires: entry points the target needs; a library without them
  # fails the target (a fuzz target that does not run must not pass).
  missing=""
  if [ -f "fuzz/targets/$t.requires" ]; then
    for sym in $(grep -v '^#' "fuzz/targets/$t.requires"); do
      grep -qx "$sym" <<<"$exported" || missing="$missing $sym"
    done
  fi
  if [ -n "$missing" ]; then bad "$t: the library does not export$missing"; continue; fi
  kept+=("$t")
  if [ "$build" = 0 ]; then
    [ -x "$OUT/bin/$t" ] || bad "$t: not built ($OUT/bin/$t; run without --no-build)"
    continue
  fi
  if ! "$CLANG" "${LLD[@]}" "${cflags[@]}" \
       "$src" "${support_objects[@]}" -L"$LIBDIR" -ltrigml -Wl,-rpath,"$LIBDIR" -lm -lpthread \
       -o "$OUT/bin/$t" >"$OUT/logs/$t.build.log" 2>&1; then
    cat "$OUT/logs/$t.build.log"
    bad "$t: build"
  fi
done
targets=("${kept[@]}")
[ "$mode" = build ] && { echo "run-fuzz: built ${targets[*]} into $OUT/bin"; finish; }

if [ "$mode" = update ]; then
  for t in "${targets[@]}"; do
    [ -x "$OUT/bin/$t" ] && [ -d "$OUT/corpus/$t" ] || continue
    tmp=$(mktemp -d)
    mkdir -p "$tmp/keep" "$tmp/new" "Tests/fuzz-corpus/$t/min"
    find "Tests/fuzz-corpus/$t" -maxdepth 1 -type f -exec cp {} "$tmp/keep/" \;
    find "Tests/fuzz-corpus/$t/min" -type f -exec cp {} "$tmp/keep/" \;
    find "$OUT/corpus/$t" -type f -size -1025c -exec cp {} "$tmp/new/" \;
    before=$(ls "$tmp/keep" | wc -l)
    if "$OUT/bin/$t" -merge=1 -timeout=5 "$tmp/keep" "$tmp/new" >"$OUT/logs/$t.merge.log" 2>&1; then
      for f in "$tmp/keep"/*; do
        b=$(basename "$f")
        [ -e "Tests/fuzz-corpus/$t/$b" ] || [ -e "Tests/fuzz-corpus/$t/min/$b" ] || cp "$f" "Tests/fuzz-corpus/$t/min/$b"
      done
      ok "$t: $(( $(ls "$tmp/keep" | wc -l) - before )) inputs added to Tests/fuzz-corpus/$t/min/"
    else
      bad "$t: merge failed (log $OUT/logs/$t.merge.log)"
    fi
    rm -rf "$tmp"
  done
  finish
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common_flags=(-timeout=1 -rss_limit_mb=2048 -print_final_stats=1)

target_flags() {  # extra flags of target $1
  local f=fuzz/targets/$1.flags
  extra=()
  [ -f "$f" ] && read -r -a extra <"$f"
  [ -f "fuzz/targets/$1.dict" ] && extra+=(-dict="fuzz/targets/$1.dict")
  return 0
}

# --------------------------------------------- replay: regressions + seeds
[ "$replay" = 1 ] && for t in "${targets[@]}"; do
  [ -x "$OUT/bin/$t" ] || continue
  target_flags "$t"
  inputs=()
  for f in Tests/fuzz-corpus/"$t"/regressions/* Tests/fuzz-corpus/"$t"/*; do
    [ -f "$f" ] && inputs+=("$f")
  done
  [ ${#inputs[@]} -eq 0 ] && continue
  log=$OUT/logs/$t.replay.log
  if "$OUT/bin/$t" "${common_flags[@]}" "${extra[@]}" "${inputs[@]}" >"$log" 2>&1; then
    nreg=$(find Tests/fuzz-corpus/"$t"/regressions -type f 2>/dev/null | wc -l)
    ok "$t: replayed ${#inputs[@]} inputs ($nreg regression inputs)"
  else
    grep -E 'Running:|ERROR|==trigml-fuzz==|SUMMARY' "$log" | tail -8
    bad "$t: replay of the committed corpus (log: $log)"
  fi
done
[ "$mode" = regressions ] && finish

# ----------------------------------------------------------------- fuzz
fuzz_one() {  # fuzz_one TARGET: runs it, writes "rc<TAB>summary" to $OUT/logs/TARGET.result
  local t=$1 extra corpus log start rc elapsed execs rate cov
  target_flags "$t"
  corpus=$OUT/corpus/$t
  mkdir -p "$corpus" "$OUT/artifacts/$t"
  # Real files from the source tree as extra seeds (copied: libFuzzer takes directories).
  if [ -f "fuzz/targets/$t.seeds" ]; then
    while read -r pattern; do
      [ -z "$pattern" ] || [ "${pattern#\#}" != "$pattern" ] && continue
      for f in $pattern; do [ -f "$f" ] && cp -n "$f" "$corpus/seed-$(basename "$f")"; done
    done <"fuzz/targets/$t.seeds"
  fi
  local budget=(-max_total_time="$seconds")
  [ -n "$runs" ] && budget=(-runs="$runs")
  log=$OUT/logs/$t.fuzz.log
  start=$(date +%s)
  "$OUT/bin/$t" "${common_flags[@]}" "${extra[@]}" "${budget[@]}" \
    -artifact_prefix="$OUT/artifacts/$t/" "$corpus" "Tests/fuzz-corpus/$t" >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -Eo 'stat::number_of_executed_units:[[:space:]]+[0-9]+' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -Eo 'stat::average_exec_per_sec:[[:space:]]+[0-9]+' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
  printf '%s\t%s\n' "$rc" "$t: ${execs:-?} executions in ${elapsed} s (${rate:-?}/s), ${cov:-no coverage line}" \
    >"$OUT/logs/$t.result"
}

# Up to $jobs targets at once (CI: one per core); summaries in target order.
# With --claim, only the targets this run claims (the others are another run's).
running=0
mine=()
for t in "${targets[@]}"; do
  [ -x "$OUT/bin/$t" ] || continue
  if [ -n "$claim" ]; then mkdir -p "$claim"; mkdir "$claim/$t" 2>/dev/null || continue; fi
  mine+=("$t")
  rm -f "$OUT/logs/$t.result"
  fuzz_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
for t in "${mine[@]}"; do
  result=$OUT/logs/$t.result
  if ! [ -f "$result" ]; then bad "$t: no result"; continue; fi
  IFS=$'\t' read -r rc summary <"$result"
  echo "$(date '+%F %T') $summary" >>"$OUT/logs/history.txt"
  if [ "$rc" -eq 0 ]; then
    ok "$summary"
  else
    grep -E '==trigml-fuzz==|ERROR: |SUMMARY|Test unit written|timeout|out-of-memory' "$OUT/logs/$t.fuzz.log" | head -12
    bad "$summary (exit $rc; log $OUT/logs/$t.fuzz.log; reproducer in $OUT/artifacts/$t/)"
  fi
done
finish
