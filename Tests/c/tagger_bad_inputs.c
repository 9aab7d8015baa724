/*
 * tagger_bad_inputs: every kind of bad input to the tagger, discriminant,
 * DDT and metric entry points through the C ABI gives the documented
 * status and a non-empty message, writes no output, and never crashes
 * (also run under ASan/UBSan). Also the jet-file reader on corrupt files.
 */
#include <math.h>
#include <unistd.h>

#include "jet_file.h"
#include "test_util.h"

static const tml_api *api;

#define SENTINEL 12345.0f

/* The call must return `want` with a non-empty message. */
#define EXPECT(want, call, what)                                                                            \
    do {                                                                                                    \
        tml_status st_ = (call);                                                                            \
        const char *msg_ = api->last_error();                                                                \
        CHECK(st_ == (want), "%s: got %s (%s), want %s", what, tml_status_name(st_), msg_, tml_status_name(want)); \
        CHECK(st_ == TML_OK || (msg_ && msg_[0]), "%s: empty message", what);                               \
        if (st_ != TML_OK && st_ == (want)) printf("  ok %-52s %s: %s\n", what, tml_status_name(st_), msg_);     \
    } while (0)

static void fill(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = SENTINEL;
}

static int untouched(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != SENTINEL) return 0;
    return 1;
}

static const char *golden(char *buf, size_t size, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "Tests/golden/taggers/%s", name);
    return test_source_path(buf, size, rel);
}

/* A copy of a text file with the first occurrence of `from` replaced. */
static int write_variant(const char *src, const char *dst, const char *from, const char *to)
{
    size_t size;
    char *text = test_read_file(src, &size);
    if (!text) return -1;
    char *at = from ? strstr(text, from) : NULL;
    FILE *o = fopen(dst, "wb");
    if (!o) {
        free(text);
        return -1;
    }
    if (at) {
        fwrite(text, 1, (size_t)(at - text), o);
        fputs(to, o);
        fputs(at + strlen(from), o);
    } else if (!from) { /* truncate to `to` bytes, given as a decimal string */
        fwrite(text, 1, (size_t)atol(to), o);
    }
    fclose(o);
    free(text);
    return (at || !from) ? 0 : -1;
}

/* ----------------------------------------------------------------- taggers */

static void test_tagger(void)
{
    char path[1024], tmp[256];
    tml_tagger *t = NULL, *mlp = NULL;
    printf("tagger load / score:\n");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->tagger_load(NULL, &t), "load: NULL path");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->tagger_load(golden(path, sizeof path, "deepsets_sigmoid.json"), NULL),
           "load: NULL out");
    EXPECT(TML_ERR_IO, api->tagger_load("/nonexistent/tagger.json", &t), "load: missing file");
    CHECK(t == NULL, "out not NULL after a failed load");

    snprintf(tmp, sizeof tmp, "/tmp/tagger_bad_%ld.json", (long)getpid());
    golden(path, sizeof path, "deepsets_sigmoid.json");
    /* truncated JSON */
    CHECK(write_variant(path, tmp, NULL, "300") == 0, "write %s", tmp);
    EXPECT(TML_ERR_FORMAT, api->tagger_load(tmp, &t), "load: truncated JSON");
    /* unknown kind */
    CHECK(write_variant(path, tmp, "\"deep_sets\"", "\"transformer\"") == 0, "write %s", tmp);
    EXPECT(TML_ERR_FORMAT, api->tagger_load(tmp, &t), "load: unknown kind");
    /* F's first layer does not fit Phi's output + the jet features */
    CHECK(write_variant(path, tmp, "\"inputs\": 15", "\"inputs\": 14") == 0, "write %s (inputs 15)", tmp);
    EXPECT(TML_ERR_SHAPE, api->tagger_load(tmp, &t), "load: f[0].inputs mismatched");
    /* a sigmoid head over 2 logits is a shape error */
    golden(path, sizeof path, "mlp_softmax.json");
    CHECK(write_variant(path, tmp, "\"softmax\"", "\"sigmoid\"") == 0, "write %s", tmp);
    EXPECT(TML_ERR_SHAPE, api->tagger_load(tmp, &t), "load: sigmoid over 3 logits");
    CHECK(t == NULL, "out not NULL after a failed load");
    unlink(tmp);

    CHECK(api->tagger_output_count(NULL) == -1 && api->tagger_jet_feature_count(NULL) == -1 &&
              api->tagger_constituent_feature_count(NULL) == -1,
          "count getters on NULL must return -1");
    api->tagger_free(NULL);

    tml_status st = api->tagger_load(golden(path, sizeof path, "deepsets_sigmoid.json"), &t);
    CHECK(st == TML_OK, "load deepsets_sigmoid: %s", api->last_error());
    st = api->tagger_load(golden(path, sizeof path, "mlp_sigmoid.json"), &mlp);
    CHECK(st == TML_OK, "load mlp_sigmoid: %s", api->last_error());
    if (!t || !mlp) {
        api->tagger_free(t);
        api->tagger_free(mlp);
        return;
    }
    /* 3 jets, 7 jet features, constituents 3 + 0 + 2 of 3 features */
    float jf[3 * 7], cf[5 * 3], out[3];
    for (int i = 0; i < 21; i++) jf[i] = 0.1f * (float)(i % 7);
    for (int i = 0; i < 15; i++) cf[i] = -0.2f * (float)(i % 3);
    uint64_t off[4] = {0, 3, 3, 5};
    tml_jet_batch good = {3, 7, jf, off, 5, 3, cf};
    tml_jet_batch b;

    fill(out, 3);
    EXPECT(TML_OK, api->tagger_score(t, &good, out), "score: a good batch");
    CHECK(!isnan(out[0]) && !isnan(out[1]) && !isnan(out[2]), "good batch gave NaN");

