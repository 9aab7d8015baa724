/*
 * ddt_golden: tml_ddt_apply through the C ABI against the numpy reference
 * (tools/taggers/make_ddt_golden.py wrote APPLY from MAP with
 * tools/reference/ddt_reference.py; the file layout is in that script).
 *
 *   ddt_golden MAP APPLY
 *
 * Every decorrelated score must agree to 1e-6 absolute (the tolerance of
 * tools/tests/test_tagger_parity.py), NaN exactly where the reference has
 * NaN; applying in slices of 1, 7 and 64 jets must give the same bits as one
 * call. A missing file is a failure, not a skip: both are committed.
 */
#include <math.h>

#include "byte_cursor.h"
#include "test_util.h"

static const char APPLY_MAGIC[8] = {'T', 'M', 'L', 'D', 'D', 'T', 'A', '1'};
enum { SCORE, MASS, PT, EXPECTED, N_COLUMNS };

static const char *const COLUMN_NAMES[N_COLUMNS] = {"score", "mass", "pt", "expected"};

/* The four columns of the file, or -1 with a message. */
static int read_apply(const char *path, uint64_t *n, float *columns[N_COLUMNS], char *err, size_t err_size)
{
    byte_cursor c;
    memset(columns, 0, N_COLUMNS * sizeof *columns);
    if (bc_open(&c, path, APPLY_MAGIC, "DDT apply", err, err_size) != 0) return -1;
    int ok = bc_take_u64(&c, n, "n_jets") == 0;
    for (int k = 0; k < N_COLUMNS && ok; k++) ok = (columns[k] = bc_take_column(&c, *n, 4, COLUMN_NAMES[k])) != NULL;
    ok = ok && bc_expect_end(&c, "the expected column") == 0;
    bc_close(&c);
    if (!ok)
        for (int k = 0; k < N_COLUMNS; k++) free(columns[k]);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    test_require_args(argc, 2, "ddt_golden MAP APPLY");
    const tml_api *api = test_load_api();
    char err[1024];
    uint64_t n = 0;
    float *col[N_COLUMNS];
    if (read_apply(argv[2], &n, col, err, sizeof err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    tml_ddt_map *map = NULL;
    tml_status st = api->ddt_load(argv[1], &map);
    CHECK(st == TML_OK, "tml_ddt_load(%s): %s: %s", argv[1], tml_status_name(st), api->last_error());
    CHECK(n > 0, "no jets in %s", argv[2]);
    float *out = malloc((size_t)n * sizeof(float) + 1), *sliced = malloc((size_t)n * sizeof(float) + 1);
    if (map && n > 0) {
        CHECK(api->ddt_apply(map, n, col[SCORE], col[MASS], col[PT], out) == TML_OK, "apply: %s", api->last_error());
        double worst = 0;
        size_t bad = 0, nan_jets = 0;
        for (uint64_t i = 0; i < n; i++) {
            float got = out[i], want = col[EXPECTED][i];
            double diff = isnan(want) ? (isnan(got) ? 0 : INFINITY) : fabs((double)got - (double)want);
            nan_jets += isnan(want) != 0;
            if (diff > worst) worst = diff;
            if (!(diff <= 1e-6) && bad++ < 5)
                fprintf(stderr, "FAIL jet %llu (score %g, mass %g, pT %g): TrigML %.9g, reference %.9g\n",
                        (unsigned long long)i, col[SCORE][i], col[MASS][i], col[PT][i], got, want);
        }
        CHECK(bad == 0, "%zu of %llu decorrelated scores differ from the reference by more than 1e-6", bad,
              (unsigned long long)n);
        CHECK(nan_jets > 0, "the golden jets should include bad inputs (NaN outputs)");
        printf("ddt_golden: %s: max |diff| %.3g over %llu jets (%zu NaN outputs matched)\n", argv[1], worst,
               (unsigned long long)n, nan_jets);

        static const uint64_t slice_sizes[] = {1, 7, 64};
        for (size_t s = 0; s < sizeof slice_sizes / sizeof slice_sizes[0]; s++) {
            for (uint64_t first = 0; first < n; first += slice_sizes[s]) {
                uint64_t count = n - first < slice_sizes[s] ? n - first : slice_sizes[s];
                CHECK(api->ddt_apply(map, count, col[SCORE] + first, col[MASS] + first, col[PT] + first,
                                     sliced + first) == TML_OK,
                      "slice at %llu: %s", (unsigned long long)first, api->last_error());
            }
            CHECK(memcmp(sliced, out, (size_t)n * sizeof(float)) == 0, "apply in slices of %llu differs from one call",
                  (unsigned long long)slice_sizes[s]);
        }
    }
    free(out);
    free(sliced);
    for (int k = 0; k < N_COLUMNS; k++) free(col[k]);
    api->ddt_free(map);
    return test_finish("ddt_golden");
}
