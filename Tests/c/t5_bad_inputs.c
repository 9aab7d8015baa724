/*
 * t5_bad_inputs: every way a host can call the T5 API wrongly must return
 * the documented status with a message that names the culprit, and write no
 * output; every bad model file must be refused with the right status. Bad
 * values (NaN/Inf coordinates, radius <= 0) are not errors: they give NaN
 * scores and pass 0 for the affected candidates only.
 */
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t5_synth.h"
#include "test_util.h"

static const tml_api *api;
static char g_dir[256];

static void expect(const char *what, tml_status got, tml_status want, const char *mention, const char *mention2)
{
    test_expect(api, what, got, want, mention, mention2);
}

/* ------------------------------------------------- outputs stay untouched */

#define SENTINEL_SCORE 12345.0f
#define SENTINEL_PASS 0xEE

static float g_score[64], g_features[64 * 38];
static uint8_t g_pass[64];

static void arm_outputs(void)
{
    for (size_t i = 0; i < 64; i++) g_score[i] = SENTINEL_SCORE, g_pass[i] = SENTINEL_PASS;
    for (size_t i = 0; i < 64 * 38; i++) g_features[i] = SENTINEL_SCORE;
}

static void expect_untouched(const char *what)
{
    size_t touched = 0;
    for (size_t i = 0; i < 64; i++) touched += g_score[i] != SENTINEL_SCORE || g_pass[i] != SENTINEL_PASS;
    for (size_t i = 0; i < 64 * 38; i++) touched += g_features[i] != SENTINEL_SCORE;
    CHECK(touched == 0, "%s: a failing call wrote %zu output values", what, touched);
}

/* Both entry points must reject the batch the same way. */
static void expect_batch_error(const char *what, const tml_t5_model *m, const tml_t5_batch *b, tml_status want,
                               const char *mention, const char *mention2)
{
    char label[256];
    arm_outputs();
    snprintf(label, sizeof label, "score: %s", what);
    expect(label, api->t5_score(m, b, g_score, g_pass), want, mention, mention2);
    snprintf(label, sizeof label, "features: %s", what);
    expect(label, api->t5_features(m, b, g_features), want, mention, mention2);
    expect_untouched(what);
}

/* ---------------------------------------------------------- model files */

static const char *write_text(const char *name, const char *text, size_t size)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    CHECK(test_write_file(path, text, size) == 0, "cannot write %s", path);
    return path;
}

/* `text` with the first `old` after `after` (or anywhere if NULL) replaced. */
static char *replace_once(const char *text, const char *after, const char *old, const char *new_text)
{
    const char *from = after ? strstr(text, after) : text;
    const char *hit = from ? strstr(from, old) : NULL;
    if (!hit) return NULL;
    size_t head = (size_t)(hit - text), lo = strlen(old), ln = strlen(new_text), total = strlen(text);
    char *out = malloc(total - lo + ln + 1);
    memcpy(out, text, head);
    memcpy(out + head, new_text, ln);
    memcpy(out + head + ln, hit + lo, total - head - lo + 1);
    return out;
}

/* `text` with the first number after the key `key` replaced by `value`. */
static char *replace_first_number(const char *text, const char *key, const char *value)
{
    const char *at = strstr(text, key);
    if (!at) return NULL;
    at += strlen(key);
    while (*at && !(*at == '-' || (*at >= '0' && *at <= '9'))) at++;
    const char *end = at;
    while (*end && strchr("+-.0123456789eE", *end)) end++;
    size_t head = (size_t)(at - text), total = strlen(text), lv = strlen(value);
    char *out = malloc(total - (size_t)(end - at) + lv + 1);
    memcpy(out, text, head);
    memcpy(out + head, value, lv);
    strcpy(out + head + lv, end);
    return out;
}

static void expect_load(const char *what, const char *path, tml_status want, const char *mention,
                        const char *mention2)
{
    tml_t5_model *m = (tml_t5_model *)(uintptr_t)0x1; /* must be reset to NULL */
    tml_status s = api->t5_model_load(path, &m);
    expect(what, s, want, mention, mention2);
    if (want != TML_OK)
        CHECK(m == NULL, "%s: *out is %p after a failed load, expected NULL", what, (void *)m);
    if (s == TML_OK) api->t5_model_free(m);
}

