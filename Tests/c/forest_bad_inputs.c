/*
 * forest_bad_inputs: the forest entry points through the C ABI on bad input
 * give the documented status and a message naming the argument or file,
 * write nothing, and never crash (also run under ASan/UBSan). Absurd sizes
 * are refused before any memory is touched: every pointer passed with them
 * lies on a page that faults on access. The getters give -1 for NULL and
 * for a handle of another kind (include/trigml.h, "Forests").
 */
#include <sys/mman.h>
#include <unistd.h>

#include "test_util.h"

static const tml_api *api;

#define SENTINEL 12345.0f
enum { ROWS = 4 };

static char g_forest_path[1024];

static int untouched(const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] != SENTINEL) return 0;
    return 1;
}

static void fill(float *out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = SENTINEL;
}

/* A load that must fail with `want`, reset *out to NULL and name `mention`. */
static void expect_load_refused(const char *what, const char *path, tml_status want, const char *mention)
{
    tml_forest *f = (tml_forest *)(uintptr_t)0x10;
    test_expect(api, what, api->forest_load(path, &f), want, mention, NULL);
    CHECK(f == NULL, "%s: *out not reset to NULL", what);
}

static void test_loading(void)
{
    char path[1024], tmp[256];
    printf("tml_forest_load:\n");
    expect_load_refused("path NULL", NULL, TML_ERR_INVALID_ARGUMENT, "path");
    test_expect(api, "out NULL", api->forest_load(g_forest_path, NULL), TML_ERR_INVALID_ARGUMENT, "out", NULL);
    expect_load_refused("missing file", "/nonexistent/trigml-forest.json", TML_ERR_IO,
                        "/nonexistent/trigml-forest.json");
    /* Files of the other capabilities are not forests: a tagger model and a
     * T5 model (JSON objects of another format) and a binary jet file. */
    test_source_path(path, sizeof path, "Tests/golden/taggers/mlp_sigmoid.json");
    expect_load_refused("a tagger model file", path, TML_ERR_FORMAT, path);
    test_source_path(path, sizeof path, "Tests/golden/t5_model_lst_v2.json");
    expect_load_refused("a T5 model file", path, TML_ERR_FORMAT, path);
    test_source_path(path, sizeof path, "Tests/golden/taggers/jets.bin");
    expect_load_refused("a binary jet file", path, TML_ERR_FORMAT, path);
    snprintf(tmp, sizeof tmp, "/tmp/forest_bad_inputs_%ld.json", (long)getpid());
    CHECK(test_write_file(tmp, "", 0) == 0, "write %s", tmp);
    expect_load_refused("an empty file", tmp, TML_ERR_FORMAT, tmp);
    unlink(tmp);
}

static void test_getters(const tml_forest *forest, const void *other_kind)
{
    printf("getters:\n");
    CHECK(api->forest_feature_count(NULL) == -1, "feature_count(NULL) = %d", api->forest_feature_count(NULL));
    CHECK(api->forest_tree_count(NULL) == -1, "tree_count(NULL) = %d", api->forest_tree_count(NULL));
    const tml_forest *wrong = other_kind;
    CHECK(api->forest_feature_count(wrong) == -1, "feature_count of a T5 model = %d",
          api->forest_feature_count(wrong));
    CHECK(api->forest_tree_count(wrong) == -1, "tree_count of a T5 model = %d", api->forest_tree_count(wrong));
    CHECK(api->forest_feature_count(forest) == 8, "feature_count = %d, the model has 8",
          api->forest_feature_count(forest));
    CHECK(api->forest_tree_count(forest) > 0, "tree_count = %d", api->forest_tree_count(forest));
    api->forest_free(NULL);
    printf("  ok  -1 for NULL and for a T5 model handle; 8 features, %d trees\n", api->forest_tree_count(forest));
}

/* A predict call that must fail with `want`, naming `mention`, with out
 * (ROWS floats) left as it was. */
#define BAD_PREDICT(what, want, mention, f, n, x, rs, fs, o)                               \
    do {                                                                                \
        fill(out, ROWS);                                                                \
        test_expect(api, what, api->forest_predict(f, n, x, rs, fs, o), want, mention, NULL); \
        CHECK(untouched(out, ROWS), "%s: a failed call wrote out", what);              \
    } while (0)

