#!/usr/bin/env bash
# The demo: builds libtrigml.so and the CMSSW-like host, then runs the host
# on the embedded default T5 model and the bundled event file
# (examples-c/cmssw_host/demo.cfg). One library for every CPU: it picks its
# kernel path at load (tml_cpu_path, TRIGML_ISA). Extra arguments are passed
# to the host as key=value overrides.
set -euo pipefail
cd "$(dirname "$0")"
TRIGML_DEPS=demo source tools/ensure_deps.sh
build=build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target cmssw_host
echo "library: $(ls -d .build/release/libtrigml.so)"
exec "./$build/cmssw_host" examples-c/cmssw_host/demo.cfg "$@"
