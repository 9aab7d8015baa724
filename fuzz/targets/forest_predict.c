/*
 * Fuzz target: tml_forest_predict with any row count, strides and values,
 * on the XGBoost golden forests (Tests/golden/forests/) and a small
 * own-format forest with default_left and an unreachable node.
 *
 * Decoding:
 *   byte 0  forest (index into the loaded set)
 *   byte 1  layout: 0 row-major (F, 1), 1 column-major (1, n),
 *           2 any strides from the bytes (0 allowed), 3 absurd sizes,
 *           4 wrong handles (NULL, a T5 model as a forest and back)
 *   byte 2  n_rows (0..199), bytes 3-4 strides for layout 2, then values
 *           (one byte each: an edge-case table, or raw float bits).
 * x is one allocation of exactly the elements the strides reach, so ASan
 * sees any read past them. Checks: OK for every valid call, the same bits as
 * predicting a compact row-major copy one row at a time (the first two, the
 * last two, rows 63 and 64, and rows picked by the input); absurd sizes and
 * wrong handles fail with TML_ERR_INVALID_ARGUMENT before touching memory
 * (every pointer on a PROT_NONE page).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { MAX_FORESTS = 16 };
static tml_forest *g_forest[MAX_FORESTS];
static int g_count;

static const char kOwnForest[] =
    "{\"format\": \"trigml.forest\", \"format_version\": 1, \"feature_count\": 3, \"base_score\": 0.5,"
    " \"trees\": ["
    "  {\"left\": [1, 3, -1, -1, -1, -1], \"right\": [2, 4, -1, -1, -1, -1], \"feature\": [0, 2, 0, 0, 0, 1],"
    "   \"threshold\": [12.5, -1.0, 0, 0, 0, 7], \"value\": [0, 0, 0.25, -0.125, 0.0625, 99],"
    "   \"default_left\": [true, false, false, false, false, false]},"
    "  {\"left\": [-1], \"right\": [-1], \"feature\": [0], \"threshold\": [0], \"value\": [-0.5]}"
    " ]}";

static void cleanup(void)
{
    for (int i = 0; i < g_count; i++) tml_forest_free(g_forest[i]);
    g_count = 0;
}

/* One slot stays free for the own-format forest. */
static int add_forest(const char *path)
{
    return g_count < MAX_FORESTS - 1 && tml_forest_load(path, &g_forest[g_count]) == TML_OK && ++g_count;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fz_each_source_file("Tests/golden/forests/*.json", add_forest);
    const char *own = fz_bytes_as_file((const uint8_t *)kOwnForest, sizeof kOwnForest - 1);
    if (tml_forest_load(own, &g_forest[g_count]) != TML_OK) {
        fprintf(stderr, "forest_predict: the built-in own-format forest: %s\n", tml_last_error());
        abort();
    }
    g_count++;
    fz_default_model();
    fz_guard_page();
    atexit(cleanup);
    return 0;
}

static void wrong_handles(fz_reader *r, const tml_forest *f)
{
    void *g = fz_guard_page();
    const tml_t5_model *t5 = fz_default_model();
    float out;
    uint64_t n = fz_u8(r) % 4;
    FZ_REQUIRE(tml_forest_predict(NULL, n, g, 1, 1, g) == TML_ERR_INVALID_ARGUMENT, "NULL forest");
    FZ_REQUIRE(tml_forest_predict((const tml_forest *)(const void *)t5, n, g, 1, 1, g) == TML_ERR_INVALID_ARGUMENT,
               "a T5 model accepted as a forest");
    FZ_REQUIRE(tml_forest_feature_count((const tml_forest *)(const void *)t5) == -1, "feature_count of a T5 model");
    FZ_REQUIRE(tml_forest_tree_count(NULL) == -1, "tree_count(NULL)");
    tml_t5_batch b = {0};
    FZ_REQUIRE(tml_t5_score((const tml_t5_model *)(const void *)f, &b, &out, NULL) == TML_ERR_INVALID_ARGUMENT,
               "a forest accepted as a T5 model");
    FZ_REQUIRE(tml_t5_model_input_count((const tml_t5_model *)(const void *)f) == -1, "input_count of a forest");
}