#define BAD_SCORE(want, tagger, batch_ptr, out_ptr, what)                                      \
    do {                                                                                       \
        fill(out, 3);                                                                          \
        EXPECT(want, api->tagger_score(tagger, batch_ptr, out_ptr), what);                      \
        CHECK(untouched(out, 3), "%s: output written by a failing call", what);                \
    } while (0)

    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, NULL, &good, out, "score: NULL tagger");
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, NULL, out, "score: NULL batch");
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &good, NULL, "score: NULL out");
    b = good, b.jet_feature_count = 6;
    BAD_SCORE(TML_ERR_SHAPE, t, &b, out, "score: jet_feature_count 6 for 7");
    b = good, b.constituent_feature_count = 4;
    BAD_SCORE(TML_ERR_SHAPE, t, &b, out, "score: constituent_feature_count 4 for 3");
    b = good, b.jet_feature_count = 8;
    BAD_SCORE(TML_ERR_SHAPE, mlp, &b, out, "score (mlp): jet_feature_count 8 for 7");
    uint64_t not_monotone[4] = {0, 3, 2, 5};
    b = good, b.constituent_offsets = not_monotone;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: offsets not monotone");
    CHECK(strstr(api->last_error(), "monotone") != NULL, "message should say monotone: %s", api->last_error());
    uint64_t past_end[4] = {0, 3, 3, 6};
    b = good, b.constituent_offsets = past_end;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: last offset past the end");
    uint64_t first_past[4] = {9, 9, 9, 9};
    b = good, b.constituent_offsets = first_past;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: every offset past the end");
    uint64_t huge[4] = {0, UINT64_MAX, UINT64_MAX, UINT64_MAX};
    b = good, b.constituent_offsets = huge;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: offset UINT64_MAX");
    b = good, b.n_constituents = 4;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: n_constituents below the last offset");
    b = good, b.constituent_offsets = NULL;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: NULL offsets for Deep Sets");
    b = good, b.constituent_features = NULL;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: NULL constituent_features");
    b = good, b.jet_features = NULL;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: NULL jet_features");
    b = good, b.n_jets = UINT64_MAX;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: n_jets = UINT64_MAX");
    b = good, b.n_jets = UINT64_MAX / 4;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, mlp, &b, out, "score (mlp): n_jets = 2^62");
    b = good, b.n_constituents = UINT64_MAX / 2;
    BAD_SCORE(TML_ERR_INVALID_ARGUMENT, t, &b, out, "score: n_constituents = 2^63");

    /* Allowed: an MLP ignores the constituent members, even garbage ones; a
     * slice whose first offset is not 0; no jets at all with NULL arrays. */
    b = good, b.constituent_offsets = not_monotone, b.constituent_features = NULL, b.constituent_feature_count = 99;
    EXPECT(TML_OK, api->tagger_score(mlp, &b, out), "score (mlp): constituent members ignored");
    b = good, b.n_jets = 1, b.constituent_offsets = off + 2, b.jet_features = jf + 14;
    float last_alone;
    EXPECT(TML_OK, api->tagger_score(t, &b, &last_alone), "score: slice starting at offset 3");
    fill(out, 3);
    api->tagger_score(t, &good, out);
    CHECK(last_alone == out[2], "slice score %g differs from the batch score %g", last_alone, out[2]);
    tml_jet_batch empty = {0, 7, NULL, NULL, 0, 3, NULL};
    EXPECT(TML_OK, api->tagger_score(t, &empty, NULL), "score: no jets, NULL arrays");

    /* NaN policy: a NaN jet feature, an infinite constituent feature: that
     * jet's outputs are NaN, the others are untouched by it, status OK. */
    float ref[3];
    memcpy(ref, out, sizeof ref);
    jf[7] = NAN; /* jet 1, feature 0 */
    cf[14] = INFINITY; /* jet 2's last constituent */
    EXPECT(TML_OK, api->tagger_score(t, &good, out), "score: NaN / Inf features");
    CHECK(out[0] == ref[0] && isnan(out[1]) && isnan(out[2]), "NaN policy: got %g %g %g", out[0], out[1], out[2]);
    api->tagger_free(t);
    api->tagger_free(mlp);
}

