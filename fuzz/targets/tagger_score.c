/*
 * Fuzz target: tml_jet_batch through tml_tagger_score on the golden
 * taggers (the JSON files of Tests/golden/taggers: MLP and Deep Sets,
 * sigmoid and softmax).
 *
 * Decoding:
 *   byte 0  tagger (index into the loaded set)
 *   byte 1  flags: 1 wrong jet_feature_count | 2 wrong constituent_feature_count
 *                  | 4 raw CSR offsets (may decrease or overrun) | 8 NULL output
 *                  | 16 NULL columns | 32 raw float bits | 64 absurd counts
 *   byte 2  n_jets (0..39), then offsets increments, then values.
 * Arrays have exactly their declared lengths. Checks: a failed call writes
 * nothing and leaves a message; absurd counts (every pointer on a PROT_NONE
 * page) fail with TML_ERR_INVALID_ARGUMENT or TML_ERR_SHAPE without
 * touching memory; a successful call gives probabilities in [0, 1] or NaN,
 * a row of NaN exactly for jets with a non-finite input, and the same bits
 * for every jet scored alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { MAX_TAGGERS = 16, MAX_JETS = 40 };
enum { F_BAD_J = 1, F_BAD_C = 2, F_RAW_OFFSETS = 4, F_NULL_OUT = 8, F_NULL_COLS = 16, F_RAW = 32, F_ABSURD = 64 };
static tml_tagger *g_tagger[MAX_TAGGERS];
static int g_count;

static void cleanup(void)
{
    for (int i = 0; i < g_count; i++) tml_tagger_free(g_tagger[i]);
    g_count = 0;
}

static int add_tagger(const char *path)
{
    return g_count < MAX_TAGGERS && tml_tagger_load(path, &g_tagger[g_count]) == TML_OK && ++g_count;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (fz_each_source_file("Tests/golden/taggers/*.json", add_tagger) == 0) {
        fprintf(stderr, "tagger_score: no tagger under Tests/golden/taggers/ loads\n");
        abort();
    }
    fz_guard_page();
    atexit(cleanup);
    return 0;
}

static void absurd(fz_reader *r, const tml_tagger *t)
{
    void *g = fz_guard_page();
    uint64_t J = (uint64_t)tml_tagger_jet_feature_count(t), C = (uint64_t)tml_tagger_constituent_feature_count(t);
    uint64_t big = (1ull << 62) + fz_u8(r);
    tml_jet_batch b = {.n_jets = 3, .jet_feature_count = J, .jet_features = g, .constituent_offsets = g,
                       .n_constituents = 3, .constituent_feature_count = C, .constituent_features = g};
    uint8_t which = fz_u8(r) % 3;
    if (which == 1 && C == 0) which = 0; /* an MLP ignores n_constituents: the jets would be read */
    switch (which) {
    case 0: b.n_jets = big; break;
    case 1: b.n_constituents = big; break;
    default: b.n_jets = UINT64_MAX; break;
    }
    tml_status s = tml_tagger_score(t, &b, g);
    FZ_REQUIRE(s == TML_ERR_INVALID_ARGUMENT || s == TML_ERR_SHAPE, "absurd counts: status %d", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = fz_reader_make(data, size);
    const tml_tagger *t = g_tagger[fz_u8(&r) % g_count];
    uint8_t flags = fz_u8(&r);
    if (flags & F_ABSURD) {
        absurd(&r, t);
        return 0;
    }
    size_t O = (size_t)tml_tagger_output_count(t);
    size_t J = (size_t)tml_tagger_jet_feature_count(t), C = (size_t)tml_tagger_constituent_feature_count(t);
    const size_t model_J = J;
    int deep = C > 0;
    if (flags & F_BAD_J) J = (J + 1 + fz_u8(&r) % 3) % 40;
    if (flags & F_BAD_C) C = (C + 1 + fz_u8(&r) % 3) % 10;
    size_t n = fz_u8(&r) % MAX_JETS;
    uint64_t *offsets = malloc((n + 1) * sizeof(uint64_t));
    offsets[0] = fz_u8(&r) % 4;
    for (size_t j = 0; j < n; j++)
        offsets[j + 1] = (flags & F_RAW_OFFSETS) ? (fz_u8(&r) < 0xF8 ? fz_u8(&r) % 64 : fz_u64(&r))
                                                 : offsets[j] + fz_u8(&r) % 9;
    size_t nc = (flags & F_RAW_OFFSETS) ? fz_u8(&r) % 64 : (size_t)offsets[n] + fz_u8(&r) % 3;
    float *jets = malloc(n * J * sizeof(float) + 1), *cons = malloc(nc * C * sizeof(float) + 1);
    int raw = (flags & F_RAW) != 0;
    for (size_t i = 0; i < n * J; i++) jets[i] = raw ? fz_f32_raw(&r) : fz_f32_special(&r);
    for (size_t i = 0; i < nc * C; i++) cons[i] = raw ? fz_f32_raw(&r) : fz_f32_special(&r);
    tml_jet_batch b = {
        .n_jets = n, .jet_feature_count = J, .jet_features = jets, .constituent_offsets = deep ? offsets : NULL,
        .n_constituents = nc, .constituent_feature_count = C, .constituent_features = cons,
    };
    if (flags & F_NULL_COLS) {
        switch (fz_u8(&r) % 3) {
        case 0: b.jet_features = NULL; break;
        case 1: b.constituent_offsets = NULL; break;
        default: b.constituent_features = NULL; break;
        }
    }
    size_t nout = n * O;
    float *out = malloc(nout * sizeof(float) + 1);
    memset(out, 0x7E, nout * sizeof(float));
    int null_out = (flags & F_NULL_OUT) != 0;
    tml_status s = tml_tagger_score(t, &b, null_out ? NULL : out);
    FZ_REQUIRE(s >= 0 && s <= 7, "status %d", s);
    FZ_REQUIRE(J == model_J || n == 0 || s != TML_OK, "jet_feature_count %zu accepted, the model reads %zu", J,
               model_J);
    if (s != TML_OK) {
        FZ_REQUIRE(tml_last_error()[0] != 0, "a failed call left no message");
        for (size_t i = 0; i < nout * sizeof(float); i++) FZ_REQUIRE(((uint8_t *)out)[i] == 0x7E, "output written");
    } else {
        FZ_REQUIRE(!null_out || n == 0, "NULL output accepted for %zu jets", n);
        for (size_t j = 0; j < n && !null_out; j++) {
            int finite = 1;
            for (size_t i = 0; i < J; i++) finite &= isfinite(jets[j * J + i]) != 0;
            if (deep)
                for (uint64_t c = offsets[j]; c < offsets[j + 1]; c++)
                    for (size_t i = 0; i < C; i++) finite &= isfinite(cons[c * C + i]) != 0;
            for (size_t k = 0; k < O; k++) {
                float p = out[j * O + k];
                FZ_REQUIRE(isnan(p) || (p >= 0.0f && p <= 1.0f), "jet %zu output %zu = %g", j, k, p);
                if (!finite) FZ_REQUIRE(isnan(p), "jet %zu has a non-finite input but output %zu = %g", j, k, p);
            }
            if (O > 16 || (j > 2 && j + 2 < n && j % 7)) continue; /* alone: the edges and every 7th */
            tml_jet_batch one = b;
            one.n_jets = 1;
            one.jet_features = jets + j * J;
            if (deep) one.constituent_offsets = offsets + j;
            float alone[16];
            FZ_REQUIRE(tml_tagger_score(t, &one, alone) == TML_OK, "jet %zu alone: %s", j, tml_last_error());
            for (size_t k = 0; k < O; k++)
                FZ_REQUIRE(fz_same_float(alone[k], out[j * O + k]), "jet %zu output %zu: %.9g alone, %.9g in the batch",
                           j, k, alone[k], out[j * O + k]);
        }
    }
    free(offsets);
    free(jets);
    free(cons);
    free(out);
    return 0;
}
