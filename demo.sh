#!/usr/bin/env bash
# The demo: builds libtrigml.so and the CMSSW-like host, then runs the host
# on the embedded default T5 model and the bundled event file
# (examples-c/cmssw_host/demo.cfg). On AVX2+FMA CPUs the tuned library is
# used. Extra arguments are passed to the host as key=value overrides.
set -euo pipefail
cd "$(dirname "$0")"
TRIGML_DEPS=demo source tools/ensure_deps.sh
cpu=$(tools/tuned_cpu.sh)
build=build${cpu:+-$cpu}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${cpu:+-DTRIGML_TARGET_CPU=$cpu} >/dev/null
cmake --build "$build" -j2 --target cmssw_host
echo "library: $(ls -d .build${cpu:+-$cpu}/release/libtrigml.so)"
exec "./$build/cmssw_host" examples-c/cmssw_host/demo.cfg "$@"
