/*
 * isa_outputs: writes the raw bytes of one capability's outputs under the
 * kernel path this process runs (TRIGML_ISA), for Tests/c/isa_parity.sh,
 * which runs it once per path this CPU supports and compares the files
 * byte for byte (trigml.h, "CPU path": every path gives the same bits).
 *
 *   isa_outputs path                        prints tml_cpu_path(); 1 if refused
 *   isa_outputs t5 EVENTS MODEL OUT         scores and pass flags of every event
 *   isa_outputs forest MODEL OUT            margins of 4099 fixed pseudo-random rows (NaNs, +-0, infinities included)
 *   isa_outputs tagger JETS MODEL OUT       probabilities of every jet
 */
#include <math.h>
#include <stdint.h>

#include "jet_file.h"
#include "t5_file.h"
#include "test_util.h"

static int write_all(const char *path, const void *data, size_t bytes, FILE **file)
{
    if (!*file) *file = fopen(path, "wb");
    if (!*file) {
        fprintf(stderr, "FAIL: cannot write %s\n", path);
        return 1;
    }
    return fwrite(data, 1, bytes, *file) == bytes ? 0 : 1;
}

static int run_t5(const tml_api *api, const char *events_path, const char *model_path, const char *out_path)
{
    char err[1024];
    t5f_events ev;
    test_read_or_exit(t5f_read_events(events_path, &ev, err, sizeof err), err);
    tml_t5_model *m = NULL;
    tml_status s = api->t5_model_load(model_path, &m);
    CHECK(s == TML_OK, "t5_model_load %s: %s", model_path, api->last_error());
    if (s != TML_OK) return 1;
    FILE *file = NULL;
    for (uint32_t e = 0; e < ev.n_events; e++) {
        tml_t5_batch b = t5f_batch(&ev.events[e]);
        tml_t5_columns cols = t5f_columns(&ev.events[e]); /* empty for a version-1 event file */
        size_t n = (size_t)b.n_t5;
        float *score = malloc(n * sizeof(float) + 1);
        uint8_t *pass = malloc(n + 1);
        s = api->t5_score_ex(m, &b, &cols, 0, score, pass, NULL);
        CHECK(s == TML_OK, "event %u: tml_t5_score_ex: %s", e, api->last_error());
        CHECK(!write_all(out_path, score, n * sizeof(float), &file) && !write_all(out_path, pass, n, &file),
              "writing %s", out_path);
        free(score);
        free(pass);
    }
    if (file) fclose(file);
    api->t5_model_free(m);
    t5f_free_events(&ev);
    return test_finish("isa_outputs t5");
}

/* A fixed LCG (Numerical Recipes constants): the same rows in every process. */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

static int run_forest(const tml_api *api, const char *model_path, const char *out_path)
{
    tml_forest *forest = NULL;
    tml_status s = api->forest_load(model_path, &forest);
    CHECK(s == TML_OK, "forest_load %s: %s", model_path, api->last_error());
    if (s != TML_OK) return 1;
    size_t nf = (size_t)api->forest_feature_count(forest), rows = 4099;
    float *x = malloc(rows * nf * sizeof(float)), *out = malloc(rows * sizeof(float));
    uint32_t state = 12345;
    for (size_t i = 0; i < rows * nf; i++) {
        uint32_t r = next_random(&state);
        switch (r % 61) {
        case 0: x[i] = NAN; break;
        case 1: x[i] = -0.0f; break;
        case 2: x[i] = INFINITY; break;
        case 3: x[i] = -INFINITY; break;
        default: x[i] = ((float)(r >> 8) / 16777216.0f - 0.5f) * 8.0f;
        }
    }
    s = api->forest_predict(forest, rows, x, nf, 1, out);
    CHECK(s == TML_OK, "forest_predict: %s", api->last_error());
    FILE *file = NULL;
    CHECK(!write_all(out_path, out, rows * sizeof(float), &file), "writing %s", out_path);
    if (file) fclose(file);
    free(x);
    free(out);
    api->forest_free(forest);
    return test_finish("isa_outputs forest");
}

static int run_tagger(const tml_api *api, const char *jets_path, const char *model_path, const char *out_path)
{
    char err[1024];
    jet_file jets;
    if (jet_file_read(jets_path, &jets, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    tml_tagger *t = NULL;
    tml_status s = api->tagger_load(model_path, &t);
    CHECK(s == TML_OK, "tagger_load %s: %s", model_path, api->last_error());
    if (s != TML_OK) return 1;
    size_t n = (size_t)jets.n_jets * (size_t)api->tagger_output_count(t);
    float *out = malloc(n * sizeof(float) + 1);
    /* The model's own jet columns (a Deep Sets tagger may read none), as tagger_golden passes them. */
    int32_t n_jf = api->tagger_jet_feature_count(t);
    CHECK(n_jf >= 0 && (uint32_t)n_jf <= jets.jet_feature_count, "model reads %d jet features", n_jf);
    if (g_failures) return test_finish("isa_outputs tagger");
    float *jf = malloc(((size_t)jets.n_jets * (size_t)n_jf + 1) * sizeof(float));
    for (size_t j = 0; j < (size_t)jets.n_jets; j++)
        for (int32_t c = 0; c < n_jf; c++)
            jf[j * (size_t)n_jf + (size_t)c] = jets.jet_features[j * jets.jet_feature_count + (size_t)c];
    tml_jet_batch whole = jet_file_batch(&jets, 0, jets.n_jets);
    whole.jet_feature_count = (uint64_t)n_jf;
    whole.jet_features = jf;
    if (api->tagger_constituent_feature_count(t) == 0) { /* an MLP ignores the constituent members */
        whole.constituent_offsets = NULL;
        whole.constituent_feature_count = 0;
    }
    s = api->tagger_score(t, &whole, out);
    CHECK(s == TML_OK, "tagger_score: %s", api->last_error());
    FILE *file = NULL;
    CHECK(!write_all(out_path, out, n * sizeof(float), &file), "writing %s", out_path);
    if (file) fclose(file);
    free(out);
    free(jf);
    api->tagger_free(t);
    jet_file_free(&jets);
    return test_finish("isa_outputs tagger");
}

int main(int argc, char **argv)
{
    const tml_api *api = test_load_api();
    if (argc == 2 && strcmp(argv[1], "path") == 0) {
        const char *path = api->cpu_path();
        printf("%s\n", path ? path : "(refused)");
        return path ? 0 : 1;
    }
    if (argc == 5 && strcmp(argv[1], "t5") == 0) return run_t5(api, argv[2], argv[3], argv[4]);
    if (argc == 4 && strcmp(argv[1], "forest") == 0) return run_forest(api, argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "tagger") == 0) return run_tagger(api, argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: %s path | t5 EVENTS MODEL OUT | forest MODEL OUT | tagger JETS MODEL OUT\n", argv[0]);
    return 2;
}
