/*
 * t5_v2_bad_inputs: the version-2 T5 calls and model files refuse every bad
 * input of issue 15 item 2 with the documented status, a message naming the
 * key or argument, and no output written; lst-v1 refuses md_layer outside
 * 1-11; a T5 loader given another kind of file names its loader. Also the
 * getters on NULL and out of range, and that a good call agrees with the
 * version-1 calls.
 */
#include <math.h>
#include <stdarg.h>
#include <unistd.h>

#include "t5_synth.h"
#include "test_util.h"

static const tml_api *api;
static char g_dir[256];
static int g_files;

static void expect(const char *what, tml_status got, tml_status want, const char *mention, const char *mention2)
{
    test_expect(api, what, got, want, mention, mention2);
}

/* ------------------------------------------------------- model text */

/* A growing string. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->n + (size_t)need + 1 > t->cap) {
        t->cap = (t->n + (size_t)need + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, (size_t)need + 1, fmt, ap);
    va_end(ap);
    t->n += (size_t)need;
}

static void numbers(text *t, int count, const char *value)
{
    add(t, "[");
    for (int i = 0; i < count; i++) add(t, "%s%s", i ? ", " : "", value);
    add(t, "]");
}

static void layer(text *t, int inputs, int outputs, const char *activation, const char *extra)
{
    add(t, "{\"inputs\": %d, \"outputs\": %d, \"activation\": \"%s\", \"weights\": [", inputs, outputs, activation);
    for (int i = 0; i < inputs; i++) {
        if (i) add(t, ", ");
        numbers(t, outputs, i % 3 == 0 ? "0.02" : "-0.01");
    }
    add(t, "], \"bias\": ");
    numbers(t, outputs, "0.1");
    add(t, "%s}", extra);
}

/* The parts of a version-2 test model; NULL parts are left out. */
typedef struct spec {
    const char *extra_inputs; /* JSON array */
    int extra_count;
    const char *std_value;    /* every std, e.g. "2"; NULL: no standardize */
    const char *std_first;    /* std[0] when not NULL */
    const char *last;         /* last activation: softmax, sigmoid, linear */
    int outputs;
    const char *last_extra;   /* appended inside the last layer */
    const char *classes, *score, *working_points, *top_extra;
} spec;

static const char *EXTRAS = "[{\"from\": \"t3\", \"t3\": \"inner\", \"column\": 0}, "
                            "{\"from\": \"t3\", \"t3\": \"outer\", \"column\": 2}, "
                            "{\"from\": \"md\", \"anchor\": 3, \"column\": 1}, {\"from\": \"t5\", \"column\": 0}]";
static const char *CLASSES = "[\"fake\", \"prompt\", \"displaced\"]";
static const char *SCORE = "{\"kind\": \"one_minus\", \"class\": \"fake\"}";
static const char *WPS = "[{\"name\": \"retention98\", \"kind\": \"pt_eta_table\", \"pt_edges_gev\": [5.0], "
                         "\"eta_bin_width\": 0.25, \"eta_bins\": 10, \"cuts\": [[0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, "
                         "0.5, 0.5, 0.5], [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]]}, "
                         "{\"name\": \"retention93\", \"kind\": \"single\", \"cut\": 0.4}]";

static spec three_class(void)
{
    spec s = {EXTRAS, 4, "2", NULL, "softmax", 3, "", CLASSES, SCORE, WPS, ""};
    return s;
}

static spec embedding(void)
{
    spec s = {EXTRAS, 4, NULL, NULL, "linear", 6, ", \"output\": \"embedding\"", NULL, NULL, NULL, ""};
    return s;
}

/* Writes the model of `s` as `name` in the test directory; returns its path. */
static const char *write_model(const char *name, spec s)
{
    int inputs = 23 + s.extra_count;
    text t = {0};
    add(&t, "{\"format\": \"trigml.t5-model\", \"format_version\": 2, \"feature_set\": \"lst-v2\"");
    if (s.extra_inputs) add(&t, ", \"extra_inputs\": %s", s.extra_inputs);
    if (s.std_value) {
        add(&t, ", \"standardize\": {\"mean\": ");
        numbers(&t, inputs, "0.25");
        add(&t, ", \"std\": [%s", s.std_first ? s.std_first : s.std_value);
        for (int i = 1; i < inputs; i++) add(&t, ", %s", s.std_value);
        add(&t, "]}");
    }
    add(&t, ", \"layers\": [");
    layer(&t, inputs, 8, "relu", "");
    add(&t, ", ");
    layer(&t, 8, s.outputs, s.last, s.last_extra);
    add(&t, "]");
    if (s.classes) add(&t, ", \"classes\": %s", s.classes);
    if (s.score) add(&t, ", \"score\": %s", s.score);
    if (s.working_points) add(&t, ", \"working_points\": %s", s.working_points);
    add(&t, "%s}", s.top_extra);
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(t.s, 1, t.n, f);
        fclose(f);
        g_files++;
    }
    free(t.s);
    return path;
}

