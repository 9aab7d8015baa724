/*
 * threads: one handle of each kind shared by 16 threads doing a mix of
 * every call, for a fixed count, with results bit-identical to a
 * single-threaded run (the CMSSW global-cache pattern). Built normally
 * (ctest), with ASan/UBSan (ctest-asan, ctest-asan-swift) and under
 * ThreadSanitizer with a TSan-instrumented library (fuzz/run_tsan.sh).
 *
 * Handles: the T5 lst-v2 (embedded) and lst-v1 models, an XGBoost forest,
 * a Deep Sets tagger and a DDT map built once from a synthetic sample; a
 * model file that is missing fails the test (it must exercise every kind). The
 * mix, rotated per thread so that every kind of call overlaps every other:
 * T5 score and features with both models, a T5 slice at a thread-specific
 * offset (other tiles), input_count, a T5 batch with a bad index that must
 * fail with this thread's own index in this thread's tml_last_error(), a
 * load of a missing file named after the thread and iteration, a private
 * model loaded, used and freed; forest predict on a slice; tagger score on
 * a slice; DDT apply on a slice; a small LUT range generated (emtf2017-mode12
 * scheme, Tests/golden/lut/forest_10f.json, emtf2017 conversion, n_threads
 * 1) at a position derived from the thread and iteration, and a few of its
 * addresses decoded.
 *
 *   threads [iterations per thread (default 60)] [threads (16)]
 *   threads --race-demo
 *
 * --race-demo breaks the contract on purpose (the host rewrites md_x while
 * the library reads it) so that fuzz/run_tsan.sh can prove ThreadSanitizer
 * sees the library's own reads: it must report a data race whose stack
 * goes through the Swift code. It is not part of ctest.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "t5_synth.h"
#include "test_util.h"

enum { TRACKS = 150, FAKES = 40, N_T5 = TRACKS + FAKES, MAX_IN = 38 };
enum { N_ROWS = 300, N_JETS = 70, MAX_OUT = 8, N_DDT = 4000 };

static const tml_api *api;
static tml_t5_model *g_v2, *g_v1;
static t5f_event g_event;
static tml_t5_batch g_batch;
static char g_v1_path[1024];
static long g_iterations = 60;
static float g_ref_score_v2[N_T5], g_ref_score_v1[N_T5];
static uint8_t g_ref_pass_v2[N_T5], g_ref_pass_v1[N_T5];
static float g_ref_feat_v2[N_T5 * 23], g_ref_feat_v1[N_T5 * MAX_IN];
static pthread_barrier_t g_start;
static atomic_long g_errors, g_calls;

static tml_forest *g_forest;
static float *g_rows, g_ref_forest[N_ROWS];
static size_t g_nf;

static tml_tagger *g_tagger;
static tml_jet_batch g_jets;
static float *g_jet_x, *g_con_x, g_ref_tagger[N_JETS * MAX_OUT];
static uint64_t g_offsets[N_JETS + 1];
static size_t g_nout;

static tml_ddt_map *g_map;
static float g_ddt_score[N_DDT], g_ddt_mass[N_DDT], g_ddt_pt[N_DDT], g_ref_ddt[N_DDT];

/* LUT: the reference words and decoded inputs of LUT_SPAN addresses from
 * g_lut_base (inside the scheme); each call takes a range of at most
 * LUT_MAX_RANGE of them. */
enum { LUT_SPAN = 8192, LUT_MAX_RANGE = 1024, LUT_DECODE = 6, LUT_MAX_NF = 32 };
static tml_lut_scheme *g_lut_scheme;
static tml_forest *g_lut_forest;
static tml_pt_conversion g_lut_conv;
static uint64_t g_lut_base;
static size_t g_lut_nf;
static uint16_t g_ref_words[LUT_SPAN];
static float *g_ref_decoded;

static float pseudo(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((*s >> 40) & 0xFFFFFF) / 16777216.0f;
}

/* A model file every run needs: its absence is a failure, not a skip (a
 * test that skips what it should exercise passes without testing it). */
static int require_source_file(char *path, size_t size, const char *relative)
{
    test_source_path(path, size, relative);
    CHECK(test_file_exists(path), "missing %s", path);
    return test_file_exists(path);
}

