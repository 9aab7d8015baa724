#!/usr/bin/env bash
# Every test, in one command (CI runs exactly this through .ci/run):
#   1. swift test: unit tests of the Swift modules
#   2. the C regression tests (ctest) against the one library (every CPU;
#      isa_parity reruns the goldens under each TRIGML_ISA this CPU runs)
#   3. the same C tests built with AddressSanitizer + UBSan
#   4. the Python side (pytest): numpy reference, parity through the C ABI,
#      training loop on a tiny sample, forest parity against XGBoost
#   5. hardening (fuzz/README.md): every fuzz target for TRIGML_FUZZ_SECONDS
#      (default 30) plus every committed regression input; the C tests
#      against a Swift library built with -sanitize=address; the
#      concurrency tests under ThreadSanitizer. TRIGML_HARDENING=0 skips it.
# Ends with one line counting the tests of every stage: passed, failed and
# skipped (a test that did not run is reported, never counted as passed).
#
# Two lanes run side by side, one per core (the Swift builds and most tests
# keep about one core busy), each a fixed sequence of stages:
#   lane 1: cmake-build, ctest, cmake-build-asan, ctest-asan, pytest, fuzz-1
#   lane 2: fuzz-build (the ASan+coverage library, the targets, the replay of
#           every committed input), cmake-build-asan-swift, ctest-asan-swift,
#           swift-test, tsan, fuzz-2
# The fuzzing (TRIGML_FUZZ_SECONDS per target) comes last in each lane: a
# lane that is done takes the next unclaimed target (fuzz/run_fuzz.sh
# --claim), so one target runs per free core and each lane's other stages
# never overlap more than one fuzzer. Each stage's output is shown when it
# ends; the stage times (wall and CPU) say which lane ran it.
set -uo pipefail
cd "$(dirname "$0")"
TRIGML_DEPS=tests source tools/ensure_deps.sh || exit 1

log=$(mktemp -d)
passed=0; failed=0; skipped=0; broken=()
timings=()
stage() {  # stage NAME COMMAND... ; output to a log, shown when the stage ends
  local name=$1; shift
  local start=$SECONDS rc
  ( "$@"; rc=$?; times >"$log/$name.times"; exit $rc ) >"$log/$name.log" 2>&1
  rc=$?
  echo "$rc $((SECONDS - start)) $(cpu_seconds "$log/$name.times") ${lane:-}" >"$log/$name.result"
  {
    flock 9
    echo; echo "=== $name${lane:+ (lane $lane)}: $*"
    cat "$log/$name.log"
  } 9>"$log/print.lock"
  return 0
}
cpu_seconds() {  # user + system seconds of a stage and its children, from `times` ("1m2.5s 0m0.3s" lines)
  awk '{ for (i = 1; i <= NF; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } } END { printf "%d", s + 0.5 }' "$1" 2>/dev/null
}
collect() {  # collect NAME: the stage's exit status and times, once every lane is done
  local rc secs cpu ln
  if ! read -r rc secs cpu ln <"$log/$1.result" 2>/dev/null; then broken+=("$1 (did not run)"); return; fi
  [ "$rc" -eq 0 ] || broken+=("$1 (exit $rc)")
  timings+=("$1 $secs s (CPU $cpu s${ln:+; lane $ln})")
}
count() {  # count NAME PASSED FAILED [SKIPPED]
  passed=$((passed + ${2:-0})); failed=$((failed + ${3:-0})); skipped=$((skipped + ${4:-0}))
}
wait_for() {  # wait_for NAME: until stage NAME (of the other lane) has ended
  while ! [ -f "$log/$1.result" ]; do sleep 1; done
}

hardening=${TRIGML_HARDENING:-1}
fuzz_seconds=${TRIGML_FUZZ_SECONDS:-30}
swift_bin=$(dirname "$(command -v swift)")
lld=""; [ -x "$swift_bin/ld.lld" ] && lld=-fuse-ld=lld

lane1() {
  local lane=1
  stage cmake-build bash -c 'cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j2'
  # Two tests at a time: each writes only its own temporary files, and the
  # slowest (oom_sweep, soak_load_free) are single-threaded.
  stage ctest ctest --test-dir build --output-on-failure --parallel 2
  stage cmake-build-asan bash -c 'cmake -S . -B build-asan -DTRIGML_SANITIZE=ON -DTRIGML_BUILD_SWIFT=OFF >/dev/null && cmake --build build-asan -j2'
  stage ctest-asan ctest --test-dir build-asan --output-on-failure --parallel 2
  stage pytest python3 -m pytest -q tools/tests python/tests
  if [ "$hardening" != 0 ]; then
    wait_for fuzz-build
    stage fuzz-1 fuzz/run_fuzz.sh --no-build --no-replay --claim "$log/fuzz-claims" --seconds "$fuzz_seconds"
  fi
}

