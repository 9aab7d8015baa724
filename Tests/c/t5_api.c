/*
 * t5_api: the ABI basics and the properties every host relies on: version
 * checks, input counts, the embedded default model equal to its JSON file,
 * empty batches, optional pass output, results independent of how the
 * candidates are batched, and a thread-local last error.
 */
#include <math.h>
#include <pthread.h>

#include "t5_synth.h"
#include "test_util.h"

static const tml_api *api;

static const char *model_path(char *buf, size_t size, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "Tests/golden/%s", name);
    return test_source_path(buf, size, rel);
}

static tml_t5_model *load(const char *name)
{
    char path[1024];
    tml_t5_model *m = NULL;
    tml_status s = api->t5_model_load(model_path(path, sizeof path, name), &m);
    CHECK(s == TML_OK && m, "load %s: %s: %s", path, tml_status_name(s), api->last_error());
    return s == TML_OK ? m : NULL;
}

/* ---------------------------------------------------- thread-local errors */

typedef struct {
    pthread_barrier_t *barrier;
    char initial[256];
    char after_own[1024];
    char after_other[1024];
} thread_b_state;

/* Thread B: starts with an empty message although the main thread has one,
 * fails its own call, then keeps its message while the main thread fails a
 * different call. */
static void *thread_b(void *arg)
{
    thread_b_state *st = arg;
    pthread_barrier_wait(st->barrier); /* main thread has failed a call */
    snprintf(st->initial, sizeof st->initial, "%s", api->last_error());
    tml_t5_model *m = NULL;
    api->t5_model_load("/nonexistent/thread-b-model.json", &m);
    snprintf(st->after_own, sizeof st->after_own, "%s", api->last_error());
    pthread_barrier_wait(st->barrier); /* B has failed */
    pthread_barrier_wait(st->barrier); /* main has failed again */
    snprintf(st->after_other, sizeof st->after_other, "%s", api->last_error());
    return NULL;
}

static void check_thread_local_errors(const tml_t5_model *m)
{
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    thread_b_state st;
    memset(&st, 0, sizeof st);
    st.barrier = &barrier;
    pthread_t tid;
    pthread_create(&tid, NULL, thread_b, &st);

    float score[1];
    tml_status s = api->t5_score(m, NULL, score, NULL); /* A: NULL batch */
    CHECK(s == TML_ERR_INVALID_ARGUMENT, "NULL batch gave %s", tml_status_name(s));
    char a_first[1024];
    snprintf(a_first, sizeof a_first, "%s", api->last_error());
    pthread_barrier_wait(&barrier);
    pthread_barrier_wait(&barrier); /* B has failed its own call */
    CHECK(strcmp(api->last_error(), a_first) == 0, "thread A's message changed after B failed: '%s' -> '%s'", a_first,
          api->last_error());
    tml_t5_model *none = NULL;
    api->t5_model_load(NULL, &none); /* A fails differently */
    pthread_barrier_wait(&barrier);
    pthread_join(tid, NULL);
    pthread_barrier_destroy(&barrier);

    CHECK(st.initial[0] == 0, "a fresh thread's last error is '%s', expected \"\"", st.initial);
    CHECK(strstr(st.after_own, "thread-b-model.json") != NULL, "thread B's message: '%s'", st.after_own);
    CHECK(strcmp(st.after_other, st.after_own) == 0, "thread B's message changed after A failed: '%s' -> '%s'",
          st.after_own, st.after_other);
    CHECK(strcmp(a_first, api->last_error()) != 0, "thread A's second failure did not replace its message");
    printf("  thread A: '%s'\n  thread B: '%s'\n", a_first, st.after_own);
}

/* --------------------------------------------------------------- helpers */

static int scores_bitwise_equal(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof *a) == 0; }