static void check_model_files(void)
{
    char v2path[1024];
    test_source_path(v2path, sizeof v2path, "Tests/golden/t5_model_lst_v2.json");
    size_t size;
    char *v2 = test_read_file(v2path, &size);
    if (!v2) {
        CHECK(0, "cannot read %s", v2path);
        return;
    }

    expect_load("missing model file", "/nonexistent/trigml/model.json", TML_ERR_IO, "/nonexistent/trigml/model.json",
                NULL);
    expect_load("directory as model file", g_dir, TML_ERR_IO, g_dir, NULL);
    expect_load("empty model file", write_text("empty.json", "", 0), TML_ERR_FORMAT, "empty.json", NULL);
    expect_load("model file cut in half", write_text("half.json", v2, size / 2), TML_ERR_FORMAT, "half.json", NULL);
    const char *garbage = "{\"format\": \"trigml.t5-model\",, \"layers\": [}";
    expect_load("malformed JSON", write_text("malformed.json", garbage, strlen(garbage)), TML_ERR_FORMAT,
                "malformed.json", NULL);
    const char *not_object = "[1, 2, 3]";
    expect_load("JSON that is not an object", write_text("array.json", not_object, strlen(not_object)), TML_ERR_FORMAT,
                "array.json", NULL);

    struct {
        const char *what, *file, *after, *old, *new_text;
        tml_status want;
        const char *mention;
    } edits[] = {
        {"first layer inputs != feature set", "shape.json", NULL, "\"lst-v2\"", "\"lst-v1\"", TML_ERR_SHAPE, "inputs"},
        {"unknown feature set", "unknown_set.json", NULL, "\"lst-v2\"", "\"lst-v9\"", TML_ERR_FORMAT, "lst-v9"},
        {"wrong format name", "format.json", NULL, "\"trigml.t5-model\"", "\"trigml.forest\"", TML_ERR_FORMAT,
         "format"},
        {"future format_version", "version.json", NULL, "\"format_version\": 1", "\"format_version\": 3",
         TML_ERR_UNSUPPORTED, "format_version"},
        {"unknown working-point kind", "wp.json", NULL, "\"pt_eta_table\"", "\"pt_table\"", TML_ERR_FORMAT, "kind"},
        {"hidden activation not relu", "act.json", NULL, "\"relu\"", "\"tanh\"", TML_ERR_FORMAT, "activation"},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char *t = replace_once(v2, edits[i].after, edits[i].old, edits[i].new_text);
        CHECK(t != NULL, "%s: '%s' not found in the model file", edits[i].what, edits[i].old);
        if (!t) continue;
        expect_load(edits[i].what, write_text(edits[i].file, t, strlen(t)), edits[i].want, edits[i].file,
                    edits[i].mention);
        free(t);
    }

    struct {
        const char *what, *file, *key, *value;
        tml_status want;
        const char *mention;
    } numbers[] = {
        {"NaN weight (bare NaN token)", "nan.json", "\"weights\"", "NaN", TML_ERR_FORMAT, "nan.json"},
        {"weight overflowing float32", "huge_weight.json", "\"weights\"", "1e39", TML_ERR_FORMAT, "weights"},
        {"weight 1e400 (overflows double)", "huger_weight.json", "\"weights\"", "1e400", TML_ERR_FORMAT, "weights"},
        {"bias overflowing float32", "huge_bias.json", "\"bias\"", "-3.5e38", TML_ERR_FORMAT, "bias"},
        {"NaN working-point cut", "nan_cut.json", "\"cuts\"", "NaN", TML_ERR_FORMAT, "nan_cut.json"},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char *t = replace_first_number(v2, numbers[i].key, numbers[i].value);
        CHECK(t != NULL, "%s: key %s not found", numbers[i].what, numbers[i].key);
        if (!t) continue;
        expect_load(numbers[i].what, write_text(numbers[i].file, t, strlen(t)), numbers[i].want, numbers[i].file,
                    numbers[i].mention);
        free(t);
    }

    /* A weights matrix one row short: first layer declares 23 inputs. */
    {
        char *t = replace_first_number(v2, "\"weights\"", "");
        /* Removing a number leaves ", ," or "[ ," -> malformed, still FORMAT;
         * what matters is no crash and a message naming the file. */
        if (t) {
            expect_load("weights row with a missing value", write_text("short_row.json", t, strlen(t)),
                        TML_ERR_FORMAT, "short_row.json", NULL);
            free(t);
        }
    }

    /* The untouched file still loads (the edits above were the only faults). */
    expect_load("control: valid file written back", write_text("valid.json", v2, size), TML_OK, NULL, NULL);
    free(v2);
}

