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
set -uo pipefail
cd "$(dirname "$0")"
TRIGML_DEPS=tests source tools/ensure_deps.sh || exit 1

log=$(mktemp -d)
passed=0; failed=0; skipped=0; broken=()
timings=()
stage() {  # stage NAME COMMAND... ; output to the terminal and to a log
  local name=$1; shift
  local start=$SECONDS
  echo; echo "=== $name: $*"
  ( "$@"; rc=$?; times >"$log/$name.times"; exit $rc ) 2>&1 | tee "$log/$name.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || broken+=("$name (exit $rc)")
  timings+=("$name $((SECONDS - start)) s (CPU $(cpu_seconds "$log/$name.times") s)")
  return 0
}
cpu_seconds() {  # user + system seconds of a stage and its children, from `times` ("1m2.5s 0m0.3s" lines)
  awk '{ for (i = 1; i <= NF; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } } END { printf "%d", s + 0.5 }' "$1" 2>/dev/null
}
count() {  # count NAME PASSED FAILED [SKIPPED]
  passed=$((passed + ${2:-0})); failed=$((failed + ${3:-0})); skipped=$((skipped + ${4:-0}))
}

stage swift-test swift test
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
xctest_counts swift-test

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

stage cmake-build bash -c 'cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j2'
# Two tests at a time: each writes only its own temporary files, and the
# slowest (oom_sweep, soak_load_free) are single-threaded.
stage ctest ctest --test-dir build --output-on-failure --parallel 2
ctest_counts ctest

stage cmake-build-asan bash -c 'cmake -S . -B build-asan -DTRIGML_SANITIZE=ON -DTRIGML_BUILD_SWIFT=OFF >/dev/null && cmake --build build-asan -j2'
stage ctest-asan ctest --test-dir build-asan --output-on-failure --parallel 2
ctest_counts ctest-asan

stage pytest python3 -m pytest -q tools/tests python/tests
line=$(grep -E '[0-9]+ (passed|failed)' "$log/pytest.log" | tail -1)
count pytest "$(echo "$line" | grep -Eo '[0-9]+ passed' | awk '{print $1}')" \
  "$(echo "$line" | grep -Eo '[0-9]+ failed' | awk '{print $1}')" \
  "$(echo "$line" | grep -Eo '[0-9]+ skipped' | awk '{print $1}')"

summary_counts() {  # summary_counts STAGE PREFIX: "PREFIX: P passed, F failed[, S skipped]" in the stage's log
  local line
  line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$log/$1.log" | tail -1)
  if [ -z "$line" ]; then broken+=("$1 (no summary line)"); return; fi
  count "$1" "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $4}')" \
    "$(echo "$line" | grep -Eo '[0-9]+ skipped' | awk '{print $1}')"
}

if [ "${TRIGML_HARDENING:-1}" != 0 ]; then
  stage fuzz fuzz/run_fuzz.sh --seconds "${TRIGML_FUZZ_SECONDS:-30}" --jobs "${TRIGML_FUZZ_JOBS:-2}"
  summary_counts fuzz run-fuzz
  # The C tests (ASan+UBSan, built by the toolchain's clang) against the
  # ASan-instrumented Swift library that run_fuzz.sh just built. t5_stress
  # is left out (72 s instrumented); threads covers the same ground.
  swift_bin=$(dirname "$(command -v swift)")
  lld=""; [ -x "$swift_bin/ld.lld" ] && lld=-fuse-ld=lld
  stage cmake-build-asan-swift bash -c "CC='$swift_bin/clang' CXX='$swift_bin/clang++' cmake -S . -B build-asan-swift \
    -DTRIGML_SANITIZE=ON -DTRIGML_BUILD_SWIFT=OFF -DCMAKE_EXE_LINKER_FLAGS='$lld' >/dev/null && cmake --build build-asan-swift -j2"
  stage ctest-asan-swift env TRIGML_LIB="$PWD/.build-fuzz/release/libtrigml.so" \
    ctest --test-dir build-asan-swift --output-on-failure --parallel 2 -E t5_stress
  ctest_counts ctest-asan-swift
  stage tsan fuzz/run_tsan.sh
  summary_counts tsan run-tsan
fi

echo
echo "stage times: $(IFS=,; echo "${timings[*]}" | sed 's/,/, /g')"
for b in "${broken[@]}"; do echo "stage failed: $b"; done
echo "run-tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
