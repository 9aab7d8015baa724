/*
 * Fuzz target: forest files, XGBoost JSON and the library's own
 * "trigml.forest" JSON (tml_forest_load recognises the kind from the
 * content).
 *
 * A refused file must come back as a format, shape or unsupported error
 * naming the file, with *out NULL. An accepted forest must report a feature
 * count in [1, 65536] and a non-negative tree count, and predict a fixed
 * set of rows (values around typical thresholds, zeros of both signs, NaN
 * and infinities) with the same bits row-major, column-major, and one row
 * at a time (the header's "bit-identical for any batch size or layout").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

static float row_value(size_t row, size_t feature)
{
    static const float v[16] = {0.0f, -0.0f, 0.5f, -1.5f, 2.0f, 10.0f, -10.0f, 100.0f,
                                NAN, INFINITY, -INFINITY, 1e-3f, 0.25f, 3.0f, -0.75f, 1e30f};
    return v[(row * 7 + feature * 3 + row / 5) % 16];
}

static void check_forest(const tml_forest *f)
{
    int32_t nf = tml_forest_feature_count(f), nt = tml_forest_tree_count(f);
    FZ_REQUIRE(nf >= 1 && nf <= 65536, "feature_count %d", nf);
    FZ_REQUIRE(nt >= 0, "tree_count %d", nt);
    size_t F = (size_t)nf, n = F <= 512 ? 67 : 2; /* 67 rows: a full block of 64 and a tail */
    float *rm = malloc(n * F * sizeof(float)), *cm = malloc(n * F * sizeof(float));
    float *o1 = malloc(n * sizeof(float)), *o2 = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < F; j++) rm[i * F + j] = cm[j * n + i] = row_value(i, j);
    tml_status s = tml_forest_predict(f, n, rm, F, 1, o1);
    FZ_REQUIRE(s == TML_OK, "row-major predict: status %d", s);
    s = tml_forest_predict(f, n, cm, 1, n, o2);
    FZ_REQUIRE(s == TML_OK, "column-major predict: status %d", s);
    for (size_t i = 0; i < n; i++)
        FZ_REQUIRE(fz_same_float(o1[i], o2[i]), "row %zu: %.9g row-major, %.9g column-major", i, o1[i], o2[i]);
    const size_t probe[3] = {0, n / 2, n - 1};
    for (int k = 0; k < 3; k++) {
        float one;
        FZ_REQUIRE(tml_forest_predict(f, 1, rm + probe[k] * F, F, 1, &one) == TML_OK, "one row");
        FZ_REQUIRE(fz_same_float(one, o1[probe[k]]), "row %zu: %.9g alone, %.9g in the batch", probe[k], one,
                   o1[probe[k]]);
    }
    free(rm);
    free(cm);
    free(o1);
    free(o2);
}

FZ_FILE_LOADER_TARGET(tml_forest, tml_forest_load, check_forest, tml_forest_free)