static tml_t5_model *load(const char *path)
{
    tml_t5_model *m = NULL;
    tml_status s = api->t5_model_load(path, &m);
    CHECK(s == TML_OK, "loading %s: %s: %s", path, tml_status_name(s), api->last_error());
    return m;
}

static void expect_load(const char *what, const char *path, tml_status want, const char *mention,
                        const char *mention2)
{
    tml_t5_model *m = (tml_t5_model *)(uintptr_t)0x1; /* must be reset to NULL */
    tml_status s = api->t5_model_load(path, &m);
    expect(what, s, want, mention, mention2);
    if (want != TML_OK) CHECK(m == NULL, "%s: *out is %p after a failed load", what, (void *)m);
    if (s == TML_OK) api->t5_model_free(m);
}

/* Item 2 at load: every inconsistency is TML_ERR_FORMAT naming the key. */
static void check_model_files(void)
{
    spec s;
    s = three_class();
    expect_load("good 3-class model", write_model("good.json", s), TML_OK, NULL, NULL);
    s = embedding();
    expect_load("good embedding model", write_model("embed.json", s), TML_OK, NULL, NULL);

    s = three_class(), s.std_first = "0";
    expect_load("std = 0", write_model("std0.json", s), TML_ERR_FORMAT, "standardize.std[0]", "> 0");
    s = three_class(), s.std_first = "-2";
    expect_load("std < 0", write_model("stdneg.json", s), TML_ERR_FORMAT, "standardize.std[0]", NULL);
    s = three_class(), s.std_first = "1e39";
    expect_load("std not a finite float32", write_model("stdinf.json", s), TML_ERR_FORMAT, "standardize.std[0]",
                "finite");
    s = three_class(), s.classes = "[\"fake\", \"prompt\"]";
    expect_load("classes length != outputs", write_model("classes.json", s), TML_ERR_FORMAT, "classes", "3 outputs");
    s = three_class(), s.score = "{\"kind\": \"one_minus\", \"class\": \"real\"}";
    expect_load("score class not a class", write_model("scoreclass.json", s), TML_ERR_FORMAT, "score.class", "real");
    s = three_class(), s.score = "{\"kind\": \"odds\", \"class\": \"fake\"}";
    expect_load("score kind unknown", write_model("scorekind.json", s), TML_ERR_FORMAT, "score.kind", "odds");
    s = three_class(), s.score = NULL;
    expect_load("softmax without score", write_model("noscore.json", s), TML_ERR_FORMAT, "score", NULL);
    s = three_class(), s.working_points =
        "[{\"name\": \"a\", \"kind\": \"pt_eta_table\", \"pt_edges_gev\": [5.0], \"eta_bin_width\": 0.25, "
        "\"eta_bins\": 2, \"cuts\": [[0.1, 0.2]]}]";
    expect_load("working-point table: too few pT rows", write_model("wprows.json", s), TML_ERR_FORMAT,
                "working_points[0].cuts", NULL);
    s = three_class(), s.working_points =
        "[{\"name\": \"a\", \"kind\": \"pt_eta_table\", \"pt_edges_gev\": [5.0], \"eta_bin_width\": 0.25, "
        "\"eta_bins\": 2, \"cuts\": [[0.1, 0.2], [0.3]]}]";
    expect_load("working-point table: short eta row", write_model("wpcols.json", s), TML_ERR_FORMAT,
                "working_points[0].cuts[1]", NULL);
    s = three_class(), s.working_points = "[{\"name\": \"a\", \"kind\": \"single\", \"cut\": 0.5}, "
                                          "{\"name\": \"a\", \"kind\": \"single\", \"cut\": 0.6}]";
    expect_load("duplicate working-point names", write_model("wpdup.json", s), TML_ERR_FORMAT,
                "working_points[1].name", "unique");
    s = three_class(), s.extra_inputs = "[{\"from\": \"md\", \"anchor\": 6, \"column\": 0}]", s.extra_count = 1;
    expect_load("extra input anchor 6", write_model("anchor6.json", s), TML_ERR_FORMAT, "extra_inputs[0].anchor", "6");
    s = three_class(), s.extra_inputs = "[{\"from\": \"md\", \"anchor\": 0, \"column\": 0}]", s.extra_count = 1;
    expect_load("extra input anchor 0", write_model("anchor0.json", s), TML_ERR_FORMAT, "extra_inputs[0].anchor", NULL);
    s = three_class(), s.extra_inputs = "[{\"from\": \"t3\", \"t3\": \"middle\", \"column\": 0}]", s.extra_count = 1;
    expect_load("extra input T3 'middle'", write_model("t3middle.json", s), TML_ERR_FORMAT, "extra_inputs[0].t3",
                "middle");
    s = three_class(), s.top_extra = ", \"clases\": []";
    expect_load("unknown top-level key", write_model("unknown.json", s), TML_ERR_FORMAT, "clases",
                "did you mean 'classes'");
    s = three_class(), s.last_extra = ", \"bais\": 1";
    expect_load("unknown layer key", write_model("unknownlayer.json", s), TML_ERR_FORMAT, "layers[1].bais", "'bias'");
    s = three_class(), s.extra_inputs = "[{\"from\": \"t5\", \"colunm\": 0, \"column\": 0}]", s.extra_count = 1;
    expect_load("unknown extra-input key", write_model("unknownextra.json", s), TML_ERR_FORMAT,
                "extra_inputs[0].colunm", "'column'");
    s = embedding(), s.working_points = WPS;
    expect_load("embedding with working points", write_model("embedwp.json", s), TML_ERR_FORMAT, "working_points",
                "embedding");
    s = embedding(), s.last_extra = "";
    expect_load("linear output without the embedding marker", write_model("linear.json", s), TML_ERR_FORMAT,
                "layers[1]", "embedding");

    /* Another kind of TrigML file, or an XGBoost model, names its loader. */
    static const char *kinds[][3] = {
        {"tagger.json", "{\"format\": \"trigml.tagger\", \"format_version\": 1}", "tml_tagger_load"},
        {"forest.json", "{\"format\": \"trigml.forest\", \"format_version\": 1}", "tml_forest_load"},
        {"ddt.json", "{\"format\": \"trigml.ddt-map\", \"format_version\": 1}", "tml_ddt_load"},
        {"scheme.json", "{\"format\": \"trigml.lut-scheme\", \"format_version\": 1}", "tml_lut_scheme_load"},
        {"xgb.json", "{\"learner\": {}, \"version\": [2, 1, 0]}", "tml_forest_load"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", g_dir, kinds[i][0]);
        FILE *f = fopen(path, "wb");
        if (f) {
            fputs(kinds[i][1], f);
            fclose(f);
            g_files++;
        }
        expect_load(kinds[i][0], path, TML_ERR_FORMAT, kinds[i][2], NULL);
    }
    char tagger[1024];
    test_source_path(tagger, sizeof tagger, "Tests/golden/taggers/mlp_softmax.json");
    if (test_file_exists(tagger)) expect_load("shipped tagger file", tagger, TML_ERR_FORMAT, "tml_tagger_load", NULL);
}

/* ---------------------------------------------------------- calls */

#define N_MAX 64
#define SENTINEL 12345.0f
static float g_score[N_MAX], g_prob[N_MAX * 3], g_embed[N_MAX * 6], g_features[N_MAX * 40];
static uint8_t g_pass[N_MAX];

static void arm(void)
{
    for (size_t i = 0; i < N_MAX; i++) g_score[i] = SENTINEL, g_pass[i] = 0xEE;
    for (size_t i = 0; i < N_MAX * 3; i++) g_prob[i] = SENTINEL;
    for (size_t i = 0; i < N_MAX * 6; i++) g_embed[i] = SENTINEL;
    for (size_t i = 0; i < N_MAX * 40; i++) g_features[i] = SENTINEL;
}

static void expect_untouched(const char *what)
{
    size_t touched = 0;
    for (size_t i = 0; i < N_MAX; i++) touched += g_score[i] != SENTINEL || g_pass[i] != 0xEE;
    for (size_t i = 0; i < N_MAX * 3; i++) touched += g_prob[i] != SENTINEL;
    for (size_t i = 0; i < N_MAX * 6; i++) touched += g_embed[i] != SENTINEL;
    for (size_t i = 0; i < N_MAX * 40; i++) touched += g_features[i] != SENTINEL;
    CHECK(touched == 0, "%s: a failing call wrote %zu output values", what, touched);
}

/* Every call that takes these columns refuses them the same way, writing nothing. */
static void expect_columns_refused(const char *what, const tml_t5_model *scorer, const tml_t5_model *embedder,
                                   const tml_t5_batch *b, const tml_t5_columns *cols, tml_status want,
                                   const char *mention)
{
    char label[256];
    arm();
    snprintf(label, sizeof label, "score_ex: %s", what);
    expect(label, api->t5_score_ex(scorer, b, cols, 0, g_score, g_pass, g_prob), want, mention, NULL);
    snprintf(label, sizeof label, "features_ex: %s", what);
    expect(label, api->t5_features_ex(scorer, b, cols, g_features), want, mention, NULL);
    snprintf(label, sizeof label, "embed: %s", what);
    expect(label, api->t5_embed(embedder, b, cols, g_embed), want, mention, NULL);
    expect_untouched(what);
}

static void check_calls(void)
{
    t5f_event ev;
    CHECK(t5_synth_event(&ev, 6, 4, 5) == 0, "synthetic event");
    CHECK(ev.n_t5 <= N_MAX, "event too large");
    CHECK(t5f_event_alloc_columns(&ev, 2, 3, 1) == 0, "columns");
    for (uint64_t i = 0; i < ev.n_md * 2; i++) ev.md_columns[i] = 0.01f * (float)i;
    for (uint64_t i = 0; i < ev.n_t3 * 3; i++) ev.t3_columns[i] = (float)(i % 3) / 3.0f;
    for (uint64_t i = 0; i < ev.n_t5; i++) ev.t5_columns[i] = 0.5f + 0.1f * (float)i;
    tml_t5_batch b = t5f_batch(&ev);
    tml_t5_columns cols = t5f_columns(&ev);

    tml_t5_model *scorer = load(write_model("calls3.json", three_class()));
    tml_t5_model *embedder = load(write_model("callsembed.json", embedding()));
    spec plain = three_class();
    plain.extra_inputs = NULL, plain.extra_count = 0;
    tml_t5_model *no_columns = load(write_model("callsplain.json", plain));
    tml_t5_model *def = NULL;
    CHECK(api->t5_model_default(&def) == TML_OK, "default model");
    if (!scorer || !embedder || !no_columns || !def) return;

    /* Getters. */
    CHECK(api->t5_model_input_count(scorer) == 27, "input count %d, expected 23 + 4 extra", api->t5_model_input_count(scorer));
    CHECK(api->t5_model_class_count(scorer) == 3, "class count");
    CHECK(api->t5_model_class_count(def) == 1, "sigmoid class count");
    CHECK(api->t5_model_class_count(embedder) == 0, "embedding class count");
    CHECK(api->t5_model_embedding_dim(embedder) == 6 && api->t5_model_embedding_dim(scorer) == 0, "embedding dim");
    CHECK(api->t5_model_working_point_count(scorer) == 2 && api->t5_model_working_point_count(embedder) == 0,
          "working point count");
    CHECK(api->t5_model_class_count(NULL) == -1 && api->t5_model_embedding_dim(NULL) == -1 &&
              api->t5_model_working_point_count(NULL) == -1, "NULL model getters return -1");
    const char *n0 = api->t5_model_working_point_name(scorer, 0), *n1 = api->t5_model_working_point_name(scorer, 1);
    CHECK(n0 && strcmp(n0, "retention98") == 0 && n1 && strcmp(n1, "retention93") == 0, "working point names");
    CHECK(api->t5_model_working_point_name(scorer, 2) == NULL && api->t5_model_working_point_name(scorer, -1) == NULL &&
              api->t5_model_working_point_name(NULL, 0) == NULL, "names out of range are NULL");
    const char *dn = api->t5_model_working_point_name(def, 0);
    CHECK(dn && strcmp(dn, "default") == 0, "a version-1 working point is 'default'");

    /* Columns: missing, too narrow, NULL tables. */
    expect_columns_refused("cols NULL", scorer, embedder, &b, NULL, TML_ERR_INVALID_ARGUMENT, "cols is NULL");
    tml_t5_columns narrow = cols;
    narrow.t3_count = 2;
    expect_columns_refused("t3 table too narrow", scorer, embedder, &b, &narrow, TML_ERR_SHAPE, "t3_count = 2");
    narrow = cols;
    narrow.md_count = 1;
    expect_columns_refused("md table too narrow", scorer, embedder, &b, &narrow, TML_ERR_SHAPE, "md_count = 1");
    narrow = cols;
    narrow.t5_count = 0, narrow.t5 = NULL;
    expect_columns_refused("no t5 table", scorer, embedder, &b, &narrow, TML_ERR_SHAPE, "t5_count = 0");
    narrow = cols;
    narrow.md = NULL;
    expect_columns_refused("md table NULL", scorer, embedder, &b, &narrow, TML_ERR_INVALID_ARGUMENT, "cols->md is NULL");
    narrow = cols;
    narrow.t3 = NULL;
    expect_columns_refused("t3 table NULL", scorer, embedder, &b, &narrow, TML_ERR_INVALID_ARGUMENT, "cols->t3 is NULL");

    /* The calls without a cols argument on a model that reads columns. */
    arm();
    expect("tml_t5_score on a model with host columns", api->t5_score(scorer, &b, g_score, g_pass),
           TML_ERR_INVALID_ARGUMENT, "cols", NULL);
    expect("tml_t5_features on a model with host columns", api->t5_features(scorer, &b, g_features),
           TML_ERR_INVALID_ARGUMENT, "cols", NULL);
    expect_untouched("calls without cols");

    /* Working point out of range; wrong head; NULL outputs. */
    arm();
    expect("working point 2 of 2", api->t5_score_ex(scorer, &b, &cols, 2, g_score, g_pass, g_prob),
           TML_ERR_INVALID_ARGUMENT, "working_point = 2", "retention93");
    expect("working point -1", api->t5_score_ex(scorer, &b, &cols, -1, g_score, g_pass, g_prob),
           TML_ERR_INVALID_ARGUMENT, "working_point = -1", NULL);
    expect("score_ex on an embedding model", api->t5_score_ex(embedder, &b, &cols, 0, g_score, g_pass, g_prob),
           TML_ERR_UNSUPPORTED, "tml_t5_embed", NULL);
    expect("tml_t5_score on an embedding model", api->t5_score(embedder, &b, g_score, g_pass), TML_ERR_UNSUPPORTED,
           "tml_t5_embed", NULL);
    expect("embed on a scoring model", api->t5_embed(scorer, &b, &cols, g_embed), TML_ERR_UNSUPPORTED,
           "not an embedding model", NULL);
    expect("score_ex score NULL", api->t5_score_ex(scorer, &b, &cols, 0, NULL, g_pass, g_prob),
           TML_ERR_INVALID_ARGUMENT, "score is NULL", NULL);
    expect("embed embedding NULL", api->t5_embed(embedder, &b, &cols, NULL), TML_ERR_INVALID_ARGUMENT,
           "embedding is NULL", NULL);
    expect("features_ex features NULL", api->t5_features_ex(scorer, &b, &cols, NULL), TML_ERR_INVALID_ARGUMENT,
           "features is NULL", NULL);
    expect("score_ex model NULL", api->t5_score_ex(NULL, &b, &cols, 0, g_score, g_pass, g_prob),
           TML_ERR_INVALID_ARGUMENT, "model", NULL);
    expect("score_ex batch NULL", api->t5_score_ex(scorer, NULL, &cols, 0, g_score, g_pass, g_prob),
           TML_ERR_INVALID_ARGUMENT, "tml_t5_batch", NULL);
    expect_untouched("working point, head and NULL outputs");

    /* A broken index chain is refused by the _ex calls too. */
    uint32_t saved = ev.t5_t3[1];
    ev.t5_t3[1] = 9999;
    expect_columns_refused("t5_t3 past n_t3", scorer, embedder, &b, &cols, TML_ERR_INVALID_ARGUMENT, "t5_t3[0][1]");
    ev.t5_t3[1] = saved;

    /* Good calls: probabilities sum to 1, score = 1 - P(fake), wp 1 is its single cut. */
    arm();
    CHECK(api->t5_score_ex(scorer, &b, &cols, 1, g_score, g_pass, g_prob) == TML_OK, "score_ex: %s", api->last_error());
    for (uint64_t t = 0; t < ev.n_t5; t++) {
        float sum = g_prob[3 * t] + g_prob[3 * t + 1] + g_prob[3 * t + 2];
        CHECK(fabsf(sum - 1.0f) < 1e-6f, "T5 %llu: probabilities sum to %.9g", (unsigned long long)t, sum);
        CHECK(g_score[t] == 1.0f - g_prob[3 * t], "T5 %llu: score %.9g is not 1 - P(fake)", (unsigned long long)t,
              g_score[t]);
        CHECK(g_pass[t] == (g_score[t] > 0.4f), "T5 %llu: pass at retention93 (cut 0.4)", (unsigned long long)t);
    }
    /* tml_t5_score = tml_t5_score_ex(cols NULL, wp 0) on a model without columns. */
    float s_ex[N_MAX], s_plain[N_MAX];
    uint8_t p_ex[N_MAX], p_plain[N_MAX];
    CHECK(api->t5_score_ex(no_columns, &b, NULL, 0, s_ex, p_ex, NULL) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_score(no_columns, &b, s_plain, p_plain) == TML_OK, "%s", api->last_error());
    CHECK(memcmp(s_ex, s_plain, ev.n_t5 * sizeof(float)) == 0 && memcmp(p_ex, p_plain, ev.n_t5) == 0,
          "tml_t5_score differs from tml_t5_score_ex(NULL, 0)");
    /* A table wider than the model reads is fine; its extra columns are ignored. */
    CHECK(api->t5_embed(embedder, &b, &cols, g_embed) == TML_OK, "%s", api->last_error());

    api->t5_model_free(scorer);
    api->t5_model_free(embedder);
    api->t5_model_free(no_columns);
    api->t5_model_free(def);
    t5f_event_free(&ev);
}

/* lst-v1 reads md_layer: a layer outside 1-11 is refused naming the MD. */
static void check_md_layer(void)
{
    char v1[1024];
    test_source_path(v1, sizeof v1, "Tests/golden/t5_model_lst_v1.json");
    tml_t5_model *m1 = load(v1), *m2 = NULL;
    CHECK(api->t5_model_default(&m2) == TML_OK, "default model");
    if (!m1 || !m2) return;
    t5f_event ev;
    CHECK(t5_synth_event(&ev, 6, 4, 5) == 0, "synthetic event");
    tml_t5_batch b = t5f_batch(&ev);
    static const uint8_t bad[] = {0, 12, 255};
    for (size_t i = 0; i < sizeof bad; i++) {
        uint8_t saved = ev.md_layer[7];
        ev.md_layer[7] = bad[i];
        char label[128], mention[64];
        snprintf(mention, sizeof mention, "md_layer[7] = %u", bad[i]);
        arm();
        snprintf(label, sizeof label, "lst-v1 score, md_layer %u", bad[i]);
        expect(label, api->t5_score(m1, &b, g_score, g_pass), TML_ERR_INVALID_ARGUMENT, mention, "1-11");
        snprintf(label, sizeof label, "lst-v1 features, md_layer %u", bad[i]);
        expect(label, api->t5_features(m1, &b, g_features), TML_ERR_INVALID_ARGUMENT, mention, NULL);
        snprintf(label, sizeof label, "lst-v1 score_ex, md_layer %u", bad[i]);
        expect(label, api->t5_score_ex(m1, &b, NULL, 0, g_score, g_pass, g_prob), TML_ERR_INVALID_ARGUMENT, mention, NULL);
        expect_untouched(label);
        /* lst-v2 does not read the layer. */
        CHECK(api->t5_score(m2, &b, g_score, g_pass) == TML_OK, "lst-v2 with md_layer %u: %s", bad[i], api->last_error());
        ev.md_layer[7] = saved;
    }
    CHECK(api->t5_score(m1, &b, g_score, g_pass) == TML_OK, "lst-v1 with layers 1-11: %s", api->last_error());
    api->t5_model_free(m1);
    api->t5_model_free(m2);
    t5f_event_free(&ev);
}

int main(void)
{
    api = test_load_api();
    snprintf(g_dir, sizeof g_dir, "%s/trigml-t5v2-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    check_model_files();
    check_calls();
    check_md_layer();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "note: could not remove %s\n", g_dir);
    return test_finish("t5_v2_bad_inputs");
}
