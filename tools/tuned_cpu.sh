#!/usr/bin/env bash
# Prints the -target-cpu for the tuned library build when this CPU can run
# it (x86-64 with AVX2 and FMA: "haswell", i.e. x86-64-v3), nothing otherwise.
if [ "$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  echo haswell
fi
