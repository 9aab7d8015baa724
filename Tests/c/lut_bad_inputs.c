/*
 * lut_bad_inputs: the LUT entry points through the C ABI on bad input give
 * the documented status and a message naming the argument, write nothing,
 * and never crash (also run under ASan/UBSan); the getters give their
 * documented values for NULL and out-of-range arguments; the input names
 * of the mode-15 preset are those of the CMS EMTF 2017 mode-15 BDT, in its
 * input order (cmssw L1Trigger/L1TMuonEndCap/src/PtAssignmentEngine2017.cc,
 * the predictors of mode 15).
 */
#include "test_util.h"

static const tml_api *api;

#define SENTINEL_WORD 0xBEEF

static int words_untouched(const uint16_t *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (words[i] != SENTINEL_WORD) return 0;
    return 1;
}

static void test_getters_and_names(void)
{
    static const char *mode15[20] = {"theta", "st1_ring2", "dphi12", "dphi23", "dphi34", "dphi13", "dphi14",
                                     "dphi24", "fr1", "bend1", "dphi_sum4", "dphi_sum4a", "dphi_sum3",
                                     "dphi_sum3a", "out_st_phi", "dth14", "rpc1", "rpc2", "rpc3", "rpc4"};
    CHECK(api->lut_scheme_first_address(NULL) == 0, "first_address(NULL)");
    CHECK(api->lut_scheme_address_count(NULL) == 0, "address_count(NULL)");
    CHECK(api->lut_scheme_feature_count(NULL) == -1, "feature_count(NULL)");
    CHECK(api->lut_scheme_feature_name(NULL, 0) == NULL, "feature_name(NULL, 0)");
    api->lut_scheme_free(NULL);

    tml_lut_scheme *scheme = NULL;
    test_expect(api, "preset emtf2017-mode15", api->lut_scheme_preset("emtf2017-mode15", &scheme), TML_OK, NULL,
                NULL);
    if (!scheme) return;
    CHECK(api->lut_scheme_first_address(scheme) == (1ull << 29), "mode 15 first address");
    CHECK(api->lut_scheme_address_count(scheme) == (1ull << 29), "mode 15 address count");
    int32_t count = api->lut_scheme_feature_count(scheme);
    CHECK(count == 20, "mode 15 feature count %d", count);
    for (int32_t i = 0; i < 20 && i < count; i++) {
        const char *name = api->lut_scheme_feature_name(scheme, i);
        CHECK(name && strcmp(name, mode15[i]) == 0, "input %d is '%s', expected '%s'", i, name ? name : "(NULL)",
              mode15[i]);
    }
    CHECK(api->lut_scheme_feature_name(scheme, -1) == NULL, "feature_name(-1)");
    CHECK(api->lut_scheme_feature_name(scheme, count) == NULL, "feature_name(feature_count)");
    CHECK(api->lut_scheme_feature_name(scheme, INT32_MAX) == NULL, "feature_name(INT32_MAX)");
    printf("  ok  emtf2017-mode15: 20 input names in the EMTF order; NULL out of range\n");
    api->lut_scheme_free(scheme);
}

static void test_loading(void)
{
    tml_lut_scheme *scheme = (tml_lut_scheme *)(uintptr_t)8;
    test_expect(api, "preset name NULL", api->lut_scheme_preset(NULL, &scheme), TML_ERR_INVALID_ARGUMENT, "name",
                NULL);
    test_expect(api, "preset out NULL", api->lut_scheme_preset("emtf2017-mode15", NULL), TML_ERR_INVALID_ARGUMENT,
                "out", NULL);
    scheme = (tml_lut_scheme *)(uintptr_t)8;
    test_expect(api, "unknown preset", api->lut_scheme_preset("emtf2017-mode99", &scheme),
                TML_ERR_INVALID_ARGUMENT, "emtf2017-mode99", NULL);
    CHECK(scheme == NULL, "a failed preset left *out set");
    test_expect(api, "scheme path NULL", api->lut_scheme_load(NULL, &scheme), TML_ERR_INVALID_ARGUMENT, "path",
                NULL);
    test_expect(api, "missing scheme file", api->lut_scheme_load("/nonexistent/trigml-scheme.json", &scheme),
                TML_ERR_IO, "/nonexistent/trigml-scheme.json", NULL);
    CHECK(scheme == NULL, "a failed load left *out set");

    tml_pt_conversion conversion;
    memset(&conversion, 0x5A, sizeof conversion);
    test_expect(api, "conversion name NULL", api->pt_conversion_preset(NULL, &conversion), TML_ERR_INVALID_ARGUMENT,
                "name", NULL);
    test_expect(api, "unknown conversion", api->pt_conversion_preset("emtf1999", &conversion),
                TML_ERR_INVALID_ARGUMENT, "emtf1999", NULL);
    test_expect(api, "conversion out NULL", api->pt_conversion_preset("emtf2017", NULL), TML_ERR_INVALID_ARGUMENT,
                "out", NULL);
}