int main(void)
{
    api = test_load_api();
    printf("library %s, version %s, ABI %u\n", tml_library_path(NULL), api->version(), (unsigned)api->abi_version);

    CHECK(api->abi_version == TML_ABI_VERSION, "tml_abi_version() = %u", (unsigned)api->abi_version);
    const char *v = api->version();
    CHECK(v && v[0] && v[0] >= '0' && v[0] <= '9', "tml_version() = '%s'", v ? v : "(NULL)");
    CHECK(api->last_error() && api->last_error()[0] == 0, "last error before any failure: '%s'", api->last_error());

    tml_t5_model *def = NULL;
    tml_status s = api->t5_model_default(&def);
    CHECK(s == TML_OK && def, "tml_t5_model_default: %s: %s", tml_status_name(s), api->last_error());
    if (!def) return test_finish("t5_api");
    tml_t5_model *v2 = load("t5_model_lst_v2.json");
    tml_t5_model *v1 = load("t5_model_lst_v1.json");
    if (!v2 || !v1) return test_finish("t5_api");

    CHECK(api->t5_model_input_count(NULL) == -1, "input_count(NULL) = %d", api->t5_model_input_count(NULL));
    CHECK(api->t5_model_input_count(def) == 23, "default input count %d", api->t5_model_input_count(def));
    CHECK(api->t5_model_input_count(v2) == 23, "lst-v2 input count %d", api->t5_model_input_count(v2));
    CHECK(api->t5_model_input_count(v1) == 38, "lst-v1 input count %d", api->t5_model_input_count(v1));

    t5f_event ev;
    if (t5_synth_event(&ev, 300, 500, 7)) return 1;
    tml_t5_batch b = t5f_batch(&ev);
    size_t n = (size_t)b.n_t5;
    float *f_def = malloc(n * 23 * 4), *f_v2 = malloc(n * 23 * 4), *f_v1 = malloc(n * 38 * 4);
    float *s_def = malloc(n * 4), *s_v2 = malloc(n * 4), *s_again = malloc(n * 4), *s_one = malloc(n * 4);
    uint8_t *p_def = malloc(n), *p_v2 = malloc(n);

    /* The default model is the lst-v2 file embedded: identical bits. */
    CHECK(api->t5_features(def, &b, f_def) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_features(v2, &b, f_v2) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_features(v1, &b, f_v1) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_score(def, &b, s_def, p_def) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_score(v2, &b, s_v2, p_v2) == TML_OK, "%s", api->last_error());
    CHECK(scores_bitwise_equal(f_def, f_v2, n * 23), "default and lst-v2 file features differ");
    CHECK(scores_bitwise_equal(s_def, s_v2, n) && !memcmp(p_def, p_v2, n), "default and lst-v2 file scores differ");

    /* Plausible inputs give finite features and scores in [0, 1]. */
    size_t bad = 0, passed = 0;
    for (size_t i = 0; i < n * 23; i++) bad += !isfinite(f_def[i]);
    for (size_t i = 0; i < n * 38; i++) bad += !isfinite(f_v1[i]);
    for (size_t i = 0; i < n; i++) {
        bad += !(s_def[i] >= 0.0f && s_def[i] <= 1.0f);
        passed += p_def[i];
        CHECK(p_def[i] <= 1, "pass[%zu] = %u", i, p_def[i]);
    }
    CHECK(bad == 0, "%zu non-finite features or scores outside [0,1] on clean synthetic input", bad);
    printf("  synthetic batch: %zu candidates, %zu pass the default working point\n", n, passed);

    /* pass may be NULL: same scores. Repeated calls: same bits. */
    CHECK(api->t5_score(def, &b, s_again, NULL) == TML_OK, "pass NULL: %s", api->last_error());
    CHECK(scores_bitwise_equal(s_def, s_again, n), "scores differ when pass is NULL");

    /* Batching does not matter: each candidate alone gives the same bits as
     * within the batch (the library evaluates candidates in SIMD tiles). */
    for (size_t t = 0; t < n; t++) {
        tml_t5_batch one = b;
        one.n_t5 = 1;
        one.t5_t3 = b.t5_t3 + 2 * t;
        if (api->t5_score(def, &one, &s_one[t], NULL) != TML_OK) {
            CHECK(0, "single candidate %zu: %s", t, api->last_error());
            break;
        }
    }
    CHECK(scores_bitwise_equal(s_def, s_one, n), "scores differ between one-at-a-time and batched scoring");
    /* Odd-sized sub-batches too (tile tails). */
    for (size_t start = 0, len = 1; start < n; start += len, len = len % 13 + 1) {
        tml_t5_batch sub = b;
        sub.n_t5 = (start + len <= n) ? len : n - start;
        sub.t5_t3 = b.t5_t3 + 2 * start;
        CHECK(api->t5_score(def, &sub, s_again + start, NULL) == TML_OK, "%s", api->last_error());
    }
    CHECK(scores_bitwise_equal(s_def, s_again, n), "scores differ when the batch is split into odd sizes");

    /* n_t5 = 0 succeeds with NULL outputs, also with every column NULL. */
    tml_t5_batch empty = b;
    empty.n_t5 = 0;
    empty.t5_t3 = NULL;
    s = api->t5_score(def, &empty, NULL, NULL);
    CHECK(s == TML_OK, "n_t5 = 0, NULL outputs: %s: %s", tml_status_name(s), api->last_error());
    s = api->t5_features(def, &empty, NULL);
    CHECK(s == TML_OK, "features with n_t5 = 0, NULL output: %s: %s", tml_status_name(s), api->last_error());
    tml_t5_batch nothing;
    memset(&nothing, 0, sizeof nothing);
    s = api->t5_score(v1, &nothing, NULL, NULL);
    CHECK(s == TML_OK, "all-empty batch: %s: %s", tml_status_name(s), api->last_error());

    check_thread_local_errors(def);

    /* Many handles at once are independent; free order does not matter. */
    tml_t5_model *more[4] = {0};
    for (int i = 0; i < 4; i++) CHECK(api->t5_model_default(&more[i]) == TML_OK && more[i], "%s", api->last_error());
    CHECK(more[0] != more[1], "two loads returned the same handle");
    api->t5_model_free(more[2]);
    api->t5_model_free(more[0]);
    CHECK(api->t5_score(more[1], &b, s_again, NULL) == TML_OK && scores_bitwise_equal(s_def, s_again, n),
          "a handle misbehaves after another was freed");
    api->t5_model_free(more[3]);
    api->t5_model_free(more[1]);

    api->t5_model_free(def);
    api->t5_model_free(v2);
    api->t5_model_free(v1);
    free(f_def), free(f_v2), free(f_v1), free(s_def), free(s_v2), free(s_again), free(s_one), free(p_def), free(p_v2);
    t5f_event_free(&ev);
    return test_finish("t5_api");
}
