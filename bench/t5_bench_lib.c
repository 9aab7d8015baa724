/*
 * Timing harness of the T5 benchmark, loaded by bench/t5_bench.py (ctypes).
 *
 * Holds the candidate pool (every event of a T5 event file, concatenated,
 * indices offset), the TrigML builds (each dlopen'ed from its own path and
 * called only through the C ABI) and the LST-style loop (t5_lst_style.c),
 * and times batches of consecutive candidates with the call loop in C, so
 * no Python overhead is counted for them.
 *
 * Implementation ids: 0 = the LST-style loop as CMSSW's GCC host build
 * compiles it, 1 = the same loop fully unrolled (-DLST_FULL_UNROLL),
 * 2.. = TrigML builds in the order tb_open_trigml opened them.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_harness.h"
#include "t5_lst_style.h"

#define TB_MAX_IMPL 8

typedef struct {
    const tml_api *api;
    tml_t5_model *model;
} tb_trigml;

static tb_trigml g_impl[TB_MAX_IMPL];
#define TB_FIRST_TRIGML 2
static int g_n_impl = TB_FIRST_TRIGML; /* ids 0 and 1: the LST-style loops */
static tml_t5_batch g_pool;
static float *g_score;
static uint8_t *g_pass;
static char g_error[1024];

const char *tb_error(void) { return g_error; }

static int fail(const char *fmt, const char *a, const char *b) {
    snprintf(g_error, sizeof g_error, fmt, a, b);
    return -1;
}

/* ------------------------------------------------------------ event pool */

static int read_exact(FILE *f, void *p, size_t n) { return n == 0 || fread(p, 1, n, f) == n; }

/* Reads a TMLT5EV1 file into the pool; counts[3] = n_md, n_t3, n_t5. */
int tb_load_events(const char *path, uint64_t counts[3]) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail("cannot open %s%s", path, "");
    char magic[8];
    uint32_t n_events = 0, flags = 0;
    if (!read_exact(f, magic, 8) || memcmp(magic, "TMLT5EV1", 8) != 0 || !read_exact(f, &n_events, 4) ||
        !read_exact(f, &flags, 4)) {
        fclose(f);
        return fail("%s: not a T5 event file%s", path, "");
    }
    /* First pass: sizes. */
    long start = ftell(f);
    uint64_t tot[3] = {0, 0, 0};
    for (uint32_t e = 0; e < n_events; ++e) {
        uint64_t n[3];
        if (!read_exact(f, n, sizeof n)) { fclose(f); return fail("%s: truncated%s", path, ""); }
        uint64_t bytes = n[0] * (6 * 4 + 1) + n[1] * (3 * 4 + 4) + n[2] * 2 * 4;
        if (flags & 1u) bytes += n[2] * (1 + 4 + 4);
        if (fseek(f, (long)bytes, SEEK_CUR) != 0) { fclose(f); return fail("%s: truncated%s", path, ""); }
        for (int k = 0; k < 3; ++k) tot[k] += n[k];
    }
    fseek(f, start, SEEK_SET);
    float *md[6];
    for (int k = 0; k < 6; ++k) md[k] = malloc(tot[0] * 4 + 4);
    uint8_t *layer = malloc(tot[0] + 1);
    uint32_t *t3_md = malloc(tot[1] * 12 + 4);
    float *t3_r = malloc(tot[1] * 4 + 4);
    uint32_t *t5_t3 = malloc(tot[2] * 8 + 8);
    uint64_t off[3] = {0, 0, 0};
    for (uint32_t e = 0; e < n_events; ++e) {
        uint64_t n[3];
        int ok = read_exact(f, n, sizeof n);
        for (int k = 0; k < 6 && ok; ++k) ok = read_exact(f, md[k] + off[0], n[0] * 4);
        ok = ok && read_exact(f, layer + off[0], n[0]);
        ok = ok && read_exact(f, t3_md + 3 * off[1], n[1] * 12);
        ok = ok && read_exact(f, t3_r + off[1], n[1] * 4);
        ok = ok && read_exact(f, t5_t3 + 2 * off[2], n[2] * 8);
        if (ok && (flags & 1u)) ok = fseek(f, (long)(n[2] * 9), SEEK_CUR) == 0;
        if (!ok) { fclose(f); return fail("%s: truncated%s", path, ""); }
        for (uint64_t i = 3 * off[1]; i < 3 * (off[1] + n[1]); ++i) t3_md[i] += (uint32_t)off[0];
        for (uint64_t i = 2 * off[2]; i < 2 * (off[2] + n[2]); ++i) t5_t3[i] += (uint32_t)off[1];
        for (int k = 0; k < 3; ++k) off[k] += n[k];
    }
    fclose(f);
    g_pool = (tml_t5_batch){
        .n_md = tot[0], .md_x = md[0], .md_y = md[1], .md_z = md[2], .md_r = md[3], .md_eta = md[4],
        .md_phi = md[5], .md_layer = layer, .n_t3 = tot[1], .t3_md = t3_md, .t3_radius = t3_r,
        .n_t5 = tot[2], .t5_t3 = t5_t3,
    };
    g_score = malloc(tot[2] * 4 + 4);
    g_pass = malloc(tot[2] + 1);
    for (int k = 0; k < 3; ++k) counts[k] = tot[k];
    return 0;
}

