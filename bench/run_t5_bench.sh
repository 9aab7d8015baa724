#!/usr/bin/env bash
# The T5 benchmark in one command: builds the TrigML library, the
# timing harness and the LST-style loop, checks that every implementation
# gives the same scores, times them side by side and writes bench/RESULTS.md.
#
#   bench/run_t5_bench.sh                 # defaults: 7 reps x 0.25 s per point
#   bench/run_t5_bench.sh --reps 15 --seconds 0.5   # steadier, on a quiet machine
#
# One library build (what `swift build -c release -Xswiftc -static-stdlib`,
# CMake, demo.sh and run-tests.sh make), timed twice: on the kernel path it
# chooses at load (tml_cpu_path) and forced to TRIGML_ISA=baseline (x86-64
# with SSE2), to show what the runtime dispatch gains.
#
# Extra arguments go to bench/t5_bench.py (see --help there).
set -euo pipefail
cd "$(dirname "$0")/.."

base_flags=(-c release -Xswiftc -static-stdlib)

echo "== swift build ${base_flags[*]}"
swift build "${base_flags[@]}"
libs=(--lib "dispatched=.build/release/libtrigml.so" --lib "baseline=.build/release/libtrigml.so@baseline")
note="one library, \`swift build ${base_flags[*]}\`: dispatched = the kernel path it picks at load; baseline = the same file with TRIGML_ISA=baseline"

python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
python3 -c "import onnx, onnxruntime" 2>/dev/null || python3 -m pip install --quiet onnx onnxruntime

exec python3 bench/t5_bench.py "${libs[@]}" --note "$note" \
    --command "bench/run_t5_bench.sh${*:+ $*}" \
    "$@"