/* -------------------------------------------------------- value problems */

enum { VALUE_TRACKS = 12 };

/* Applies one bad value per affected track of a 12-track, no-fake event
 * (no MD is shared between candidates, so exactly that candidate is hit).
 * affected_v2/affected_v1 get 1 for the candidates each feature set sees. */
static void poison(t5f_event *e, uint8_t *affected_v2, uint8_t *affected_v1)
{
    memset(affected_v2, 0, VALUE_TRACKS);
    memset(affected_v1, 0, VALUE_TRACKS);
    e->md_z[t5_synth_md(1, 0)] = NAN;            /* z of anchor 1: both sets */
    affected_v2[1] = affected_v1[1] = 1;
    e->md_eta[t5_synth_md(3, 2)] = INFINITY;     /* the shared anchor's eta */
    affected_v2[3] = affected_v1[3] = 1;
    e->md_phi[t5_synth_md(5, 4)] = -INFINITY;    /* phi of anchor 5 */
    affected_v2[5] = affected_v1[5] = 1;
    e->md_x[t5_synth_md(7, 3)] = NAN;            /* x of anchor 4: bridge / r */
    affected_v2[7] = affected_v1[7] = 1;
    e->t3_radius[2 * 8] = 0.0f;                  /* inner T3 radius 0 */
    affected_v2[8] = affected_v1[8] = 1;
    e->t3_radius[2 * 9 + 1] = -1.0f;             /* outer T3 radius < 0 */
    affected_v2[9] = affected_v1[9] = 1;
    e->t3_radius[2 * 10] = NAN;                  /* inner T3 radius NaN */
    affected_v2[10] = affected_v1[10] = 1;
    e->md_r[t5_synth_md(11, 1)] = INFINITY;      /* md_r: lst-v2 only (v1 uses sqrt(x^2+y^2)) */
    affected_v2[11] = 1;
}

static void check_value_policy(const tml_t5_model *m, const char *name, int lst_v1)
{
    int nin = api->t5_model_input_count(m);
    t5f_event clean, bad;
    t5_synth_event(&clean, VALUE_TRACKS, 0, 99);
    t5_synth_event(&bad, VALUE_TRACKS, 0, 99);
    uint8_t aff_v2[VALUE_TRACKS], aff_v1[VALUE_TRACKS];
    poison(&bad, aff_v2, aff_v1);
    const uint8_t *affected = lst_v1 ? aff_v1 : aff_v2;
    tml_t5_batch cb = t5f_batch(&clean), bb = t5f_batch(&bad);
    float cs[VALUE_TRACKS], bs[VALUE_TRACKS], cf[VALUE_TRACKS * 38], bf[VALUE_TRACKS * 38];
    uint8_t cp[VALUE_TRACKS], bp[VALUE_TRACKS];
    char what[128];
    snprintf(what, sizeof what, "%s: NaN/Inf values and radius <= 0", name);
    expect(what, api->t5_score(m, &cb, cs, cp), TML_OK, NULL, NULL);
    expect(what, api->t5_score(m, &bb, bs, bp), TML_OK, NULL, NULL);
    expect(what, api->t5_features(m, &cb, cf), TML_OK, NULL, NULL);
    expect(what, api->t5_features(m, &bb, bf), TML_OK, NULL, NULL);
    for (int t = 0; t < VALUE_TRACKS; t++) {
        int nonfinite = 0;
        for (int i = 0; i < nin; i++) nonfinite += !isfinite(bf[t * nin + i]);
        CHECK(isfinite(cs[t]), "%s: clean candidate %d scored %g", name, t, cs[t]);
        if (affected[t]) {
            CHECK(isnan(bs[t]), "%s: poisoned candidate %d scored %g, expected NaN", name, t, bs[t]);
            CHECK(bp[t] == 0, "%s: poisoned candidate %d has pass %u, expected 0", name, t, bp[t]);
            CHECK(nonfinite > 0, "%s: poisoned candidate %d has all-finite features", name, t);
        } else {
            CHECK(memcmp(&bs[t], &cs[t], 4) == 0 && bp[t] == cp[t],
                  "%s: untouched candidate %d changed: score %.9g -> %.9g, pass %u -> %u", name, t, cs[t], bs[t],
                  cp[t], bp[t]);
            CHECK(memcmp(&bf[t * nin], &cf[t * nin], (size_t)nin * 4) == 0, "%s: untouched candidate %d features changed",
                  name, t);
        }
    }
    printf("  ok  %s: poisoned candidates NaN/pass 0, the others unchanged\n", name);
    t5f_event_free(&clean);
    t5f_event_free(&bad);
}

