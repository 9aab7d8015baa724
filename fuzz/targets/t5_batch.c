/*
 * Fuzz target: tml_t5_batch through tml_t5_features and tml_t5_score, with
 * the default model (lst-v2) and the lst-v1 golden model.
 *
 * Decoding (every array has exactly its declared length, as the contract
 * requires of hosts; each is its own allocation so ASan sees overreads):
 *   byte 0  flags: 1 lst-v1 model | 2 md_layer NULL | 4 pass NULL
 *                  | 8 NULL model | 16 NULL output | 32 NULL for empty arrays
 *                  | 64 absurd count (see below)
 *   byte 1  shape: 0 synthetic helix event with perturbations,
 *                  1 valid index chain from the bytes, 2 raw indices
 *   then the shape's own bytes (below).
 * Absurd count: one of n_md / n_t3 / n_t5 is set to a value whose array
 * would exceed 2^47 bytes, every pointer in the batch and the outputs point
 * to a PROT_NONE page: the call must fail with TML_ERR_INVALID_ARGUMENT
 * without touching memory (a touch is a SEGV).
 *
 * Checks on every call: status in range; a failed call names a reason and
 * writes nothing; a successful call gives pass 0/1, scores in [0, 1] or
 * NaN, NaN exactly where a feature is non-finite, never pass for NaN; the
 * same bits for a candidate scored in the batch, alone, and in the batch
 * shifted by one (another tile position).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum {
    F_V1 = 1, F_NO_LAYER = 2, F_NO_PASS = 4, F_NULL_MODEL = 8, F_NULL_OUT = 16, F_NULL_EMPTY = 32,
    F_ABSURD = 64,
};
enum { MAX_MD = 96, MAX_T3 = 96, MAX_T5 = 48 };

#define SENTINEL 0x7E

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_default_model();
    fz_lst_v1_model();
    fz_guard_page();
    return 0;
}

static float value(fz_reader *r, int raw) { return raw ? fz_f32_raw(r) : fz_f32_special(r); }

/* Shape 0: a plausible event, then (column, position, value) perturbations. */
static int build_synth(fz_reader *r, t5f_event *e)
{
    uint32_t tracks = 2 + fz_u8(r) % 20, fakes = fz_u8(r) % 12;
    if (fz_t5_synth(e, tracks, fakes, fz_u32(r)) != 0) return -1;
    unsigned edits = fz_u8(r) % 16;
    for (unsigned k = 0; k < edits && r->n > 0; k++) {
        uint8_t what = fz_u8(r);
        uint16_t at = fz_u16(r);
        size_t md = at % e->n_md, t3 = at % e->n_t3, t5 = at % e->n_t5;
        int raw = what & 0x80;
        switch (what % 12) {
        case 0: e->md_x[md] = value(r, raw); break;
        case 1: e->md_y[md] = value(r, raw); break;
        case 2: e->md_z[md] = value(r, raw); break;
        case 3: e->md_r[md] = value(r, raw); break;
        case 4: e->md_eta[md] = value(r, raw); break;
        case 5: e->md_phi[md] = value(r, raw); break;
        case 6: e->t3_radius[t3] = value(r, raw); break;
        case 7: e->md_layer[md] = fz_u8(r); break;
        case 8: e->t3_md[3 * t3 + fz_u8(r) % 3] = raw ? fz_u32(r) : fz_u8(r); break;
        case 9: e->t5_t3[2 * t5 + (fz_u8(r) & 1)] = raw ? fz_u32(r) : fz_u8(r); break;
        case 10: /* a copy of another MD: duplicate hits, zero-length segments */
            e->md_x[md] = e->md_x[(md + 1) % e->n_md];
            e->md_y[md] = e->md_y[(md + 1) % e->n_md];
            break;
        default: /* scale a whole track: collinear or degenerate geometry */
        {
            float f = value(r, raw);
            for (size_t i = md; i < md + 5 && i < e->n_md; i++) e->md_x[i] *= f, e->md_y[i] *= f;
        }
        }
    }
    return 0;
}

/* Shape 1: counts and values from the bytes, index chain valid by construction. */
static int build_chain(fz_reader *r, t5f_event *e)
{
    uint8_t v = fz_u8(r);
    int raw = v & 1;
    uint64_t n_md = 1 + fz_u8(r) % MAX_MD, n_t5 = fz_u8(r) % MAX_T5;
    uint64_t n_t3 = 2 * n_t5 + fz_u8(r) % 4;
    if (fz_t5_event_alloc(e, n_md, n_t3, n_t5) != 0) return -1;
    for (uint64_t i = 0; i < n_md; i++) {
        e->md_x[i] = value(r, raw);
        e->md_y[i] = value(r, raw);
        e->md_z[i] = value(r, raw);
        e->md_r[i] = value(r, raw);
        e->md_eta[i] = value(r, raw);
        e->md_phi[i] = value(r, raw);
        e->md_layer[i] = fz_u8(r);
    }
    for (uint64_t i = 0; i < n_t3; i++) {
        for (int k = 0; k < 3; k++) e->t3_md[3 * i + k] = fz_u8(r) % n_md;
        e->t3_radius[i] = value(r, raw);
    }
    for (uint64_t t = 0; t < n_t5; t++) {
        e->t5_t3[2 * t] = (uint32_t)(2 * t);
        e->t5_t3[2 * t + 1] = (uint32_t)(2 * t + 1);
        e->t3_md[3 * (2 * t + 1)] = e->t3_md[3 * (2 * t) + 2];
    }
    return 0;
}

