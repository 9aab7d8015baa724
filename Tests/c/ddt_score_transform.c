/*
 * ddt_score_transform: the score transform travels with the DDT map, and
 * ABI 1.0 callers keep working.
 *
 *  - An ABI 1.0 caller's tml_ddt_config (uint64_t min_entries, no
 *    score_transform; declared here as it was) in a heap block of exactly
 *    its size: tml_ddt_config_init fills it without writing past it (ASan
 *    watches the block in the sanitizer build), its min_entries reads 20,
 *    tml_ddt_build reads it as the identity and gives the map a current
 *    caller gets with TML_DDT_SCORE_IDENTITY, and a min_entries above
 *    2^31 - 1 is refused as it always was.
 *  - Probabilities through a TML_DDT_SCORE_LOGIT map give exactly (bit for
 *    bit) what an identity map gives on the float logits a host computed
 *    itself (ln p - ln(1 - p) in double, p clamped to [2^-149, 1 - 2^-24]),
 *    for the build and for the apply; the saved file records the transform.
 *  - The shipped map models/taggers/ddt_raw_q05.json on the tagger's
 *    probabilities equals the same map marked "identity" on their logits.
 *  - A logit map refuses a score outside [0, 1] (a logit passed by
 *    mistake), naming the jet, without writing anything.
 */
#include <math.h>
#include <stddef.h>
#include <unistd.h>

#include "jet_file.h"
#include "test_util.h"

static const tml_api *api;

#define CHECK_OK(call) test_expect(api, #call, (call), TML_OK, NULL, NULL)

/* tml_ddt_config as include/trigml.h declared it in ABI 1.0. */
typedef struct abi10_ddt_config {
    double background_efficiency, rho_min, rho_max, pt_min, pt_max;
    uint64_t min_entries;
    int32_t rho_bins, pt_bins, direction, empty_bins, smoothing, neighbours;
} abi10_ddt_config;

_Static_assert(sizeof(abi10_ddt_config) == sizeof(tml_ddt_config), "tml_ddt_config changed size");
_Static_assert(offsetof(abi10_ddt_config, rho_bins) == offsetof(tml_ddt_config, rho_bins), "rho_bins moved");
_Static_assert(offsetof(abi10_ddt_config, neighbours) == offsetof(tml_ddt_config, neighbours), "neighbours moved");
_Static_assert(offsetof(tml_ddt_config, score_transform) >= offsetof(abi10_ddt_config, min_entries) &&
                   offsetof(tml_ddt_config, score_transform) + sizeof(int32_t) <=
                       offsetof(abi10_ddt_config, min_entries) + sizeof(uint64_t),
               "score_transform must live in the old min_entries slot");

enum { N = 4000 };
static float g_p[N], g_z[N], g_mass[N], g_pt[N];

/* The logit as a host computes it (examples-c/tagger_host before the maps
 * recorded their transform; tools/taggers/tagger_train.py ddt_score). */
static float host_logit(float prob)
{
    if (isnan(prob)) return NAN;
    double p = fmin(fmax((double)prob, 0x1p-149), 1.0 - 0x1p-24);
    return (float)(log(p) - log1p(-p));
}

/* A deterministic background over the default map (rho in [-7, 0], pT in
 * [200, 1000] GeV) with probabilities over the whole [0, 1], both ends. */
static void make_sample(void)
{
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (int k = 0; k < N; k++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(state >> 11) / 9007199254740992.0;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        double v = (double)(state >> 11) / 9007199254740992.0;
        g_p[k] = k == 0 ? 0.0f : k == 1 ? 1.0f : (float)(u * u * (3 - 2 * u));
        g_z[k] = host_logit(g_p[k]);
        g_pt[k] = (float)(210 + 780 * v);
        g_mass[k] = (float)(g_pt[k] * exp(-0.5 * (0.3 + 6.5 * u * v)));
    }
}

static int same_bits(const float *a, const float *b, size_t n)
{
    return memcmp(a, b, n * sizeof(float)) == 0;
}

