/*
 * forest_golden: tml_forest_predict through the C ABI against the margins
 * XGBoost itself computed for the same rows (tools/lut/make_forest_golden.py
 * wrote MARGINS with Booster.predict(output_margin=True); the file layout is
 * in that script).
 *
 *   forest_golden MODEL MARGINS
 *
 * Every margin must be equal bit for bit (include/trigml.h: XGBoost models
 * sum as XGBoost's CPU predictor does), passed row-major, column-major and
 * one row at a time. A missing file is a failure, not a skip: both are
 * committed.
 */
#include "byte_cursor.h"
#include "test_util.h"

static const char MARGINS_MAGIC[8] = {'T', 'M', 'L', 'F', 'M', 'R', 'G', '1'};

typedef struct forest_margins {
    uint64_t n_rows;
    uint32_t n_features;
    float *x;      /* [n_rows * n_features], row-major */
    float *margin; /* [n_rows] */
} forest_margins;

static int read_margins(const char *path, forest_margins *m, char *err, size_t err_size)
{
    memset(m, 0, sizeof *m);
    byte_cursor c;
    if (bc_open(&c, path, MARGINS_MAGIC, "forest margins", err, err_size) != 0) return -1;
    uint32_t reserved = 1;
    uint64_t n_x = 0;
    int ok = bc_take_u64(&c, &m->n_rows, "n_rows") == 0 && bc_take_u32(&c, &m->n_features, "n_features") == 0 &&
             bc_take_u32(&c, &reserved, "reserved") == 0 &&
             bc_product(&c, m->n_rows, m->n_features, &n_x, "x") == 0 &&
             (m->x = bc_take_column(&c, n_x, 4, "x")) != NULL &&
             (m->margin = bc_take_column(&c, m->n_rows, 4, "margin")) != NULL && bc_expect_end(&c, "the margins") == 0;
    if (ok && reserved != 0) {
        bc_fail(&c, "reserved", "= %u, the format requires 0", reserved);
        ok = 0;
    }
    bc_close(&c);
    if (!ok) {
        free(m->x);
        free(m->margin);
    }
    return ok ? 0 : -1;
}

/* The number of rows whose margin differs from the golden one in any bit;
 * the first few are printed. */
static size_t count_differences(const char *layout, const float *got, const forest_margins *m)
{
    size_t bad = 0;
    for (uint64_t i = 0; i < m->n_rows; i++) {
        if (memcmp(&got[i], &m->margin[i], sizeof(float)) == 0) continue;
        if (bad++ < 5)
            fprintf(stderr, "FAIL %s row %llu: TrigML %.9g, XGBoost %.9g\n", layout, (unsigned long long)i, got[i],
                    m->margin[i]);
    }
    return bad;
}

int main(int argc, char **argv)
{
    test_require_args(argc, 2, "forest_golden MODEL MARGINS");
    const tml_api *api = test_load_api();
    char err[1024];
    forest_margins m;
    if (read_margins(argv[2], &m, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    tml_forest *forest = NULL;
    tml_status st = api->forest_load(argv[1], &forest);
    CHECK(st == TML_OK, "tml_forest_load(%s): %s: %s", argv[1], tml_status_name(st), api->last_error());
    if (!forest) return test_finish("forest_golden");
    CHECK(api->forest_feature_count(forest) == (int32_t)m.n_features, "the model reads %d features, the file has %u",
          api->forest_feature_count(forest), m.n_features);
    CHECK(m.n_rows > 0, "no rows in %s", argv[2]);
    if (g_failures) return test_finish("forest_golden");

    size_t n = (size_t)m.n_rows, nf = m.n_features;
    float *out = malloc(n * sizeof(float)), *columns = malloc(n * nf * sizeof(float));
    CHECK(api->forest_predict(forest, n, m.x, nf, 1, out) == TML_OK, "row-major: %s", api->last_error());
    CHECK(count_differences("row-major", out, &m) == 0, "row-major margins differ from XGBoost's");

    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nf; j++) columns[j * n + i] = m.x[i * nf + j];
    CHECK(api->forest_predict(forest, n, columns, 1, n, out) == TML_OK, "column-major: %s", api->last_error());
    CHECK(count_differences("column-major", out, &m) == 0, "column-major margins differ from XGBoost's");

    for (size_t i = 0; i < n; i++)
        CHECK(api->forest_predict(forest, 1, m.x + i * nf, nf, 1, &out[i]) == TML_OK, "row %zu alone: %s", i,
              api->last_error());
    CHECK(count_differences("one row at a time", out, &m) == 0, "margins of single rows differ from XGBoost's");
    printf("forest_golden: %s: %zu rows x %zu features, every margin equal to XGBoost's bit for bit "
           "(row-major, column-major, one at a time)\n",
           argv[1], n, nf);

    free(out);
    free(columns);
    free(m.x);
    free(m.margin);
    api->forest_free(forest);
    return test_finish("forest_golden");
}
