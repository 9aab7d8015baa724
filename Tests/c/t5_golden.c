/*
 * t5_golden: parity of the library with the numpy reference in tools/.
 *
 *   t5_golden [--score-tol=X] [--feature-tol=X] EVENTS MODEL GOLDEN [MODEL_JSON_FOR_CUTS]
 *
 * MODEL is a model JSON path, or "default" for the embedded model (then
 * MODEL_JSON_FOR_CUTS names the JSON it was embedded from, for its cuts).
 * Features must agree to 1e-6 relative (NaN with NaN, Inf with same-sign
 * Inf), scores to 1e-6 absolute (NaN with NaN), pass flags exactly except
 * for candidates whose golden score is within 1e-6 of any cut of the model
 * (there a last-bit difference may legitimately flip the flag). The two
 * tolerances can be changed with the options (the pass-flag window follows
 * --score-tol).
 *
 * Exits 77 (ctest: skipped) when EVENTS or GOLDEN does not exist yet.
 */
#include <math.h>

#include "golden_compare.h"
#include "test_util.h"
#include "t5_file.h"

#define MAX_CUTS 4096

static double g_score_tol = 1e-6;   /* absolute */
static double g_feature_tol = 1e-6; /* relative to max(1, |golden|) */

int main(int argc, char **argv)
{
    const char *pos[4] = {NULL, NULL, NULL, NULL};
    int npos = 0;
    for (int a = 1; a < argc; a++) {
        if (strncmp(argv[a], "--score-tol=", 12) == 0) g_score_tol = strtod(argv[a] + 12, NULL);
        else if (strncmp(argv[a], "--feature-tol=", 14) == 0) g_feature_tol = strtod(argv[a] + 14, NULL);
        else if (npos < 4) pos[npos++] = argv[a];
        else npos = 99;
    }
    if (npos < 3 || npos > 4 || !(g_score_tol >= 0) || !(g_feature_tol >= 0)) {
        fprintf(stderr, "usage: %s [--score-tol=X] [--feature-tol=X] EVENTS MODEL|default GOLDEN [MODEL_JSON_FOR_CUTS]\n",
                argv[0]);
        return 2;
    }
    const char *events_path = pos[0], *model_arg = pos[1], *golden_path = pos[2];
    int is_default = strcmp(model_arg, "default") == 0;
    const char *cuts_path = is_default ? pos[3] : model_arg;
    test_require_files(events_path, golden_path, "tools/t5/make_t5_golden.py");
    const tml_api *api = test_load_api();
    char err[1024];
    t5f_events ev;
    t5f_golden g;
    test_read_or_exit(t5f_read_events(events_path, &ev, err, sizeof err), err);
    test_read_or_exit(t5f_read_golden(golden_path, &g, err, sizeof err), err);
    double cuts[MAX_CUTS];
    int n_cuts = cuts_path ? golden_read_cuts(cuts_path, cuts, MAX_CUTS) : -1;
    if (n_cuts <= 0) {
        fprintf(stderr, "FAIL: no working-point cut found in %s\n", cuts_path ? cuts_path : "(no model JSON given)");
        return 1;
    }

    tml_t5_model *m = NULL;
    tml_status s = is_default ? api->t5_model_default(&m) : api->t5_model_load(model_arg, &m);
    if (s != TML_OK) {
        fprintf(stderr, "FAIL: loading model %s: %s: %s\n", model_arg, tml_status_name(s), api->last_error());
        return 1;
    }
    int nin = api->t5_model_input_count(m);
    CHECK((uint32_t)nin == g.input_count, "model has %d inputs, golden file %u", nin, g.input_count);
    CHECK(ev.n_events == g.n_events, "event file has %u events, golden file %u", ev.n_events, g.n_events);
    if (g_failures) return test_finish("t5_golden");

    uint64_t candidates = 0, feature_bad = 0, score_bad = 0, pass_bad = 0, pass_skipped = 0, nan_scores = 0,
             accepted = 0;
    double max_feature_diff = 0, max_score_diff = 0;
    for (uint32_t e = 0; e < ev.n_events; e++) {
        const t5f_golden_event *ge = &g.events[e];
        tml_t5_batch b = t5f_batch(&ev.events[e]);
        if (b.n_t5 != ge->n_t5) {
            CHECK(0, "event %u: %llu T5 in the event file, %llu in the golden file", e, (unsigned long long)b.n_t5,
                  (unsigned long long)ge->n_t5);
            continue;
        }
        size_t n = (size_t)b.n_t5;
        float *features = malloc(n * (size_t)nin * sizeof(float) + 1);
        float *score = malloc(n * sizeof(float) + 1);
        uint8_t *pass = malloc(n + 1);
        s = api->t5_features(m, &b, features);
        CHECK(s == TML_OK, "event %u: tml_t5_features: %s: %s", e, tml_status_name(s), api->last_error());
        tml_status s2 = api->t5_score(m, &b, score, pass);
        CHECK(s2 == TML_OK, "event %u: tml_t5_score: %s: %s", e, tml_status_name(s2), api->last_error());
        if (s == TML_OK && s2 == TML_OK) {
            candidates += n;
            feature_bad += golden_compare("feature", e, features, ge->features, n * (uint64_t)nin, g_feature_tol, 1,
                                          &max_feature_diff);
            score_bad += golden_compare("score", e, score, ge->score, n, g_score_tol, 0, &max_score_diff);
            for (size_t t = 0; t < n; t++) {
                nan_scores += isnan(ge->score[t]);
                accepted += ge->pass[t];
                pass_bad += golden_pass_differs(e, t, "", pass[t], ge->pass[t], score[t], ge->score[t], cuts, n_cuts,
                                                g_score_tol, &pass_skipped);
            }
        }
        free(features);
        free(score);
        free(pass);
    }
    CHECK(feature_bad == 0, "%llu feature values differ", (unsigned long long)feature_bad);
    CHECK(score_bad == 0, "%llu scores differ", (unsigned long long)score_bad);
    CHECK(pass_bad == 0, "%llu pass flags differ", (unsigned long long)pass_bad);
    CHECK(candidates > 0, "the golden file holds no candidates");
    printf("tolerances: feature %.3g relative, score %.3g absolute\n", g_feature_tol, g_score_tol);
    printf("%s vs %s: %u events, %llu candidates x %d features; max |diff| feature %.3g, score %.3g; "
           "%llu NaN scores, %llu accepted, %llu pass flags skipped (score within %.3g of one of %d cuts)\n",
           is_default ? "embedded default model" : model_arg, golden_path, ev.n_events,
           (unsigned long long)candidates, nin, max_feature_diff, max_score_diff, (unsigned long long)nan_scores,
           (unsigned long long)accepted, (unsigned long long)pass_skipped, g_score_tol, n_cuts);

    api->t5_model_free(m);
    t5f_free_events(&ev);
    t5f_free_golden(&g);
    return test_finish("t5_golden");
}
