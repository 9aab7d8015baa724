/*
 * consumer: links an installed libtrigml (-ltrigml, no dlopen) and uses it
 * both ways a linked program can: the entry points by name, and the table
 * of tml_get_api. Scores one straight-line T5 candidate with the embedded
 * default model each way; the two scores must be the same bits.
 * TRIGML_PACKAGE_VERSION (the version find_package or pkg-config found)
 * must be the library's own tml_version().
 */
#include <stdio.h>
#include <string.h>

#include <trigml.h>

#ifndef TRIGML_PACKAGE_VERSION
#error "build with -DTRIGML_PACKAGE_VERSION=\"x.y.z\""
#endif

/* Five anchor hits of a straight track in barrel layers 1-5; two T3s
 * sharing hit 2; one T5. */
static const float md_r[5] = {23.0f, 36.0f, 51.0f, 68.0f, 86.0f};
static const float eta = 0.4f, phi = 0.3f;

static int score_one(tml_status (*make_default)(tml_t5_model **), void (*release)(tml_t5_model *),
                     tml_status (*score)(const tml_t5_model *, const tml_t5_batch *, float *, uint8_t *),
                     const char *(*last_error)(void), float *out)
{
    float x[5], y[5], z[5], r[5], etas[5], phis[5];
    uint8_t layer[5];
    for (int i = 0; i < 5; i++) {
        r[i] = md_r[i];
        x[i] = md_r[i] * 0.955336f; /* cos(0.3) */
        y[i] = md_r[i] * 0.295520f; /* sin(0.3) */
        z[i] = md_r[i] * 0.410752f; /* sinh(0.4) */
        etas[i] = eta;
        phis[i] = phi;
        layer[i] = (uint8_t)(i + 1);
    }
    const uint32_t t3_md[6] = {0, 1, 2, 2, 3, 4}, t5_t3[2] = {0, 1};
    const float t3_radius[2] = {1e4f, 1e4f};
    tml_t5_batch batch = {.n_md = 5, .md_x = x, .md_y = y, .md_z = z, .md_r = r, .md_eta = etas, .md_phi = phis,
                          .md_layer = layer, .n_t3 = 2, .t3_md = t3_md, .t3_radius = t3_radius, .n_t5 = 1,
                          .t5_t3 = t5_t3};
    tml_t5_model *model = NULL;
    uint8_t pass = 2;
    if (make_default(&model) != TML_OK || score(model, &batch, out, &pass) != TML_OK) {
        fprintf(stderr, "FAIL: %s\n", last_error());
        release(model);
        return 1;
    }
    release(model);
    if (!(*out >= 0.0f && *out <= 1.0f) || pass > 1) {
        fprintf(stderr, "FAIL: score %g, pass %u\n", (double)*out, (unsigned)pass);
        return 1;
    }
    return 0;
}

int main(void)
{
    if (tml_abi_version() != TML_ABI_VERSION || strcmp(tml_version(), TRIGML_PACKAGE_VERSION) != 0) {
        fprintf(stderr, "FAIL: library %s ABI %u; the package says %s ABI %u\n", tml_version(),
                (unsigned)tml_abi_version(), TRIGML_PACKAGE_VERSION, (unsigned)TML_ABI_VERSION);
        return 1;
    }
    float linked = -1.0f, tabled = -1.0f;
    if (score_one(tml_t5_model_default, tml_t5_model_free, tml_t5_score, tml_last_error, &linked) != 0) return 1;
    const tml_api *api = tml_get_api(TML_ABI_VERSION);
    if (!api || api->size < sizeof(tml_api)) {
        fprintf(stderr, "FAIL: tml_get_api(%u)\n", (unsigned)TML_ABI_VERSION);
        return 1;
    }
    if (score_one(api->t5_model_default, api->t5_model_free, api->t5_score, api->last_error, &tabled) != 0)
        return 1;
    if (memcmp(&linked, &tabled, sizeof linked) != 0) {
        fprintf(stderr, "FAIL: linked score %.9g, table score %.9g\n", (double)linked, (double)tabled);
        return 1;
    }
    printf("consumer: TrigML %s, ABI %u, default model score %.6f (linked = table)\n", tml_version(),
           (unsigned)tml_abi_version(), (double)linked);
    return 0;
}