static void setup_forest(void)
{
    char path[1024];
    if (!require_source_file(path, sizeof path, "Tests/golden/forests/xgb_binary_logistic.json")) return;
    CHECK(api->forest_load(path, &g_forest) == TML_OK, "%s", api->last_error());
    if (!g_forest) return;
    g_nf = (size_t)api->forest_feature_count(g_forest);
    g_rows = malloc(N_ROWS * g_nf * sizeof(float));
    uint64_t s = 1;
    for (size_t i = 0; i < N_ROWS * g_nf; i++) g_rows[i] = (i % 97 == 5) ? NAN : 4.0f * pseudo(&s) - 2.0f;
    CHECK(api->forest_predict(g_forest, N_ROWS, g_rows, g_nf, 1, g_ref_forest) == TML_OK, "%s", api->last_error());
}

static void setup_tagger(void)
{
    char path[1024];
    if (!require_source_file(path, sizeof path, "Tests/golden/taggers/deepsets_softmax.json")) return;
    CHECK(api->tagger_load(path, &g_tagger) == TML_OK, "%s", api->last_error());
    if (!g_tagger) return;
    g_nout = (size_t)api->tagger_output_count(g_tagger);
    size_t nj = (size_t)api->tagger_jet_feature_count(g_tagger), nc = (size_t)api->tagger_constituent_feature_count(g_tagger);
    if (g_nout > MAX_OUT) {
        CHECK(0, "tagger with %zu outputs", g_nout);
        return;
    }
    uint64_t s = 2;
    g_offsets[0] = 0;
    for (size_t j = 0; j < N_JETS; j++) g_offsets[j + 1] = g_offsets[j] + (j % 11);
    size_t total = (size_t)g_offsets[N_JETS];
    g_jet_x = malloc(N_JETS * nj * sizeof(float) + 1);
    g_con_x = malloc(total * nc * sizeof(float) + 1);
    for (size_t i = 0; i < N_JETS * nj; i++) g_jet_x[i] = 2.0f * pseudo(&s);
    for (size_t i = 0; i < total * nc; i++) g_con_x[i] = pseudo(&s) - 0.5f;
    g_jets = (tml_jet_batch){.n_jets = N_JETS, .jet_feature_count = nj, .jet_features = g_jet_x,
                             .constituent_offsets = nc ? g_offsets : NULL, .n_constituents = total,
                             .constituent_feature_count = nc, .constituent_features = g_con_x};
    CHECK(api->tagger_score(g_tagger, &g_jets, g_ref_tagger) == TML_OK, "%s", api->last_error());
}

static void setup_ddt(void)
{
    uint64_t s = 3;
    for (int i = 0; i < N_DDT; i++) {
        g_ddt_pt[i] = 200.0f + 800.0f * pseudo(&s);
        g_ddt_mass[i] = g_ddt_pt[i] * (0.03f + 0.9f * pseudo(&s));
        g_ddt_score[i] = pseudo(&s);
    }
    tml_ddt_config cfg;
    CHECK(api->ddt_config_init(&cfg, 0.1) == TML_OK, "%s", api->last_error());
    cfg.rho_bins = 10;
    cfg.pt_bins = 4;
    CHECK(api->ddt_build(N_DDT, g_ddt_score, g_ddt_mass, g_ddt_pt, NULL, &cfg, &g_map) == TML_OK, "%s",
          api->last_error());
    if (g_map) CHECK(api->ddt_apply(g_map, N_DDT, g_ddt_score, g_ddt_mass, g_ddt_pt, g_ref_ddt) == TML_OK, "%s",
                     api->last_error());
}

static void setup_lut(void)
{
    char path[1024];
    if (!require_source_file(path, sizeof path, "Tests/golden/lut/forest_10f.json")) return;
    CHECK(api->lut_scheme_preset("emtf2017-mode12", &g_lut_scheme) == TML_OK, "%s", api->last_error());
    CHECK(api->forest_load(path, &g_lut_forest) == TML_OK, "%s", api->last_error());
    CHECK(api->pt_conversion_preset("emtf2017", &g_lut_conv) == TML_OK, "%s", api->last_error());
    if (!g_lut_scheme || !g_lut_forest) return;
    g_lut_nf = (size_t)api->lut_scheme_feature_count(g_lut_scheme);
    CHECK(g_lut_nf >= 1 && g_lut_nf <= LUT_MAX_NF && (int32_t)g_lut_nf == api->forest_feature_count(g_lut_forest),
          "LUT feature counts: scheme %zu, forest %d", g_lut_nf, api->forest_feature_count(g_lut_forest));
    if (g_failures) return;
    g_lut_base = api->lut_scheme_first_address(g_lut_scheme) + 123457; /* away from the range's start */
    CHECK(api->lut_generate(g_lut_scheme, g_lut_forest, &g_lut_conv, g_lut_base, LUT_SPAN, g_ref_words, 1) == TML_OK,
          "%s", api->last_error());
    uint64_t *address = malloc(LUT_SPAN * sizeof(uint64_t));
    g_ref_decoded = malloc(LUT_SPAN * g_lut_nf * sizeof(float));
    for (uint64_t k = 0; k < LUT_SPAN; k++) address[k] = g_lut_base + k;
    CHECK(api->lut_decode(g_lut_scheme, LUT_SPAN, address, g_ref_decoded) == TML_OK, "%s", api->last_error());
    free(address);
}