/* ----------------------------------------------------------- discriminant */

static void test_discriminant(void)
{
    printf("tml_discriminant_log_ratio:\n");
    const float prob[] = {0.5f, 0.2f, 0.3f};
    const float good[] = {0.0f, 0.3f, 0.7f};
    float out[1];
#define BAD_D(want, n, k, p, s, f, o, what)                                               \
    do {                                                                                  \
        out[0] = SENTINEL;                                                                \
        EXPECT(want, api->discriminant_log_ratio(n, k, p, s, f, o), what);                 \
        CHECK(out[0] == SENTINEL, "%s: output written", what);                            \
    } while (0)
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 1, prob, 0, good, out, "n_classes = 1");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, -3, prob, 0, good, out, "n_classes = -3");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, prob, 3, good, out, "signal_class = 3 of 3");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, prob, -1, good, out, "signal_class = -1");
    const float sum09[] = {0.0f, 0.3f, 0.6f}, negf[] = {0.0f, 1.5f, -0.5f}, nanf[] = {0.0f, NAN, 1.0f};
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, prob, 0, sum09, out, "fractions sum to 0.9");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, prob, 0, negf, out, "negative fraction");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, prob, 0, nanf, out, "NaN fraction");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, prob, 0, NULL, out, "NULL fractions");
    BAD_D(TML_ERR_INVALID_ARGUMENT, 1, 3, NULL, 0, good, out, "NULL prob");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->discriminant_log_ratio(1, 3, prob, 0, good, NULL), "NULL out");
    BAD_D(TML_ERR_INVALID_ARGUMENT, UINT64_MAX / 2, 3, prob, 0, good, out, "n = 2^63");
}

/* -------------------------------------------------------------------- DDT */

enum { ND = 400 };
static float g_score[ND], g_mass[ND], g_pt[ND];

