/*
 * Fuzz target: tagger model files ("trigml.tagger": MLP or Deep Sets).
 *
 * Refused files: a content error naming the file, *out NULL. Accepted
 * taggers: sane counts, and a fixed 5-jet batch (one jet without
 * constituents, one with a NaN input) scores with probabilities in [0, 1]
 * or NaN, softmax rows summing to 1, the NaN jet all NaN, and every jet
 * scored alone giving the same bits as in the batch.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { N_JETS = 5, NAN_JET = 3 };
static const uint64_t kOffsets[N_JETS + 1] = {2, 2, 5, 6, 11, 14}; /* a slice: starts at row 2 */
enum { N_CONSTITUENTS = 15 };

static float value(size_t i)
{
    static const float v[12] = {0.5f, -1.25f, 3.0f, 0.0f, -0.0f, 2.5f, 10.0f, -7.0f, 0.125f, 1e3f, -1e-3f, 42.0f};
    return v[(i * 5 + i / 7) % 12];
}

static void check_tagger(const tml_tagger *t)
{
    int32_t nout = tml_tagger_output_count(t), njf = tml_tagger_jet_feature_count(t),
            ncf = tml_tagger_constituent_feature_count(t);
    FZ_REQUIRE(nout >= 1 && njf >= 0 && ncf >= 0, "counts %d/%d/%d", nout, njf, ncf);
    if (njf > 100000 || ncf > 100000 || nout > 100000) return; /* cannot come from a small file anyway */
    size_t J = (size_t)njf, C = (size_t)ncf, O = (size_t)nout;
    float *jets = malloc(N_JETS * J * sizeof(float) + 1), *cons = malloc(N_CONSTITUENTS * C * sizeof(float) + 1);
    for (size_t i = 0; i < N_JETS * J; i++) jets[i] = value(i);
    for (size_t i = 0; i < N_CONSTITUENTS * C; i++) cons[i] = value(i + 3);
    /* One non-finite input of jet NAN_JET: a jet feature, else a constituent's. */
    if (J) jets[NAN_JET * J] = NAN;
    else if (C) cons[kOffsets[NAN_JET] * C] = NAN;
    int has_nan_input = J || C;
    tml_jet_batch b = {
        .n_jets = N_JETS, .jet_feature_count = J, .jet_features = jets,
        .constituent_offsets = C ? kOffsets : NULL, .n_constituents = C ? N_CONSTITUENTS : 0,
        .constituent_feature_count = C, .constituent_features = C ? cons : NULL,
    };
    float *out = malloc(N_JETS * O * sizeof(float));
    tml_status s = tml_tagger_score(t, &b, out);
    FZ_REQUIRE(s == TML_OK, "a valid batch: status %d", s);
    for (size_t j = 0; j < N_JETS; j++) {
        double sum = 0;
        int any_nan = 0;
        for (size_t k = 0; k < O; k++) {
            float p = out[j * O + k];
            FZ_REQUIRE(isnan(p) || (p >= 0.0f && p <= 1.0f), "jet %zu output %zu = %g", j, k, p);
            any_nan |= isnan(p);
            sum += p;
        }
        if (j == NAN_JET && has_nan_input)
            for (size_t k = 0; k < O; k++) FZ_REQUIRE(isnan(out[j * O + k]), "the NaN jet's output %zu is %g", k, out[j * O + k]);
        if (O >= 2 && !any_nan) FZ_REQUIRE(fabs(sum - 1.0) < 1e-4, "jet %zu: softmax sums to %.9g", j, sum);
        /* The jet alone. */
        tml_jet_batch one = b;
        one.n_jets = 1;
        one.jet_features = jets + j * J;
        if (C) one.constituent_offsets = kOffsets + j;
        float alone[64];
        if (O > 64) continue;
        FZ_REQUIRE(tml_tagger_score(t, &one, alone) == TML_OK, "jet %zu alone", j);
        for (size_t k = 0; k < O; k++)
            FZ_REQUIRE(fz_same_float(alone[k], out[j * O + k]), "jet %zu output %zu: %.9g alone, %.9g in the batch", j,
                       k, alone[k], out[j * O + k]);
    }
    free(jets);
    free(cons);
    free(out);
}

FZ_FILE_LOADER_TARGET(tml_tagger, tml_tagger_load, check_tagger, tml_tagger_free)
