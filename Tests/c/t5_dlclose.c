/*
 * t5_dlclose: a host may dlclose libtrigml.so while its worker threads live
 * on (a plugin manager unloading a module, a test harness reloading the
 * library). The library must not leave anything behind that runs after it
 * is gone. Its per-thread last-error message is freed by a thread-exit
 * destructor; if dlclose unmapped the code, the thread's exit would jump
 * into unmapped memory. Hence this test opens the library WITHOUT
 * RTLD_NODELETE (unlike tml_loader.c), fails a call on a thread, dlcloses,
 * then lets the thread exit; then reopens the library and uses it again.
 */
#include <dlfcn.h>
#include <pthread.h>

#include "test_util.h"

static void *g_lib;
static const tml_api *g_unpinned; /* the table of g_lib */
static pthread_barrier_t g_barrier;
static char g_message[512];

static void *worker(void *arg)
{
    (void)arg;
    tml_t5_model *m = NULL;
    g_unpinned->t5_model_load("/nonexistent/t5_dlclose.json", &m); /* sets this thread's message */
    snprintf(g_message, sizeof g_message, "%s", g_unpinned->last_error());
    pthread_barrier_wait(&g_barrier); /* main may dlclose now */
    pthread_barrier_wait(&g_barrier); /* main has dlclosed */
    return NULL;                      /* thread-exit destructors run here */
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *path = tml_library_path(NULL);
    char err[1024];
    g_lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    g_unpinned = g_lib ? tml_api_of(g_lib, path, err, sizeof err) : NULL;
    if (!g_unpinned) {
        fprintf(stderr, "FAIL: dlopen(%s): %s\n", path, g_lib ? err : dlerror());
        return 1;
    }
    pthread_barrier_init(&g_barrier, NULL, 2);
    pthread_t tid;
    pthread_create(&tid, NULL, worker, NULL);
    pthread_barrier_wait(&g_barrier);
    CHECK(strstr(g_message, "t5_dlclose.json") != NULL, "worker's error message: '%s'", g_message);
    CHECK(dlclose(g_lib) == 0, "dlclose: %s", dlerror());
    void *still = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    printf("after dlclose the library is %s\n", still ? "still mapped (nodelete)" : "unmapped");
    if (still) dlclose(still);
    printf("letting a thread with a TrigML error message exit; a crash here means the library left a "
           "thread-exit destructor behind in unmapped code (fix: link libtrigml.so with -z nodelete)\n");
    pthread_barrier_wait(&g_barrier);
    pthread_join(tid, NULL);
    pthread_barrier_destroy(&g_barrier);
    printf("worker exited cleanly\n");

    /* Reopen and use it again. */
    const tml_api *api = test_load_api();
    tml_t5_model *m = NULL;
    CHECK(api->t5_model_default(&m) == TML_OK && m, "after reload: %s", api->last_error());
    api->t5_model_free(m);
    return test_finish("t5_dlclose");
}