static void test_ddt(void)
{
    printf("DDT:\n");
    tml_ddt_config cfg, c;
    tml_ddt_map *map = NULL;
    for (int k = 0; k < ND; k++) {
        g_pt[k] = 300.0f + (float)(k % 20) * 35.0f;
        g_mass[k] = 40.0f + (float)(k % 23) * 10.0f;
        g_score[k] = (float)((k * 37) % 101) / 101.0f;
    }
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_config_init(NULL, 0.05), "config_init: NULL");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_config_init(&cfg, 0.0), "config_init: q = 0");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_config_init(&cfg, 1.0), "config_init: q = 1");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_config_init(&cfg, -0.1), "config_init: q = -0.1");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_config_init(&cfg, NAN), "config_init: q = NaN");
    EXPECT(TML_OK, api->ddt_config_init(&cfg, 0.05), "config_init: q = 0.05");
    cfg.rho_bins = 4;
    cfg.pt_bins = 2;
    cfg.min_entries = 5;

#define BAD_BUILD(want, n, s, m, p, w, conf, what)                                    \
    do {                                                                              \
        map = (tml_ddt_map *)&map; /* must be reset to NULL */                        \
        EXPECT(want, api->ddt_build(n, s, m, p, w, conf, &map), what);                 \
        CHECK(map == NULL, "%s: out not NULL after failure", what);                   \
        if (map && map != (tml_ddt_map *)&map) api->ddt_free(map);                     \
        map = NULL;                                                                   \
    } while (0)

    /* One line per rejected configuration: distinct cases, alike on purpose. */
    c = cfg, c.background_efficiency = 1.5;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: q = 1.5");
    c = cfg, c.background_efficiency = 0.0;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: q = 0");
    c = cfg, c.rho_bins = 0;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: rho_bins = 0");
    c = cfg, c.rho_bins = 1024, c.pt_bins = 1024;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: 1024 x 1024 bins");
    c = cfg, c.rho_min = 0, c.rho_max = -7;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: rho_min > rho_max");
    c = cfg, c.pt_max = NAN;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: pt_max NaN");
    c = cfg, c.min_entries = 0;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: min_entries = 0");
    c = cfg, c.neighbours = 0;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: neighbours = 0");
    c = cfg, c.direction = 7;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: direction = 7");
    c = cfg, c.empty_bins = -1;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: empty_bins = -1");
    c = cfg, c.smoothing = 2;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: smoothing = 2");
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, NULL, "build: NULL config");
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, 0, g_score, g_mass, g_pt, NULL, &cfg, "build: n = 0");
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, NULL, g_mass, g_pt, NULL, &cfg, "build: NULL score");
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, NULL, g_pt, NULL, &cfg, "build: NULL mass");
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, NULL, NULL, &cfg, "build: NULL pt");
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, UINT64_MAX, g_score, g_mass, g_pt, NULL, &cfg, "build: n = UINT64_MAX");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_build(ND, g_score, g_mass, g_pt, NULL, &cfg, NULL), "build: NULL out");

    /* one bad jet among good ones: the message names it */
    struct {
        float *col;
        float value;
        const char *what, *needle;
    } bad_values[] = {
        {g_mass, NAN, "build: NaN mass", "mass[17]"},
        {g_mass, -1.0f, "build: negative mass", "mass[17]"},
        {g_pt, 0.0f, "build: pT = 0", "pt[17]"},
        {g_pt, -300.0f, "build: negative pT", "pt[17]"},
        {g_pt, INFINITY, "build: infinite pT", "pt[17]"},
        {g_score, NAN, "build: NaN score", "score[17]"},
    };
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        float keep = bad_values[i].col[17];
        bad_values[i].col[17] = bad_values[i].value;
        BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &cfg, bad_values[i].what);
        CHECK(strstr(api->last_error(), bad_values[i].needle) != NULL, "%s: message should name %s: %s",
              bad_values[i].what, bad_values[i].needle, api->last_error());
        bad_values[i].col[17] = keep;
    }
    float w[ND];
    for (int k = 0; k < ND; k++) w[k] = 1.0f;
    w[5] = -1.0f;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, w, &cfg, "build: negative weight");
    w[5] = NAN;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, w, &cfg, "build: NaN weight");
    for (int k = 0; k < ND; k++) w[k] = 0.0f;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, w, &cfg, "build: all weights 0 (empty map)");
    /* every jet outside the map: no bin can be filled */
    c = cfg, c.pt_min = 2000, c.pt_max = 3000;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: every jet outside the map");
    /* empty bins with EMPTY_FAIL */
    c = cfg, c.rho_bins = 35, c.pt_bins = 8, c.min_entries = 2, c.empty_bins = TML_DDT_EMPTY_FAIL;
    BAD_BUILD(TML_ERR_INVALID_ARGUMENT, ND, g_score, g_mass, g_pt, NULL, &c, "build: empty bin with EMPTY_FAIL");
    CHECK(strstr(api->last_error(), "bin (rho") != NULL, "EMPTY_FAIL: message should name the bin: %s",
          api->last_error());
    /* ... the same sample fills them with EMPTY_FILL */
    c.empty_bins = TML_DDT_EMPTY_FILL;
    EXPECT(TML_OK, api->ddt_build(ND, g_score, g_mass, g_pt, NULL, &c, &map), "build: empty bins filled");
    if (!map) return;

    float out[ND];
