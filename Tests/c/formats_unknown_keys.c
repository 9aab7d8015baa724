/*
 * formats_unknown_keys: every TrigML file format this library owns refuses
 * an unknown key, at the top level and nested, with TML_ERR_FORMAT and a
 * message holding the key's path and the nearest valid key; nothing is
 * returned (*out stays NULL). Formats: trigml.forest (tml_forest_load), LUT
 * scheme (tml_lut_scheme_load), tagger (tml_tagger_load, versions 1 and
 * 2), DDT map (tml_ddt_load). Each case starts from a file that loads, so
 * the refusal is the key's and nothing else's.
 */
#include <unistd.h>

#include "test_util.h"

static const tml_api *api;
static char g_dir[] = "/tmp/tml_unknown_keys_XXXXXX";

typedef tml_status (*loader)(const char *path, void **out);
typedef void (*freer)(void *handle);

static tml_status load_forest(const char *p, void **out) { return api->forest_load(p, (tml_forest **)out); }
static tml_status load_scheme(const char *p, void **out) { return api->lut_scheme_load(p, (tml_lut_scheme **)out); }
static tml_status load_tagger(const char *p, void **out) { return api->tagger_load(p, (tml_tagger **)out); }
static tml_status load_map(const char *p, void **out) { return api->ddt_load(p, (tml_ddt_map **)out); }
static void free_forest(void *h) { api->forest_free(h); }
static void free_scheme(void *h) { api->lut_scheme_free(h); }
static void free_tagger(void *h) { api->tagger_free(h); }
static void free_map(void *h) { api->ddt_free(h); }

/* `text` with the first `anchor` replaced by `replacement` (or as it is
 * when anchor is NULL), written to DIR/name; returns the path. */
static const char *write_variant(const char *name, const char *text, const char *anchor, const char *replacement)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "FAIL: cannot write %s\n", path);
        exit(1);
    }
    const char *at = anchor ? strstr(text, anchor) : NULL;
    if (anchor && !at) {
        fprintf(stderr, "FAIL: the test's anchor '%s' is not in %s\n", anchor, name);
        exit(1);
    }
    if (at) {
        fwrite(text, 1, (size_t)(at - text), f);
        fputs(replacement, f);
        fputs(at + strlen(anchor), f);
    } else {
        fputs(text, f);
    }
    fclose(f);
    return path;
}

/* The unedited text loads; the edited one is refused naming `path` and
 * suggesting `nearest`. */
static void check(const char *what, loader load, freer release, const char *text, const char *anchor,
                  const char *replacement, const char *key_path, const char *nearest)
{
    void *handle = NULL;
    tml_status st = load(write_variant("good.json", text, NULL, NULL), &handle);
    CHECK(st == TML_OK && handle, "%s: the unedited file does not load: %s", what, api->last_error());
    if (handle) release(handle);
    handle = (void *)1;
    st = load(write_variant("bad.json", text, anchor, replacement), &handle);
    char suggestion[128];
    snprintf(suggestion, sizeof suggestion, "did you mean '%s'?", nearest);
    test_expect(api, what, st, TML_ERR_FORMAT, key_path, suggestion);
    CHECK(handle == NULL, "%s: *out is not NULL after a refusal", what);
    if (st == TML_OK && handle) release(handle);
}

static const char *kForest =
    "{\"format\": \"trigml.forest\", \"format_version\": 1, \"feature_count\": 2, \"base_score\": 0.5,\n"
    " \"trees\": [{\"left\": [1, -1, -1], \"right\": [2, -1, -1], \"feature\": [1, 0, 0],\n"
    "             \"threshold\": [0.25, 0, 0], \"value\": [0, 0.1, 0.2]}]}\n";

static const char *kScheme =
    "{\"format\": \"trigml.lut-scheme\", \"format_version\": 1, \"name\": \"t\", \"first_address\": 0,\n"
    " \"address_bits\": 8,\n"
    " \"fields\": [{\"name\": \"a\", \"offset\": 0, \"width\": 4, \"table\": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},\n"
    "            {\"name\": \"b\", \"offset\": 4, \"width\": 2, \"linear\": {\"scale\": 0.5, \"offset\": 1}},\n"
    "            {\"name\": \"c\", \"offset\": 6, \"width\": 2, \"linear\": {\"scale\": 2}}],\n"
    " \"values\": [{\"name\": \"ab\", \"op\": \"add\", \"args\": [\"a\", \"b\"]}],\n"
    " \"inputs\": [\"a\", \"b\", \"c\", \"ab\"]}\n";

#define LAYER_2_1 "{\"inputs\": 2, \"outputs\": 1, \"activation\": \"linear\", \"weights\": [[0.5], [-0.25]], \"bias\": [0.1]}"
static const char *kTaggerV1 =
    "{\"format\": \"trigml.tagger\", \"format_version\": 1, \"kind\": \"mlp\", \"output\": \"sigmoid\",\n"
    " \"jet_features\": [\"tau21\", \"multiplicity\"], \"jet_scaling\": {\"offset\": [0.5, 0.9], \"scale\": [4, 3]},\n"
    " \"layers\": [" LAYER_2_1 "]}\n";
