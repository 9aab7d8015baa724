/*
 * t5_stress: the CMSSW global-cache pattern under load. Eight threads score
 * the same batch with ONE shared model handle, 1000 times each, and every
 * result must be bit-identical (memcmp) to a single-threaded run: handles
 * are immutable and calls keep no shared scratch.
 *
 *   t5_stress [candidates (default 2000)] [threads (8)] [iterations (1000)]
 *
 * 2000 candidates keep 8 x 1000 calls at about 5 s on 2 idle cores (the
 * budget is ~20 s on a shared machine, ASan builds included: the library
 * itself is not instrumented).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "t5_synth.h"
#include "test_util.h"

static const tml_api *api;
static const tml_t5_model *g_model;
static tml_t5_batch g_batch;
static size_t g_n, g_nin;
static long g_iterations;
static const float *g_ref_score, *g_ref_features;
static const uint8_t *g_ref_pass;
static pthread_barrier_t g_start;
static atomic_long g_mismatches, g_call_failures;

/* Features are checked on every FEATURE_EVERY-th iteration: scoring is the
 * hot path; features share its code up to the network. */
#define FEATURE_EVERY 50

static void *worker(void *arg)
{
    long id = (long)(intptr_t)arg;
    float *score = malloc(g_n * sizeof(float));
    uint8_t *pass = malloc(g_n);
    float *features = malloc(g_n * g_nin * sizeof(float));
    pthread_barrier_wait(&g_start);
    for (long it = 0; it < g_iterations; it++) {
        /* Garbage in the outputs first, so a skipped write cannot pass. */
        memset(score, 0xA5, g_n * sizeof(float));
        memset(pass, 0xA5, g_n);
        tml_status s = api->t5_score(g_model, &g_batch, score, pass);
        if (s != TML_OK) {
            if (atomic_fetch_add(&g_call_failures, 1) < 5)
                fprintf(stderr, "thread %ld iteration %ld: %s: %s\n", id, it, tml_status_name(s), api->last_error());
            continue;
        }
        if (memcmp(score, g_ref_score, g_n * sizeof(float)) || memcmp(pass, g_ref_pass, g_n)) {
            if (atomic_fetch_add(&g_mismatches, 1) < 5)
                fprintf(stderr, "thread %ld iteration %ld: scores/pass differ from the single-threaded run\n", id, it);
        }
        if (it % FEATURE_EVERY == 0) {
            s = api->t5_features(g_model, &g_batch, features);
            if (s != TML_OK || memcmp(features, g_ref_features, g_n * g_nin * sizeof(float))) {
                if (atomic_fetch_add(&g_mismatches, 1) < 5)
                    fprintf(stderr, "thread %ld iteration %ld: features differ (%s)\n", id, it, tml_status_name(s));
            }
        }
    }
    free(score);
    free(pass);
    free(features);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    uint32_t candidates = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 2000;
    int threads = argc > 2 ? atoi(argv[2]) : 8;
    g_iterations = argc > 3 ? atol(argv[3]) : 1000;
    if (candidates < 10 || threads < 1 || threads > 256 || g_iterations < 1) {
        fprintf(stderr, "usage: %s [candidates >= 10] [threads 1..256] [iterations >= 1]\n", argv[0]);
        return 2;
    }
    api = test_load_api();

    /* 40% true tracks, 60% fakes, like a busy LST event; a few candidates
     * poisoned with NaN/Inf so the NaN path is exercised concurrently too. */
    uint32_t tracks = candidates * 2 / 5, fakes = candidates - tracks;
    t5f_event ev;
    if (t5_synth_event(&ev, tracks, fakes, 2024)) return 1;
    ev.md_z[t5_synth_md(0, 0)] = NAN;
    ev.md_phi[t5_synth_md(1, 4)] = INFINITY;
    ev.t3_radius[2 * 2] = 0.0f;
    g_batch = t5f_batch(&ev);
    g_n = (size_t)g_batch.n_t5;

    tml_t5_model *m = NULL;
    tml_status s = api->t5_model_default(&m);
    if (s != TML_OK) {
        fprintf(stderr, "FAIL: tml_t5_model_default: %s: %s\n", tml_status_name(s), api->last_error());
        return 1;
    }
    g_model = m;
    g_nin = (size_t)api->t5_model_input_count(m);

    /* Single-threaded reference. */
    float *ref_score = malloc(g_n * sizeof(float)), *ref_features = malloc(g_n * g_nin * sizeof(float));
    uint8_t *ref_pass = malloc(g_n);
    CHECK(api->t5_score(m, &g_batch, ref_score, ref_pass) == TML_OK, "reference score: %s", api->last_error());
    CHECK(api->t5_features(m, &g_batch, ref_features) == TML_OK, "reference features: %s", api->last_error());
    size_t nan_count = 0;
    for (size_t i = 0; i < g_n; i++) nan_count += isnan(ref_score[i]);
    /* The 3 poisoned tracks, plus any fake that reuses their hits. */
    CHECK(nan_count >= 3 && nan_count < g_n / 10, "%zu candidates score NaN; expected the 3 poisoned ones and the few fakes sharing their hits",
          nan_count);
    g_ref_score = ref_score;
    g_ref_pass = ref_pass;
    g_ref_features = ref_features;

    pthread_barrier_init(&g_start, NULL, (unsigned)threads + 1);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    for (int t = 0; t < threads; t++)
        if (pthread_create(&tid[t], NULL, worker, (void *)(intptr_t)t) != 0) {
            fprintf(stderr, "FAIL: pthread_create %d\n", t);
            return 1;
        }
    double t0 = now();
    pthread_barrier_wait(&g_start);
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    double elapsed = now() - t0;
    pthread_barrier_destroy(&g_start);

    CHECK(atomic_load(&g_call_failures) == 0, "%ld calls failed", atomic_load(&g_call_failures));
    CHECK(atomic_load(&g_mismatches) == 0, "%ld results differ from the single-threaded run",
          atomic_load(&g_mismatches));
    double scored = (double)g_n * (double)threads * (double)g_iterations;
    printf("%d threads x %ld iterations x %zu candidates, one shared handle: %.2f s, %.3g candidates/s "
           "(plus features every %d iterations)\n",
           threads, g_iterations, g_n, elapsed, scored / elapsed, FEATURE_EVERY);

    api->t5_model_free(m);
    free(tid);
    free(ref_score);
    free(ref_pass);
    free(ref_features);
    t5f_event_free(&ev);
    return test_finish("t5_stress");
}