/* Shape 2: anything goes for the indices (mostly near the valid range). */
static uint32_t raw_index(fz_reader *r, uint64_t n)
{
    uint8_t b = fz_u8(r);
    if (b >= 0xF0) return fz_u32(r);
    return (uint32_t)(b % (n + 2));
}

static int build_raw(fz_reader *r, t5f_event *e)
{
    uint64_t n_md = fz_u8(r) % MAX_MD, n_t3 = fz_u8(r) % MAX_T3, n_t5 = fz_u8(r) % MAX_T5;
    if (fz_t5_event_alloc(e, n_md, n_t3, n_t5) != 0) return -1;
    for (uint64_t i = 0; i < n_md; i++) {
        e->md_x[i] = fz_f32_raw(r);
        e->md_y[i] = fz_f32_raw(r);
        e->md_z[i] = fz_f32_raw(r);
        e->md_r[i] = fz_f32_raw(r);
        e->md_eta[i] = fz_f32_raw(r);
        e->md_phi[i] = fz_f32_raw(r);
        e->md_layer[i] = fz_u8(r);
    }
    for (uint64_t i = 0; i < 3 * n_t3; i++) e->t3_md[i] = raw_index(r, n_md);
    for (uint64_t i = 0; i < n_t3; i++) e->t3_radius[i] = fz_f32_raw(r);
    for (uint64_t i = 0; i < 2 * n_t5; i++) e->t5_t3[i] = raw_index(r, n_t3);
    return 0;
}

static void absurd(fz_reader *r)
{
    /* The smallest rejected count of each column, and some beyond. */
    static const uint64_t md_limit = (1ull << 45) + 1, t3_limit = (1ull << 47) / 12 + 1,
                          t5_limit = (1ull << 44) + 1;
    uint8_t which = fz_u8(r) % 3, how = fz_u8(r) % 5;
    uint64_t limit = which == 0 ? md_limit : which == 1 ? t3_limit : t5_limit;
    uint64_t n = how == 0 ? limit : how == 1 ? 1ull << 62 : how == 2 ? UINT64_MAX : how == 3 ? 1ull << 63
                                                                                           : limit | fz_u64(r);
    void *g = fz_guard_page();
    tml_t5_batch b = {
        .n_md = which == 0 ? n : 5, .md_x = g, .md_y = g, .md_z = g, .md_r = g, .md_eta = g, .md_phi = g,
        .md_layer = g, .n_t3 = which == 1 ? n : 2, .t3_md = g, .t3_radius = g,
        .n_t5 = which == 2 ? n : 1, .t5_t3 = g,
    };
    const tml_t5_model *m = (fz_u8(r) & 1) ? fz_lst_v1_model() : fz_default_model();
    tml_status s = tml_t5_score(m, &b, g, g);
    FZ_REQUIRE(s == TML_ERR_INVALID_ARGUMENT, "score with count %llu: status %d", (unsigned long long)n, s);
    s = tml_t5_features(m, &b, g);
    FZ_REQUIRE(s == TML_ERR_INVALID_ARGUMENT, "features with count %llu: status %d", (unsigned long long)n, s);
    FZ_REQUIRE(tml_last_error()[0] != 0, "no message for an absurd count");
}

static int all_finite(const float *row, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(row[i])) return 0;
    return 1;
}

/* The network's float sums (LST's arithmetic) can overflow, and make the
 * score NaN, only for features near float's range. Below this bound no sum
 * of the fuzzed models can: their weights are below 100 and biases below
 * 25, so three layers of width <= 38 stay under 1e27. */
#define FEATURE_OVERFLOW_BOUND 1e18f

static int any_huge(const float *row, int n)
{
    for (int i = 0; i < n; i++)
        if (fabsf(row[i]) >= FEATURE_OVERFLOW_BOUND) return 1;
    return 0;
}

/* Scores of batch `b` into fresh exact-size buffers; returns the status. */
static tml_status score_into(const tml_t5_model *m, const tml_t5_batch *b, float **score, uint8_t **pass)
{
    size_t n = (size_t)b->n_t5;
    *score = malloc(n * sizeof(float) + 1);
    *pass = malloc(n + 1);
    return tml_t5_score(m, b, *score, *pass);
}

