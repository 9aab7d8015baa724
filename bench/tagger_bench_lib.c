/*
 * Timing harness of the tagger benchmark, loaded by bench/tagger_bench.py
 * (ctypes).
 *
 * Holds one view of the jet pool (arrays owned by the Python caller, which
 * keeps them alive) and the TrigML builds (each dlopen'ed from its own path,
 * called only through the C ABI), and times tml_tagger_score on batches of
 * consecutive jets with the call loop in C, so no Python overhead is
 * counted. Each batch is passed with the pool's own CSR offsets (the first
 * offset of a slice is not 0), as a host scoring a slice of an event would.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_harness.h"

#define TB_MAX_IMPL 8

typedef struct {
    const tml_api *api;
    tml_tagger *tagger;
    int32_t n_out;
} tb_trigml;

static tb_trigml g_impl[TB_MAX_IMPL];
static int g_n_impl;
static tml_jet_batch g_pool;
static float *g_out;
static char g_error[1024];

const char *tb_error(void) { return g_error; }

/* Opens a TrigML build and loads the model; returns its id or -1. */
int tb_open(const char *lib, const char *model)
{
    if (g_n_impl == TB_MAX_IMPL) {
        snprintf(g_error, sizeof g_error, "too many builds");
        return -1;
    }
    tb_trigml *t = &g_impl[g_n_impl];
    t->api = tml_load(lib, g_error, sizeof g_error);
    if (!t->api) return -1;
    if (t->api->tagger_load(model, &t->tagger) != TML_OK) {
        snprintf(g_error, sizeof g_error, "tml_tagger_load(%s): %s", model, t->api->last_error());
        return -1;
    }
    t->n_out = t->api->tagger_output_count(t->tagger);
    return g_n_impl++;
}

const char *tb_version(int impl) { return g_impl[impl].api->version(); }

/* The pool: arrays stay owned (and alive) on the Python side. */
int tb_set_pool(uint64_t n_jets, uint64_t jet_feature_count, const float *jet_features, const uint64_t *offsets,
                uint64_t n_constituents, uint64_t constituent_feature_count, const float *constituent_features)
{
    g_pool.n_jets = n_jets;
    g_pool.jet_feature_count = jet_feature_count;
    g_pool.jet_features = jet_features;
    g_pool.constituent_offsets = offsets;
    g_pool.n_constituents = n_constituents;
    g_pool.constituent_feature_count = constituent_feature_count;
    g_pool.constituent_features = constituent_features;
    free(g_out);
    g_out = malloc((size_t)(n_jets + 1) * 16 * sizeof(float));
    return g_out ? 0 : -1;
}

static tml_jet_batch slice(uint64_t first, uint64_t count)
{
    tml_jet_batch b = g_pool;
    b.n_jets = count;
    b.jet_features = g_pool.jet_features + first * g_pool.jet_feature_count;
    b.constituent_offsets = g_pool.constituent_offsets + first;
    return b;
}

/* Scores jets [first, first + count) into out in batches of `batch`. */
int tb_score(int impl, uint64_t first, uint64_t count, uint64_t batch, float *out)
{
    tb_trigml *t = &g_impl[impl];
    for (uint64_t s = first; s < first + count; s += batch) {
        uint64_t c = first + count - s < batch ? first + count - s : batch;
        tml_jet_batch b = slice(s, c);
        if (t->api->tagger_score(t->tagger, &b, out + (s - first) * (uint64_t)t->n_out) != TML_OK) {
            snprintf(g_error, sizeof g_error, "tml_tagger_score: %s", t->api->last_error());
            return -1;
        }
    }
    return 0;
}

/* `calls` calls of `batch` jets, each on the next slice of the pool
 * (starting at slice first_slice, wrapping); wall and process CPU seconds. */
int tb_time(int impl, uint64_t batch, uint64_t calls, uint64_t first_slice, double *wall, double *cpu)
{
    tb_trigml *t = &g_impl[impl];
    uint64_t slices = g_pool.n_jets / batch;
    if (slices == 0) {
        snprintf(g_error, sizeof g_error, "batch %llu is larger than the pool", (unsigned long long)batch);
        return -1;
    }
    uint64_t s = first_slice % slices;
    double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t k = 0; k < calls; k++) {
        tml_jet_batch b = slice(s * batch, batch);
        if (t->api->tagger_score(t->tagger, &b, g_out) != TML_OK) {
            snprintf(g_error, sizeof g_error, "tml_tagger_score: %s", t->api->last_error());
            return -1;
        }
        if (++s == slices) s = 0;
    }
    *cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *wall = bench_seconds(CLOCK_MONOTONIC) - w0;
    return 0;
}
