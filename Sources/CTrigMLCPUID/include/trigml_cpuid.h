#ifndef TRIGML_CPUID_H
#define TRIGML_CPUID_H
/* Which kernel paths this CPU and its operating system can run
 * (Sources/TrigMLCPU/CPUPath.swift). Internal to libtrigml.so. */
enum {
    TRIGML_CPU_AVX2 = 1,   /* everything -target-cpu haswell may emit, YMM state enabled by the OS */
    TRIGML_CPU_AVX512 = 2  /* everything -target-cpu skylake-avx512 may emit, ZMM and mask state enabled */
};
unsigned trigml_cpu_paths(void);
#endif