/* The pool restricted to candidates [start, start + n). */
static inline tml_t5_batch slice(uint64_t start, uint64_t n) {
    tml_t5_batch b = g_pool;
    b.n_t5 = n;
    b.t5_t3 = g_pool.t5_t3 + 2 * start;
    return b;
}

/* ---------------------------------------------------------- TrigML builds */

/* dlopen's a libtrigml.so and loads the model file; returns the impl id.
 * isa (may be empty): the TRIGML_ISA this copy of the library runs; the
 * library reads it at its first call, so it is set just around that call
 * (each copy of the .so, loaded from its own path, chooses its own path). */
int tb_open_trigml(const char *lib, const char *model_path, const char *isa) {
    if (g_n_impl >= TB_MAX_IMPL) return fail("too many implementations%s%s", "", "");
    tb_trigml *t = &g_impl[g_n_impl];
    char error[1024];
    t->api = tml_load(lib, error, sizeof error);
    if (!t->api) return fail("%s%s", error, "");
    const char *before = getenv("TRIGML_ISA");
    char *saved = before ? strdup(before) : NULL;
    if (isa && isa[0]) setenv("TRIGML_ISA", isa, 1);
    tml_status status = t->api->t5_model_load(model_path, &t->model);
    if (saved) { setenv("TRIGML_ISA", saved, 1); free(saved); } else unsetenv("TRIGML_ISA");
    if (status != TML_OK) return fail("tml_t5_model_load: %s%s", t->api->last_error(), "");
    return g_n_impl++;
}

/* The kernel path a TrigML implementation runs (tml_cpu_path). */
const char *tb_trigml_cpu_path(int impl) {
    if (impl < TB_FIRST_TRIGML || impl >= g_n_impl) return "";
    const char *path = g_impl[impl].api->cpu_path();
    return path ? path : "(refused)";
}

const char *tb_trigml_version(int impl) {
    return (impl >= TB_FIRST_TRIGML && impl < g_n_impl) ? g_impl[impl].api->version() : "";
}

/* Scores candidates [start, start+n) of the pool with impl into score/pass. */
int tb_score(int impl, uint64_t start, uint64_t n, float *score, uint8_t *pass) {
    tml_t5_batch b = slice(start, n);
    if (impl == 0) { lst_t5_score(&b, score, pass); return 0; }
    if (impl == 1) { lst_t5_score_unrolled(&b, score, pass); return 0; }
    if (impl < 0 || impl >= g_n_impl) return fail("bad implementation id%s%s", "", "");
    if (g_impl[impl].api->t5_score(g_impl[impl].model, &b, score, pass) != TML_OK)
        return fail("tml_t5_score: %s%s", g_impl[impl].api->last_error(), "");
    return 0;
}

/* Features of candidates [start, start+n): the LST loop's (impl 0) or the
 * library's tml_t5_features. */
int tb_features(int impl, uint64_t start, uint64_t n, float *features) {
    tml_t5_batch b = slice(start, n);
    if (impl == 0) { lst_t5_features(&b, features); return 0; }
    if (impl == 1) { lst_t5_features_unrolled(&b, features); return 0; }
    if (impl < 0 || impl >= g_n_impl) return fail("bad implementation id%s%s", "", "");
    if (g_impl[impl].api->t5_features(g_impl[impl].model, &b, features) != TML_OK)
        return fail("tml_t5_features: %s%s", g_impl[impl].api->last_error(), "");
    return 0;
}

