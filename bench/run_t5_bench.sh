#!/usr/bin/env bash
# The T5 benchmark in one command: builds the two TrigML library builds, the
# timing harness and the LST-style loop, checks that every implementation
# gives the same scores, times them side by side and writes bench/RESULTS.md.
#
#   bench/run_t5_bench.sh                 # defaults: 7 reps x 0.25 s per point
#   bench/run_t5_bench.sh --reps 15 --seconds 0.5   # steadier, on a quiet machine
#   TRIGML_BENCH_CPU=native bench/run_t5_bench.sh   # tuned build for another -target-cpu
#
# Builds timed: baseline x86-64 (what `swift build` gives anywhere), and the
# tuned build that demo.sh / run-tests.sh / CMake make on AVX2+FMA CPUs:
# -target-cpu haswell -DTRIGML_WIDE_VECTORS (8 candidates per tile, fused
# multiply-add; see Sources/TrigMLKernels/DenseNetwork.swift).
#
# Extra arguments go to bench/t5_bench.py (see --help there).
set -euo pipefail
cd "$(dirname "$0")/.."

cpu="${TRIGML_BENCH_CPU:-haswell}"
base_flags=(-c release -Xswiftc -static-stdlib)
tuned_flags=(-c release -Xswiftc -static-stdlib -Xswiftc -target-cpu -Xswiftc "$cpu" -Xswiftc -DTRIGML_WIDE_VECTORS
             --scratch-path ".build-$cpu")

echo "== swift build ${base_flags[*]}"
swift build "${base_flags[@]}"
echo "== swift build ${tuned_flags[*]}"
swift build "${tuned_flags[@]}"
libs=(--lib "baseline=.build/release/libtrigml.so" --lib "tuned-$cpu=.build-$cpu/release/libtrigml.so")
note="baseline = \`swift build ${base_flags[*]}\` (x86-64 baseline, SSE2); tuned-$cpu = \`swift build ${tuned_flags[*]}\`"

python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
python3 -c "import onnx, onnxruntime" 2>/dev/null || python3 -m pip install --quiet onnx onnxruntime

exec python3 bench/t5_bench.py "${libs[@]}" --note "$note" \
    --command "bench/run_t5_bench.sh${*:+ $*}" \
    "$@"
