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
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tml_loader.h"
#include "trigml.h"

typedef struct {
    const char *(*last_error)(void);
    tml_status (*scheme_preset)(const char *, tml_lut_scheme **);
    tml_status (*scheme_load)(const char *, tml_lut_scheme **);
    void (*scheme_free)(tml_lut_scheme *);
    uint64_t (*first_address)(const tml_lut_scheme *);
    uint64_t (*address_count)(const tml_lut_scheme *);
    int32_t (*scheme_features)(const tml_lut_scheme *);
    tml_status (*decode)(const tml_lut_scheme *, uint64_t, const uint64_t *, float *);
    tml_status (*conversion_preset)(const char *, tml_pt_conversion *);
    tml_status (*generate)(const tml_lut_scheme *, const tml_forest *, const tml_pt_conversion *, uint64_t,
                           uint64_t, uint16_t *, int32_t);
    tml_status (*evaluate)(const tml_lut_scheme *, const tml_forest *, const tml_pt_conversion *, uint64_t,
                           const uint64_t *, uint16_t *, float *, int32_t);
    tml_status (*forest_load)(const char *, tml_forest **);
    void (*forest_free)(tml_forest *);
    int32_t (*forest_features)(const tml_forest *);
} lut_api;

static void *sym(void *dl, const char *name) {
    void *p = dlsym(dl, name);
    if (!p) {
        fprintf(stderr, "lut_writer: %s not found: %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

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
    const char *path = tml_api_default_path(NULL);
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        fprintf(stderr, "lut_writer: cannot open %s: %s\n", path, dlerror());
        return 2;
    }
    lut_api L;
    *(void **)&L.last_error = sym(dl, "tml_last_error");
    *(void **)&L.scheme_preset = sym(dl, "tml_lut_scheme_preset");
    *(void **)&L.scheme_load = sym(dl, "tml_lut_scheme_load");
    *(void **)&L.scheme_free = sym(dl, "tml_lut_scheme_free");
    *(void **)&L.first_address = sym(dl, "tml_lut_scheme_first_address");
    *(void **)&L.address_count = sym(dl, "tml_lut_scheme_address_count");
    *(void **)&L.scheme_features = sym(dl, "tml_lut_scheme_feature_count");
    *(void **)&L.decode = sym(dl, "tml_lut_decode");
    *(void **)&L.conversion_preset = sym(dl, "tml_pt_conversion_preset");
    *(void **)&L.generate = sym(dl, "tml_lut_generate");
    *(void **)&L.evaluate = sym(dl, "tml_lut_evaluate");
    *(void **)&L.forest_load = sym(dl, "tml_forest_load");
    *(void **)&L.forest_free = sym(dl, "tml_forest_free");
    *(void **)&L.forest_features = sym(dl, "tml_forest_feature_count");

    tml_lut_scheme *scheme = NULL;
    tml_forest *forest = NULL;
    const char *sname = argv[1];
    int is_file = strchr(sname, '/') != NULL || (strlen(sname) > 5 && strcmp(sname + strlen(sname) - 5, ".json") == 0);
    tml_status st = is_file ? L.scheme_load(sname, &scheme) : L.scheme_preset(sname, &scheme);
    if (st != TML_OK) { fprintf(stderr, "lut_writer: scheme: %s\n", L.last_error()); return 1; }
    if ((st = L.forest_load(argv[2], &forest)) != TML_OK) {
        fprintf(stderr, "lut_writer: forest: %s\n", L.last_error());
        return 1;
    }
    uint64_t first = L.first_address(scheme), count = L.address_count(scheme);
    if (argc >= 6) {
        first = strtoull(argv[4], NULL, 0);
        count = strtoull(argv[5], NULL, 0);
    }
    const char *conv_name = argc >= 7 ? argv[6] : "emtf2017";
    int32_t threads = argc >= 8 ? (int32_t)atoi(argv[7]) : 0;
    tml_pt_conversion conv;
    if (L.conversion_preset(conv_name, &conv) != TML_OK) {
        fprintf(stderr, "lut_writer: conversion: %s\n", L.last_error());
        return 1;
    }
    uint16_t *words = malloc(count ? count * sizeof(uint16_t) : 1);
    if (!words) { fprintf(stderr, "lut_writer: out of memory\n"); return 1; }
    double t0 = now();
    if ((st = L.generate(scheme, forest, &conv, first, count, words, threads)) != TML_OK) {
        fprintf(stderr, "lut_writer: generate: %s\n", L.last_error());
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
    if (n && (st = L.evaluate(scheme, forest, &conv, n, addr, again, NULL, 1)) != TML_OK) {
        fprintf(stderr, "lut_writer: evaluate: %s\n", L.last_error());
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
    if (L.scheme_features(scheme) != L.forest_features(forest)) {
        fprintf(stderr, "lut_writer: feature counts differ but generate succeeded\n");
        return 1;
    }
    tml_lut_scheme *other = NULL;
    const char *other_name = L.scheme_features(scheme) == 20 ? "emtf2017-mode14" : "emtf2017-mode15";
    if (L.scheme_preset(other_name, &other) == TML_OK) {
        st = L.generate(other, forest, &conv, L.first_address(other), 16, words, 1);
        if (st != TML_ERR_SHAPE) {
            fprintf(stderr, "lut_writer: mismatched scheme gave status %d, expected TML_ERR_SHAPE\n", st);
            return 1;
        }
        printf("mismatched scheme refused: %s\n", L.last_error());
        L.scheme_free(other);
    }
    printf("checked %zu addresses against the one-address path: all equal\n", n);
    free(words);
    L.forest_free(forest);
    L.scheme_free(scheme);
    return 0;
}
