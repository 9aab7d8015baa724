/*
 * lut_writer: writes an EMTF-style pT LUT through the TrigML C ABI.
 *
 *   lut_writer SCHEME FOREST OUT [FIRST COUNT] [CONVERSION] [THREADS]
 *
 * SCHEME is a preset name ("emtf2017-mode15", ...) or a scheme file path
 * (anything containing '/' or ending in .json); FOREST an XGBoost JSON or
 * trigml.forest file; OUT receives little-endian uint16 words for addresses
 * [FIRST, FIRST+COUNT) (default: the scheme's whole range). CONVERSION is
 * "emtf2017" (default) or "emtf2022". Afterwards it re-derives 4096 spread
 * addresses one at a time (tml_lut_evaluate) and checks them against the
 * table, and checks that a forest with the wrong input count is refused.
 * Exit status 0 on success. The library is dlopen()ed like a framework
 * plugin would do ($TRIGML_LIB or the configured path).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tml_loader.h"
#include "trigml.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s SCHEME FOREST OUT [FIRST COUNT] [CONVERSION] [THREADS]\n", argv[0]);
        return 2;
    }
    char err[1024];
    const tml_api *api = tml_load(NULL, err, sizeof err);
    if (!api) {
        fprintf(stderr, "lut_writer: %s\n", err);
        return 2;
    }

    tml_lut_scheme *scheme = NULL;
    tml_forest *forest = NULL;
    const char *sname = argv[1];
    int is_file = strchr(sname, '/') != NULL || (strlen(sname) > 5 && strcmp(sname + strlen(sname) - 5, ".json") == 0);
    tml_status st = is_file ? api->lut_scheme_load(sname, &scheme) : api->lut_scheme_preset(sname, &scheme);
    if (st != TML_OK) { fprintf(stderr, "lut_writer: scheme: %s\n", api->last_error()); return 1; }
    if ((st = api->forest_load(argv[2], &forest)) != TML_OK) {
        fprintf(stderr, "lut_writer: forest: %s\n", api->last_error());
        return 1;
    }
    uint64_t first = api->lut_scheme_first_address(scheme), count = api->lut_scheme_address_count(scheme);
    if (argc >= 6) {
        first = strtoull(argv[4], NULL, 0);
        count = strtoull(argv[5], NULL, 0);
    }
    const char *conv_name = argc >= 7 ? argv[6] : "emtf2017";
    int32_t threads = argc >= 8 ? (int32_t)atoi(argv[7]) : 0;
    tml_pt_conversion conv;
    if (api->pt_conversion_preset(conv_name, &conv) != TML_OK) {
        fprintf(stderr, "lut_writer: conversion: %s\n", api->last_error());
        return 1;
    }
    uint16_t *words = malloc(count ? count * sizeof(uint16_t) : 1);
    if (!words) { fprintf(stderr, "lut_writer: out of memory\n"); return 1; }
    double t0 = now();
    if ((st = api->lut_generate(scheme, forest, &conv, first, count, words, threads)) != TML_OK) {
        fprintf(stderr, "lut_writer: generate: %s\n", api->last_error());
        return 1;
    }
    double t1 = now();
    FILE *f = fopen(argv[3], "wb");
    if (!f || fwrite(words, sizeof(uint16_t), count, f) != count || fclose(f) != 0) {
        fprintf(stderr, "lut_writer: cannot write %s\n", argv[3]);
        return 1;
    }
    printf("%s: %llu words for [%llu, %llu) in %.3f s\n", argv[3], (unsigned long long)count,
           (unsigned long long)first, (unsigned long long)(first + count), t1 - t0);

    /* Spot check: 4096 spread addresses, one at a time. */
    enum { N = 4096 };
    static uint64_t addr[N];
    static uint16_t again[N];
    size_t n = count < N ? (size_t)count : N;
    for (size_t i = 0; i < n; i++) addr[i] = first + (count / n) * i + (i * 7919) % (count / n ? count / n : 1);
    if (n && (st = api->lut_evaluate(scheme, forest, &conv, n, addr, again, NULL, 1)) != TML_OK) {
        fprintf(stderr, "lut_writer: evaluate: %s\n", api->last_error());
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (again[i] != words[addr[i] - first]) {
            fprintf(stderr, "lut_writer: address %llu: table %u, one-address path %u\n",
                    (unsigned long long)addr[i], words[addr[i] - first], again[i]);
            return 1;
        }
    }
    /* Bad input is a status, not a crash: a forest with a different input count. */
    if (api->lut_scheme_feature_count(scheme) != api->forest_feature_count(forest)) {
        fprintf(stderr, "lut_writer: feature counts differ but generate succeeded\n");
        return 1;
    }
    tml_lut_scheme *other = NULL;
    const char *other_name = api->lut_scheme_feature_count(scheme) == 20 ? "emtf2017-mode14" : "emtf2017-mode15";
    if (api->lut_scheme_preset(other_name, &other) == TML_OK) {
        st = api->lut_generate(other, forest, &conv, api->lut_scheme_first_address(other), 16, words, 1);
        if (st != TML_ERR_SHAPE) {
            fprintf(stderr, "lut_writer: mismatched scheme gave status %d, expected TML_ERR_SHAPE\n", st);
            return 1;
        }
        printf("mismatched scheme refused: %s\n", api->last_error());
        api->lut_scheme_free(other);
    }
    printf("checked %zu addresses against the one-address path: all equal\n", n);
    free(words);
    api->forest_free(forest);
    api->lut_scheme_free(scheme);
    return 0;
}