/* ------------------------------------------------------------- workers */

#define REPORT(...)                                                     \
    do {                                                                \
        if (atomic_fetch_add(&g_errors, 1) < 10) {                      \
            fprintf(stderr, "FAIL thread %ld iteration %ld: ", id, it); \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
        }                                                               \
    } while (0)

static int same_scores(const float *a, const uint8_t *pa, const float *b, const uint8_t *pb, size_t n)
{
    return memcmp(a, b, n * sizeof(float)) == 0 && memcmp(pa, pb, n) == 0;
}

enum { OPS = 11 };

static void *worker(void *arg)
{
    long id = (long)(intptr_t)arg, it = -1;
    float score[N_T5], features[N_T5 * MAX_IN], out[N_DDT > N_ROWS ? N_DDT : N_ROWS];
    float tag_out[N_JETS * MAX_OUT];
    uint8_t pass[N_T5];
    uint16_t words[LUT_MAX_RANGE];
    float decoded[LUT_DECODE * LUT_MAX_NF];
    uint64_t lut_address[LUT_DECODE];
    /* This thread's broken batch: candidate `bad_at` names T3 `bad_t3`. */
    uint32_t *bad_t5 = malloc(sizeof(uint32_t) * 2 * N_T5);
    memcpy(bad_t5, g_event.t5_t3, sizeof(uint32_t) * 2 * N_T5);
    size_t bad_at = (size_t)(id * 7) % N_T5;
    uint32_t bad_t3 = (uint32_t)g_event.n_t3 + 1000u + (uint32_t)id;
    bad_t5[2 * bad_at] = bad_t3;
    tml_t5_batch bad = g_batch;
    bad.t5_t3 = bad_t5;
    char want_index[64], want_path[256];
    snprintf(want_index, sizeof want_index, "= %u is past n_t3", bad_t3);

    pthread_barrier_wait(&g_start);
    for (it = 0; it < g_iterations; it++) {
        atomic_fetch_add(&g_calls, 1);
        size_t first = (size_t)(id + it) % 13; /* slices: other tiles and blocks */
        switch ((it + id) % OPS) {
        case 10:
            if (g_lut_scheme && g_lut_forest) {
                uint64_t h = (uint64_t)(id * 1000003 + it * 7919);
                uint64_t count = 1 + (h >> 3) % LUT_MAX_RANGE, at = (h * 2654435761u) % (LUT_SPAN - count + 1);
                memset(words, 0xA5, sizeof words);
                /* Every other time only: each successful generate has a fixed set-up cost
                 * (about 1 ms, much more under TSan) whatever the range. */
                if ((it / OPS + id) % 2 == 0 &&
                    (api->lut_generate(g_lut_scheme, g_lut_forest, &g_lut_conv, g_lut_base + at, count, words, 1) !=
                         TML_OK ||
                     memcmp(words, g_ref_words + at, count * sizeof(uint16_t)) != 0))
                    REPORT("LUT words [base + %llu, +%llu) differ (%s)", (unsigned long long)at,
                           (unsigned long long)count, api->last_error());
                for (size_t k = 0; k < LUT_DECODE; k++) lut_address[k] = g_lut_base + (h + k * 1237) % LUT_SPAN;
                if (api->lut_decode(g_lut_scheme, LUT_DECODE, lut_address, decoded) != TML_OK)
                    REPORT("LUT decode: %s", api->last_error());
                else
                    for (size_t k = 0; k < LUT_DECODE; k++)
                        if (memcmp(decoded + k * g_lut_nf, g_ref_decoded + (lut_address[k] - g_lut_base) * g_lut_nf,
                                   g_lut_nf * sizeof(float)) != 0) {
                            REPORT("LUT decode of address %llu differs", (unsigned long long)lut_address[k]);
                            break;
                        }
            }
            break;
        case 0:
            if (api->t5_score(g_v2, &g_batch, score, pass) != TML_OK ||
                !same_scores(score, pass, g_ref_score_v2, g_ref_pass_v2, N_T5))
                REPORT("lst-v2 scores differ from the single-threaded run (%s)", api->last_error());
            break;
        case 1:
            if (api->t5_features(g_v2, &g_batch, features) != TML_OK ||
                memcmp(features, g_ref_feat_v2, sizeof g_ref_feat_v2) != 0)
                REPORT("lst-v2 features differ (%s)", api->last_error());
            break;
        case 2:
            if (api->t5_score(g_v1, &g_batch, score, pass) != TML_OK ||
                !same_scores(score, pass, g_ref_score_v1, g_ref_pass_v1, N_T5))
                REPORT("lst-v1 scores differ (%s)", api->last_error());
            if (api->t5_features(g_v1, &g_batch, features) != TML_OK ||
                memcmp(features, g_ref_feat_v1, sizeof g_ref_feat_v1) != 0)
                REPORT("lst-v1 features differ (%s)", api->last_error());
            break;
        case 3: {
            size_t n = N_T5 - first - (size_t)id % 5;
            tml_t5_batch slice = g_batch;
            slice.n_t5 = n;
            slice.t5_t3 = g_batch.t5_t3 + 2 * first;
            if (api->t5_score(g_v2, &slice, score, pass) != TML_OK ||
                !same_scores(score, pass, g_ref_score_v2 + first, g_ref_pass_v2 + first, n))
                REPORT("slice [%zu, %zu) differs", first, first + n);
            if (api->t5_model_input_count(g_v2) != 23 || api->t5_model_input_count(g_v1) != 38 ||
                api->t5_model_input_count(NULL) != -1)
                REPORT("input_count");
            break;
        }
        case 4: {
            memset(score, 0x5A, sizeof score);
            tml_status s = api->t5_score(g_v1, &bad, score, pass);
            const char *msg = api->last_error();
            if (s != TML_ERR_INVALID_ARGUMENT || !strstr(msg, want_index))
                REPORT("bad index: status %d, message '%s' (expected this thread's '%s')", s, msg, want_index);
            for (size_t i = 0; i < N_T5; i++)
                if (((uint32_t *)score)[i] != 0x5A5A5A5Au) {
                    REPORT("a failed call wrote score[%zu]", i);
                    break;
                }
            break;
        }
        case 5: {
            snprintf(want_path, sizeof want_path, "/nonexistent/trigml-thread-%ld-iteration-%ld.json", id, it);
            tml_t5_model *m = (tml_t5_model *)(uintptr_t)1;
            tml_status s = api->t5_model_load(want_path, &m);
            const char *msg = api->last_error();
            if (s != TML_ERR_IO || m != NULL || !strstr(msg, want_path))
                REPORT("missing file: status %d, message '%s' (expected '%s')", s, msg, want_path);
            break;
        }
        case 6: {
            tml_t5_model *m = NULL;
            if (api->t5_model_load(g_v1_path, &m) != TML_OK) {
                REPORT("load %s: %s", g_v1_path, api->last_error());
                break;
            }
            if (api->t5_score(m, &g_batch, score, pass) != TML_OK ||
                !same_scores(score, pass, g_ref_score_v1, g_ref_pass_v1, N_T5))
                REPORT("a private lst-v1 model scores differently");
            api->t5_model_free(m);
            break;
        }
        case 7:
            if (g_forest) {
                size_t n = N_ROWS - first;
                if (api->forest_predict(g_forest, n, g_rows + first * g_nf, g_nf, 1, out) != TML_OK ||
                    memcmp(out, g_ref_forest + first, n * sizeof(float)) != 0)
                    REPORT("forest rows [%zu, %d) differ (%s)", first, N_ROWS, api->last_error());
            }
            break;
        case 8:
            if (g_tagger) {
                tml_jet_batch b = g_jets;
                b.n_jets = N_JETS - first;
                b.jet_features = g_jet_x + first * g_jets.jet_feature_count;
                if (b.constituent_offsets) b.constituent_offsets = g_offsets + first;
                if (api->tagger_score(g_tagger, &b, tag_out) != TML_OK ||
                    memcmp(tag_out, g_ref_tagger + first * g_nout, b.n_jets * g_nout * sizeof(float)) != 0)
                    REPORT("tagger jets [%zu, %d) differ (%s)", first, N_JETS, api->last_error());
            }
            break;
        default:
            if (g_map) {
                size_t n = N_DDT - first;
                if (api->ddt_apply(g_map, n, g_ddt_score + first, g_ddt_mass + first, g_ddt_pt + first, out) != TML_OK ||
                    memcmp(out, g_ref_ddt + first, n * sizeof(float)) != 0)
                    REPORT("DDT jets [%zu, %d) differ (%s)", first, N_DDT, api->last_error());
            }
        }
    }
    free(bad_t5);
    return NULL;
}

