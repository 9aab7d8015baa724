/*
 * t5_lst_parity: the library against an independent float transcription of
 * LST's CPU inference (t5_lst_float_reference.c, compiled -ffp-contract=off)
 * on a toy sample of a few thousand T5s built here: prompt helices in every
 * pT x |eta| bin of the working point, high-pT near-straight bridges, delta
 * phi at and around +-pi, combinatorial fakes, and a few non-finite inputs.
 *
 *   t5_lst_parity MODEL_JSON            the model file, loaded by the library
 *   t5_lst_parity default MODEL_JSON    the embedded model; MODEL_JSON holds its numbers
 *
 * MODEL_JSON must be an lst-v2 23-32-32-1 model with LST's 2 x 10 pT x |eta|
 * table (models/lst_v2_cmssw.json, Tests/golden/t5_model_lst_v2.json).
 *
 * Required: features bit-identical; scores bit-identical except in the
 * library's two documented differences (a candidate with a non-finite input
 * scores NaN where LST's ReLU gives a constant; a logit above ~88.7 scores 1
 * where LST gets NaN); pass flags identical except above that logit. The
 * batch is also scored in slices of 1 to 13 candidates, which must give the
 * same bits (no dependence on batch size or tile position).
 */
#include <math.h>
#include <stdint.h>

#include "file_bytes.h"
#include "t5_lst_float_reference.h"
#include "test_util.h"

#define MAX_T5 8000
#define BARREL_LAYERS 6

static const double kBarrelRadii[BARREL_LAYERS] = {23.0, 36.0, 51.0, 68.0, 86.0, 110.0};
static const double kHalfK2Rinv = (2.99792458e-3 * 3.8) / 2; /* pT = 2 k R, in double for the toy helices */

/* ---------------------------------------------------------------- model numbers */

/* The next `count` numbers after `key` (searched from *pos), skipping brackets,
 * commas and whitespace; advances *pos past them. 0 on success. */
static int read_numbers(const char *text, const char **pos, const char *key, float *out, int count)
{
    const char *p = strstr(*pos, key);
    if (!p) return -1;
    p += strlen(key);
    for (int i = 0; i < count; i++) {
        while (*p && !(*p == '-' || (*p >= '0' && *p <= '9'))) {
            if (*p == '"' || *p == '}') return -1; /* the array ended early */
            p++;
        }
        char *end;
        double v = strtod(p, &end);
        if (end == p) return -1;
        out[i] = (float)v; /* the file holds each float32's exact decimal */
        p = end;
    }
    (void)text;
    *pos = p;
    return 0;
}

