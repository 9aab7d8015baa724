/*
 * bench_harness.h: what the timing harnesses (t5_bench_lib.c,
 * tagger_bench_lib.c) share. Each is built by its Python driver from its
 * one .c file, so this header brings the shared loader's source with it
 * (examples-c/common/tml_loader.c): every TrigML build is opened with
 * dlopen and one dlsym(tml_get_api), like every other host.
 */
#ifndef TRIGML_BENCH_HARNESS_H
#define TRIGML_BENCH_HARNESS_H

#include <time.h>

#include "../examples-c/common/tml_loader.c"

/* Seconds on `clock` (CLOCK_MONOTONIC: wall; CLOCK_PROCESS_CPUTIME_ID: CPU). */
static inline double bench_seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif /* TRIGML_BENCH_HARNESS_H */