static void test_predict(const tml_forest *forest, const void *other_kind)
{
    printf("tml_forest_predict:\n");
    float x[ROWS * 8], out[ROWS], good[ROWS];
    for (int i = 0; i < ROWS * 8; i++) x[i] = 0.25f * (float)(i % 9) - 1.0f;
    test_expect(api, "a good row-major batch", api->forest_predict(forest, ROWS, x, 8, 1, good), TML_OK, NULL, NULL);

    BAD_PREDICT("forest NULL", TML_ERR_INVALID_ARGUMENT, "forest", NULL, ROWS, x, 8, 1, out);
    BAD_PREDICT("a T5 model as the forest", TML_ERR_INVALID_ARGUMENT, NULL, (const tml_forest *)other_kind, ROWS, x,
                8, 1, out);
    BAD_PREDICT("x NULL, 4 rows", TML_ERR_INVALID_ARGUMENT, "x", forest, ROWS, NULL, 8, 1, out);
    test_expect(api, "out NULL, 4 rows", api->forest_predict(forest, ROWS, x, 8, 1, NULL), TML_ERR_INVALID_ARGUMENT,
                "out", NULL);

    /* Absurd sizes: refused before any read or write, so every pointer is
     * on a page that faults (a touch would crash the test). */
    void *guard = mmap(NULL, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(guard != MAP_FAILED, "mmap of a guard page");
    if (guard == MAP_FAILED) return;
    const struct {
        const char *what;
        uint64_t n_rows, row_stride, feature_stride;
        const char *mention;
    } absurd[] = {
        {"n_rows 2^62", 1ull << 62, 8, 1, "n_rows"},
        {"n_rows UINT64_MAX", UINT64_MAX, 8, 1, "n_rows"},
        {"row_stride 2^60", ROWS, 1ull << 60, 1, "row_stride"},
        {"feature_stride UINT64_MAX", ROWS, 8, UINT64_MAX, "feature_stride"},
        {"both strides 2^44 (reach past 2^45)", ROWS, 1ull << 44, 1ull << 44, "past 2^45"},
        {"row_stride UINT64_MAX, 2 rows", 2, UINT64_MAX, 1, "row_stride"},
    };
    for (size_t i = 0; i < sizeof absurd / sizeof absurd[0]; i++)
        test_expect(api, absurd[i].what,
                    api->forest_predict(forest, absurd[i].n_rows, guard, absurd[i].row_stride,
                                        absurd[i].feature_stride, guard),
                    TML_ERR_INVALID_ARGUMENT, absurd[i].mention, NULL);
    munmap(guard, 1 << 16);

    /* Allowed edge cases: no rows with NULL arrays; a row stride of 0 reads
     * row 0 for every row. */
    test_expect(api, "n_rows 0, NULL x and out", api->forest_predict(forest, 0, NULL, 0, 0, NULL), TML_OK, NULL,
                NULL);
    fill(out, ROWS);
    test_expect(api, "row_stride 0", api->forest_predict(forest, ROWS, x, 0, 1, out), TML_OK, NULL, NULL);
    for (int i = 0; i < ROWS; i++)
        CHECK(memcmp(&out[i], &good[0], sizeof(float)) == 0, "row_stride 0: row %d gives %.9g, row 0 %.9g", i,
              out[i], good[0]);
}

int main(void)
{
    api = test_load_api();
    test_source_path(g_forest_path, sizeof g_forest_path, "Tests/golden/forests/xgb_binary_logistic.json");
    tml_forest *forest = NULL;
    tml_t5_model *t5 = NULL;
    CHECK(api->forest_load(g_forest_path, &forest) == TML_OK, "%s: %s", g_forest_path, api->last_error());
    CHECK(api->t5_model_default(&t5) == TML_OK, "default T5 model: %s", api->last_error());
    if (!forest || !t5) return test_finish("forest_bad_inputs");
    test_loading();
    test_getters(forest, t5);
    test_predict(forest, t5);
    api->forest_free(forest);
    api->t5_model_free(t5);
    return test_finish("forest_bad_inputs");
}