/* The working-point cut of each candidate [start, start+n) (LST table). */
int tb_cuts(uint64_t start, uint64_t n, float *cut) {
    tml_t5_batch b = slice(start, n);
    lst_t5_cuts(&b, cut);
    return 0;
}

/* ----------------------------------------------------------------- timing */

/*
 * Runs `calls` calls of `batch` candidates each, call k on the slice
 * (first_slice + k) mod (n_t5 / batch), so consecutive calls score
 * different candidates. Writes wall-clock and process CPU seconds.
 */
int tb_time(int impl, uint64_t batch, uint64_t calls, uint64_t first_slice, double *wall, double *cpu) {
    if (batch == 0 || batch > g_pool.n_t5) return fail("batch larger than the pool%s%s", "", "");
    if (impl < 0 || impl >= g_n_impl) return fail("bad implementation id%s%s", "", "");
    const uint64_t slices = g_pool.n_t5 / batch;
    uint64_t s = first_slice % slices;
    tml_t5_batch b = slice(0, batch);
    int bad = 0;
    const double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (impl < TB_FIRST_TRIGML) {
        void (*lst)(const tml_t5_batch *, float *, uint8_t *) = impl == 0 ? lst_t5_score : lst_t5_score_unrolled;
        for (uint64_t k = 0; k < calls; ++k) {
            b.t5_t3 = g_pool.t5_t3 + 2 * s * batch;
            lst(&b, g_score, g_pass);
            if (++s == slices) s = 0;
        }
    } else {
        const tb_trigml *t = &g_impl[impl];
        for (uint64_t k = 0; k < calls; ++k) {
            b.t5_t3 = g_pool.t5_t3 + 2 * s * batch;
            bad |= t->api->t5_score(t->model, &b, g_score, g_pass) != TML_OK;
            if (++s == slices) s = 0;
        }
    }
    *cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *wall = bench_seconds(CLOCK_MONOTONIC) - w0;
    if (bad) return fail("tml_t5_score failed while timing: %s%s", g_impl[impl].api->last_error(), "");
    return 0;
}

/* As tb_time, but tml_t5_features only (TrigML builds): the feature part
 * of the cost, for the breakdown in RESULTS.md. */
int tb_time_features(int impl, uint64_t batch, uint64_t calls, uint64_t first_slice, double *wall, double *cpu) {
    if (batch == 0 || batch > g_pool.n_t5) return fail("batch larger than the pool%s%s", "", "");
    if (impl < TB_FIRST_TRIGML || impl >= g_n_impl) return fail("bad implementation id%s%s", "", "");
    static float *features;
    static uint64_t capacity;
    if (capacity < batch * 64) {
        free(features);
        capacity = batch * 64;
        features = malloc(capacity * sizeof(float));
    }
    const uint64_t slices = g_pool.n_t5 / batch;
    uint64_t s = first_slice % slices;
    tml_t5_batch b = slice(0, batch);
    const tb_trigml *t = &g_impl[impl];
    int bad = 0;
    const double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t k = 0; k < calls; ++k) {
        b.t5_t3 = g_pool.t5_t3 + 2 * s * batch;
        bad |= t->api->t5_features(t->model, &b, features) != TML_OK;
        if (++s == slices) s = 0;
    }
    *cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *wall = bench_seconds(CLOCK_MONOTONIC) - w0;
    if (bad) return fail("tml_t5_features failed while timing: %s%s", t->api->last_error(), "");
    return 0;
}

/* ------------------------------------------ version-2 models (host columns) */

/*
 * The v2 section of the benchmark: a model file of format version 2 (extra
 * inputs gathered from host columns, standardisation, softmax head, named
 * working points), opened with tb_open_trigml like any TrigML build and
 * scored through tml_t5_score_ex with the pool's host columns. The columns
 * are copied here once (tb_set_columns); a call on a slice of candidates
 * passes the MD and T3 tables whole and the T5 table from the slice's row.
 */
static tml_t5_columns g_cols;

