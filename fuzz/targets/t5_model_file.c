/*
 * Fuzz target: T5 model files (and with them the JSON reader and the typed
 * JSON access every loader shares).
 *
 * The input is the whole file. It is written to an in-memory file and
 * loaded with tml_t5_model_load. A refused file must come back as a format,
 * shape or unsupported-version error naming the file, with *out NULL. An
 * accepted model (format version 1 or 2) must score a fixed, valid
 * 13-candidate batch with host columns of 4 floats per MD, T3 and T5 (a full
 * tile and a partial one): its feature-set inputs identical to the built-in
 * model of the same feature set (features do not depend on weights), scores
 * and probabilities in [0, 1] or NaN, pass 0/1 and never 1 for NaN at every
 * working point, the same bits when a candidate is scored alone; an
 * embedding model embeds, and refuses to score. A model reading a column
 * past the 4 given is refused per call with TML_ERR_SHAPE.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { N_TRACKS = 10, N_FAKES = 3, N_T5 = N_TRACKS + N_FAKES, MAX_SET_INPUTS = 38, N_COLUMNS = 4 };

static t5f_event g_event;
static tml_t5_batch g_batch;
static float g_ref_v2[N_T5 * MAX_SET_INPUTS], g_ref_v1[N_T5 * MAX_SET_INPUTS];
static float *g_md_columns, *g_t3_columns, g_t5_columns[N_T5 * N_COLUMNS];
static tml_t5_columns g_columns;

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
    g_md_columns = malloc(sizeof(float) * N_COLUMNS * g_event.n_md);
    g_t3_columns = malloc(sizeof(float) * N_COLUMNS * g_event.n_t3);
    if (!g_md_columns || !g_t3_columns) abort();
    for (uint64_t i = 0; i < N_COLUMNS * g_event.n_md; i++) g_md_columns[i] = 0.01f * (float)(i % 97);
    for (uint64_t i = 0; i < N_COLUMNS * g_event.n_t3; i++) g_t3_columns[i] = (float)(i % 5) / 4.0f;
    for (int i = 0; i < N_T5 * N_COLUMNS; i++) g_t5_columns[i] = 1.5f * (float)i / (N_T5 * N_COLUMNS);
    g_columns = (tml_t5_columns){N_COLUMNS, g_md_columns, N_COLUMNS, g_t3_columns, N_COLUMNS, g_t5_columns};
    return 0;
}

/* The feature-set part of each row equals the built-in model's features. */
static int set_features_match(const float *features, int32_t nin, const float *ref, int set_inputs)
{
    if (nin < set_inputs) return 0;
    for (int t = 0; t < N_T5; t++)
        if (memcmp(features + (size_t)t * nin, ref + (size_t)t * set_inputs, sizeof(float) * set_inputs) != 0) return 0;
    return 1;
}

static void check_embedding_model(const tml_t5_model *m, int32_t dim, float *features, int32_t nin)
{
    (void)features, (void)nin;
    float *embedding = malloc(sizeof(float) * N_T5 * (size_t)dim), one[4096];
    FZ_REQUIRE(embedding != NULL, "allocation");
    float score[N_T5];
    uint8_t pass[N_T5];
    FZ_REQUIRE(tml_t5_score_ex(m, &g_batch, &g_columns, 0, score, pass, NULL) == TML_ERR_UNSUPPORTED,
               "an embedding model scored");
    FZ_REQUIRE(tml_t5_embed(m, &g_batch, &g_columns, embedding) == TML_OK, "embed: %s", tml_last_error());
    tml_t5_batch single = g_batch;
    single.n_t5 = 1;
    single.t5_t3 = g_batch.t5_t3 + 2 * (N_T5 - 1);
    tml_t5_columns columns = g_columns;
    columns.t5 = g_t5_columns + N_COLUMNS * (N_T5 - 1);
    FZ_REQUIRE(tml_t5_embed(m, &single, &columns, one) == TML_OK, "embed one: %s", tml_last_error());
    for (int32_t k = 0; k < dim; k++)
        FZ_REQUIRE(fz_same_float(one[k], embedding[(N_T5 - 1) * dim + k]), "embedding %d alone differs", k);
    free(embedding);
}

