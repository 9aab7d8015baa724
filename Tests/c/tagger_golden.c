/*
 * tagger_golden: tagger scores through the C ABI against the numpy
 * reference (tools/taggers/tagger_golden.py wrote both files).
 *
 *   tagger_golden [--tol=X] JETS MODEL SCORES
 *
 * Every probability must agree to 1e-6 absolute (NaN with NaN: the golden
 * jets end with edge cases, among them a NaN jet feature and an infinite
 * constituent feature). Scoring the file in slices (1, 7 and 50 jets per
 * call, each slice passed with the file's own CSR offsets, so the first
 * offset is not 0) must give bit-identical results to one call over the
 * whole file.
 *
 * Exits 77 (ctest: skipped) when JETS or SCORES does not exist.
 */
#include <math.h>

#include "jet_file.h"
#include "test_util.h"

#define MAX_REPORTS 10

static double g_tol = 1e-6;

int main(int argc, char **argv)
{
    int arg = 1;
    while (arg < argc && strncmp(argv[arg], "--tol=", 6) == 0) g_tol = atof(argv[arg++] + 6);
    if (argc - arg != 3) {
        fprintf(stderr, "usage: tagger_golden [--tol=X] JETS MODEL SCORES\n");
        return 2;
    }
    const char *jets_path = argv[arg], *model_path = argv[arg + 1], *scores_path = argv[arg + 2];
    test_require_files(jets_path, scores_path, "tools/taggers/tagger_golden.py");
    const tml_api *api = test_load_api();
    char err[1024];
    jet_file jets;
    jet_scores golden;
    if (jet_file_read(jets_path, &jets, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    if (jet_scores_read(scores_path, &golden, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        jet_file_free(&jets);
        return 1;
    }
    tml_tagger *t = NULL;
    tml_status st = api->tagger_load(model_path, &t);
    CHECK(st == TML_OK && t, "tml_tagger_load(%s): %s: %s", model_path, tml_status_name(st), api->last_error());
    if (!t) goto done;

    int32_t n_out = api->tagger_output_count(t);
    int32_t n_jf = api->tagger_jet_feature_count(t);
    int32_t n_cf = api->tagger_constituent_feature_count(t);
    printf("tagger_golden: %s: %d outputs, %d jet features, %d constituent features; %llu jets\n", model_path, n_out,
           n_jf, n_cf, (unsigned long long)jets.n_jets);
    CHECK(n_out == (int32_t)golden.output_count, "output_count %d, golden file has %u", n_out, golden.output_count);
    CHECK(golden.n_jets == jets.n_jets, "golden file has %llu jets, jet file %llu", (unsigned long long)golden.n_jets,
          (unsigned long long)jets.n_jets);
    CHECK(n_jf >= 0 && (uint32_t)n_jf <= jets.jet_feature_count, "model reads %d jet features, file has %u", n_jf,
          jets.jet_feature_count);
    if (g_failures) goto done;

    /* A model may read fewer jet features than the file has (a Deep Sets
     * tagger with none): pass a copy with just the model's columns. */
    size_t n = (size_t)jets.n_jets, k = (size_t)n_out;
    float *jf = malloc((n * (size_t)n_jf + 1) * sizeof(float));
    for (size_t j = 0; j < n; j++)
        for (int32_t c = 0; c < n_jf; c++) jf[j * (size_t)n_jf + (size_t)c] = jets.jet_features[j * jets.jet_feature_count + (size_t)c];
    tml_jet_batch whole = jet_file_batch(&jets, 0, jets.n_jets);
    whole.jet_feature_count = (uint64_t)n_jf;
    whole.jet_features = jf;
    if (n_cf == 0) { /* an MLP ignores the constituent members */
        whole.constituent_offsets = NULL;
        whole.constituent_feature_count = 0;
    }
    float *out = malloc(n * k * sizeof(float));
    float *sliced = malloc(n * k * sizeof(float));
    st = api->tagger_score(t, &whole, out);
    CHECK(st == TML_OK, "tml_tagger_score: %s: %s", tml_status_name(st), api->last_error());

    double worst = 0;
    size_t bad = 0, nan_jets = 0;
    for (size_t i = 0; i < n * k && st == TML_OK; i++) {
        float got = out[i], want = golden.scores[i];
        if (isnan(want) && i % k == 0) nan_jets++;
        int ok;
        if (isnan(want) || isnan(got)) ok = isnan(want) && isnan(got);
        else {
            double d = fabs((double)got - (double)want);
            if (d > worst) worst = d;
            ok = d <= g_tol;
        }
        if (!ok && bad++ < MAX_REPORTS)
            fprintf(stderr, "FAIL jet %zu output %zu: got %.9g, golden %.9g\n", i / k, i % k, got, want);
    }
    CHECK(bad == 0, "%zu of %zu probabilities differ from the golden file by more than %g", bad, n * k, g_tol);
    CHECK(nan_jets > 0, "the golden jets should include NaN edge cases");
    printf("tagger_golden: max |diff| %.3g over %zu probabilities (%zu NaN jets matched)\n", worst, n * k, nan_jets);

    /* Results do not depend on the batch size or where the batch starts. */
    static const uint64_t slice_sizes[] = {1, 7, 50};
    for (size_t s = 0; s < sizeof slice_sizes / sizeof slice_sizes[0] && st == TML_OK; s++) {
        memset(sliced, 0, n * k * sizeof(float));
        for (uint64_t first = 0; first < jets.n_jets; first += slice_sizes[s]) {
            uint64_t count = jets.n_jets - first < slice_sizes[s] ? jets.n_jets - first : slice_sizes[s];
            tml_jet_batch b = whole;
            b.n_jets = count;
            b.jet_features = jf + first * (uint64_t)n_jf;
            if (b.constituent_offsets) b.constituent_offsets = jets.offsets + first;
            tml_status ss = api->tagger_score(t, &b, sliced + first * k);
            CHECK(ss == TML_OK, "slice at %llu: %s", (unsigned long long)first, api->last_error());
        }
        CHECK(memcmp(sliced, out, n * k * sizeof(float)) == 0, "scores in slices of %llu differ from one call",
              (unsigned long long)slice_sizes[s]);
    }
    free(jf);
    free(out);
    free(sliced);
done:
    api->tagger_free(t);
    jet_scores_free(&golden);
    jet_file_free(&jets);
    return test_finish("tagger_golden");
}