static void absurd(fz_reader *r, const tml_forest *f, uint64_t F)
{
    void *g = fz_guard_page();
    const uint64_t limit = 1ull << 45; /* elements: 2^47 bytes of floats */
    uint64_t rows, rs, fs;
    switch (fz_u8(r) % 5) {
    case 0: rows = limit + 1 + (fz_u64(r) & 0xFFFF); rs = F; fs = 1; break;      /* too many rows */
    case 1: rows = 1 + fz_u8(r); rs = limit + 1 + fz_u32(r); fs = 1; break;      /* stride past memory */
    case 2: rows = 2; rs = 1; fs = UINT64_MAX - fz_u8(r); break;                 /* overflowing stride */
    case 3: rows = 1ull << 23; rs = 1ull << 23; fs = 1; break;                   /* product past 2^45 */
    default: rows = UINT64_MAX; rs = fz_u64(r); fs = fz_u64(r); break;
    }
    tml_status s = tml_forest_predict(f, rows, g, rs, fs, g);
    FZ_REQUIRE(s == TML_ERR_INVALID_ARGUMENT, "n_rows %llu, strides %llu/%llu: status %d",
               (unsigned long long)rows, (unsigned long long)rs, (unsigned long long)fs, s);
}

static float value(fz_reader *r, int raw) { return raw ? fz_f32_raw(r) : fz_f32_special(r); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = fz_reader_make(data, size);
    const tml_forest *f = g_forest[fz_u8(&r) % g_count];
    uint8_t layout = fz_u8(&r);
    int raw = layout & 0x80;
    layout = (layout & 0x7F) % 5;
    uint64_t F = (uint64_t)tml_forest_feature_count(f);
    if (layout == 4) {
        wrong_handles(&r, f);
        return 0;
    }
    if (layout == 3) {
        absurd(&r, f, F);
        return 0;
    }
    uint64_t n = fz_u8(&r) % 200, rs, fs;
    if (layout == 0) rs = F, fs = 1;
    else if (layout == 1) rs = 1, fs = n;
    else rs = fz_u8(&r) % 24, fs = fz_u8(&r) % 24;
    /* Elements the call may read: (n-1)*rs + (F-1)*fs + 1. */
    size_t extent = n ? (size_t)((n - 1) * rs + (F - 1) * fs + 1) : 0;
    float *x = malloc(extent * sizeof(float) + 1), *out = malloc(n * sizeof(float) + 1);
    for (size_t i = 0; i < extent; i++) x[i] = value(&r, raw);
    tml_status s = tml_forest_predict(f, n, x, rs, fs, out);
    FZ_REQUIRE(s == TML_OK, "n_rows %llu, strides %llu/%llu: status %d", (unsigned long long)n,
               (unsigned long long)rs, (unsigned long long)fs, s);
    /* Row by row: the first, the last, a block edge (64) and a few more. */
    float *row = malloc(F * sizeof(float));
    for (uint64_t i = 0; i < n; i += (i < 2 || i + 2 >= n || i == 63 || i == 64) ? 1 : 1 + fz_u8(&r) % 29) {
        for (uint64_t j = 0; j < F; j++) row[j] = x[i * rs + j * fs];
        float one;
        FZ_REQUIRE(tml_forest_predict(f, 1, row, F, 1, &one) == TML_OK, "one row");
        FZ_REQUIRE(fz_same_float(one, out[i]), "row %llu: %.9g in the batch (strides %llu/%llu), %.9g alone",
                   (unsigned long long)i, out[i], (unsigned long long)rs, (unsigned long long)fs, one);
    }
    free(row);
    free(x);
    free(out);
    return 0;
}
