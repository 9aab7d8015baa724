/*
 * lut_golden: LUT words through the C ABI against the independent numpy
 * reference (tools/reference/lut_reference.py wrote golden_pairs.json;
 * tools/lut/lut_golden_pairs_bin.py converted it to PAIRS, layout in that
 * script).
 *
 *   lut_golden PAIRS LUT_DIR
 *
 * For every group (scheme preset, forest file under LUT_DIR, pT conversion
 * preset) every address must give exactly the reference word, both from
 * tml_lut_evaluate (all addresses in one call, then on 2 threads) and from
 * tml_lut_generate (a one-address range per pair). A missing file is a
 * failure, not a skip: both are committed.
 */
#include "byte_cursor.h"
#include "test_util.h"

static const char PAIRS_MAGIC[8] = {'T', 'M', 'L', 'L', 'U', 'T', 'P', '1'};

typedef struct lut_pair_group {
    char scheme[33], forest[33], conversion[17];
    uint64_t n_pairs;
    uint64_t *address;
    uint16_t *word;
} lut_pair_group;

static const tml_api *api;

/* One fixed-width NUL-padded name into a NUL-terminated buffer. */
static int take_name(byte_cursor *c, char *dst, size_t width, const char *field)
{
    if (bc_take(c, dst, width, field) != 0) return -1;
    dst[width] = 0;
    if (!dst[0] || strlen(dst) == width) {
        bc_fail(c, field, "is empty or not NUL-padded");
        return -1;
    }
    return 0;
}

static int read_group(byte_cursor *c, uint32_t index, void *groups)
{
    lut_pair_group *g = (lut_pair_group *)groups + index;
    if (take_name(c, g->scheme, 32, "scheme") || take_name(c, g->forest, 32, "forest") ||
        take_name(c, g->conversion, 16, "conversion") || bc_take_u64(c, &g->n_pairs, "n_pairs"))
        return -1;
    if (g->n_pairs > (c->size - c->pos) / 16) {
        bc_fail(c, "n_pairs", "= %llu cannot fit in what remains", (unsigned long long)g->n_pairs);
        return -1;
    }
    g->address = malloc((size_t)g->n_pairs * sizeof *g->address + 1);
    g->word = malloc((size_t)g->n_pairs * sizeof *g->word + 1);
    for (uint64_t k = 0; k < g->n_pairs; k++) {
        uint32_t word = 0, reserved = 0;
        if (bc_take_u64(c, &g->address[k], "address") || bc_take_u32(c, &word, "word") ||
            bc_take_u32(c, &reserved, "reserved"))
            return -1;
        if (word > UINT16_MAX || reserved != 0) {
            bc_fail(c, "word", "= %u (reserved %u): not a 16-bit LUT word", word, reserved);
            return -1;
        }
        g->word[k] = (uint16_t)word;
    }
    return 0;
}

static void free_groups(lut_pair_group *groups, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(groups[i].address);
        free(groups[i].word);
    }
    free(groups);
}

static lut_pair_group *read_pairs(const char *path, uint32_t *n_groups, char *err, size_t err_size)
{
    byte_cursor c;
    uint32_t reserved = 0, started = 0;
    lut_pair_group *groups = NULL;
    *n_groups = 0;
    if (bc_open(&c, path, PAIRS_MAGIC, "LUT pairs", err, err_size) != 0) return NULL;
    int ok = bc_take_u32(&c, n_groups, "n_groups") == 0 && bc_take_u32(&c, &reserved, "reserved") == 0 &&
             (groups = bc_begin_records(&c, *n_groups, "n_groups", 88, sizeof *groups, "group")) != NULL &&
             bc_read_records(&c, *n_groups, "n_groups", &started, read_group, groups) == 0;
    bc_close(&c);
    if (ok) return groups;
    if (groups) free_groups(groups, started);
    return NULL;
}

/* The words of one group from both entry points; returns the mismatches. */
static size_t check_group(const lut_pair_group *g, const char *lut_dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", lut_dir, g->forest);
    tml_lut_scheme *scheme = NULL;
    tml_forest *forest = NULL;
    tml_pt_conversion conversion;
    CHECK(api->lut_scheme_preset(g->scheme, &scheme) == TML_OK, "%s: %s", g->scheme, api->last_error());
    CHECK(api->forest_load(path, &forest) == TML_OK, "%s: %s", path, api->last_error());
    CHECK(api->pt_conversion_preset(g->conversion, &conversion) == TML_OK, "%s: %s", g->conversion,
          api->last_error());
    size_t bad = 0, n = (size_t)g->n_pairs;
    uint16_t *words = malloc(n * sizeof *words + 1);
    for (int32_t threads = 1; threads <= 2 && scheme && forest; threads++) {
        memset(words, 0, n * sizeof *words);
        CHECK(api->lut_evaluate(scheme, forest, &conversion, n, g->address, words, NULL, threads) == TML_OK,
              "%s/%s evaluate: %s", g->scheme, g->conversion, api->last_error());
        for (size_t k = 0; k < n; k++)
            if (words[k] != g->word[k] && bad++ < 5)
                fprintf(stderr, "FAIL %s %s address %llu: tml_lut_evaluate (%d threads) %u, reference %u\n",
                        g->scheme, g->conversion, (unsigned long long)g->address[k], threads, words[k], g->word[k]);
    }
    for (size_t k = 0; k < n && scheme && forest; k++) {
        uint16_t word = 0;
        CHECK(api->lut_generate(scheme, forest, &conversion, g->address[k], 1, &word, 1) == TML_OK,
              "%s/%s generate at %llu: %s", g->scheme, g->conversion, (unsigned long long)g->address[k],
              api->last_error());
        if (word != g->word[k] && bad++ < 5)
            fprintf(stderr, "FAIL %s %s address %llu: tml_lut_generate %u, reference %u\n", g->scheme,
                    g->conversion, (unsigned long long)g->address[k], word, g->word[k]);
    }
    free(words);
    api->forest_free(forest);
    api->lut_scheme_free(scheme);
    return bad;
}

int main(int argc, char **argv)
{
    test_require_args(argc, 2, "lut_golden PAIRS LUT_DIR");
    api = test_load_api();
    char err[1024];
    uint32_t n_groups;
    lut_pair_group *groups = read_pairs(argv[1], &n_groups, err, sizeof err);
    if (!groups) {
        fprintf(stderr, "FAIL: %s\n", err);
        return 1;
    }
    CHECK(n_groups > 0, "no groups in %s", argv[1]);
    size_t pairs = 0;
    for (uint32_t i = 0; i < n_groups; i++) {
        size_t bad = check_group(&groups[i], argv[2]);
        CHECK(bad == 0, "%s with %s (%s): %zu of %llu words differ from the reference", groups[i].scheme,
              groups[i].forest, groups[i].conversion, bad, (unsigned long long)groups[i].n_pairs);
        pairs += (size_t)groups[i].n_pairs;
    }
    printf("lut_golden: %zu address -> word pairs in %u groups (scheme, forest, conversion) checked through "
           "tml_lut_evaluate (1 and 2 threads) and tml_lut_generate\n",
           pairs, n_groups);
    free_groups(groups, n_groups);
    return test_finish("lut_golden");
}
