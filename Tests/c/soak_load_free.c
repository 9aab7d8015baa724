/*
 * soak_load_free.c: repeated load/free of every handle kind (issue 12).
 *
 * One cycle loads, uses once and frees: the default T5 model, a version-1
 * and a version-2 T5 model file, an XGBoost JSON forest and a trigml.forest
 * forest (with its LUT form, built by one tml_lut_evaluate), a preset and a
 * file LUT scheme, a Deep Sets tagger, a DDT map from a file and one built
 * from jets; and it makes every kind of failed load: a missing path, a
 * directory, a file of the wrong kind, a truncated file, a failed DDT build.
 *
 * After WARMUP cycles (malloc arenas and the library's once-made state
 * settle) the resident set (/proc/self/statm) is read, CYCLES more cycles
 * run, and it is read again: a leak of even one small allocation per cycle
 * (5000 x 1 kB = 4.9 MiB) fails the 4 MiB threshold, while malloc's own
 * fluctuation stays far below it. Every call's status is checked too, so a
 * load that starts failing (or a bad file that starts loading) fails the test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#define WARMUP 100
#define CYCLES 5000
#define GROWTH_LIMIT_KIB 4096
#define DDT_JETS 2000

static const char *golden(const char *name) {
    static char paths[8][512];
    static int next = 0;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/Tests/golden/%s", TRIGML_SOURCE_DIR, name);
    return p;
}

static long resident_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static char truncated_path[] = "/tmp/trigml_soak_truncated_XXXXXX";
static float ddt_score[DDT_JETS], ddt_mass[DDT_JETS], ddt_pt[DDT_JETS];

/* The first half of a forest file: a load that fails inside the parser. */
static int write_truncated(void) {
    int fd = mkstemp(truncated_path);
    if (fd < 0) return 1;
    size_t size = 0;
    char *bytes = test_read_file(golden("forests/xgb_reg_logistic.json"), &size);
    if (!bytes) return 1;
    int ok = write(fd, bytes, size / 2) == (ssize_t)(size / 2);
    free(bytes);
    close(fd);
    return !ok;
}

