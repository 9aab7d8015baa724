/*
 * t5_v2_golden: parity of the library with the numpy reference on a
 * version-2 model (extra inputs from host columns, standardisation, softmax
 * with named working points, or an embedding).
 *
 *   t5_v2_golden [--tol=X] EVENTS MODEL GOLDEN
 *
 * EVENTS is a T5 event file with host columns, GOLDEN a "TMLT5GV2" file
 * (docs/formats/t5_events.md). Features (before standardisation) and
 * embeddings must agree to X relative to max(1, |golden|), scores and
 * probabilities to X absolute (NaN with NaN; default 1e-6, as the version-1
 * T5 goldens), pass flags exactly for every working point except where the
 * golden score is within X of a number of the model's working points
 * (a last-bit difference may flip the flag there).
 *
 * Fails when EVENTS, MODEL or GOLDEN is missing (a golden test without its
 * goldens proves nothing).
 */
#include <math.h>

#include "golden_compare.h"
#include "test_util.h"
#include "t5_file.h"

#define MAX_CUTS 65536

static double g_tol = 1e-6;
static double g_cuts[MAX_CUTS];
static int g_cut_count;

int main(int argc, char **argv)
{
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    for (int a = 1; a < argc; a++) {
        if (strncmp(argv[a], "--tol=", 6) == 0) g_tol = strtod(argv[a] + 6, NULL);
        else if (npos < 3) pos[npos++] = argv[a];
        else npos = 99;
    }
    if (npos != 3 || !(g_tol >= 0)) {
        fprintf(stderr, "usage: %s [--tol=X] EVENTS MODEL GOLDEN\n", argv[0]);
        return 2;
    }
    const char *events_path = pos[0], *model_path = pos[1], *golden_path = pos[2];
    /* A missing file fails, as test_require_files does for the other goldens. */
    if (!test_file_exists(events_path) || !test_file_exists(model_path) || !test_file_exists(golden_path)) {
        printf("FAIL: %s, %s or %s is missing (tools/t5/make_t5_v2_models.py writes them)\n", events_path,
               model_path, golden_path);
        return 1;
    }
    const tml_api *api = test_load_api();
    char err[1024];
    t5f_events ev;
    t5f_golden2 g;
    test_read_or_exit(t5f_read_events(events_path, &ev, err, sizeof err), err);
    test_read_or_exit(t5f_read_golden2(golden_path, &g, err, sizeof err), err);
    tml_t5_model *m = NULL;
    tml_status s = api->t5_model_load(model_path, &m);
    if (s != TML_OK) {
        fprintf(stderr, "FAIL: loading %s: %s: %s\n", model_path, tml_status_name(s), api->last_error());
        return 1;
    }
    int nin = api->t5_model_input_count(m), classes = api->t5_model_class_count(m);
    int dim = api->t5_model_embedding_dim(m), wps = api->t5_model_working_point_count(m);
    CHECK((uint32_t)nin == g.input_count, "model has %d inputs, golden file %u", nin, g.input_count);
    CHECK((uint32_t)classes == g.class_count, "model has %d classes, golden file %u", classes, g.class_count);
    CHECK((uint32_t)dim == g.embedding_dim, "model has embedding dim %d, golden file %u", dim, g.embedding_dim);
    CHECK((uint32_t)wps == g.working_point_count, "model has %d working points, golden file %u", wps,
          g.working_point_count);
    CHECK(ev.n_events == g.n_events, "event file has %u events, golden file %u", ev.n_events, g.n_events);
    if (g_failures) return test_finish("t5_v2_golden");
    g_cut_count = wps > 0 ? golden_read_cuts(model_path, g_cuts, MAX_CUTS) : 0;
    CHECK(wps == 0 || g_cut_count > 0, "no working-point numbers found in %s", model_path);

    uint64_t candidates = 0, bad_features = 0, bad_scores = 0, bad_probabilities = 0, bad_embedding = 0,
             bad_pass = 0, skipped = 0, accepted = 0;
    double max_feature = 0, max_score = 0, max_probability = 0, max_embedding = 0;
    for (uint32_t e = 0; e < ev.n_events; e++) {
        const t5f_golden2_event *ge = &g.events[e];
        tml_t5_batch b = t5f_batch(&ev.events[e]);
        tml_t5_columns cols = t5f_columns(&ev.events[e]);
        if (b.n_t5 != ge->n_t5) {
            CHECK(0, "event %u: %llu T5 in the event file, %llu in the golden file", e, (unsigned long long)b.n_t5,
                  (unsigned long long)ge->n_t5);
            continue;
        }
        size_t n = (size_t)b.n_t5;
        float *features = malloc(n * (size_t)nin * sizeof(float) + 1);
        float *score = malloc(n * sizeof(float) + 1);
        float *prob = malloc(n * (size_t)(classes > 0 ? classes : 1) * sizeof(float) + 1);
        float *embedding = malloc(n * (size_t)(dim > 0 ? dim : 1) * sizeof(float) + 1);
        uint8_t *pass = malloc(n + 1);
        s = api->t5_features_ex(m, &b, &cols, features);
        CHECK(s == TML_OK, "event %u: tml_t5_features_ex: %s: %s", e, tml_status_name(s), api->last_error());
        if (s == TML_OK) bad_features += golden_compare("feature", e, features, ge->features, n * (uint64_t)nin, g_tol, 1, &max_feature);
        if (dim > 0) {
            s = api->t5_embed(m, &b, &cols, embedding);
            CHECK(s == TML_OK, "event %u: tml_t5_embed: %s: %s", e, tml_status_name(s), api->last_error());
            if (s == TML_OK)
                bad_embedding += golden_compare("embedding", e, embedding, ge->embedding, n * (uint64_t)dim, g_tol, 1, &max_embedding);
        }
        for (int w = 0; w < wps; w++) {
            s = api->t5_score_ex(m, &b, &cols, w, score, pass, w == 0 ? prob : NULL);
            CHECK(s == TML_OK, "event %u wp %d: tml_t5_score_ex: %s: %s", e, w, tml_status_name(s), api->last_error());
            if (s != TML_OK) break;
            if (w == 0) {
                bad_scores += golden_compare("score", e, score, ge->score, n, g_tol, 0, &max_score);
                bad_probabilities +=
                    golden_compare("probability", e, prob, ge->probabilities, n * (uint64_t)classes, g_tol, 0, &max_probability);
            }
            char where[32];
            snprintf(where, sizeof where, " wp %d", w);
            for (size_t t = 0; t < n; t++) {
                uint8_t want = ge->pass[t * (size_t)wps + (size_t)w];
                accepted += want;
                bad_pass += golden_pass_differs(e, t, where, pass[t], want, score[t], ge->score[t], g_cuts, g_cut_count,
                                                g_tol, &skipped);
            }
        }
        candidates += n;
        free(features);
        free(score);
        free(prob);
        free(embedding);
        free(pass);
    }
    CHECK(bad_features == 0, "%llu feature values differ", (unsigned long long)bad_features);
    CHECK(bad_scores == 0, "%llu scores differ", (unsigned long long)bad_scores);
    CHECK(bad_probabilities == 0, "%llu probabilities differ", (unsigned long long)bad_probabilities);
    CHECK(bad_embedding == 0, "%llu embedding values differ", (unsigned long long)bad_embedding);
    CHECK(bad_pass == 0, "%llu pass flags differ", (unsigned long long)bad_pass);
    CHECK(candidates > 0, "the golden file holds no candidates");
    printf("%s vs %s: tolerance %.3g; %u events, %llu candidates x %d inputs, %d classes, %d working points, "
           "embedding dim %d; max |diff| feature %.3g, score %.3g, probability %.3g, embedding %.3g; "
           "%llu passes, %llu pass flags skipped near a cut\n",
           model_path, golden_path, g_tol, ev.n_events, (unsigned long long)candidates, nin, classes, wps, dim,
           max_feature, max_score, max_probability, max_embedding, (unsigned long long)accepted,
           (unsigned long long)skipped);
    api->t5_model_free(m);
    t5f_free_events(&ev);
    t5f_free_golden2(&g);
    return test_finish("t5_v2_golden");
}
