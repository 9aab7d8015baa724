#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer, with the Swift library itself
# instrumented:
#
#   fuzz/run_tsan.sh                 # threads (16 threads x 400 mixed calls), t5_stress (small), t5_dlclose
#   fuzz/run_tsan.sh --iterations N  # iterations per thread of Tests/c/threads.c
#
# How it is built (what works with the Swift 6.3 toolchain):
#   library: swift build -c release -Xswiftc -static-stdlib -Xswiftc -sanitize=thread
#            --scratch-path .build-tsan
#     (undefined __tsan_* symbols, resolved from the host process)
#   tests:   the toolchain's clang -fsanitize=thread -shared-libsan, i.e. the
#            *shared* TSan runtime (libclang_rt.tsan-x86_64.so). The static
#            runtime does not work for a dlopened library: the executable
#            only exports the __tsan_* functions it uses itself, and the
#            Swift code also calls __tsan_external_write; the shared runtime
#            exports all of them. That runtime carries the libdispatch
#            interceptors of the Swift toolchain, so the tests also link the
#            toolchain's libdispatch and libBlocksRuntime.
#   The static Swift runtime inside the .so is not instrumented (retain and
#   release are atomics TSan does not see); everything under Sources/ is.
#
# Also runs `threads --race-demo`, which races on purpose (the host
# rewrites a column the library reads): TSan must report it with a stack
# inside Sources/TrigMLT5, proving it sees the library's own memory accesses.
# Ends with one line: "run-tsan: P passed, F failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
iterations=400
while [ $# -gt 0 ]; do
  case $1 in
    --iterations) iterations=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

passed=0; failed=0
ok()  { passed=$((passed + 1)); echo "run-tsan: PASS $*"; }
bad() { failed=$((failed + 1)); echo "run-tsan: FAIL $*"; }
finish() { echo "run-tsan: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

TOOLBIN=$(dirname "$(command -v swift)")
CLANG=${TRIGML_FUZZ_CC:-$TOOLBIN/clang}
RT=$("$CLANG" --print-resource-dir)/lib/linux
SWIFTLIB=$TOOLBIN/../lib/swift/linux
if ! [ -f "$RT/libclang_rt.tsan-x86_64.so" ]; then
  bad "no shared TSan runtime in $RT"; finish
fi
LLD=()
[ -x "$TOOLBIN/ld.lld" ] && LLD=(-fuse-ld=lld)
OUT=$ROOT/build-tsan
SCRATCH=$ROOT/.build-tsan
mkdir -p "$OUT"

echo "run-tsan: building libtrigml.so with -sanitize=thread ($SCRATCH)"
swift_build() {
  # Only the library product: the tests dlopen it (trigml-cli is not needed).
  swift build -c release -Xswiftc -static-stdlib -Xswiftc -sanitize=thread \
    --scratch-path "$SCRATCH" --product trigml >"$OUT/swift-build.log" 2>&1
}
# One retry: SwiftPM stops when a source changes under it (an editor saving).
if ! swift_build && ! swift_build; then
  tail -30 "$OUT/swift-build.log"; bad "swift build -sanitize=thread"; finish
fi
LIB=$SCRATCH/release/libtrigml.so

build() {  # build NAME: Tests/c/NAME.c with TSan
  "$CLANG" "${LLD[@]}" -g -O1 -fno-omit-frame-pointer -fsanitize=thread -shared-libsan \
    -DTRIGML_SOURCE_DIR="\"$ROOT\"" -DTRIGML_LIB_DEFAULT="\"$LIB\"" \
    -Iinclude -Iexamples-c/common -ITests/c \
    "Tests/c/$1.c" Tests/c/t5_synth.c examples-c/common/t5_file.c examples-c/common/byte_cursor.c examples-c/common/file_bytes.c examples-c/common/tml_loader.c \
    -Wl,--no-as-needed -L"$SWIFTLIB" -ldispatch -lBlocksRuntime -Wl,-rpath,"$RT:$SWIFTLIB" \
    -ldl -lm -lpthread -o "$OUT/$1" >"$OUT/$1.build.log" 2>&1
}

export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
run() {  # run LABEL NAME ARGS...: passes when the exit status is 0 and TSan said nothing
  local label=$1 name=$2; shift 2
  local log=$OUT/$name.log start=$(date +%s)
  TRIGML_LIB=$LIB "$OUT/$name" "$@" >"$log" 2>&1
  local rc=$? secs=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ] && ! grep -q 'ThreadSanitizer' "$log"; then
    ok "$label: $(grep -E '^threads: [0-9]+ threads|all checks passed' "$log" | head -1) (${secs} s)"
  else
    grep -E 'WARNING: ThreadSanitizer|SUMMARY|FAIL' "$log" | head -10
    bad "$label (exit $rc, log $log)"
  fi
}

for t in threads t5_stress t5_dlclose; do
  build "$t" || { cat "$OUT/$t.build.log"; bad "$t: build"; }
done
[ -x "$OUT/threads" ] && run "threads under TSan" threads "$iterations" 16
[ -x "$OUT/t5_stress" ] && run "t5_stress under TSan" t5_stress 400 8 40
[ -x "$OUT/t5_dlclose" ] && run "t5_dlclose under TSan" t5_dlclose

# The positive control: a deliberate race must be seen inside the library.
if [ -x "$OUT/threads" ]; then
  TSAN_OPTIONS=halt_on_error=0 TRIGML_LIB=$LIB "$OUT/threads" --race-demo >"$OUT/race-demo.log" 2>&1
  if grep -q 'WARNING: ThreadSanitizer: data race' "$OUT/race-demo.log" &&
     grep -q 'Sources/TrigMLT5/' "$OUT/race-demo.log"; then
    ok "TSan sees the library: the deliberate race is reported inside Sources/TrigMLT5"
  else
    bad "TSan did not report the deliberate race inside the library (log $OUT/race-demo.log)"
  fi
fi
finish