#define BAD_APPLY(want, m, n, s, ma, p, o, what)                                        \
    do {                                                                                \
        fill(out, 4);                                                                   \
        EXPECT(want, api->ddt_apply(m, n, s, ma, p, o), what);                           \
        CHECK(untouched(out, 4), "%s: output written", what);                           \
    } while (0)
    BAD_APPLY(TML_ERR_INVALID_ARGUMENT, NULL, 4, g_score, g_mass, g_pt, out, "apply: NULL map");
    BAD_APPLY(TML_ERR_INVALID_ARGUMENT, map, 4, NULL, g_mass, g_pt, out, "apply: NULL score");
    BAD_APPLY(TML_ERR_INVALID_ARGUMENT, map, 4, g_score, NULL, g_pt, out, "apply: NULL mass");
    BAD_APPLY(TML_ERR_INVALID_ARGUMENT, map, 4, g_score, g_mass, NULL, out, "apply: NULL pt");
    BAD_APPLY(TML_ERR_INVALID_ARGUMENT, map, UINT64_MAX, g_score, g_mass, g_pt, out, "apply: n = UINT64_MAX");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_apply(map, 4, g_score, g_mass, g_pt, NULL), "apply: NULL out");
    EXPECT(TML_OK, api->ddt_apply(map, 0, NULL, NULL, NULL, NULL), "apply: n = 0");
    /* NaN mass, pT <= 0: NaN out, status OK */
    const float s4[] = {0.5f, 0.5f, 0.5f, 0.5f}, m4[] = {NAN, 100.0f, 100.0f, -3.0f}, p4[] = {500.0f, 0.0f, -1.0f, 500.0f};
    EXPECT(TML_OK, api->ddt_apply(map, 4, s4, m4, p4, out), "apply: NaN mass, pT <= 0, mass < 0");
    CHECK(isnan(out[0]) && isnan(out[1]) && isnan(out[2]) && isnan(out[3]), "apply: want 4 NaN, got %g %g %g %g",
          out[0], out[1], out[2], out[3]);

    char tmp[256], bad[256];
    snprintf(tmp, sizeof tmp, "/tmp/tagger_bad_ddt_%ld.json", (long)getpid());
    snprintf(bad, sizeof bad, "/tmp/tagger_bad_ddt_%ld_x.json", (long)getpid());
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_save(NULL, tmp), "save: NULL map");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_save(map, NULL), "save: NULL path");
    EXPECT(TML_ERR_IO, api->ddt_save(map, "/nonexistent/dir/map.json"), "save: unwritable path");
    EXPECT(TML_OK, api->ddt_save(map, tmp), "save");
    tml_ddt_map *loaded = NULL;
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_load(NULL, &loaded), "load: NULL path");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->ddt_load(tmp, NULL), "load: NULL out");
    EXPECT(TML_ERR_IO, api->ddt_load("/nonexistent/map.json", &loaded), "load: missing file");
    CHECK(write_variant(tmp, bad, NULL, "200") == 0, "write %s", bad);
    EXPECT(TML_ERR_FORMAT, api->ddt_load(bad, &loaded), "load: truncated map");
    CHECK(write_variant(tmp, bad, "\"trigml.ddt-map\"", "\"trigml.tagger\"") == 0, "write %s", bad);
    EXPECT(TML_ERR_FORMAT, api->ddt_load(bad, &loaded), "load: wrong format name");
    CHECK(write_variant(tmp, bad, "\"background_efficiency\": 0.05", "\"background_efficiency\": 1.5") == 0,
          "write %s (background_efficiency)", bad);
    tml_status st = api->ddt_load(bad, &loaded);
    CHECK(st == TML_ERR_FORMAT || st == TML_ERR_INVALID_ARGUMENT, "load: q = 1.5 in the file: %s: %s",
          tml_status_name(st), api->last_error());
    CHECK(st != TML_OK && api->last_error()[0], "load: q = 1.5 accepted");
    CHECK(loaded == NULL, "out not NULL after a failed load");
    api->ddt_free(loaded);
    api->ddt_free(NULL);
    unlink(tmp);
    unlink(bad);
    api->ddt_free(map);
}