static void test_old_layout_caller(void)
{
    printf("ABI 1.0 caller\n");
    abi10_ddt_config *old = malloc(sizeof *old); /* exactly its size: ASan sees any overrun */
    memset(old, 0xA5, sizeof *old);
    CHECK_OK(api->ddt_config_init((tml_ddt_config *)old, 0.1));
    CHECK(old->min_entries == 20, "min_entries read as uint64: %llu", (unsigned long long)old->min_entries);
    CHECK(old->rho_bins == 35 && old->pt_bins == 8 && old->neighbours == 5, "defaults %d %d %d", old->rho_bins,
          old->pt_bins, old->neighbours);
    old->min_entries = 10; /* set as an ABI 1.0 caller does: all 64 bits */
    tml_ddt_map *from_old = NULL, *from_new = NULL;
    CHECK_OK(api->ddt_build(N, g_z, g_mass, g_pt, NULL, (const tml_ddt_config *)old, &from_old));
    tml_ddt_config cfg;
    CHECK_OK(api->ddt_config_init(&cfg, 0.1));
    CHECK(cfg.score_transform == TML_DDT_SCORE_IDENTITY, "default score_transform %d", cfg.score_transform);
    cfg.min_entries = 10;
    CHECK_OK(api->ddt_build(N, g_z, g_mass, g_pt, NULL, &cfg, &from_new));
    float a[N], b[N];
    if (from_old && from_new) {
        CHECK_OK(api->ddt_apply(from_old, N, g_z, g_mass, g_pt, a));
        CHECK_OK(api->ddt_apply(from_new, N, g_z, g_mass, g_pt, b));
        CHECK(same_bits(a, b, N), "the ABI 1.0 struct gives another map");
        printf("  ok  old-layout struct: same map as TML_DDT_SCORE_IDENTITY\n");
    }
    api->ddt_free(from_old);
    api->ddt_free(from_new);
    /* Refused before, refused now. */
    old->min_entries = 1ull << 40;
    tml_ddt_map *m = (tml_ddt_map *)1;
    test_expect(api, "old layout, min_entries 2^40", api->ddt_build(N, g_z, g_mass, g_pt, NULL, (const tml_ddt_config *)old, &m),
                TML_ERR_INVALID_ARGUMENT, "min_entries = 0", NULL);
    old->min_entries = (7ull << 32) | 10;
    test_expect(api, "old layout, min_entries 7 * 2^32 + 10", api->ddt_build(N, g_z, g_mass, g_pt, NULL, (const tml_ddt_config *)old, &m),
                TML_ERR_INVALID_ARGUMENT, "score_transform = 7", NULL);
    CHECK(m == NULL, "*out not NULL after a refusal");
    old->min_entries = 1ull << 31;
    test_expect(api, "old layout, min_entries 2^31", api->ddt_build(N, g_z, g_mass, g_pt, NULL, (const tml_ddt_config *)old, &m),
                TML_ERR_INVALID_ARGUMENT, "min_entries", NULL);
    free(old);
}

static void test_logit_equals_host_logit(void)
{
    printf("logit map on probabilities = identity map on host logits\n");
    tml_ddt_config cfg;
    CHECK_OK(api->ddt_config_init(&cfg, 0.05));
    cfg.min_entries = 5;
    tml_ddt_map *on_z = NULL, *on_p = NULL, *wrong = NULL;
    CHECK_OK(api->ddt_build(N, g_z, g_mass, g_pt, NULL, &cfg, &on_z));
    CHECK_OK(api->ddt_build(N, g_p, g_mass, g_pt, NULL, &cfg, &wrong)); /* the mistake: p on an identity map */
    cfg.score_transform = TML_DDT_SCORE_LOGIT;
    CHECK_OK(api->ddt_build(N, g_p, g_mass, g_pt, NULL, &cfg, &on_p));
    if (!on_z || !on_p || !wrong) return;
    static float old[N], got[N], mistaken[N];
    CHECK_OK(api->ddt_apply(on_z, N, g_z, g_mass, g_pt, old));
    CHECK_OK(api->ddt_apply(on_p, N, g_p, g_mass, g_pt, got));
    CHECK_OK(api->ddt_apply(wrong, N, g_p, g_mass, g_pt, mistaken));
    CHECK(same_bits(old, got, N), "a logit map on p differs from an identity map on z");
    CHECK(!same_bits(old, mistaken, N), "the identity map on p should differ (else this test cannot fail)");
    size_t passing = 0;
    for (int k = 0; k < N; k++) passing += got[k] > 0;
    printf("  ok  %d jets bit-identical (%zu pass)\n", N, passing);

    /* The file records it; a reload applies the same bits. */
    char path[] = "/tmp/tml_ddt_logit_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    if (fd >= 0) close(fd);
    CHECK_OK(api->ddt_save(on_p, path));
    char *text = NULL;
    size_t size = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        text = calloc(1, 1 << 20);
        size = fread(text, 1, (1 << 20) - 1, f);
        fclose(f);
    }
    CHECK(text && size && strstr(text, "\"score_transform\": \"logit\""), "the saved map does not record the logit");
    tml_ddt_map *back = NULL;
    CHECK_OK(api->ddt_load(path, &back));
    if (back) {
        static float again[N];
        CHECK_OK(api->ddt_apply(back, N, g_p, g_mass, g_pt, again));
        CHECK(same_bits(again, got, N), "save -> load changed the results");
    }
    api->ddt_free(back);
    free(text);
    unlink(path);

    /* A logit passed to a logit map by mistake: refused, nothing written. */
    float out[3] = {7, 7, 7}, bad[3] = {0.5f, 2.5f, 0.25f};
    test_expect(api, "logit map, score 2.5", api->ddt_apply(on_p, 3, bad, g_mass, g_pt, out), TML_ERR_INVALID_ARGUMENT,
                "score[1] = 2.5", "not a probability");
    CHECK(out[0] == 7 && out[1] == 7 && out[2] == 7, "written despite the refusal");
    float bad_build[N];
    memcpy(bad_build, g_p, sizeof bad_build);
    bad_build[123] = -0.5f;
    tml_ddt_map *m = (tml_ddt_map *)1;
    test_expect(api, "logit build, score -0.5", api->ddt_build(N, bad_build, g_mass, g_pt, NULL, &cfg, &m),
                TML_ERR_INVALID_ARGUMENT, "score[123]", "not a probability");
    CHECK(m == NULL, "*out not NULL after a refusal");
    cfg.score_transform = 7;
    test_expect(api, "score_transform 7", api->ddt_build(N, g_p, g_mass, g_pt, NULL, &cfg, &m), TML_ERR_INVALID_ARGUMENT,
                "score_transform = 7", NULL);
    api->ddt_free(on_z);
    api->ddt_free(on_p);
    api->ddt_free(wrong);
}