static void check(const tml_t5_model *m, const tml_t5_batch *b, int flags)
{
    size_t n = (size_t)b->n_t5;
    int nin = tml_t5_model_input_count(m);
    float *score = malloc(n * sizeof(float) + 1), *features = malloc(n * (size_t)nin * sizeof(float) + 1);
    uint8_t *pass = malloc(n + 1);
    memset(score, SENTINEL, n * sizeof(float));
    memset(features, SENTINEL, n * (size_t)nin * sizeof(float));
    memset(pass, SENTINEL, n);
    int null_out = (flags & F_NULL_OUT) != 0;
    tml_status ss = tml_t5_score(m, b, null_out ? NULL : score, (flags & F_NO_PASS) ? NULL : pass);
    char score_msg[512];
    snprintf(score_msg, sizeof score_msg, "%s", tml_last_error());
    tml_status sf = tml_t5_features(m, b, null_out ? NULL : features);

    FZ_REQUIRE(ss >= 0 && ss <= 7 && sf >= 0 && sf <= 7, "status %d / %d", ss, sf);
    FZ_REQUIRE(ss == sf, "score says %d, features says %d for the same batch", ss, sf);
    if (ss != TML_OK) {
        FZ_REQUIRE(score_msg[0] != 0 && tml_last_error()[0] != 0, "a failed call left no message");
        for (size_t i = 0; i < n * sizeof(float); i++) FZ_REQUIRE(((uint8_t *)score)[i] == SENTINEL, "score written");
        for (size_t i = 0; i < n; i++) FZ_REQUIRE(pass[i] == SENTINEL, "pass written");
        for (size_t i = 0; i < n * (size_t)nin * sizeof(float); i++)
            FZ_REQUIRE(((uint8_t *)features)[i] == SENTINEL, "features written");
        goto done;
    }
    FZ_REQUIRE(!null_out || n == 0, "NULL output accepted for n_t5 = %zu", n);
    for (size_t t = 0; t < n; t++) {
        const float *row = features + t * (size_t)nin;
        int finite = all_finite(row, nin);
        FZ_REQUIRE(!finite ? isnan(score[t]) : (!isnan(score[t]) || any_huge(row, nin)),
                   "candidate %zu: features %s but score %g", t, finite ? "finite" : "non-finite", score[t]);
        FZ_REQUIRE(isnan(score[t]) || (score[t] >= 0.0f && score[t] <= 1.0f), "score[%zu] = %g", t, score[t]);
        if (!(flags & F_NO_PASS)) {
            FZ_REQUIRE(pass[t] <= 1, "pass[%zu] = %u", t, pass[t]);
            FZ_REQUIRE(!isnan(score[t]) || pass[t] == 0, "candidate %zu: NaN passes", t);
        }
    }
    if (n >= 2) {
        /* The batch without its first candidate: every other one moves to a
         * different lane and tile and must keep its bits. */
        tml_t5_batch shifted = *b;
        shifted.n_t5 = n - 1;
        shifted.t5_t3 = b->t5_t3 + 2;
        float *s2;
        uint8_t *p2;
        FZ_REQUIRE(score_into(m, &shifted, &s2, &p2) == TML_OK, "the shifted batch failed");
        for (size_t t = 1; t < n; t++)
            FZ_REQUIRE(fz_same_float(s2[t - 1], score[t]) && (flags & F_NO_PASS || p2[t - 1] == pass[t]),
                       "candidate %zu: %.9g in the batch, %.9g shifted by one", t, score[t], s2[t - 1]);
        free(s2);
        free(p2);
        /* The last candidate alone. */
        tml_t5_batch one = *b;
        one.n_t5 = 1;
        one.t5_t3 = b->t5_t3 + 2 * (n - 1);
        float s1;
        uint8_t p1;
        FZ_REQUIRE(tml_t5_score(m, &one, &s1, &p1) == TML_OK, "the last candidate alone failed");
        FZ_REQUIRE(fz_same_float(s1, score[n - 1]) && (flags & F_NO_PASS || p1 == pass[n - 1]),
                   "last candidate: %.9g in the batch, %.9g alone", score[n - 1], s1);
    }
done:
    free(score);
    free(features);
    free(pass);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = fz_reader_make(data, size);
    uint8_t flags = fz_u8(&r), shape = fz_u8(&r) % 3;
    if (flags & F_ABSURD) {
        absurd(&r);
        return 0;
    }
    t5f_event e;
    int built = shape == 0 ? build_synth(&r, &e) : shape == 1 ? build_chain(&r, &e) : build_raw(&r, &e);
    if (built != 0) return 0;
    tml_t5_batch b = t5f_batch(&e);
    if (flags & F_NO_LAYER) b.md_layer = NULL;
    if (flags & F_NULL_EMPTY) {
        if (!b.n_md) b.md_x = b.md_y = b.md_z = b.md_r = b.md_eta = b.md_phi = NULL, b.md_layer = NULL;
        if (!b.n_t3) b.t3_md = NULL, b.t3_radius = NULL;
        if (!b.n_t5) b.t5_t3 = NULL;
    }
    const tml_t5_model *m = (flags & F_V1) ? fz_lst_v1_model() : fz_default_model();
    if (flags & F_NULL_MODEL) {
        float s;
        FZ_REQUIRE(tml_t5_score(NULL, &b, &s, NULL) == TML_ERR_INVALID_ARGUMENT, "NULL model accepted");
        FZ_REQUIRE(tml_t5_features(NULL, &b, &s) == TML_ERR_INVALID_ARGUMENT, "NULL model accepted");
    } else {
        check(m, &b, flags);
    }
    t5f_event_free(&e);
    return 0;
}