/* ------------------------------------------------------------------ metric */

static void test_metric(void)
{
    printf("tml_metric_r50_jsd:\n");
    float s[] = {0.6f, 0.8f, 0.9f, 0.1f}, m[] = {80.0f, 85.0f, 60.0f, 70.0f}, w[] = {1, 1, 1, 1};
    uint8_t sig[] = {1, 1, 0, 0}, none[] = {0, 0, 0, 0}, all[] = {1, 1, 1, 1};
    double r = -1, ij = -1;
    EXPECT(TML_OK, api->metric_r50_jsd(4, s, sig, m, w, &r, &ij), "metric: good");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(0, s, sig, m, w, &r, &ij), "metric: n = 0");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(UINT64_MAX, s, sig, m, w, &r, &ij), "metric: n = UINT64_MAX");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, NULL, sig, m, w, &r, &ij), "metric: NULL score");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, NULL, m, w, &r, &ij), "metric: NULL is_signal");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, NULL, w, &r, &ij), "metric: NULL mass");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, m, w, NULL, &ij), "metric: NULL rejection");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, m, w, &r, NULL), "metric: NULL inverse_jsd");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, none, m, w, &r, &ij), "metric: no signal");
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, all, m, w, &r, &ij), "metric: no background");
    m[2] = NAN;
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, m, w, &r, &ij), "metric: NaN mass");
    m[2] = 60.0f;
    s[1] = INFINITY;
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, m, w, &r, &ij), "metric: infinite score");
    s[1] = 0.8f;
    w[3] = -1.0f;
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, m, w, &r, &ij), "metric: negative weight");
    w[3] = 1.0f;
    w[0] = w[1] = 0.0f;
    EXPECT(TML_ERR_INVALID_ARGUMENT, api->metric_r50_jsd(4, s, sig, m, w, &r, &ij), "metric: signal weight 0");
}

/* ------------------------------------------------------------ jet file reader */

/* A copy of the file's bytes with `width` bytes at `at` replaced by those of
 * `value` must be refused by jet_file_read with a message. */
static void expect_patch_refused(const char *tmp, const char *bytes, size_t size, size_t at, uint64_t value,
                                 size_t width, const char *what)
{
    char err[1024] = "";
    char *copy = malloc(size);
    memcpy(copy, bytes, size);
    memcpy(copy + at, &value, width);
    CHECK(test_write_file(tmp, copy, size) == 0, "write %s", tmp);
    free(copy);
    jet_file k;
    int rc = jet_file_read(tmp, &k, err, sizeof err);
    CHECK(rc != 0 && err[0], "corrupt %s accepted", what);
    if (rc == 0) jet_file_free(&k);
    else printf("  ok %-52s %s\n", what, err);
}

