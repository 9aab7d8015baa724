/*
 * Fuzz target: T5 model files (and with them the JSON reader and the typed
 * JSON access every loader shares).
 *
 * The input is the whole file. It is written to an in-memory file and
 * loaded with tml_t5_model_load. A refused file must come back as a format,
 * shape or unsupported-version error naming the file, with *out NULL. An
 * accepted model must score a fixed, valid 13-candidate batch (a full tile
 * and a partial one): features identical to the built-in model of the same
 * feature set (features do not depend on weights), scores in [0, 1] or NaN,
 * pass 0/1 and never 1 for NaN, the same bits when a candidate is scored
 * alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { N_TRACKS = 10, N_FAKES = 3, N_T5 = N_TRACKS + N_FAKES, MAX_INPUTS = 38 };

static t5f_event g_event;
static tml_t5_batch g_batch;
static float g_ref_v2[N_T5 * MAX_INPUTS], g_ref_v1[N_T5 * MAX_INPUTS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (fz_t5_synth(&g_event, N_TRACKS, N_FAKES, 2024) != 0) abort();
    g_batch = t5f_batch(&g_event);
    if (tml_t5_features(fz_default_model(), &g_batch, g_ref_v2) != TML_OK ||
        tml_t5_features(fz_lst_v1_model(), &g_batch, g_ref_v1) != TML_OK) {
        fprintf(stderr, "reference features: %s\n", tml_last_error());
        abort();
    }
    return 0;
}

static void check_model(const tml_t5_model *m)
{
    int32_t nin = tml_t5_model_input_count(m);
    FZ_REQUIRE(nin == 23 || nin == 38, "input_count %d", nin);
    const float *ref = nin == 23 ? g_ref_v2 : g_ref_v1;

    float features[N_T5 * MAX_INPUTS], score[N_T5];
    uint8_t pass[N_T5];
    tml_status s = tml_t5_features(m, &g_batch, features);
    FZ_REQUIRE(s == TML_OK, "features of a valid batch: status %d", s);
    FZ_REQUIRE(memcmp(features, ref, sizeof(float) * N_T5 * (size_t)nin) == 0,
               "features depend on the model's weights");
    s = tml_t5_score(m, &g_batch, score, pass);
    FZ_REQUIRE(s == TML_OK, "score of a valid batch: status %d", s);
    for (int t = 0; t < N_T5; t++) {
        FZ_REQUIRE(pass[t] <= 1, "pass[%d] = %u", t, pass[t]);
        FZ_REQUIRE(isnan(score[t]) || (score[t] >= 0.0f && score[t] <= 1.0f), "score[%d] = %g", t, score[t]);
        FZ_REQUIRE(!isnan(score[t]) || pass[t] == 0, "score[%d] is NaN but passes", t);
    }
    /* The first and the last candidate alone (one-candidate path). */
    const int probe[2] = {0, N_T5 - 1};
    for (int k = 0; k < 2; k++) {
        tml_t5_batch one = g_batch;
        one.n_t5 = 1;
        one.t5_t3 = g_batch.t5_t3 + 2 * probe[k];
        float s1;
        uint8_t p1;
        FZ_REQUIRE(tml_t5_score(m, &one, &s1, &p1) == TML_OK, "score of one candidate");
        FZ_REQUIRE(fz_same_float(s1, score[probe[k]]) && p1 == pass[probe[k]],
                   "candidate %d: %.9g/%u alone, %.9g/%u in the batch", probe[k], s1, p1, score[probe[k]],
                   pass[probe[k]]);
    }
}

FZ_FILE_LOADER_TARGET(tml_t5_model, tml_t5_model_load, check_model, tml_t5_model_free)