static void check_model(const tml_t5_model *m)
{
    int32_t nin = tml_t5_model_input_count(m), classes = tml_t5_model_class_count(m);
    int32_t dim = tml_t5_model_embedding_dim(m), points = tml_t5_model_working_point_count(m);
    FZ_REQUIRE(nin >= 23 && nin <= 4096, "input_count %d", nin);
    FZ_REQUIRE((classes == 0) == (dim > 0) && (classes == 0) == (points == 0) && classes <= 4096 && points <= 64,
               "class_count %d, embedding_dim %d, working points %d", classes, dim, points);
    for (int32_t w = 0; w < points; w++) {
        const char *name = tml_t5_model_working_point_name(m, w);
        FZ_REQUIRE(name && name[0], "working point %d has no name", w);
    }
    FZ_REQUIRE(tml_t5_model_working_point_name(m, points) == NULL, "a name past the working points");

    float *features = malloc(sizeof(float) * N_T5 * (size_t)nin);
    FZ_REQUIRE(features != NULL, "allocation");
    tml_status s = tml_t5_features_ex(m, &g_batch, &g_columns, features);
    if (s == TML_ERR_SHAPE) {
        /* A column past the 4 given: refused per call, nothing else to check. */
        free(features);
        return;
    }
    FZ_REQUIRE(s == TML_OK, "features of a valid batch: status %d: %s", s, tml_last_error());
    FZ_REQUIRE(set_features_match(features, nin, g_ref_v2, 23) || set_features_match(features, nin, g_ref_v1, 38),
               "features depend on the model's weights");
    if (dim > 0) {
        check_embedding_model(m, dim, features, nin);
        free(features);
        return;
    }
    float score[N_T5], *prob = malloc(sizeof(float) * N_T5 * (size_t)classes);
    uint8_t pass[N_T5];
    FZ_REQUIRE(prob != NULL, "allocation");
    for (int32_t w = 0; w < points; w++) {
        s = tml_t5_score_ex(m, &g_batch, &g_columns, w, score, pass, prob);
        FZ_REQUIRE(s == TML_OK, "score of a valid batch at working point %d: status %d", w, s);
        for (int t = 0; t < N_T5; t++) {
            FZ_REQUIRE(pass[t] <= 1, "pass[%d] = %u", t, pass[t]);
            FZ_REQUIRE(isnan(score[t]) || (score[t] >= 0.0f && score[t] <= 1.0f), "score[%d] = %g", t, score[t]);
            FZ_REQUIRE(!isnan(score[t]) || pass[t] == 0, "score[%d] is NaN but passes", t);
            for (int32_t k = 0; k < classes; k++) {
                float p = prob[t * classes + k];
                FZ_REQUIRE(isnan(p) || (p >= 0.0f && p <= 1.0f), "probability[%d][%d] = %g", t, k, p);
            }
        }
    }
    FZ_REQUIRE(tml_t5_score_ex(m, &g_batch, &g_columns, points, score, pass, prob) == TML_ERR_INVALID_ARGUMENT,
               "working point %d of %d accepted", points, points);
    /* Working point 0 again, then the first and the last candidate alone (one-candidate path). */
    FZ_REQUIRE(tml_t5_score_ex(m, &g_batch, &g_columns, 0, score, pass, NULL) == TML_OK, "score at working point 0");
    const int probe[2] = {0, N_T5 - 1};
    for (int k = 0; k < 2; k++) {
        tml_t5_batch one = g_batch;
        one.n_t5 = 1;
        one.t5_t3 = g_batch.t5_t3 + 2 * probe[k];
        tml_t5_columns columns = g_columns;
        columns.t5 = g_t5_columns + N_COLUMNS * probe[k];
        float s1;
        uint8_t p1;
        FZ_REQUIRE(tml_t5_score_ex(m, &one, &columns, 0, &s1, &p1, NULL) == TML_OK, "score of one candidate");
        FZ_REQUIRE(fz_same_float(s1, score[probe[k]]) && p1 == pass[probe[k]],
                   "candidate %d: %.9g/%u alone, %.9g/%u in the batch", probe[k], s1, p1, score[probe[k]],
                   pass[probe[k]]);
    }
    /* The call without columns: the same results, or refused when the model reads columns. */
    float plain[N_T5];
    uint8_t plain_pass[N_T5];
    s = tml_t5_score(m, &g_batch, plain, plain_pass);
    FZ_REQUIRE(s == TML_OK || s == TML_ERR_INVALID_ARGUMENT, "tml_t5_score: status %d", s);
    if (s == TML_OK)
        for (int t = 0; t < N_T5; t++)
            FZ_REQUIRE(fz_same_float(plain[t], score[t]) && plain_pass[t] == pass[t], "tml_t5_score differs at %d", t);
    free(prob);
    free(features);
}

FZ_FILE_LOADER_TARGET(tml_t5_model, tml_t5_model_load, check_model, tml_t5_model_free)