static void test_jet_file(void)
{
    printf("jet file reader:\n");
    char path[1024], tmp[256], err[1024];
    jet_file j;
    golden(path, sizeof path, "jets.bin");
    if (jet_file_read(path, &j, err, sizeof err) != 0) {
        CHECK(0, "read %s: %s", path, err);
        return;
    }
    CHECK(j.n_jets > 0 && j.jet_feature_count == 7 && j.constituent_feature_count == 3 &&
              j.offsets[j.n_jets] == j.n_constituents,
          "golden jets: %llu jets, %u/%u features", (unsigned long long)j.n_jets, j.jet_feature_count,
          j.constituent_feature_count);
    snprintf(tmp, sizeof tmp, "/tmp/tagger_bad_jets_%ld.bin", (long)getpid());
    /* write -> read round trip */
    jet_file k;
    CHECK(jet_file_write(tmp, &j, err, sizeof err) == 0, "write: %s", err);
    CHECK(jet_file_read(tmp, &k, err, sizeof err) == 0, "re-read: %s", err);
    if (k.n_jets == j.n_jets)
        CHECK(memcmp(k.offsets, j.offsets, (j.n_jets + 1) * 8) == 0 &&
                  memcmp(k.constituent_features, j.constituent_features,
                         j.n_constituents * j.constituent_feature_count * 4) == 0,
              "round trip changed the columns");
    jet_file_free(&k);

    /* every truncation fails cleanly */
    size_t size;
    char *bytes = test_read_file(path, &size);
    CHECK(bytes != NULL, "read golden jets");
    if (!bytes) return;
    int failures = 0;
    for (size_t cut = 0; cut < size; cut += (cut < 64 ? 1 : 97)) {
        test_write_file(tmp, bytes, cut);
        if (jet_file_read(tmp, &k, err, sizeof err) == 0) {
            failures++;
            jet_file_free(&k);
        } else if (!err[0]) failures++;
    }
    CHECK(failures == 0, "%d truncated files were accepted or gave no message", failures);

    /* corrupt fields: huge counts, bad magic, trailing bytes, bad offsets */
    struct {
        size_t at;
        uint64_t value;
        int width;
        const char *what;
    } corrupt[] = {
        {0, 0x5858585858585858ull, 8, "magic"},
        {8, UINT64_MAX, 8, "n_jets = UINT64_MAX"},
        {8, 1ull << 40, 8, "n_jets = 2^40"},
        {16, UINT64_MAX / 3, 8, "n_constituents huge"},
        {24, 0xFFFFFFFFu, 4, "jet_feature_count = 2^32-1"},
        {28, 1u << 20, 4, "constituent_feature_count = 2^20"},
    };
    for (size_t i = 0; i < sizeof corrupt / sizeof corrupt[0]; i++)
        expect_patch_refused(tmp, bytes, size, corrupt[i].at, corrupt[i].value, (size_t)corrupt[i].width,
                             corrupt[i].what);
    /* offsets: the file's offsets column starts after the jet columns */
    size_t n = (size_t)j.n_jets;
    size_t off_at = 32 + n * 13 + n * j.jet_feature_count * 4;
    struct {
        size_t index;
        uint64_t value;
        const char *what;
    } offsets[] = {
        {0, 1, "offsets[0] = 1"},
        {5, 0, "offsets not monotone"},
        {n, j.n_constituents + 1, "last offset past the end"},
        {3, UINT64_MAX, "offset UINT64_MAX"},
    };
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        expect_patch_refused(tmp, bytes, size, off_at + offsets[i].index * 8, offsets[i].value, 8, offsets[i].what);
    /* test_read_file put a NUL after the bytes: one trailing byte. */
    test_write_file(tmp, bytes, size + 1);
    CHECK(jet_file_read(tmp, &k, err, sizeof err) != 0, "a trailing byte was accepted");
    CHECK(jet_file_read("/nonexistent/jets.bin", &k, err, sizeof err) != 0 && err[0], "missing file accepted");
    CHECK(jet_file_read(NULL, &k, err, sizeof err) != 0, "NULL path accepted");
    jet_scores sc;
    CHECK(jet_scores_read(path, &sc, err, sizeof err) != 0, "a jet file read as a score file");
    free(bytes);
    unlink(tmp);
    jet_file_free(&j);
}

int main(void)
{
    api = test_load_api();
    test_tagger();
    test_discriminant();
    test_ddt();
    test_metric();
    test_jet_file();
    return test_finish("tagger_bad_inputs");
}
