#!/usr/bin/env bash
# Installs what the demo and the tests need and the machine lacks, from PyPI
# (cmake, numpy, pytest, xgboost's CPU-only wheel for the forest parity
# tests, onnx and onnxruntime for the ONNX converter tests, and
# scikit-build-core, the build backend of `pip install .`, for
# the package-install test; pkg-config for the CMake install test).
# Sourced by demo.sh and run-tests.sh; idempotent and quiet when
# everything is present. The Swift toolchain itself must already be on PATH.
need_pip=()
command -v cmake >/dev/null 2>&1 || need_pip+=(cmake)
python3 -c 'import numpy' 2>/dev/null || need_pip+=(numpy)
if [ "${TRIGML_DEPS:-demo}" = tests ]; then
  python3 -c 'import pytest' 2>/dev/null || need_pip+=(pytest)
  python3 -c 'import xgboost' 2>/dev/null || need_pip+=(xgboost-cpu)
  python3 -c 'import scikit_build_core' 2>/dev/null || need_pip+=(scikit-build-core)
  python3 -c 'import onnx' 2>/dev/null || need_pip+=(onnx)                # trigml.onnx_import tests
  python3 -c 'import onnxruntime' 2>/dev/null || need_pip+=(onnxruntime)
fi
if [ ${#need_pip[@]} -gt 0 ]; then
  echo "installing from PyPI: ${need_pip[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${need_pip[@]}"
  hash -r
fi
# pkg-config: the install test builds a consumer with `pkg-config --libs trigml`.
if [ "${TRIGML_DEPS:-demo}" = tests ] && ! command -v pkg-config >/dev/null 2>&1; then
  echo "installing pkg-config"
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq pkg-config >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq pkg-config >/dev/null 2>&1; }
  fi
  command -v pkg-config >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check pkgconf
  hash -r
fi
command -v swift >/dev/null 2>&1 || { echo "swift not found on PATH: install a Swift 6 toolchain" >&2; exit 1; }
command -v cmake >/dev/null 2>&1 || { echo "cmake still missing after pip install" >&2; exit 1; }