/* The shipped map with its transform on p vs the same map marked identity
 * on the host's logits (the old way of using it), on the demo jets. */
static void test_shipped_map(void)
{
    printf("models/taggers/ddt_raw_q05.json\n");
    char map_path[1024], model_path[1024], jets_path[1024];
    test_source_path(map_path, sizeof map_path, "models/taggers/ddt_raw_q05.json");
    test_source_path(model_path, sizeof model_path, "models/taggers/mlp_raw.json");
    test_source_path(jets_path, sizeof jets_path, "examples-c/tagger_host/demo_jets.bin");
    char err[512];
    jet_file jets;
    if (jet_file_read(jets_path, &jets, err, sizeof err) != 0) {
        CHECK(0, "%s", err);
        return;
    }
    tml_tagger *tagger = NULL;
    tml_ddt_map *shipped = NULL, *identity = NULL;
    CHECK_OK(api->tagger_load(model_path, &tagger));
    CHECK_OK(api->ddt_load(map_path, &shipped));
    size_t n = (size_t)jets.n_jets;
    float *p = malloc(n * sizeof(float)), *z = malloc(n * sizeof(float));
    float *with_p = malloc(n * sizeof(float)), *with_z = malloc(n * sizeof(float));
    tml_jet_batch b = jet_file_batch(&jets, 0, jets.n_jets);
    CHECK_OK(api->tagger_score(tagger, &b, p));
    for (size_t j = 0; j < n; j++) z[j] = host_logit(p[j]);
    /* the same file, marked identity */
    FILE *f = fopen(map_path, "rb");
    char *text = calloc(1, 1 << 20);
    size_t size = f ? fread(text, 1, (1 << 20) - 1, f) : 0;
    if (f) fclose(f);
    char *mark = strstr(text, "\"score_transform\": \"logit\"");
    CHECK(size && mark, "the shipped map does not record score_transform logit");
    char tmp[] = "/tmp/tml_ddt_identity_XXXXXX";
    int fd = mkstemp(tmp);
    if (mark && fd >= 0) {
        FILE *out = fdopen(fd, "wb");
        fwrite(text, 1, (size_t)(mark - text), out);
        fputs("\"score_transform\": \"identity\"", out);
        fputs(mark + strlen("\"score_transform\": \"logit\""), out);
        fclose(out);
        CHECK_OK(api->ddt_load(tmp, &identity));
    }
    if (shipped && identity) {
        CHECK_OK(api->ddt_apply(shipped, n, p, jets.mass, jets.pt, with_p));
        CHECK_OK(api->ddt_apply(identity, n, z, jets.mass, jets.pt, with_z));
        CHECK(same_bits(with_p, with_z, n), "the shipped map on p differs from the map on z");
        printf("  ok  %zu demo jets bit-identical\n", n);
    }
    unlink(tmp);
    free(text), free(p), free(z), free(with_p), free(with_z);
    api->ddt_free(shipped);
    api->ddt_free(identity);
    api->tagger_free(tagger);
    jet_file_free(&jets);
}

int main(void)
{
    api = test_load_api();
    make_sample();
    test_old_layout_caller();
    test_logit_equals_host_logit();
    test_shipped_map();
    return test_finish("ddt_score_transform");
}