static void test_decode_generate_evaluate(void)
{
    char path10[1024], path20[1024];
    test_source_path(path10, sizeof path10, "Tests/golden/lut/forest_10f.json");
    test_source_path(path20, sizeof path20, "Tests/golden/lut/forest_20f.json");
    tml_lut_scheme *scheme = NULL;
    tml_forest *forest = NULL, *wrong = NULL;
    tml_pt_conversion conversion;
    CHECK(api->lut_scheme_preset("emtf2017-mode15", &scheme) == TML_OK, "%s", api->last_error());
    CHECK(api->forest_load(path20, &forest) == TML_OK, "%s", api->last_error());
    CHECK(api->forest_load(path10, &wrong) == TML_OK, "%s", api->last_error());
    CHECK(api->pt_conversion_preset("emtf2017", &conversion) == TML_OK, "%s", api->last_error());
    if (!scheme || !forest || !wrong) return;
    uint64_t first = api->lut_scheme_first_address(scheme), count = api->lut_scheme_address_count(scheme);

    float features[4 * 20];
    uint64_t inside[2] = {first, first + count - 1}, outside[2] = {first, first + count};
    test_expect(api, "decode NULL scheme", api->lut_decode(NULL, 2, inside, features), TML_ERR_INVALID_ARGUMENT,
                "scheme", NULL);
    test_expect(api, "decode address NULL", api->lut_decode(scheme, 2, NULL, features), TML_ERR_INVALID_ARGUMENT,
                "address", NULL);
    test_expect(api, "decode features NULL", api->lut_decode(scheme, 2, inside, NULL), TML_ERR_INVALID_ARGUMENT,
                "features", NULL);
    test_expect(api, "decode address past the scheme", api->lut_decode(scheme, 2, outside, features),
                TML_ERR_INVALID_ARGUMENT, "address", NULL);
    test_expect(api, "decode n = 0", api->lut_decode(scheme, 0, NULL, NULL), TML_OK, NULL, NULL);

    uint16_t words[16];
    float margins[16];
    for (size_t i = 0; i < 16; i++) words[i] = SENTINEL_WORD;
    test_expect(api, "generate NULL scheme", api->lut_generate(NULL, forest, &conversion, first, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, "scheme", NULL);
    test_expect(api, "generate NULL forest", api->lut_generate(scheme, NULL, &conversion, first, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, "forest", NULL);
    test_expect(api, "generate NULL conversion", api->lut_generate(scheme, forest, NULL, first, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, "conversion", NULL);
    test_expect(api, "generate n_threads = -1", api->lut_generate(scheme, forest, &conversion, first, 16, words, -1),
                TML_ERR_INVALID_ARGUMENT, "n_threads", NULL);
    test_expect(api, "generate out NULL", api->lut_generate(scheme, forest, &conversion, first, 16, NULL, 1),
                TML_ERR_INVALID_ARGUMENT, "out", NULL);
    test_expect(api, "generate 10-input forest, 20-input scheme",
                api->lut_generate(scheme, wrong, &conversion, first, 16, words, 1), TML_ERR_SHAPE, NULL, NULL);
    test_expect(api, "generate range past the scheme",
                api->lut_generate(scheme, forest, &conversion, first + count - 8, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, NULL, NULL);
    test_expect(api, "generate range wrapping 2^64",
                api->lut_generate(scheme, forest, &conversion, UINT64_MAX - 4, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, NULL, NULL);
    CHECK(words_untouched(words, 16), "a failed tml_lut_generate wrote words");
    test_expect(api, "generate count = 0, out NULL",
                api->lut_generate(scheme, forest, &conversion, UINT64_MAX, 0, NULL, 1), TML_OK, NULL, NULL);

    tml_pt_conversion broken = conversion;
    broken.target = 7;
    test_expect(api, "generate conversion target 7", api->lut_generate(scheme, forest, &broken, first, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, "target", NULL);
    broken = conversion;
    broken.word_max = 70000;
    test_expect(api, "generate word_max 70000", api->lut_generate(scheme, forest, &broken, first, 16, words, 1),
                TML_ERR_INVALID_ARGUMENT, "word_max", NULL);
    CHECK(words_untouched(words, 16), "a failed tml_lut_generate wrote words");

    test_expect(api, "evaluate address NULL",
                api->lut_evaluate(scheme, forest, &conversion, 2, NULL, words, margins, 1),
                TML_ERR_INVALID_ARGUMENT, "address", NULL);
    test_expect(api, "evaluate address past the scheme",
                api->lut_evaluate(scheme, forest, &conversion, 2, outside, words, margins, 1),
                TML_ERR_INVALID_ARGUMENT, "address", NULL);
    test_expect(api, "evaluate 10-input forest",
                api->lut_evaluate(scheme, wrong, &conversion, 2, inside, words, margins, 1), TML_ERR_SHAPE, NULL,
                NULL);
    CHECK(words_untouched(words, 16), "a failed tml_lut_evaluate wrote words");
    test_expect(api, "evaluate, both outputs NULL",
                api->lut_evaluate(scheme, forest, &conversion, 2, inside, NULL, NULL, 1), TML_OK, NULL, NULL);

    api->forest_free(wrong);
    api->forest_free(forest);
    api->lut_scheme_free(scheme);
}

int main(void)
{
    api = test_load_api();
    test_getters_and_names();
    test_loading();
    test_decode_generate_evaluate();
    return test_finish("lut_bad_inputs");
}
