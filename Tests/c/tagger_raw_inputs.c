/*
 * tagger_raw_inputs: a tagger file of format version 2 names each input
 * and carries its transform, so a host passes the physics quantity (the
 * constituent multiplicity, not multiplicity / 50). On the golden jets
 * (Tests/golden/taggers/jets.bin, raw multiplicity), the version-2 golden
 * taggers give bit for bit what the version-1 files they replaced
 * (Tests/golden/taggers/v1/) give on the inputs normalised as before
 * (multiplicity / 50 in float); version-1 files keep loading unchanged;
 * and the version-1 file on raw inputs does differ (so the test can fail).
 */
#include "jet_file.h"
#include "test_util.h"

static const tml_api *api;

#define MULTIPLICITY 6 /* the jet-feature column (tools/taggers/jets_parametric.py JET_FEATURES) */

static float *score_file(const char *relative, const jet_file *jets, const float *jet_features)
{
    char path[1024];
    test_source_path(path, sizeof path, relative);
    tml_tagger *t = NULL;
    tml_status st = api->tagger_load(path, &t);
    CHECK(st == TML_OK, "%s: %s", relative, api->last_error());
    if (!t) return NULL;
    int32_t outputs = api->tagger_output_count(t);
    float *out = malloc((size_t)jets->n_jets * (size_t)outputs * sizeof(float));
    tml_jet_batch b = jet_file_batch(jets, 0, jets->n_jets);
    b.jet_features = jet_features;
    st = api->tagger_score(t, &b, out);
    CHECK(st == TML_OK, "%s: score: %s", relative, api->last_error());
    api->tagger_free(t);
    return out;
}

static void compare(const char *name, int32_t outputs, const jet_file *jets, const float *normalised)
{
    char v1[256], v2[256];
    snprintf(v1, sizeof v1, "Tests/golden/taggers/v1/%s.json", name);
    snprintf(v2, sizeof v2, "Tests/golden/taggers/%s.json", name);
    float *before = score_file(v1, jets, normalised);
    float *after = score_file(v2, jets, jets->jet_features);
    float *misused = score_file(v1, jets, jets->jet_features);
    size_t bytes = (size_t)jets->n_jets * (size_t)outputs * sizeof(float);
    if (before && after && misused) {
        CHECK(memcmp(before, after, bytes) == 0, "%s: version 2 on raw inputs differs from version 1 on normalised inputs", name);
        CHECK(memcmp(before, misused, bytes) != 0, "%s: version 1 on raw multiplicities should differ", name);
        printf("  ok  %-18s %llu jets x %d outputs bit-identical\n", name, (unsigned long long)jets->n_jets, outputs);
    }
    free(before), free(after), free(misused);
}

int main(void)
{
    api = test_load_api();
    char path[1024], err[512];
    jet_file jets;
    test_source_path(path, sizeof path, "Tests/golden/taggers/jets.bin");
    if (jet_file_read(path, &jets, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    CHECK(jets.jet_feature_count == 7, "jet_feature_count %u", jets.jet_feature_count);
    size_t n = (size_t)jets.n_jets * jets.jet_feature_count;
    float *normalised = malloc(n * sizeof(float));
    memcpy(normalised, jets.jet_features, n * sizeof(float));
    int integral = 1;
    for (uint64_t j = 0; j < jets.n_jets; j++) {
        float *m = &normalised[j * jets.jet_feature_count + MULTIPLICITY];
        integral &= *m == (float)(int)*m && *m >= 1;
        *m = *m / 50.0f; /* what the training sample stored */
    }
    CHECK(integral, "the golden jets' multiplicity column is not the raw count");
    compare("mlp_softmax", 3, &jets, normalised);
    compare("deepsets_sigmoid", 1, &jets, normalised);
    free(normalised);
    jet_file_free(&jets);
    return test_finish("tagger_raw_inputs");
}