static const char *kTaggerV2 =
    "{\"format\": \"trigml.tagger\", \"format_version\": 2, \"kind\": \"deep_sets\", \"output\": \"sigmoid\",\n"
    " \"jet_features\": [],\n"
    " \"constituent_features\": [{\"name\": \"log_pt_fraction\", \"offset\": -3.5, \"scale\": 0.5},\n"
    "                          {\"name\": \"delta_r\", \"divide_by\": 0.8}],\n"
    " \"phi\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"relu\", \"weights\": [[1, 0], [0, 1]], \"bias\": [0, 0]}],\n"
    " \"f\": [" LAYER_2_1 "]}\n";

static const char *kMap =
    "{\"format\": \"trigml.ddt-map\", \"format_version\": 2, \"background_efficiency\": 0.05,\n"
    " \"direction\": \"higher_passes\", \"score_transform\": \"logit\",\n"
    " \"rho\": {\"min\": -7, \"max\": 0, \"bins\": 2}, \"pt\": {\"min\": 200, \"max\": 1000, \"bins\": 1},\n"
    " \"values\": [[1.5], [2.5]]}\n";

/* One refusal: the file, the edit, the key's path and the nearest key. */
typedef struct unknown_key_case {
    const char *what;
    loader load;
    freer release;
    const char *const *text;
    const char *anchor, *replacement, *key_path, *nearest;
} unknown_key_case;

static const unknown_key_case kCases[] = {
    {"forest: top level", load_forest, free_forest, &kForest, "\"base_score\"", "\"base_scroe\": 1, \"base_score\"",
     "base_scroe is not a known key", "base_score"},
    {"forest: in a tree", load_forest, free_forest, &kForest, "\"value\"", "\"defualt_left\": [true, false, false], \"value\"",
     "trees[0].defualt_left", "default_left"},
    {"scheme: top level", load_scheme, free_scheme, &kScheme, "\"address_bits\"", "\"adress_bits\": 2, \"address_bits\"",
     "adress_bits is not a known key", "address_bits"},
    {"scheme: a field (the issue's case)", load_scheme, free_scheme, &kScheme, "\"linear\": {\"scale\": 2}",
     "\"linaer\": {\"scale\": 2}", "fields[2].linaer", "linear"},
    {"scheme: a linear map", load_scheme, free_scheme, &kScheme, "\"offset\": 1}", "\"ofset\": 1}",
     "fields[1].linear.ofset", "offset"},
    {"scheme: a value", load_scheme, free_scheme, &kScheme, "\"op\": \"add\"", "\"opp\": \"add\", \"op\": \"add\"",
     "values[0].opp", "op"},
    {"tagger v1: top level", load_tagger, free_tagger, &kTaggerV1, "\"kind\"", "\"provenace\": \"x\", \"kind\"",
     "provenace is not a known key", "provenance"},
    {"tagger v1: jet_scaling", load_tagger, free_tagger, &kTaggerV1, "\"scale\": [4, 3]", "\"sacle\": [4, 3]",
     "jet_scaling.sacle", "scale"},
    {"tagger v1: a layer", load_tagger, free_tagger, &kTaggerV1, "\"bias\"", "\"bais\": 0, \"bias\"", "layers[0].bais", "bias"},
    {"tagger v2: an input", load_tagger, free_tagger, &kTaggerV2, "\"divide_by\"", "\"divde_by\"",
     "constituent_features[1].divde_by", "divide_by"},
    {"tagger v2: a phi layer", load_tagger, free_tagger, &kTaggerV2, "\"activation\": \"relu\"",
     "\"activaton\": \"relu\"", "phi[0].activaton", "activation"},
    {"map: top level", load_map, free_map, &kMap, "\"score_transform\"", "\"score_transfrom\"",
     "score_transfrom is not a known key", "score_transform"},
    {"map: an axis", load_map, free_map, &kMap, "\"bins\": 2", "\"bnis\": 2, \"bins\": 2", "rho.bnis", "bins"},
};

int main(void)
{
    api = test_load_api();
    if (!mkdtemp(g_dir)) {
        fprintf(stderr, "FAIL: mkdtemp\n");
        return 1;
    }
    for (size_t k = 0; k < sizeof kCases / sizeof kCases[0]; k++) {
        const unknown_key_case *c = &kCases[k];
        check(c->what, c->load, c->release, *c->text, c->anchor, c->replacement, c->key_path, c->nearest);
    }

    char path[600];
    snprintf(path, sizeof path, "%s/good.json", g_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bad.json", g_dir);
    unlink(path);
    rmdir(g_dir);
    return test_finish("formats_unknown_keys");
}
