#!/usr/bin/env bash
# The Deep Sets tagger benchmark in one command: builds the library (the
# repository's one build command), the C timing harness and the ONNX graphs,
# checks that TrigML and ONNX Runtime agree with the numpy reference on every
# jet, times them side by side (batches 1, 16, 256, 10k; 10-50 constituents
# per jet) and writes bench/TAGGER_RESULTS.md.
#
#   bench/run_tagger_bench.sh                       # defaults: 5 reps x 0.2 s per point
#   bench/run_tagger_bench.sh --reps 9 --seconds 0.5   # steadier, on a quiet machine
#   TRIGML_BENCH_NO_BUILD=1 bench/run_tagger_bench.sh  # time the library as it is
#
# Extra arguments go to bench/tagger_bench.py (see --help there), e.g.
# --lib other=/path/libtrigml.so to add another build.
set -euo pipefail
cd "$(dirname "$0")/.."

flags=(-c release -Xswiftc -static-stdlib)
if [ "${TRIGML_BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "== swift build ${flags[*]}"
  swift build "${flags[@]}"
fi
python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
python3 -c "import onnx, onnxruntime" 2>/dev/null || python3 -m pip install --quiet onnx onnxruntime

# The kernel path the library picks here (tml_cpu_path), for the report.
path=$(python3 -c "import trigml; print(trigml.cpu_path())")
exec python3 bench/tagger_bench.py --lib "dispatched=.build/release/libtrigml.so" \
    --note "dispatched = \`swift build ${flags[*]}\`, the one library, on the kernel path it picks at load: $path (tml_cpu_path)" \
    --command "bench/run_tagger_bench.sh${*:+ $*}" \
    "$@"