int main(void)
{
    api = test_load_api();
    test_make_temp_dir(g_dir, sizeof g_dir, "trigml-badinputs");

    tml_t5_model *v2 = NULL, *v1 = NULL;
    char v1path[1024];
    CHECK(api->t5_model_default(&v2) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_model_load(test_source_path(v1path, sizeof v1path, "Tests/golden/t5_model_lst_v1.json"), &v1) ==
              TML_OK,
          "%s", api->last_error());
    if (!v2 || !v1) return test_finish("t5_bad_inputs");

    /* A valid batch of 6 tracks + 4 fakes (n_md 30, n_t3 16, n_t5 10). */
    t5f_event ev;
    t5_synth_event(&ev, 6, 4, 5);
    const tml_t5_batch good = t5f_batch(&ev);
    tml_t5_batch b;
    arm_outputs();
    expect("control: valid batch", api->t5_score(v1, &good, g_score, g_pass), TML_OK, NULL, NULL);

    /* NULL batch, NULL model. */
    expect_batch_error("NULL batch", v2, NULL, TML_ERR_INVALID_ARGUMENT, "batch", NULL);
    expect_batch_error("NULL model", NULL, &good, TML_ERR_INVALID_ARGUMENT, "model", NULL);

    /* Each column NULL while its count is non-zero. */
    static const char *const columns[] = {"md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi",
                                          "t3_md", "t3_radius", "t5_t3"};
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        b = good;
        switch (i) {
        case 0: b.md_x = NULL; break;
        case 1: b.md_y = NULL; break;
        case 2: b.md_z = NULL; break;
        case 3: b.md_r = NULL; break;
        case 4: b.md_eta = NULL; break;
        case 5: b.md_phi = NULL; break;
        case 6: b.t3_md = NULL; break;
        case 7: b.t3_radius = NULL; break;
        default: b.t5_t3 = NULL; break;
        }
        char what[64];
        snprintf(what, sizeof what, "%s NULL, count > 0", columns[i]);
        expect_batch_error(what, v2, &b, TML_ERR_INVALID_ARGUMENT, columns[i], NULL);
    }
    b = good;
    b.md_layer = NULL;
    expect_batch_error("lst-v1 model, md_layer NULL", v1, &b, TML_ERR_INVALID_ARGUMENT, "md_layer", NULL);
    expect("lst-v2 model, md_layer NULL (not needed)", api->t5_score(v2, &b, g_score, g_pass), TML_OK, NULL, NULL);

    /* NULL outputs with n_t5 > 0; pass alone may be NULL. */
    expect("score output NULL, n_t5 > 0", api->t5_score(v2, &good, NULL, g_pass), TML_ERR_INVALID_ARGUMENT, "score",
           NULL);
    expect("score and pass NULL, n_t5 > 0", api->t5_score(v2, &good, NULL, NULL), TML_ERR_INVALID_ARGUMENT, "score",
           NULL);
    expect("features output NULL, n_t5 > 0", api->t5_features(v2, &good, NULL), TML_ERR_INVALID_ARGUMENT, "features",
           NULL);
    expect("pass NULL (allowed)", api->t5_score(v2, &good, g_score, NULL), TML_OK, NULL, NULL);

    /* Index errors. Copies of the index columns, one entry broken. */
    uint32_t t5_t3[2 * 10], t3_md[3 * 16];
    memcpy(t5_t3, ev.t5_t3, sizeof t5_t3);
    t5_t3[2 * 3 + 1] = 16; /* T5 3's outer T3 = n_t3 */
    b = good;
    b.t5_t3 = t5_t3;
    expect_batch_error("t5_t3 outer index == n_t3", v2, &b, TML_ERR_INVALID_ARGUMENT, "t5_t3", "16");
    memcpy(t5_t3, ev.t5_t3, sizeof t5_t3);
    t5_t3[2 * 9] = 0xFFFFFFFFu; /* last T5's inner T3 */
    expect_batch_error("t5_t3 inner index 2^32-1", v2, &b, TML_ERR_INVALID_ARGUMENT, "t5_t3", "4294967295");

    memcpy(t3_md, ev.t3_md, sizeof t3_md);
    t3_md[3 * 5 + 1] = 30; /* T3 5 (outer T3 of T5 2), middle MD = n_md */
    b = good;
    b.t3_md = t3_md;
    expect_batch_error("t3_md index == n_md", v2, &b, TML_ERR_INVALID_ARGUMENT, "t3_md", "30");
    memcpy(t3_md, ev.t3_md, sizeof t3_md);
    t3_md[3 * 4 + 2] = 0x80000000u; /* T3 4 (inner of T5 2), last MD */
    expect_batch_error("t3_md index 2^31", v1, &b, TML_ERR_INVALID_ARGUMENT, "t3_md", "2147483648");

    memcpy(t3_md, ev.t3_md, sizeof t3_md);
    t3_md[3 * 5] = t5_synth_md(2, 1); /* outer T3 of T5 2 no longer starts at md3 */
    expect_batch_error("outer T3 does not start at inner T3's last MD", v2, &b, TML_ERR_INVALID_ARGUMENT, "T5 2",
                       "outer");

    /* Counts whose arrays could not exist: rejected before any read. */
    const uint64_t huge[] = {1ull << 62, UINT64_MAX};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        char what[96];
        b = good;
        b.n_t5 = huge[i];
        snprintf(what, sizeof what, "n_t5 = %llu", (unsigned long long)huge[i]);
        expect_batch_error(what, v2, &b, TML_ERR_INVALID_ARGUMENT, "n_t5", NULL);
        b = good;
        b.n_md = huge[i];
        snprintf(what, sizeof what, "n_md = %llu", (unsigned long long)huge[i]);
        expect_batch_error(what, v2, &b, TML_ERR_INVALID_ARGUMENT, "n_md", NULL);
        b = good;
        b.n_t3 = huge[i];
        snprintf(what, sizeof what, "n_t3 = %llu", (unsigned long long)huge[i]);
        expect_batch_error(what, v2, &b, TML_ERR_INVALID_ARGUMENT, "n_t3", NULL);
    }

    /* Handle-making calls with NULL arguments; free(NULL). */
    char v2path[1024];
    test_source_path(v2path, sizeof v2path, "Tests/golden/t5_model_lst_v2.json");
    expect("tml_t5_model_load(path, NULL)", api->t5_model_load(v2path, NULL), TML_ERR_INVALID_ARGUMENT, "out", NULL);
    tml_t5_model *m = (tml_t5_model *)(uintptr_t)0x1;
    expect("tml_t5_model_load(NULL, &m)", api->t5_model_load(NULL, &m), TML_ERR_INVALID_ARGUMENT, "path", NULL);
    CHECK(m == NULL, "tml_t5_model_load(NULL, &m) left m = %p", (void *)m);
    expect("tml_t5_model_default(NULL)", api->t5_model_default(NULL), TML_ERR_INVALID_ARGUMENT, "out", NULL);
    api->t5_model_free(NULL); /* must be a no-op: reaching the next line is the test */

    check_model_files();
    check_value_policy(v2, "lst-v2 (default)", 0);
    check_value_policy(v1, "lst-v1", 1);

    api->t5_model_free(v2);
    api->t5_model_free(v1);
    t5f_event_free(&ev);
    /* Clean the scratch directory (file names used above). */
    static const char *const files[] = {"empty.json", "half.json", "malformed.json", "array.json", "shape.json",
                                        "unknown_set.json", "format.json", "version.json", "wp.json", "act.json",
                                        "nan.json", "huge_weight.json", "huger_weight.json", "huge_bias.json",
                                        "nan_cut.json", "short_row.json", "valid.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", g_dir, files[i]);
        unlink(p);
    }
    rmdir(g_dir);
    return test_finish("t5_bad_inputs");
}