static int load_network(const char *path, lstref_network *net)
{
    uint8_t *bytes;
    size_t size;
    char err[512];
    if (fb_read_file(path, &bytes, &size, err, sizeof err) != 0) return -1;
    char *text = realloc(bytes, size + 1);
    if (!text) return -1;
    text[size] = 0;
    const char *p = text;
    int bad = strstr(text, "\"lst-v2\"") == NULL;
    bad = bad || read_numbers(text, &p, "\"weights\"", &net->wgtT_layer1[0][0], LSTREF_INPUTS * LSTREF_HIDDEN);
    bad = bad || read_numbers(text, &p, "\"bias\"", net->bias_layer1, LSTREF_HIDDEN);
    bad = bad || read_numbers(text, &p, "\"weights\"", &net->wgtT_layer2[0][0], LSTREF_HIDDEN * LSTREF_HIDDEN);
    bad = bad || read_numbers(text, &p, "\"bias\"", net->bias_layer2, LSTREF_HIDDEN);
    bad = bad || read_numbers(text, &p, "\"weights\"", &net->wgtT_output_layer[0][0], LSTREF_HIDDEN);
    bad = bad || read_numbers(text, &p, "\"bias\"", net->bias_output_layer, 1);
    float edges[1], width[1], bins[1];
    const char *wp = strstr(text, "\"working_point\"");
    bad = bad || !wp;
    const char *q = wp;
    bad = bad || read_numbers(text, &q, "\"pt_edges_gev\"", edges, 1) || edges[0] != 5.0f;
    q = wp;
    bad = bad || read_numbers(text, &q, "\"eta_bin_width\"", width, 1) || width[0] != 0.25f;
    q = wp;
    bad = bad || read_numbers(text, &q, "\"eta_bins\"", bins, 1) || bins[0] != 10.0f;
    q = wp;
    bad = bad || read_numbers(text, &q, "\"cuts\"", &net->kWp[0][0], LSTREF_PT_BINS * LSTREF_ETA_BINS);
    free(text);
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- toy sample */

static uint64_t g_rng = 0x5eed2026u;

static double uniform(void)
{
    g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(g_rng >> 11) * (1.0 / 9007199254740992.0);
}

static double gaussian(void)
{
    double u = uniform() + 1e-300, v = uniform();
    return sqrt(-2.0 * log(u)) * cos(2 * M_PI * v);
}

typedef struct sample {
    int n_t5;
    float md_x[5 * MAX_T5], md_y[5 * MAX_T5], md_z[5 * MAX_T5], md_r[5 * MAX_T5], md_eta[5 * MAX_T5],
        md_phi[5 * MAX_T5];
    uint32_t t3_md[6 * MAX_T5];
    float t3_radius[2 * MAX_T5];
    uint32_t t5_t3[2 * MAX_T5];
    lstref_t5 cand[MAX_T5];
} sample;

/* Adds one T5 whose anchor k sits at (x, y, z) [double, rounded to float]; r,
 * eta, phi are derived from the float position. The T3 radii are LST's float
 * circles through each T3's anchors, as LST's triplet code computes them. */
static void add_t5(sample *s, const double *x, const double *y, const double *z)
{
    int t = s->n_t5++;
    lstref_t5 *c = &s->cand[t];
    for (int k = 0; k < 5; k++) {
        float fx = (float)x[k], fy = (float)y[k], fz = (float)z[k];
        double rho = hypot((double)fx, (double)fy);
        c->x[k] = fx;
        c->y[k] = fy;
        c->z[k] = fz;
        c->rt[k] = (float)rho;
        c->eta[k] = (float)asinh((double)fz / rho);
        c->phi[k] = (float)atan2((double)fy, (double)fx);
    }
    c->innerRadius = lstref_circle_radius(c->x[0], c->y[0], c->x[1], c->y[1], c->x[2], c->y[2]);
    c->outerRadius = lstref_circle_radius(c->x[2], c->y[2], c->x[3], c->y[3], c->x[4], c->y[4]);
}

/* A prompt helix from the beam line: anchors on barrel layers first..first+4. */
static void add_helix(sample *s, double pt, double eta, double phi0, int charge, double sigma, int first)
{
    double radius = pt / (2 * kHalfK2Rinv), cot_theta = sinh(eta);
    double x[5], y[5], z[5];
    for (int k = 0; k < 5; k++) {
        double rho = kBarrelRadii[first + k];
        double alpha = 2 * asin(rho / (2 * radius));
        double direction = phi0 - charge * alpha / 2;
        x[k] = rho * cos(direction) + sigma * gaussian();
        y[k] = rho * sin(direction) + sigma * gaussian();
        z[k] = radius * alpha * cot_theta + sigma * gaussian();
    }
    add_t5(s, x, y, z);
}

static void build_sample(sample *s)
{
    s->n_t5 = 0;
    /* Every pT x |eta| bin: 2 rows x 10 columns, 60 helices each. */
    for (int row = 0; row < 2; row++)
        for (int col = 0; col < 10; col++)
            for (int i = 0; i < 60; i++) {
                double pt = row == 0 ? 0.9 + 4.0 * uniform() : 5.2 * exp(4.0 * uniform());
                double lo = 0.25 * col, hi = col == 9 ? 2.9 : lo + 0.25;
                double eta = (lo + (hi - lo) * uniform()) * (uniform() < 0.5 ? -1 : 1);
                add_helix(s, pt, eta, 2 * M_PI * uniform() - M_PI, uniform() < 0.5 ? 1 : -1, 0.01,
                          uniform() < 0.5 ? 0 : 1);
            }
    /* High pT: near-straight bridges, R from 2e5 to 1e9 cm, unsmeared and smeared. */
    for (int i = 0; i < 400; i++) {
        double pt = 1000.0 * exp(8.5 * uniform());
        add_helix(s, pt, 2.4 * uniform() - 1.2, 2 * M_PI * uniform() - M_PI, uniform() < 0.5 ? 1 : -1,
                  i % 2 ? 0.0 : 0.002, 0);
    }
    /* Delta phi near +-pi: helices whose anchors straddle phi = +-pi. */
    for (int i = 0; i < 300; i++) {
        double pt = 0.9 + 20 * uniform();
        add_helix(s, pt, 2 * uniform() - 1, M_PI + 0.15 * (uniform() - 0.5), uniform() < 0.5 ? 1 : -1, 0.01, 0);
    }
    /* Delta phi exactly +-pi_f and a few float steps around it, between each anchor pair. */
    const float pi_f = 3.14159265358979323846f;
    for (int pair = 0; pair < 4; pair++)
        for (int steps = -2; steps <= 2; steps++)
            for (int sign = -1; sign <= 1; sign += 2) {
                add_helix(s, 3.0, 0.4, 0.7, 1, 0.0, 0);
                lstref_t5 *c = &s->cand[s->n_t5 - 1];
                float target = sign * pi_f;
                for (int k = 0; k < abs(steps); k++) target = nextafterf(target, steps > 0 ? 10.f : -10.f);
                c->phi[pair] = sign > 0 ? -0.25f : 0.25f;
                c->phi[pair + 1] = c->phi[pair] + target;
            }
    /* Combinatorial fakes: five anchors in a phi road, unrelated z. */
    for (int i = 0; i < 2000; i++) {
        double phi = 2 * M_PI * uniform() - M_PI, x[5], y[5], z[5];
        int first = uniform() < 0.5 ? 0 : 1;
        for (int k = 0; k < 5; k++) {
            double rho = kBarrelRadii[first + k], turn = phi + 0.3 * (uniform() - 0.5);
            x[k] = rho * cos(turn);
            y[k] = rho * sin(turn);
            z[k] = 240 * (uniform() - 0.5);
        }
        add_t5(s, x, y, z);
    }
    /* Non-finite inputs (the NaN policy): a NaN coordinate, a collinear bridge, zero and negative radii. */
    for (int i = 0; i < 12; i++) {
        add_helix(s, 2.0 + i, 0.3, 0.5, 1, 0.01, 0);
        lstref_t5 *c = &s->cand[s->n_t5 - 1];
        switch (i % 4) {
        case 0: c->z[i % 5] = NAN; break;
        case 1:
            for (int k = 1; k < 4; k++) c->x[k] = c->y[k] = 20.0f * (float)(k + 1);
            break;
        case 2: c->innerRadius = 0.0f; break;
        default: c->outerRadius = -3.0f; break;
        }
    }
    /* Columns of the batch from the candidates (each T5 owns its 5 MDs and 2 T3s). */
    for (int t = 0; t < s->n_t5; t++) {
        const lstref_t5 *c = &s->cand[t];
        for (int k = 0; k < 5; k++) {
            s->md_x[5 * t + k] = c->x[k];
            s->md_y[5 * t + k] = c->y[k];
            s->md_z[5 * t + k] = c->z[k];
            s->md_r[5 * t + k] = c->rt[k];
            s->md_eta[5 * t + k] = c->eta[k];
            s->md_phi[5 * t + k] = c->phi[k];
        }
        for (int k = 0; k < 3; k++) {
            s->t3_md[6 * t + k] = (uint32_t)(5 * t + k);
            s->t3_md[6 * t + 3 + k] = (uint32_t)(5 * t + 2 + k);
        }
        s->t3_radius[2 * t] = c->innerRadius;
        s->t3_radius[2 * t + 1] = c->outerRadius;
        s->t5_t3[2 * t] = (uint32_t)(2 * t);
        s->t5_t3[2 * t + 1] = (uint32_t)(2 * t + 1);
    }
}

static tml_t5_batch batch_of(const sample *s, int first, int count)
{
    tml_t5_batch b;
    memset(&b, 0, sizeof b);
    b.n_md = 5 * (uint64_t)s->n_t5;
    b.md_x = s->md_x, b.md_y = s->md_y, b.md_z = s->md_z, b.md_r = s->md_r;
    b.md_eta = s->md_eta, b.md_phi = s->md_phi;
    b.n_t3 = 2 * (uint64_t)s->n_t5;
    b.t3_md = s->t3_md, b.t3_radius = s->t3_radius;
    b.n_t5 = (uint64_t)count;
    b.t5_t3 = s->t5_t3 + 2 * first;
    return b;
}

static int same_bits(float a, float b)
{
    if (isnan(a) && isnan(b)) return 1;
    uint32_t ua, ub;
    memcpy(&ua, &a, 4);
    memcpy(&ub, &b, 4);
    return ua == ub;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    int is_default = argc == 3 && strcmp(argv[1], "default") == 0;
    if (!(argc == 2 || is_default)) {
        fprintf(stderr, "usage: %s MODEL_JSON | default MODEL_JSON\n", argv[0]);
        return 2;
    }
    const char *json = argv[argc - 1];
    static lstref_network net;
    if (load_network(json, &net) != 0) {
        fprintf(stderr, "FAIL: %s is not an lst-v2 23-32-32-1 model with a 2 x 10 table at 5 GeV / 0.25\n", json);
        return 1;
    }
    const tml_api *api = test_load_api();
    tml_t5_model *m = NULL;
    tml_status st = is_default ? api->t5_model_default(&m) : api->t5_model_load(json, &m);
    if (st != TML_OK) {
        fprintf(stderr, "FAIL: loading %s: %s: %s\n", is_default ? "the default model" : json, tml_status_name(st),
                api->last_error());
        return 1;
    }
    CHECK(api->t5_model_input_count(m) == LSTREF_INPUTS, "input count %d", api->t5_model_input_count(m));

    static sample s;
    build_sample(&s);
    int n = s.n_t5;
    float *features = malloc((size_t)n * LSTREF_INPUTS * sizeof(float));
    float *score = malloc((size_t)n * sizeof(float)), *slice_score = malloc((size_t)n * sizeof(float));
    uint8_t *pass = malloc((size_t)n), *slice_pass = malloc((size_t)n);
    tml_t5_batch b = batch_of(&s, 0, n);
    st = api->t5_features(m, &b, features);
    CHECK(st == TML_OK, "tml_t5_features: %s: %s", tml_status_name(st), api->last_error());
    st = api->t5_score(m, &b, score, pass);
    CHECK(st == TML_OK, "tml_t5_score: %s: %s", tml_status_name(st), api->last_error());
    if (g_failures) return test_finish("t5_lst_parity");

    /* The same candidates in slices of 1 to 13: identical bits. */
    int slice_bad = 0;
    for (int first = 0, size = 1; first < n; first += size, size = size % 13 + 1) {
        int count = first + size <= n ? size : n - first;
        tml_t5_batch part = batch_of(&s, first, count);
        st = api->t5_score(m, &part, slice_score + first, slice_pass + first);
        CHECK(st == TML_OK, "slice at %d: %s: %s", first, tml_status_name(st), api->last_error());
    }
    for (int t = 0; t < n; t++) slice_bad += !same_bits(score[t], slice_score[t]) || pass[t] != slice_pass[t];
    CHECK(slice_bad == 0, "%d candidates score differently in slices of 1-13", slice_bad);

    int feature_bad = 0, score_bad = 0, pass_bad = 0, nan_policy = 0, nan_lst_pass = 0, overflow = 0, passed = 0, reports = 0;
    int bin_count[LSTREF_PT_BINS][LSTREF_ETA_BINS] = {{0}};
    double max_score_diff = 0;
    for (int t = 0; t < n; t++) {
        float x[LSTREF_INPUTS];
        lstref_features(&s.cand[t], x);
        int finite = 1;
        for (int i = 0; i < LSTREF_INPUTS; i++) {
            finite &= isfinite(x[i]) != 0;
            if (!same_bits(features[t * LSTREF_INPUTS + i], x[i])) {
                feature_bad++;
                if (reports++ < 10)
                    fprintf(stderr, "  T5 %d feature %d: library %.9g, LST %.9g\n", t, i,
                            features[t * LSTREF_INPUTS + i], x[i]);
            }
        }
        float lst = lstref_score(&net, x);
        int lst_pass = lstref_pass(&net, &s.cand[t], lst);
        float pt = s.cand[t].innerRadius * (float)kHalfK2Rinv * 2;
        float eta1 = fabsf(s.cand[t].eta[0]);
        if (finite) bin_count[pt > 5.0f][eta1 < 2.5f ? (int)(eta1 / 0.25f) : 9]++;
        passed += pass[t];
        if (!finite) {
            /* Documented difference: the library scores NaN and never passes; LST's ReLU turns
             * the NaN into one constant score (0.1127 with LST's v2 weights, below every cut). */
            nan_policy++;
            nan_lst_pass += lst_pass;
            if (!isnan(score[t]) || pass[t] != 0) score_bad++;
            continue;
        } else if (isnan(lst)) {
            /* Documented difference: expf overflows above ~88.7; LST gets NaN, the library 1. */
            overflow++;
            if (score[t] != 1.0f) score_bad++;
            continue;
        } else {
            if (!same_bits(score[t], lst)) {
                score_bad++;
                if (reports++ < 10) fprintf(stderr, "  T5 %d score: library %.9g, LST %.9g\n", t, score[t], lst);
            }
            max_score_diff = fmax(max_score_diff, fabs((double)score[t] - lst));
        }
        if (pass[t] != lst_pass) {
            pass_bad++;
            if (reports++ < 10) fprintf(stderr, "  T5 %d pass: library %u, LST %d (score %.9g)\n", t, pass[t], lst_pass, lst);
        }
    }
    CHECK(feature_bad == 0, "%d feature values differ from LST's", feature_bad);
    CHECK(score_bad == 0, "%d scores differ from LST's", score_bad);
    CHECK(pass_bad == 0, "%d pass flags differ from LST's", pass_bad);
    for (int row = 0; row < LSTREF_PT_BINS; row++)
        for (int col = 0; col < LSTREF_ETA_BINS; col++)
            CHECK(bin_count[row][col] >= 20, "pT row %d |eta| bin %d holds only %d candidates", row, col,
                  bin_count[row][col]);
    if (nan_lst_pass)
        printf("note: LST's constant score for a NaN input passes this model's cut for %d of the %d such T5s; "
               "the library's NaN never passes\n", nan_lst_pass, nan_policy);
    CHECK(nan_policy > 0 && passed > 0 && passed < n, "the sample must hold NaN cases, passing and failing T5s");
    printf("%s: %d toy T5s (%d with a non-finite input, %d logits past expf's range), %d pass; "
           "features and scores bit-identical to LST's float inference (max |score diff| %.3g), "
           "pass flags identical; slices of 1-13 give the same bits\n",
           is_default ? "embedded default model" : json, n, nan_policy, overflow, passed, max_score_diff);
    api->t5_model_free(m);
    free(features), free(score), free(slice_score), free(pass), free(slice_pass);
    return test_finish("t5_lst_parity");
}
