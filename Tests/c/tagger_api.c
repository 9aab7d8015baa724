/*
 * tagger_api: the decorrelated-tagger entry points on cases whose answers
 * are worked out by hand in the comments:
 *   - tml_discriminant_log_ratio (2 and 3 classes, epsilon guard, NaN rows);
 *   - DDT maps: exact weighted quantiles on a one-bin map, both directions,
 *     empty-bin filling, edge clamping, NaN policy; build -> apply -> save ->
 *     load -> apply -> save round trip (bit-identical outputs, byte-identical
 *     files) on a synthetic background with rho dependence;
 *   - tml_metric_r50_jsd (unit and non-unit weights, +inf and NaN cases).
 */
#include <math.h>
#include <unistd.h>

#include "test_util.h"

static const tml_api *api;

#define CHECK_OK(call)                                                                                    \
    do {                                                                                                  \
        tml_status st_ = (call);                                                                          \
        CHECK(st_ == TML_OK, "%s -> %s: %s", #call, tml_status_name(st_), api->last_error());              \
    } while (0)

static int close_rel(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fmax(1.0, fabs(want));
}

/* ----------------------------------------------------- log-ratio discriminant */

static void test_discriminant(void)
{
    /* 2 classes, signal 0: D = ln((0.8 + 1e-10) / (1 * 0.2 + 1e-10)) = ln 4. */
    const float p2[] = {0.8f, 0.2f, 0.0f, 0.0f, 0.0f, 1.0f, NAN, 0.5f, -0.5f, 0.5f};
    const float f2[] = {12345.0f /* signal entry: ignored */, 1.0f};
    float d2[5];
    CHECK_OK(api->discriminant_log_ratio(5, 2, p2, 0, f2, d2));
    CHECK(close_rel(d2[0], log(4.0), 1e-6), "ln 4: got %.9g", d2[0]);
    /* p = (0, 0): both sides are epsilon, D = ln 1 = 0 exactly. */
    CHECK(d2[1] == 0.0f, "(0, 0): got %.9g", d2[1]);
    /* p = (0, 1): ln(1e-10 / (1 + 1e-10)) = -23.02585093. */
    CHECK(close_rel(d2[2], log(1e-10 / (1 + 1e-10)), 1e-6), "(0, 1): got %.9g", d2[2]);
    /* a NaN probability and a negative ratio give NaN */
    CHECK(isnan(d2[3]), "NaN row: got %.9g", d2[3]);
    CHECK(isnan(d2[4]), "negative ratio: got %.9g", d2[4]);

    /* 3 classes (w, top, qcd), signal w, fractions top 0.3, qcd 0.7:
     * p = (0.5, 0.2, 0.3): D = ln(0.5 / (0.06 + 0.21)) = ln(0.5 / 0.27) = 0.6161861394. */
    const float p3[] = {0.5f, 0.2f, 0.3f, 0.1f, 0.1f, 0.8f};
    const float f3[] = {0.0f, 0.3f, 0.7f};
    float d3[2];
    CHECK_OK(api->discriminant_log_ratio(2, 3, p3, 0, f3, d3));
    CHECK(close_rel(d3[0], 0.6161861394, 1e-6), "3 classes: got %.9g", d3[0]);
    /* signal = class 2 (the last), fractions 0.5 / 0.5, the signal entry NaN
     * (ignored): p = (0.1, 0.1, 0.8): D = ln(0.8 / 0.1) = ln 8 = 2.0794415417. */
    const float f3b[] = {0.5f, 0.5f, NAN};
    CHECK_OK(api->discriminant_log_ratio(2, 3, p3, 2, f3b, d3));
    CHECK(close_rel(d3[1], log(8.0), 1e-6), "signal class 2: got %.9g", d3[1]);
    /* row 0 with signal class 2: ln(0.3 / (0.5 * 0.5 + 0.5 * 0.2)) = ln(0.3 / 0.35) */
    CHECK(close_rel(d3[0], log(0.3 / 0.35), 1e-6), "signal class 2 row 0: got %.9g", d3[0]);
    /* n = 0 writes nothing and needs no arrays */
    CHECK_OK(api->discriminant_log_ratio(0, 3, NULL, 0, f3, NULL));
}

/* ---------------------------------------------------------------- DDT maps */

/* m = 100 GeV, pT = 500 GeV: rho = 2 ln(0.2) = -3.22, inside the defaults. */
static void one_bin_config(tml_ddt_config *cfg, double q, int32_t direction)
{
    tml_status st = api->ddt_config_init(cfg, q);
    CHECK(st == TML_OK, "config_init(%g): %s", q, api->last_error());
    cfg->rho_bins = 1;
    cfg->pt_bins = 1;
    cfg->min_entries = 1;
    cfg->direction = direction;
}

static void test_ddt_quantiles(void)
{
    tml_ddt_config cfg;
    const float score[] = {2.0f, 4.0f, 1.0f, 3.0f}; /* sorted: 1 2 3 4 */
    const float mass[] = {100, 100, 100, 100}, pt[] = {500, 500, 500, 500};
    tml_ddt_map *map = NULL;
    float probe[3] = {4.0f, 3.0f, 1.0f}, out[3];

    /* Defaults as documented. */
    CHECK_OK(api->ddt_config_init(&cfg, 0.05));
    CHECK(cfg.background_efficiency == 0.05 && cfg.rho_min == -7 && cfg.rho_max == 0 && cfg.pt_min == 200 &&
              cfg.pt_max == 1000 && cfg.min_entries == 20 && cfg.rho_bins == 35 && cfg.pt_bins == 8 &&
              cfg.direction == TML_DDT_HIGHER_PASSES && cfg.empty_bins == TML_DDT_EMPTY_FILL &&
              cfg.smoothing == TML_DDT_SMOOTHING_NONE && cfg.neighbours == 5,
          "tml_ddt_config_init defaults differ from the header");

    /* Higher passes, q = 0.25: level 0.75. Unit weights: positions 0.125,
     * 0.375, 0.625, 0.875; 0.75 lies between 3 (0.625) and 4 (0.875):
     * X = 3 + (4 - 3) * (0.125 / 0.25) = 3.5. out = score - X. */
    one_bin_config(&cfg, 0.25, TML_DDT_HIGHER_PASSES);
    CHECK_OK(api->ddt_build(4, score, mass, pt, NULL, &cfg, &map));
    CHECK_OK(api->ddt_apply(map, 3, probe, mass, pt, out));
    CHECK(out[0] == 0.5f && out[1] == -0.5f && out[2] == -2.5f, "unit weights: got %g %g %g (want 0.5 -0.5 -2.5)",
          out[0], out[1], out[2]);
    api->ddt_free(map);
    map = NULL;

    /* Weights 1 1 1 3 in sorted order (jet with score 4 weighs 3): W = 6,
     * positions 0.5/6, 1.5/6, 2.5/6, 4.5/6 = 0.75 = the level: X = s_n = 4. */
    const float weight[] = {1.0f, 3.0f, 1.0f, 1.0f};
    CHECK_OK(api->ddt_build(4, score, mass, pt, weight, &cfg, &map));
    CHECK_OK(api->ddt_apply(map, 3, probe, mass, pt, out));
    CHECK(out[0] == 0.0f && out[1] == -1.0f, "weights 1 1 1 3: got %g %g (want 0 -1)", out[0], out[1]);
    api->ddt_free(map);
    map = NULL;

    /* A zero weight removes the jet: with weights 1 0 1 1 the score-4 jet is
     * dropped, leaving scores 1 2 3 at positions 1/6, 1/2, 5/6;
     * level 0.75: X = 2 + (3 - 2) * ((0.75 - 0.5) / (1/3)) = 2.75. */
    const float weight0[] = {1.0f, 0.0f, 1.0f, 1.0f};
    CHECK_OK(api->ddt_build(4, score, mass, pt, weight0, &cfg, &map));
    CHECK_OK(api->ddt_apply(map, 1, probe, mass, pt, out));
    CHECK(close_rel(out[0], 4.0 - 2.75, 1e-7), "zero weight: got %.9g (want 1.25)", out[0]);
    api->ddt_free(map);
    map = NULL;

    /* Lower passes, q = 0.25: level 0.25 between 1 (0.125) and 2 (0.375):
     * X = 1.5; out = X - score. */
    one_bin_config(&cfg, 0.25, TML_DDT_LOWER_PASSES);
    CHECK_OK(api->ddt_build(4, score, mass, pt, NULL, &cfg, &map));
    CHECK_OK(api->ddt_apply(map, 3, probe, mass, pt, out));
    CHECK(out[0] == -2.5f && out[1] == -1.5f && out[2] == 0.5f, "lower passes: got %g %g %g (want -2.5 -1.5 0.5)",
          out[0], out[1], out[2]);

    /* NaN policy and clamping: mass 0 (rho = -inf) takes the lowest rho, a jet
     * far outside the pT range the edge value; non-finite values, mass < 0
     * and pT <= 0 give NaN with status OK. */
    const float s7[] = {1.0f, 1.0f, 1.0f, NAN, 1.0f, 1.0f, 1.0f, 1.0f, INFINITY};
    const float m7[] = {0.0f, 100.0f, 100.0f, 100.0f, NAN, -1.0f, 100.0f, 100.0f, 100.0f};
    const float p7[] = {500.0f, 5.0f, 1e6f, 500.0f, 500.0f, 500.0f, 0.0f, -500.0f, 500.0f};
    float o7[9];
    CHECK_OK(api->ddt_apply(map, 9, s7, m7, p7, o7));
    CHECK(o7[0] == 0.5f && o7[1] == 0.5f && o7[2] == 0.5f, "edge clamping: %g %g %g (want 0.5)", o7[0], o7[1], o7[2]);
    for (int k = 3; k < 9; k++) CHECK(isnan(o7[k]), "apply input %d: want NaN, got %g", k, o7[k]);
    api->ddt_free(map);
    map = NULL;

    /* Empty-bin filling: 2 rho bins over [-7, 0), jets only in bin 1
     * (rho = -3.22 is in [-3.5, 0)). The empty bin 0 takes the only filled
     * bin's value, so the map is flat: X = 3.5 everywhere. */
    one_bin_config(&cfg, 0.25, TML_DDT_HIGHER_PASSES);
    cfg.rho_bins = 2;
    CHECK_OK(api->ddt_build(4, score, mass, pt, NULL, &cfg, &map));
    const float sm[] = {3.5f, 3.5f}, mm[] = {100.0f, 2.0f}, pm[] = {500.0f, 500.0f};
    float om[2];
    CHECK_OK(api->ddt_apply(map, 2, sm, mm, pm, om));
    CHECK(om[0] == 0.0f && om[1] == 0.0f, "filled empty bin: got %g %g (want 0 0)", om[0], om[1]);
    api->ddt_free(map);
    map = NULL;
    /* ... and with TML_DDT_EMPTY_FAIL the build names the bin. */
    cfg.empty_bins = TML_DDT_EMPTY_FAIL;
    tml_status st = api->ddt_build(4, score, mass, pt, NULL, &cfg, &map);
    CHECK(st == TML_ERR_INVALID_ARGUMENT && !map && strstr(api->last_error(), "bin"),
          "EMPTY_FAIL: %s: %s", tml_status_name(st), api->last_error());
}

/* k-NN smoothing and neighbour filling on maps small enough to do by hand.
 * Jet A (score 1) at rho = -6, jet B (score 4) at rho = -1, pT 500 GeV,
 * min_entries 1, so a bin holding one jet has that jet's score. */
static void test_ddt_neighbours(void)
{
    const float score[] = {1.0f, 4.0f};
    const float pt[] = {500.0f, 500.0f};
    const float mass[] = {(float)(500 * exp(-3.0)), (float)(500 * exp(-0.5))};
    const float zero[] = {0.0f, 0.0f, 0.0f};
    float out[3];
    tml_ddt_config cfg;
    tml_ddt_map *map = NULL;
    one_bin_config(&cfg, 0.5, TML_DDT_HIGHER_PASSES);

    /* 2 rho bins ([-7, -3.5), [-3.5, 0)), no smoothing: X = 1 and 4; both
     * jets lie beyond their bin centre towards the edge, so lookup clamps. */
    cfg.rho_bins = 2;
    CHECK_OK(api->ddt_build(2, score, mass, pt, NULL, &cfg, &map));
    CHECK_OK(api->ddt_apply(map, 2, zero, mass, pt, out));
    CHECK(out[0] == -1.0f && out[1] == -4.0f, "2 bins, no smoothing: %g %g (want -1 -4)", out[0], out[1]);
    api->ddt_free(map);
    map = NULL;

    /* k-NN smoothing, k = 2: neighbours at distance 0 (weight 1) and 1
     * (weight 1/2): bin 0 = (1 + 4/2) / 1.5 = 2, bin 1 = (1/2 + 4) / 1.5 = 3. */
    cfg.smoothing = TML_DDT_SMOOTHING_KNN;
    cfg.neighbours = 2;
    CHECK_OK(api->ddt_build(2, score, mass, pt, NULL, &cfg, &map));
    CHECK_OK(api->ddt_apply(map, 2, zero, mass, pt, out));
    CHECK(close_rel(out[0], -2.0, 1e-6) && close_rel(out[1], -3.0, 1e-6), "k-NN smoothing: %.9g %.9g (want -2 -3)",
          out[0], out[1]);
    api->ddt_free(map);
    map = NULL;

    /* 3 rho bins, the middle one empty and filled from its 2 nearest filled
     * bins, both at distance 1: (1/2 * 1 + 1/2 * 4) / 1 = 2.5. Probed at the
     * middle bin's centre (rho = -3.5, m = 500 e^-1.75). */
    cfg.smoothing = TML_DDT_SMOOTHING_NONE;
    cfg.rho_bins = 3;
    CHECK_OK(api->ddt_build(2, score, mass, pt, NULL, &cfg, &map));
    const float m3[] = {mass[0], (float)(500 * exp(-1.75)), mass[1]}, p3[] = {500.0f, 500.0f, 500.0f};
    CHECK_OK(api->ddt_apply(map, 3, zero, m3, p3, out));
    CHECK(out[0] == -1.0f && fabs(out[1] + 2.5) < 1e-5 && out[2] == -4.0f, "filled middle bin: %.9g %.9g %.9g "
          "(want -1 -2.5 -4)", out[0], out[1], out[2]);
    api->ddt_free(map);
}

/* Deterministic pseudo-random numbers (64-bit LCG, top 24 bits). */
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static double uniform(void)
{
    g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(g_rng >> 40) / 16777216.0;
}

static int files_equal(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

static void test_ddt_round_trip(void)
{
    enum { N = 20000 };
    float *score = malloc(N * sizeof(float)), *mass = malloc(N * sizeof(float)), *pt = malloc(N * sizeof(float));
    float *weight = malloc(N * sizeof(float)), *neg = malloc(N * sizeof(float));
    float *a = malloc(N * sizeof(float)), *b = malloc(N * sizeof(float)), *c = malloc(N * sizeof(float));
    for (int k = 0; k < N; k++) {
        pt[k] = (float)(300 + 700 * uniform());
        mass[k] = (float)(20 + 280 * uniform());
        double rho = 2 * log((double)mass[k] / pt[k]);
        /* a score that sculpts: it rises with rho */
        score[k] = (float)(0.1 * (rho + 7) + 0.3 * uniform());
        weight[k] = (float)(0.5 + uniform());
        neg[k] = -score[k];
    }
    tml_ddt_config cfg;
    CHECK_OK(api->ddt_config_init(&cfg, 0.1));
    cfg.pt_min = 300;
    cfg.rho_bins = 14;
    cfg.pt_bins = 4;
    tml_ddt_map *map = NULL, *loaded = NULL, *lower = NULL;
    CHECK_OK(api->ddt_build(N, score, mass, pt, weight, &cfg, &map));
    if (!map) goto out;
    CHECK_OK(api->ddt_apply(map, N, score, mass, pt, a));

    /* The map removes the rho dependence: weighted pass fraction near q in
     * the whole sample and in each half of rho. */
    double pass[2] = {0, 0}, total[2] = {0, 0};
    for (int k = 0; k < N; k++) {
        int h = 2 * log((double)mass[k] / pt[k]) < -3.5;
        total[h] += weight[k];
        if (a[k] > 0) pass[h] += weight[k];
    }
    for (int h = 0; h < 2; h++)
        CHECK(fabs(pass[h] / total[h] - 0.1) < 0.02, "rho half %d: pass fraction %.4f, want 0.10 +- 0.02", h,
              pass[h] / total[h]);
    printf("tagger_api: DDT q = 0.1 on its own sample: pass fraction %.4f (high rho), %.4f (low rho)\n",
           pass[0] / total[0], pass[1] / total[1]);

    char p1[256], p2[256];
    snprintf(p1, sizeof p1, "/tmp/tagger_api_%ld_a.json", (long)getpid());
    snprintf(p2, sizeof p2, "/tmp/tagger_api_%ld_b.json", (long)getpid());
    CHECK_OK(api->ddt_save(map, p1));
    CHECK_OK(api->ddt_load(p1, &loaded));
    if (loaded) {
        CHECK_OK(api->ddt_apply(loaded, N, score, mass, pt, b));
        CHECK(memcmp(a, b, N * sizeof(float)) == 0, "apply after save/load differs from the built map");
        CHECK_OK(api->ddt_save(loaded, p2));
        CHECK(files_equal(p1, p2), "save -> load -> save is not byte-identical (%s vs %s)", p1, p2);
    }

    /* Lower passes on the negated score is the same cut: X' = -X, out' = out
     * (up to rounding of the interpolation). */
    cfg.direction = TML_DDT_LOWER_PASSES;
    CHECK_OK(api->ddt_build(N, neg, mass, pt, weight, &cfg, &lower));
    if (lower) {
        CHECK_OK(api->ddt_apply(lower, N, neg, mass, pt, c));
        double worst = 0;
        for (int k = 0; k < N; k++) worst = fmax(worst, fabs((double)c[k] - a[k]));
        CHECK(worst < 1e-6, "lower passes on -score differs from higher passes by %g", worst);
    }
    unlink(p1);
    unlink(p2);
out:
    api->ddt_free(map);
    api->ddt_free(loaded);
    api->ddt_free(lower);
    free(score), free(mass), free(pt), free(weight), free(neg), free(a), free(b), free(c);
}

/* ------------------------------------------------------------------ metric */

static void test_metric(void)
{
    /* Signal scores 0.6 and 0.8, unit weights: Hazen median 0.7. Background
     * scores 0.9, 0.1, 0.2, 0.74 at masses 60, 60, 70, 80: 0.9 and 0.74 pass,
     * rejection 4/2 = 2. P = {bin 2: 1/2, bin 6: 1/2}, F = {bin 2: 1/2,
     * bin 4: 1/2}, M = {1/2, 1/4, 1/4}: JSD = 1/2 (1/2 log2 2) + 1/2 (1/2 log2 2)
     * = 1/2, 1/JSD = 2. */
    const float score[] = {0.6f, 0.8f, 0.9f, 0.1f, 0.2f, 0.74f};
    const uint8_t sig[] = {1, 1, 0, 0, 0, 0};
    const float mass[] = {80.0f, 85.0f, 60.0f, 60.0f, 70.0f, 80.0f};
    double r = 0, ij = 0;
    CHECK_OK(api->metric_r50_jsd(6, score, sig, mass, NULL, &r, &ij));
    CHECK(close_rel(r, 2.0, 1e-12) && close_rel(ij, 2.0, 1e-12), "unit weights: R50 %.17g (want 2), 1/JSD %.17g (want 2)",
          r, ij);

    /* Signal weights 1 and 3: positions 1/8 and 5/8, median 0.6 + 0.2 * 0.75
     * = 0.75, so only 0.9 passes: rejection 4. P = {bin 2: 1}, F = {bins 2,
     * 4, 6: 1/3 each}, M = {2/3, 1/6, 1/6}:
     * JSD = 1/2 log2(3/2) + 1/2 (1/3 log2(1/2) + 2/3 log2 2) = 1/2 log2 1.5 + 1/6. */
    const float weight[] = {1.0f, 3.0f, 1.0f, 1.0f, 1.0f, 1.0f};
    CHECK_OK(api->metric_r50_jsd(6, score, sig, mass, weight, &r, &ij));
    double jsd = 0.5 * log2(1.5) + 1.0 / 6.0;
    CHECK(close_rel(r, 4.0, 1e-12) && close_rel(ij, 1.0 / jsd, 1e-12),
          "weighted: R50 %.17g (want 4), 1/JSD %.17g (want %.17g)", r, ij, 1.0 / jsd);
    /* Background weights scale the histograms: weight 2 on the passing
     * 0.9 jet and the failing 0.1 jet (both at 60) keeps P = {bin 2: 1},
     * F = {bin 2: 1/2, bin 4: 1/4, bin 6: 1/4}, M = {3/4, 1/8, 1/8}; passing
     * 2 of 6: rejection 3. JSD = 1/2 log2(4/3) + 1/2 (1/2 log2(2/3) + 2 * 1/4 log2 2). */
    const float weight2[] = {1.0f, 3.0f, 2.0f, 2.0f, 1.0f, 1.0f};
    CHECK_OK(api->metric_r50_jsd(6, score, sig, mass, weight2, &r, &ij));
    jsd = 0.5 * log2(4.0 / 3.0) + 0.5 * (0.5 * log2(2.0 / 3.0) + 0.5);
    CHECK(close_rel(r, 3.0, 1e-12) && close_rel(ij, 1.0 / jsd, 1e-12),
          "background weights: R50 %.17g (want 3), 1/JSD %.17g (want %.17g)", r, ij, 1.0 / jsd);

    /* Same mass shape passing and failing: JSD = 0, 1/JSD = +inf. */
    const float s2[] = {0.5f, 0.5f, 0.9f, 0.1f};
    const uint8_t g2[] = {1, 1, 0, 0};
    const float m2[] = {100.0f, 100.0f, 60.0f, 60.0f};
    CHECK_OK(api->metric_r50_jsd(4, s2, g2, m2, NULL, &r, &ij));
    CHECK(r == 2.0 && isinf(ij) && ij > 0, "identical shapes: R50 %g (want 2), 1/JSD %g (want +inf)", r, ij);
    /* No background passes: rejection +inf, P empty -> 1/JSD NaN. */
    const float s3[] = {0.5f, 0.5f, 0.1f, 0.2f};
    CHECK_OK(api->metric_r50_jsd(4, s3, g2, m2, NULL, &r, &ij));
    CHECK(isinf(r) && r > 0 && isnan(ij), "nothing passes: R50 %g (want +inf), 1/JSD %g (want NaN)", r, ij);
    /* Masses outside [50, 300) are not histogrammed: F empty -> NaN, but
     * they still count in the rejection. */
    const float m4[] = {100.0f, 100.0f, 60.0f, 300.0f};
    CHECK_OK(api->metric_r50_jsd(4, s2, g2, m4, NULL, &r, &ij));
    CHECK(r == 2.0 && isnan(ij), "failing jet at 300 GeV: R50 %g (want 2), 1/JSD %g (want NaN)", r, ij);
}

int main(void)
{
    api = test_load_api();
    test_discriminant();
    test_ddt_quantiles();
    test_ddt_neighbours();
    test_ddt_round_trip();
    test_metric();
    return test_finish("tagger_api");
}