/* Checks a load that must fail: a status, and no handle. */
#define EXPECT_FAIL(call, handle)                                                     \
    do {                                                                              \
        handle = NULL;                                                                \
        tml_status st_ = (call);                                                      \
        CHECK(st_ != TML_OK && handle == NULL, "%s loaded (status %d)", #call, st_); \
    } while (0)

static void one_cycle(const tml_api *api, const char *scheme_file) {
    /* T5: embedded default, version-1 file, version-2 file. */
    const char *t5_files[] = {NULL, golden("t5_model_lst_v2.json"), golden("t5_model_v2_3class.json")};
    for (int k = 0; k < 3; k++) {
        tml_t5_model *m = NULL;
        tml_status st = t5_files[k] ? api->t5_model_load(t5_files[k], &m) : api->t5_model_default(&m);
        CHECK(st == TML_OK, "t5 model %d: %s", k, api->last_error());
        CHECK(api->t5_model_input_count(m) > 0, "t5 model %d has no features", k);
        api->t5_model_free(m);
    }
    /* Forests: XGBoost JSON (one prediction) and trigml.forest (its LUT form too). */
    tml_forest *xgb = NULL, *own = NULL;
    CHECK(api->forest_load(golden("forests/xgb_reg_logistic.json"), &xgb) == TML_OK, "xgb: %s", api->last_error());
    float row[64] = {0}, margin = 0;
    CHECK(api->forest_predict(xgb, 1, row, 1, 1, &margin) == TML_OK, "predict: %s", api->last_error());
    api->forest_free(xgb);
    CHECK(api->forest_load(golden("lut/forest_20f.json"), &own) == TML_OK, "trigml.forest: %s", api->last_error());
    tml_lut_scheme *preset = NULL, *file_scheme = NULL;
    CHECK(api->lut_scheme_preset("emtf2017-mode15", &preset) == TML_OK, "preset: %s", api->last_error());
    tml_pt_conversion conversion;
    CHECK(api->pt_conversion_preset("emtf2017", &conversion) == TML_OK, "conversion: %s", api->last_error());
    uint64_t addresses[4];
    for (int i = 0; i < 4; i++) addresses[i] = api->lut_scheme_first_address(preset) + 977u * (uint64_t)i;
    uint16_t words[4];
    CHECK(api->lut_evaluate(preset, own, &conversion, 4, addresses, words, NULL, 1) == TML_OK, "lut: %s",
          api->last_error());
    api->forest_free(own);
    api->lut_scheme_free(preset);
    CHECK(api->lut_scheme_load(scheme_file, &file_scheme) == TML_OK, "scheme file: %s", api->last_error());
    api->lut_scheme_free(file_scheme);
    /* Tagger and DDT maps (file and built). */
    tml_tagger *tagger = NULL;
    CHECK(api->tagger_load(golden("taggers/deepsets_sigmoid.json"), &tagger) == TML_OK, "tagger: %s",
          api->last_error());
    api->tagger_free(tagger);
    tml_ddt_map *map = NULL;
    CHECK(api->ddt_load(golden("taggers/ddt_map_q05.json"), &map) == TML_OK, "ddt: %s", api->last_error());
    api->ddt_free(map);
    tml_ddt_config config;
    CHECK(api->ddt_config_init(&config, 0.05) == TML_OK, "ddt config: %s", api->last_error());
    CHECK(api->ddt_build(DDT_JETS, ddt_score, ddt_mass, ddt_pt, NULL, &config, &map) == TML_OK, "ddt build: %s",
          api->last_error());
    api->ddt_free(map);

    /* Failed loads of every kind: missing, directory, wrong kind, truncated, bad build. */
    tml_t5_model *m = NULL;
    tml_forest *f = NULL;
    tml_lut_scheme *s = NULL;
    tml_ddt_map *d = NULL;
    EXPECT_FAIL(api->t5_model_load("/nonexistent/trigml_soak.json", &m), m);
    EXPECT_FAIL(api->t5_model_load(golden("taggers/mlp_softmax.json"), &m), m);
    EXPECT_FAIL(api->forest_load(TRIGML_SOURCE_DIR "/Tests", &f), f);
    EXPECT_FAIL(api->forest_load(golden("taggers/deepsets_softmax.json"), &f), f);
    EXPECT_FAIL(api->forest_load(truncated_path, &f), f);
    EXPECT_FAIL(api->lut_scheme_load(golden("taggers/ddt_map_q05.json"), &s), s);
    EXPECT_FAIL(api->lut_scheme_preset("emtf2017-mode99", &s), s);
    EXPECT_FAIL(api->tagger_load(golden("lut/forest_9f.json"), &tagger), tagger);
    EXPECT_FAIL(api->ddt_load(golden("taggers/mlp_softmax.json"), &d), d);
    config.min_entries = DDT_JETS + 1; /* every bin too small, and empty bins fail */
    config.empty_bins = TML_DDT_EMPTY_FAIL;
    EXPECT_FAIL(api->ddt_build(DDT_JETS, ddt_score, ddt_mass, ddt_pt, NULL, &config, &d), d);
}

int main(void) {
    const tml_api *api = test_load_api();
    if (!api || write_truncated()) return 1;
    const char *scheme_file = TRIGML_SOURCE_DIR "/Tests/fuzz-corpus/lut_scheme_file/readme_example.json";
    uint64_t lcg = 12345;
    for (int i = 0; i < DDT_JETS; i++) {
        lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
        ddt_score[i] = (float)((lcg >> 40) % 1000) / 1000.0f;
        ddt_mass[i] = 50.0f + (float)((lcg >> 20) % 200);
        ddt_pt[i] = 250.0f + (float)((lcg >> 10) % 700);
    }
    for (int c = 0; c < WARMUP && g_failures == 0; c++) one_cycle(api, scheme_file);
    long before = resident_kib();
    for (int c = 0; c < CYCLES && g_failures == 0; c++) one_cycle(api, scheme_file);
    long after = resident_kib();
    unlink(truncated_path);
    CHECK(before > 0 && after > 0, "cannot read /proc/self/statm");
    long growth = after - before;
    printf("soak_load_free: %d cycles after %d warm-up: resident %ld KiB -> %ld KiB (%+ld KiB, limit %d KiB)\n",
           CYCLES, WARMUP, before, after, growth, GROWTH_LIMIT_KIB);
    CHECK(growth < GROWTH_LIMIT_KIB, "the resident set grew by %ld KiB over %d load/free cycles", growth, CYCLES);
    return test_finish("soak_load_free");
}