/* The writer runs from before the first score call until after the last,
 * so the library's reads always meet a recent unsynchronised write and
 * TSan reports them with the library's own stack (a writer that finished
 * early left only history TSan may no longer restore: a flaky check). */
static int g_race_started, g_race_stop;

static void *race_writer(void *arg)
{
    (void)arg;
    __atomic_store_n(&g_race_started, 1, __ATOMIC_RELEASE);
    for (uint64_t i = 0; !__atomic_load_n(&g_race_stop, __ATOMIC_ACQUIRE); i++)
        g_event.md_x[i % g_event.n_md] += 1e-3f;
    return NULL;
}

static int race_demo(void)
{
    float *score = malloc(sizeof(float) * N_T5);
    pthread_t w;
    pthread_create(&w, NULL, race_writer, NULL);
    while (!__atomic_load_n(&g_race_started, __ATOMIC_ACQUIRE)) sched_yield();
    for (int i = 0; i < 50; i++) api->t5_score(g_v2, &g_batch, score, NULL);
    __atomic_store_n(&g_race_stop, 1, __ATOMIC_RELEASE);
    pthread_join(w, NULL);
    free(score);
    printf("threads --race-demo: done (ThreadSanitizer should have reported a race)\n");
    return 0;
}

int main(int argc, char **argv)
{
    int demo = argc > 1 && strcmp(argv[1], "--race-demo") == 0;
    if (demo) argc = 1;
    if (argc > 1) g_iterations = strtol(argv[1], NULL, 10);
    long threads = argc > 2 ? strtol(argv[2], NULL, 10) : 16;
    if (g_iterations < 1 || threads < 1 || threads > 256) {
        fprintf(stderr, "usage: threads [iterations] [threads <= 256]\n");
        return 2;
    }
    api = test_load_api();
    test_source_path(g_v1_path, sizeof g_v1_path, "Tests/golden/t5_model_lst_v1.json");
    CHECK(api->t5_model_default(&g_v2) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_model_load(g_v1_path, &g_v1) == TML_OK, "%s", api->last_error());
    CHECK(t5_synth_event(&g_event, TRACKS, FAKES, 4242) == 0, "synthetic event");
    if (g_failures) return test_finish("threads");
    g_batch = t5f_batch(&g_event);
    if (demo) return race_demo();

    /* The single-threaded references. */
    CHECK(api->t5_score(g_v2, &g_batch, g_ref_score_v2, g_ref_pass_v2) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_score(g_v1, &g_batch, g_ref_score_v1, g_ref_pass_v1) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_features(g_v2, &g_batch, g_ref_feat_v2) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_features(g_v1, &g_batch, g_ref_feat_v1) == TML_OK, "%s", api->last_error());
    setup_forest();
    setup_tagger();
    setup_ddt();
    setup_lut();
    CHECK(g_forest && g_tagger && g_map && g_lut_scheme && g_lut_forest,
          "a handle of every kind: forest %p, tagger %p, DDT map %p, LUT scheme %p, LUT forest %p", (void *)g_forest,
          (void *)g_tagger, (void *)g_map, (void *)g_lut_scheme, (void *)g_lut_forest);
    if (g_failures) return test_finish("threads");

    pthread_t tid[256];
    pthread_barrier_init(&g_start, NULL, (unsigned)threads);
    for (long t = 0; t < threads; t++)
        CHECK(pthread_create(&tid[t], NULL, worker, (void *)(intptr_t)t) == 0, "pthread_create");
    for (long t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    pthread_barrier_destroy(&g_start);

    long errors = atomic_load(&g_errors), calls = atomic_load(&g_calls);
    CHECK(errors == 0, "%ld mismatches or wrong errors in %ld mixed calls", errors, calls);
    printf("threads: %ld threads x %ld iterations = %ld mixed calls on shared handles (T5 lst-v2 + lst-v1%s%s%s%s), "
           "%ld mismatches\n",
           threads, g_iterations, calls, g_forest ? ", forest" : "", g_tagger ? ", tagger" : "",
           g_map ? ", DDT map" : "", g_lut_scheme && g_lut_forest ? ", LUT scheme + forest" : "", errors);
    api->t5_model_free(g_v2);
    api->t5_model_free(g_v1);
    if (g_forest) api->forest_free(g_forest);
    free(g_rows);
    if (g_tagger) api->tagger_free(g_tagger);
    if (g_map) api->ddt_free(g_map);
    free(g_jet_x);
    free(g_con_x);
    if (g_lut_scheme) api->lut_scheme_free(g_lut_scheme);
    if (g_lut_forest) api->forest_free(g_lut_forest);
    free(g_ref_decoded);
    t5f_event_free(&g_event);
    return test_finish("threads");
}
