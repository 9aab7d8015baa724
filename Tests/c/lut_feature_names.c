/*
 * lut_feature_names: an XGBoost forest that names its inputs
 * (learner.feature_names) must name the scheme's inputs, index by index:
 * tml_lut_generate and tml_lut_evaluate refuse another order with
 * TML_ERR_SHAPE, a message naming the first mismatch (index, forest name,
 * scheme name), and nothing written; matching names give the same words as
 * a forest without names. The forest is the toy mode-7 model of
 * Tests/golden/lut with names written into a copy.
 */
#include <unistd.h>

#include "test_util.h"

static const tml_api *api;

#define SENTINEL_WORD 0xBEEF
#define WORDS 256

/* The toy model with `"feature_names":[]` replaced by `names`, written to `out_path`. */
static int write_named_model(const char *names, const char *out_path)
{
    char source[4096];
    test_source_path(source, sizeof source, "Tests/golden/lut/xgb_mode7_toy.json");
    FILE *in = fopen(source, "rb");
    if (!in) return 0;
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    size_t got = fread(text, 1, (size_t)size, in);
    fclose(in);
    text[got] = 0;
    const char *empty = "\"feature_names\":[]";
    char *at = strstr(text, empty);
    FILE *out = at ? fopen(out_path, "wb") : NULL;
    if (out) {
        fwrite(text, 1, (size_t)(at - text), out);
        fprintf(out, "\"feature_names\":[%s]", names);
        fputs(at + strlen(empty), out);
        fclose(out);
    }
    free(text);
    return out != NULL;
}

static tml_forest *named_forest(tml_lut_scheme *scheme, int swap_a, int swap_b, const char *path)
{
    char names[1024] = "";
    int32_t count = api->lut_scheme_feature_count(scheme);
    for (int32_t i = 0; i < count; i++) {
        int32_t k = i == swap_a ? swap_b : i == swap_b ? swap_a : i;
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s\"%s\"", i ? "," : "",
                 api->lut_scheme_feature_name(scheme, k));
    }
    tml_forest *forest = NULL;
    CHECK(write_named_model(names, path), "cannot write %s", path);
    CHECK(api->forest_load(path, &forest) == TML_OK, "load %s: %s", path, api->last_error());
    remove(path);
    return forest;
}

int main(void)
{
    api = test_load_api();
    tml_lut_scheme *scheme = NULL;
    tml_pt_conversion conversion;
    CHECK(api->lut_scheme_preset("emtf2017-mode7", &scheme) == TML_OK, "%s", api->last_error());
    CHECK(api->pt_conversion_preset("emtf2017", &conversion) == TML_OK, "%s", api->last_error());
    char path[4096], unnamed_path[4096];
    snprintf(path, sizeof path, "/tmp/lut_feature_names_%d.json", (int)getpid());
    test_source_path(unnamed_path, sizeof unnamed_path, "Tests/golden/lut/xgb_mode7_toy.json");
    tml_forest *unnamed = NULL;
    CHECK(api->forest_load(unnamed_path, &unnamed) == TML_OK, "%s", api->last_error());
    tml_forest *named = named_forest(scheme, -1, -1, path);
    tml_forest *swapped = named_forest(scheme, 1, 2, path);
    if (!scheme || !unnamed || !named || !swapped) return test_finish("lut_feature_names");
    uint64_t first = api->lut_scheme_first_address(scheme);

    static uint16_t plain[WORDS], with_names[WORDS], refused[WORDS];
    test_expect(api, "generate, no names", api->lut_generate(scheme, unnamed, &conversion, first, WORDS, plain, 1),
                TML_OK, NULL, NULL);
    test_expect(api, "generate, matching names",
                api->lut_generate(scheme, named, &conversion, first, WORDS, with_names, 1), TML_OK, NULL, NULL);
    CHECK(memcmp(plain, with_names, sizeof plain) == 0, "matching names changed the words");
    printf("  ok  matching names: the same %d words as without names\n", WORDS);

    char expected[256];
    snprintf(expected, sizeof expected, "forest input 1 is named '%s' but scheme 'emtf2017-mode7' decodes '%s' there",
             api->lut_scheme_feature_name(scheme, 2), api->lut_scheme_feature_name(scheme, 1));
    for (int i = 0; i < WORDS; i++) refused[i] = SENTINEL_WORD;
    test_expect(api, "generate, swapped names",
                api->lut_generate(scheme, swapped, &conversion, first, WORDS, refused, 1), TML_ERR_SHAPE, expected,
                "tml_lut_generate");
    test_expect(api, "generate, swapped names, count 0",
                api->lut_generate(scheme, swapped, &conversion, first, 0, NULL, 1), TML_ERR_SHAPE, expected, NULL);
    uint64_t addresses[4] = {first, first + 1, first + 2, first + 3};
    float margins[4] = {-7, -7, -7, -7};
    test_expect(api, "evaluate, swapped names",
                api->lut_evaluate(scheme, swapped, &conversion, 4, addresses, refused, margins, 1), TML_ERR_SHAPE,
                expected, "tml_lut_evaluate");
    int untouched = 1;
    for (int i = 0; i < WORDS; i++) untouched &= refused[i] == SENTINEL_WORD;
    for (int i = 0; i < 4; i++) untouched &= margins[i] == -7;
    CHECK(untouched, "a refused call wrote words or margins");
    printf("  ok  refused calls wrote nothing\n");

    api->forest_free(unnamed);
    api->forest_free(named);
    api->forest_free(swapped);
    api->lut_scheme_free(scheme);
    return test_finish("lut_feature_names");
}