lane2() {
  local lane=2
  if [ "$hardening" != 0 ]; then
    stage fuzz-build fuzz/run_fuzz.sh --regressions
    # The C tests (ASan+UBSan, built by the toolchain's clang) against the
    # ASan-instrumented Swift library that run_fuzz.sh just built. t5_stress
    # is left out (72 s instrumented); threads covers the same ground.
    stage cmake-build-asan-swift bash -c "CC='$swift_bin/clang' CXX='$swift_bin/clang++' cmake -S . -B build-asan-swift \
      -DTRIGML_SANITIZE=ON -DTRIGML_BUILD_SWIFT=OFF -DCMAKE_EXE_LINKER_FLAGS='$lld' >/dev/null && cmake --build build-asan-swift -j2"
    stage ctest-asan-swift env TRIGML_LIB="$PWD/.build-fuzz/release/libtrigml.so" \
      ctest --test-dir build-asan-swift --output-on-failure --parallel 2 -E t5_stress
  fi
  # Its own scratch path: the release build of lane 1 holds .build meanwhile.
  stage swift-test swift test --scratch-path .build-test
  if [ "$hardening" != 0 ]; then
    stage tsan fuzz/run_tsan.sh
    stage fuzz-2 fuzz/run_fuzz.sh --no-build --no-replay --claim "$log/fuzz-claims" --seconds "$fuzz_seconds"
  fi
}

lane1 & lane1_pid=$!
lane2 & lane2_pid=$!
wait "$lane1_pid" "$lane2_pid"

# XCTest: "Executed N tests, with F failures" or, when some were skipped,
# "Executed N tests, with S tests skipped and F failures".
xctest_counts() {
  local line n s f
  line=$(grep -Eo 'Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?' "$log/$1.log" | tail -1)
  if [ -z "$line" ]; then broken+=("$1 (no XCTest summary)"); return; fi
  n=$(echo "$line" | awk '{print $2}')
  s=$(echo "$line" | grep -Eo '[0-9]+ tests? skipped' | awk '{print $1}')
  f=$(echo "$line" | grep -Eo '[0-9]+ failures?' | awk '{print $1}')
  count "$1" $((n - ${s:-0} - f)) "$f" "${s:-0}"
}
ctest_counts() {  # "100% tests passed out of T" or "N% tests passed, F tests failed out of T";
  # skipped tests (SKIP_RETURN_CODE) count as passed there and are listed as
  # "(Skipped)" (or "(Disabled)") under "The following tests did not run".
  local line f t s
  line=$(grep -E '% tests passed' "$log/$1.log" | tail -1)
  if [ -z "$line" ]; then broken+=("$1 (no ctest summary)"); return; fi
  t=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  f=$(echo "$line" | grep -Eo '[0-9]+ tests? failed' | awk '{print $1}')
  s=$(grep -cE '^[[:space:]]*[0-9]+ - .*\((Skipped|Disabled)\)' "$log/$1.log")
  count "$1" $((t - ${f:-0} - s)) "${f:-0}" "$s"
}
pytest_counts() {
  local line
  line=$(grep -E '[0-9]+ (passed|failed)' "$log/$1.log" | tail -1)
  if [ -z "$line" ]; then broken+=("$1 (no pytest summary)"); return; fi
  count "$1" "$(echo "$line" | grep -Eo '[0-9]+ passed' | awk '{print $1}')" \
    "$(echo "$line" | grep -Eo '[0-9]+ failed' | awk '{print $1}')" \
    "$(echo "$line" | grep -Eo '[0-9]+ skipped' | awk '{print $1}')"
}
summary_counts() {  # summary_counts STAGE PREFIX: "PREFIX: P passed, F failed[, S skipped]" in the stage's log
  local line
  line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$log/$1.log" | tail -1)
  if [ -z "$line" ]; then broken+=("$1 (no summary line)"); return; fi
  count "$1" "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $4}')" \
    "$(echo "$line" | grep -Eo '[0-9]+ skipped' | awk '{print $1}')"
}

for name in swift-test cmake-build ctest cmake-build-asan ctest-asan pytest; do collect "$name"; done
xctest_counts swift-test
ctest_counts ctest
ctest_counts ctest-asan
pytest_counts pytest
if [ "$hardening" != 0 ]; then
  for name in fuzz-build cmake-build-asan-swift ctest-asan-swift tsan fuzz-1 fuzz-2; do collect "$name"; done
  summary_counts fuzz-build run-fuzz
  ctest_counts ctest-asan-swift
  summary_counts tsan run-tsan
  summary_counts fuzz-1 run-fuzz
  summary_counts fuzz-2 run-fuzz
  # Every target fuzzed once, by one lane or the other.
  nfuzzed=$(grep -hcE '^run-fuzz: (PASS|FAIL) .* executions in' "$log/fuzz-1.log" "$log/fuzz-2.log" | awk '{s += $1} END {print s + 0}')
  ntargets=$(ls fuzz/targets/*.c | wc -l)
  [ "$nfuzzed" -eq "$ntargets" ] || broken+=("fuzz ($nfuzzed of $ntargets targets fuzzed)")
fi

echo
echo "stage times (the lanes overlap; fuzz-1 and fuzz-2 ran one target per core): $(IFS=,; echo "${timings[*]}" | sed 's/,/, /g')"
for b in "${broken[@]}"; do echo "stage failed: $b"; done
echo "run-tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