static float *copy_floats(const float *src, uint64_t n) {
    float *dst = malloc(n * sizeof(float) + sizeof(float));
    if (dst && n) memcpy(dst, src, n * sizeof(float));
    return dst;
}

/* Host columns of the pool, row-major: md[n_md][md_count], t3[n_t3][t3_count],
 * t5[n_t5][t5_count] (call after tb_load_events). */
int tb_set_columns(uint32_t md_count, const float *md, uint32_t t3_count, const float *t3,
                   uint32_t t5_count, const float *t5) {
    free((void *)g_cols.md), free((void *)g_cols.t3), free((void *)g_cols.t5);
    g_cols = (tml_t5_columns){
        .md_count = md_count, .md = copy_floats(md, g_pool.n_md * md_count),
        .t3_count = t3_count, .t3 = copy_floats(t3, g_pool.n_t3 * t3_count),
        .t5_count = t5_count, .t5 = copy_floats(t5, g_pool.n_t5 * t5_count),
    };
    if (!g_cols.md || !g_cols.t3 || !g_cols.t5) return fail("out of memory for the host columns%s%s", "", "");
    return 0;
}

/* The host columns of the candidates [start, ...). */
static inline tml_t5_columns sliced_columns(uint64_t start) {
    tml_t5_columns c = g_cols;
    c.t5 = g_cols.t5 + start * g_cols.t5_count;
    return c;
}

static int trigml_impl(int impl, const char *what) {
    if (impl < TB_FIRST_TRIGML || impl >= g_n_impl) return fail("%s: not a TrigML implementation%s", what, "");
    return 0;
}

/* tml_t5_score_ex of candidates [start, start+n) at working point wp;
 * probabilities [n][class count] may be NULL. */
int tb_score_ex(int impl, uint64_t start, uint64_t n, int32_t wp, float *score, uint8_t *pass,
                float *probabilities) {
    if (trigml_impl(impl, "tb_score_ex") < 0) return -1;
    tml_t5_batch b = slice(start, n);
    tml_t5_columns c = sliced_columns(start);
    const tb_trigml *t = &g_impl[impl];
    if (t->api->t5_score_ex(t->model, &b, &c, wp, score, pass, probabilities) != TML_OK)
        return fail("tml_t5_score_ex: %s%s", t->api->last_error(), "");
    return 0;
}

/* tml_t5_features_ex (the raw network inputs) of candidates [start, start+n). */
int tb_features_ex(int impl, uint64_t start, uint64_t n, float *features) {
    if (trigml_impl(impl, "tb_features_ex") < 0) return -1;
    tml_t5_batch b = slice(start, n);
    tml_t5_columns c = sliced_columns(start);
    const tb_trigml *t = &g_impl[impl];
    if (t->api->t5_features_ex(t->model, &b, &c, features) != TML_OK)
        return fail("tml_t5_features_ex: %s%s", t->api->last_error(), "");
    return 0;
}

/* As tb_time, with tml_t5_score_ex (host columns, working point wp, score
 * and pass; no probabilities, as a host cutting on the score asks). */
int tb_time_ex(int impl, int32_t wp, uint64_t batch, uint64_t calls, uint64_t first_slice, double *wall,
               double *cpu) {
    if (batch == 0 || batch > g_pool.n_t5) return fail("batch larger than the pool%s%s", "", "");
    if (trigml_impl(impl, "tb_time_ex") < 0) return -1;
    const uint64_t slices = g_pool.n_t5 / batch;
    uint64_t s = first_slice % slices;
    tml_t5_batch b = slice(0, batch);
    tml_t5_columns c = g_cols;
    const tb_trigml *t = &g_impl[impl];
    int bad = 0;
    const double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t k = 0; k < calls; ++k) {
        b.t5_t3 = g_pool.t5_t3 + 2 * s * batch;
        c.t5 = g_cols.t5 + s * batch * g_cols.t5_count;
        bad |= t->api->t5_score_ex(t->model, &b, &c, wp, g_score, g_pass, NULL) != TML_OK;
        if (++s == slices) s = 0;
    }
    *cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *wall = bench_seconds(CLOCK_MONOTONIC) - w0;
    if (bad) return fail("tml_t5_score_ex failed while timing: %s%s", t->api->last_error(), "");
    return 0;
}
