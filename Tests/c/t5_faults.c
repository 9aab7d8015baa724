/*
 * t5_faults: what the operating system can do to a loading library.
 *
 *  1. model files that break while being read: a pipe whose writer stops
 *     half way, a slow writer (many short reads), a read error (EIO) after
 *     N bytes, fopen failing (EMFILE), the file unlinked mid-read, a file
 *     replaced and truncated in place while it is loaded again and again;
 *  2. paths that cannot be read: missing, dangling symlink, symlink loop,
 *     a directory, a path through a regular file, an over-long name, "",
 *     /proc/self/mem (EIO on read), /dev/null, /dev/zero (endless), and
 *     chmod 000 when not running as root (root bypasses permissions);
 *  3. absurd counts (n_md, n_t3, n_t5 up to 2^64-1, 2^62 among them) with
 *     every pointer on a PROT_NONE page: must fail before touching memory;
 *  4. scoring on a thread with a 64 KiB stack, with the default model and
 *     with a 4096-wide hidden layer (scratch that does not fit that stack);
 *  5. dlclose + dlopen 100 times without RTLD_NODELETE, with a thread that
 *     failed a call outliving each dlclose, a model handle kept across the
 *     reloads, and bounded memory.
 *
 * Read errors and fopen failures are injected by this program's own
 * fopen(), which the library's fopen calls bind to when the executable
 * exports it (CMake: ENABLE_EXPORTS); without that, those checks are
 * skipped and say so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "t5_synth.h"
#include "test_util.h"

/* Under a sanitizer the allocator keeps freed memory in quarantine (RSS is
 * no measure of leaks; LeakSanitizer is) and a 1 GiB read costs ~10 s. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

static const tml_api *api;
static char g_dir[256];
static char *g_v2_text;
static size_t g_v2_size;
static t5f_event g_event;
static tml_t5_batch g_batch;
static float g_ref_score[64], g_ref_default[64]; /* golden lst-v2 file, embedded default */
static uint8_t g_ref_pass[64];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* `name` under the test's directory; a ring of buffers (copy a result that must outlive 8 more calls). */
static const char *in_dir(const char *name)
{
    static char path[8][512];
    static unsigned next;
    char *p = path[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % 8];
    snprintf(p, 512, "%s/%s", g_dir, name);
    return p;
}

static void write_file(const char *path, const char *text, size_t size)
{
    CHECK(test_write_file(path, text, size) == 0, "cannot write %s", path);
}

/* Loads `path`; checks the status, *out, and that the message names the path. */
static tml_t5_model *expect_load(const char *what, const char *path, tml_status want)
{
    tml_t5_model *m = (tml_t5_model *)(uintptr_t)0x8;
    tml_status s = api->t5_model_load(path, &m);
    const char *msg = api->last_error();
    CHECK(s == want, "%s: status %s, expected %s ('%s')", what, tml_status_name(s), tml_status_name(want), msg);
    if (s != TML_OK) {
        CHECK(m == NULL, "%s: *out not NULL after a failure", what);
        char head[64];
        snprintf(head, sizeof head, "%s", path); /* long paths: their first 63 bytes */
        CHECK(msg[0] && strstr(msg, head), "%s: message '%s' does not name the path", what, msg);
        printf("  ok  %-40s %s: %.150s\n", what, tml_status_name(s), msg);
        return NULL;
    }
    printf("  ok  %-40s loaded\n", what);
    return m;
}

/* A model that loaded must score the reference batch exactly. */
static void expect_reference_scores(const char *what, tml_t5_model *m)
{
    float score[64];
    uint8_t pass[64];
    CHECK(api->t5_score(m, &g_batch, score, pass) == TML_OK, "%s: %s", what, api->last_error());
    CHECK(memcmp(score, g_ref_score, sizeof(float) * g_batch.n_t5) == 0 &&
              memcmp(pass, g_ref_pass, g_batch.n_t5) == 0,
          "%s: scores differ from the golden model's", what);
}

/* ------------------------------------------------------ injected fopen */

#define INJECT_MARK "fault-inject"

static struct {
    int enabled;       /* 0: plain pass-through */
    int fail_open;     /* fopen fails with this errno */
    long fail_after;   /* read fails with EIO after this many bytes (-1: never) */
    size_t max_chunk;  /* each read returns at most this many bytes (0: no limit) */
    int unlink_after;  /* unlink the file after the first read */
    long opens;        /* fopen calls that reached the injector */
} g_inject;

typedef struct {
    int fd;
    long done;
    char path[512];
} cookie_state;

static ssize_t cookie_read(void *c, char *buf, size_t size)
{
    cookie_state *st = c;
    if (g_inject.fail_after >= 0 && st->done >= g_inject.fail_after) {
        errno = EIO;
        return -1;
    }
    if (g_inject.max_chunk && size > g_inject.max_chunk) size = g_inject.max_chunk;
    if (g_inject.fail_after >= 0 && (long)size > g_inject.fail_after - st->done)
        size = (size_t)(g_inject.fail_after - st->done);
    ssize_t got = read(st->fd, buf, size);
    if (got > 0) st->done += got;
    if (g_inject.unlink_after && st->path[0]) {
        unlink(st->path);
        st->path[0] = 0;
    }
    return got;
}

static int cookie_close(void *c)
{
    cookie_state *st = c;
    close(st->fd);
    free(st);
    return 0;
}

/* Exported (ENABLE_EXPORTS): the library's fopen binds here. */
FILE *fopen(const char *path, const char *mode)
{
    static FILE *(*real)(const char *, const char *);
    if (!real) real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    if (!g_inject.enabled || !path || !strstr(path, INJECT_MARK)) return real(path, mode);
    g_inject.opens++;
    if (g_inject.fail_open) {
        errno = g_inject.fail_open;
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    cookie_state *st = calloc(1, sizeof *st);
    st->fd = fd;
    snprintf(st->path, sizeof st->path, "%s", path);
    cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
    FILE *f = fopencookie(st, "r", io);
    if (!f) cookie_close(st);
    return f;
}

static void check_injected_faults(void)
{
    printf("injected faults (this program's fopen):\n");
    const char *path = in_dir("model-" INJECT_MARK ".json");
    write_file(path, g_v2_text, g_v2_size);
    memset(&g_inject, 0, sizeof g_inject);
    g_inject.enabled = 1;
    g_inject.fail_after = -1;
    tml_t5_model *m = expect_load("injector pass-through", path, TML_OK);
    if (g_inject.opens == 0) {
        printf("  SKIP the library's fopen does not bind to this program's (not exported): no read-error "
               "injection\n");
        g_inject.enabled = 0;
        if (m) api->t5_model_free(m);
        return;
    }
    if (m) api->t5_model_free(m);

    /* At the start, inside the first stdio buffer, on a buffer edge, at the last byte. */
    const long fail_at[] = {0, 1, 4095, 4096, 4097, (long)g_v2_size / 2, (long)g_v2_size - 1};
    for (size_t i = 0; i < sizeof fail_at / sizeof fail_at[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "EIO after %ld bytes", fail_at[i]);
        g_inject.fail_after = fail_at[i];
        expect_load(what, path, TML_ERR_IO);
        CHECK(strstr(api->last_error(), "read error") != NULL, "%s: '%s'", what, api->last_error());
    }
    g_inject.fail_after = -1;

    g_inject.max_chunk = 7; /* thousands of short reads */
    m = expect_load("short reads of 7 bytes", path, TML_OK);
    if (m) expect_reference_scores("short reads", m), api->t5_model_free(m);
    g_inject.max_chunk = 0;

    g_inject.fail_open = EMFILE;
    expect_load("fopen fails with EMFILE", path, TML_ERR_IO);
    g_inject.fail_open = ENOMEM;
    expect_load("fopen fails with ENOMEM", path, TML_ERR_IO);
    g_inject.fail_open = 0;

    g_inject.unlink_after = 1; /* vanishes after the first read: the open file lives on */
    m = expect_load("unlinked after the first read", path, TML_OK);
    if (m) expect_reference_scores("unlinked", m), api->t5_model_free(m);
    CHECK(access(path, F_OK) != 0, "the injector did not unlink %s", path);
    expect_load("then missing", path, TML_ERR_IO);
    memset(&g_inject, 0, sizeof g_inject);
}

/* ------------------------------------------------------------- pipes */

typedef struct {
    const char *path;
    size_t bytes;   /* how much of the model to write before closing */
    size_t chunk;   /* write size */
    useconds_t pause;
} fifo_job;

static void *fifo_writer(void *arg)
{
    fifo_job *job = arg;
    int fd = open(job->path, O_WRONLY); /* blocks until the library opens it */
    if (fd < 0) return NULL;
    for (size_t done = 0; done < job->bytes;) {
        size_t n = job->bytes - done < job->chunk ? job->bytes - done : job->chunk;
        ssize_t w = write(fd, g_v2_text + done, n);
        if (w <= 0) break;
        done += (size_t)w;
        if (job->pause) usleep(job->pause);
    }
    close(fd);
    return NULL;
}

static tml_t5_model *load_from_fifo(const char *what, size_t bytes, size_t chunk, useconds_t pause, tml_status want)
{
    const char *path = in_dir("model.fifo");
    unlink(path);
    if (mkfifo(path, 0600) != 0) {
        printf("  SKIP %s: mkfifo: %s\n", what, strerror(errno));
        return NULL;
    }
    fifo_job job = {path, bytes, chunk, pause};
    pthread_t t;
    pthread_create(&t, NULL, fifo_writer, &job);
    tml_t5_model *m = expect_load(what, path, want);
    pthread_join(t, NULL);
    unlink(path);
    return m;
}

static void check_pipes(void)
{
    printf("pipes:\n");
    load_from_fifo("pipe closed after half the file", g_v2_size / 2, 4096, 0, TML_ERR_FORMAT);
    load_from_fifo("pipe closed before any byte", 0, 4096, 0, TML_ERR_FORMAT);
    tml_t5_model *m = load_from_fifo("slow pipe (1000-byte writes, 200 us)", g_v2_size, 1000, 200, TML_OK);
    if (m) expect_reference_scores("slow pipe", m), api->t5_model_free(m);
}

/* ----------------------------------------- replaced while being loaded */

static volatile int g_stop;

static void *replacer(void *arg)
{
    (void)arg;
    const char *target = in_dir("replaced.json");
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", target);
    for (unsigned i = 0; !g_stop; i++) {
        switch (i % 4) {
        case 0: write_file(tmp, g_v2_text, g_v2_size); rename(tmp, target); break;       /* atomic swap */
        case 1: write_file(tmp, g_v2_text, g_v2_size / 3); rename(tmp, target); break;   /* truncated */
        case 2: {                                                                        /* rewritten in place */
            int fd = open(target, O_WRONLY | O_TRUNC);
            if (fd >= 0) {
                ssize_t a = write(fd, g_v2_text, g_v2_size / 2);
                usleep(50);
                ssize_t b = write(fd, g_v2_text + g_v2_size / 2, g_v2_size - g_v2_size / 2);
                (void)a, (void)b;
                close(fd);
            }
            break;
        }
        default: write_file(tmp, "{\"format\": [[[[", 15); rename(tmp, target); break;
        }
    }
    return NULL;
}

static void check_replaced_while_loading(void)
{
    printf("file replaced and truncated in place while loaded 300 times:\n");
    const char *target = in_dir("replaced.json");
    write_file(target, g_v2_text, g_v2_size);
    g_stop = 0;
    pthread_t t;
    pthread_create(&t, NULL, replacer, NULL);
    int ok = 0, refused = 0;
    for (int i = 0; i < 300; i++) {
        tml_t5_model *m = NULL;
        tml_status s = api->t5_model_load(target, &m);
        if (s == TML_OK) {
            ok++;
            CHECK(api->t5_model_input_count(m) == 23, "a torn load gave another model");
            expect_reference_scores("replaced file", m);
            api->t5_model_free(m);
        } else {
            refused++;
            CHECK(s == TML_ERR_FORMAT || s == TML_ERR_IO || s == TML_ERR_SHAPE, "load %d: status %s: %s", i,
                  tml_status_name(s), api->last_error());
            CHECK(m == NULL, "*out set after a failed load");
        }
    }
    g_stop = 1;
    pthread_join(t, NULL);
    printf("  ok  300 loads: %d complete models (identical scores), %d refused with a status\n", ok, refused);
}

/* ----------------------------------------------------- unreadable paths */

static void check_paths(void)
{
    printf("unreadable paths:\n");
    char file[512];
    snprintf(file, sizeof file, "%s", in_dir("plain.json"));
    write_file(file, g_v2_text, g_v2_size);
    expect_load("missing file", in_dir("missing.json"), TML_ERR_IO);
    char dangling[512];
    snprintf(dangling, sizeof dangling, "%s", in_dir("dangling.json"));
    CHECK(symlink(in_dir("nowhere.json"), dangling) == 0, "symlink");
    expect_load("dangling symlink", dangling, TML_ERR_IO);
    char loop_a[512], loop_b[512];
    snprintf(loop_a, sizeof loop_a, "%s", in_dir("loop-a.json"));
    snprintf(loop_b, sizeof loop_b, "%s", in_dir("loop-b.json"));
    CHECK(symlink(loop_b, loop_a) == 0 && symlink(loop_a, loop_b) == 0, "symlink loop");
    expect_load("symlink loop (ELOOP)", loop_a, TML_ERR_IO);
    expect_load("a directory (EISDIR on read)", g_dir, TML_ERR_IO);
    char through[600];
    snprintf(through, sizeof through, "%s/model.json", file);
    expect_load("path through a file (ENOTDIR)", through, TML_ERR_IO);
    static char longname[PATH_MAX + 100];
    memset(longname, 'x', sizeof longname - 1);
    longname[0] = '/';
    longname[sizeof longname - 1] = 0;
    expect_load("path longer than PATH_MAX", longname, TML_ERR_IO);
    expect_load("empty path", "", TML_ERR_IO);
    expect_load("/proc/self/mem (EIO on read)", "/proc/self/mem", TML_ERR_IO);
    expect_load("/dev/null (empty)", "/dev/null", TML_ERR_FORMAT);
    if (geteuid() != 0) {
        const char *locked = in_dir("locked.json");
        write_file(locked, g_v2_text, g_v2_size);
        chmod(locked, 0);
        expect_load("chmod 000", locked, TML_ERR_IO);
    } else {
        printf("  skip chmod 000: running as root, which bypasses permissions (the cases above cover EACCES-like "
               "failures of fopen)\n");
    }
    if (UNDER_SANITIZER) {
        printf("  skip /dev/zero under a sanitizer (reads 1 GiB before refusing; runs in the plain build)\n");
        return;
    }
    double t0 = now();
    expect_load("/dev/zero (endless)", "/dev/zero", TML_ERR_IO);
    printf("      /dev/zero refused after %.1f s (the 1 GiB file-size limit)\n", now() - t0);
}

/* ------------------------------------------------------- absurd counts */

static void check_absurd_counts(const tml_t5_model *v2, const tml_t5_model *v1)
{
    printf("absurd counts, every pointer on a PROT_NONE page:\n");
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *g = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(g != MAP_FAILED, "mmap");
    /* Per column: the smallest count whose array exceeds 2^47 bytes (the
     * library's bound on real memory), then 2^62, 2^63 and 2^64-1. */
    const uint64_t smallest[3] = {(1ull << 45) + 1, (1ull << 47) / 12 + 1, (1ull << 44) + 1};
    const char *names[] = {"n_md", "n_t3", "n_t5"};
    int cases = 0;
    for (int which = 0; which < 3; which++)
        for (size_t k = 0; k < 4; k++) {
            const uint64_t values[4] = {smallest[which], 1ull << 62, 1ull << 63, UINT64_MAX};
            tml_t5_batch b = {
                .n_md = which == 0 ? values[k] : 5, .md_x = g, .md_y = g, .md_z = g, .md_r = g, .md_eta = g,
                .md_phi = g, .md_layer = g, .n_t3 = which == 1 ? values[k] : 2, .t3_md = g, .t3_radius = g,
                .n_t5 = which == 2 ? values[k] : 1, .t5_t3 = g,
            };
            for (int mi = 0; mi < 2; mi++) {
                const tml_t5_model *m = mi ? v1 : v2;
                tml_status s1 = api->t5_score(m, &b, g, g), s2 = api->t5_features(m, &b, g);
                CHECK(s1 == TML_ERR_INVALID_ARGUMENT && s2 == TML_ERR_INVALID_ARGUMENT,
                      "%s = %llu: status %s/%s", names[which], (unsigned long long)values[k], tml_status_name(s1),
                      tml_status_name(s2));
                CHECK(strstr(api->last_error(), names[which]) != NULL, "message '%s' does not name %s",
                      api->last_error(), names[which]);
                cases++;
            }
        }
    tml_t5_batch b = {.n_t5 = 1ull << 62}; /* NULL pointers too */
    CHECK(api->t5_score(v2, &b, NULL, NULL) == TML_ERR_INVALID_ARGUMENT, "n_t5 = 2^62 with NULL pointers");
    printf("  ok  %d absurd batches refused with TML_ERR_INVALID_ARGUMENT before touching memory: %s\n", cases,
           api->last_error());
    munmap(g, page);
}

/* The other kinds: the same rule for n_rows,
 * n_jets and n with every pointer on a PROT_NONE page. */
static void check_absurd_counts_other_kinds(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *g = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    const uint64_t huge[3] = {1ull << 62, UINT64_MAX, (1ull << 45) + 1};
    int cases = 0;
    char path[1024];

    test_source_path(path, sizeof path, "Tests/golden/forests/xgb_reg_squarederror.json");
    tml_forest *f = NULL;
    CHECK(api->forest_load(path, &f) == TML_OK, "%s", api->last_error());
    if (f) {
        for (int k = 0; k < 3; k++, cases++)
            CHECK(api->forest_predict(f, huge[k], g, 8, 1, g) == TML_ERR_INVALID_ARGUMENT, "forest n_rows = %llu: %s",
                  (unsigned long long)huge[k], api->last_error());
        CHECK(api->forest_predict(f, 2, g, 1ull << 62, 1, g) == TML_ERR_INVALID_ARGUMENT, "forest row_stride 2^62");
        CHECK(api->forest_predict(f, 2, g, 8, UINT64_MAX, g) == TML_ERR_INVALID_ARGUMENT, "forest feature_stride 2^64-1");
        cases += 2;
        api->forest_free(f);
    }
    test_source_path(path, sizeof path, "Tests/golden/taggers/deepsets_softmax.json");
    tml_tagger *t = NULL;
    CHECK(api->tagger_load(path, &t) == TML_OK, "%s", api->last_error());
    if (t) {
        for (int k = 0; k < 3; k++) {
            tml_jet_batch b = {.n_jets = huge[k], .jet_feature_count = (uint64_t)api->tagger_jet_feature_count(t), .jet_features = g,
                               .constituent_offsets = g, .n_constituents = 4,
                               .constituent_feature_count = (uint64_t)api->tagger_constituent_feature_count(t), .constituent_features = g};
            tml_status s = api->tagger_score(t, &b, g);
            CHECK(s == TML_ERR_INVALID_ARGUMENT, "tagger n_jets = %llu: %s", (unsigned long long)huge[k],
                  api->last_error());
            b.n_jets = 2;
            b.n_constituents = huge[k];
            s = api->tagger_score(t, &b, g);
            CHECK(s == TML_ERR_INVALID_ARGUMENT, "tagger n_constituents = %llu: %s", (unsigned long long)huge[k],
                  api->last_error());
            cases += 2;
        }
        api->tagger_free(t);
    }
    {
        tml_ddt_config cfg;
        api->ddt_config_init(&cfg, 0.05);
        for (int k = 0; k < 3; k++, cases++) {
            tml_ddt_map *map = (tml_ddt_map *)(uintptr_t)8;
            CHECK(api->ddt_build(huge[k], g, g, g, g, &cfg, &map) == TML_ERR_INVALID_ARGUMENT && map == NULL,
                  "ddt_build n = %llu: %s", (unsigned long long)huge[k], api->last_error());
        }
    }
    {
        enum { N = 400 };
        float score[N], mass[N], pt[N];
        for (int i = 0; i < N; i++) score[i] = (float)(i % 17) / 17.0f, pt[i] = 250.0f + (float)i, mass[i] = 0.2f * pt[i];
        tml_ddt_config cfg;
        api->ddt_config_init(&cfg, 0.1);
        cfg.rho_bins = cfg.pt_bins = 2;
        cfg.min_entries = 1;
        tml_ddt_map *map = NULL;
        CHECK(api->ddt_build(N, score, mass, pt, NULL, &cfg, &map) == TML_OK, "a small DDT map: %s", api->last_error());
        if (map) {
            for (int k = 0; k < 3; k++, cases++)
                CHECK(api->ddt_apply(map, huge[k], g, g, g, g) == TML_ERR_INVALID_ARGUMENT, "ddt_apply n = %llu: %s",
                      (unsigned long long)huge[k], api->last_error());
            api->ddt_free(map);
        }
    }
    {
        const float fractions[3] = {0, 0.5f, 0.5f};
        for (int k = 0; k < 3; k++, cases++)
            CHECK(api->discriminant_log_ratio(huge[k], 3, g, 0, fractions, g) == TML_ERR_INVALID_ARGUMENT, "log ratio n = %llu: %s",
                  (unsigned long long)huge[k], api->last_error());
    }
    printf("  ok  %d absurd calls to the forest/tagger/DDT entry points refused before touching memory\n", cases);
    munmap(g, page);
}

/* ---------------------------------------------------------- small stack */

typedef struct {
    const tml_t5_model *m;
    tml_status status;
    float score[64];
} stack_job;

static void *small_stack_worker(void *arg)
{
    stack_job *job = arg;
    job->status = api->t5_score(job->m, &g_batch, job->score, NULL);
    return NULL;
}

/* A valid lst-v2 model with one hidden layer `width` wide. */
static char *wide_model_text(int width)
{
    size_t cap = (size_t)width * 23 * 8 + (size_t)width * 16 + 4096, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t + n, cap - n,
                          "{\"format\": \"trigml.t5-model\", \"format_version\": 1, \"feature_set\": \"lst-v2\", "
                          "\"layers\": [{\"inputs\": 23, \"outputs\": %d, \"activation\": \"relu\", \"weights\": [",
                          width);
    for (int i = 0; i < 23; i++) {
        t[n++] = '[';
        for (int o = 0; o < width; o++) n += (size_t)snprintf(t + n, cap - n, "%s%d", o ? "," : "", (i + o) % 3 - 1);
        n += (size_t)snprintf(t + n, cap - n, "]%s", i < 22 ? "," : "");
    }
    n += (size_t)snprintf(t + n, cap - n, "], \"bias\": [");
    for (int o = 0; o < width; o++) n += (size_t)snprintf(t + n, cap - n, "%s0", o ? "," : "");
    n += (size_t)snprintf(t + n, cap - n,
                          "]}, {\"inputs\": %d, \"outputs\": 1, \"activation\": \"sigmoid\", \"weights\": [", width);
    for (int o = 0; o < width; o++) n += (size_t)snprintf(t + n, cap - n, "%s[0.001]", o ? "," : "");
    n += (size_t)snprintf(t + n, cap - n,
                          "], \"bias\": [0]}], \"working_point\": {\"kind\": \"single\", \"cut\": 0.5}}");
    return t;
}

static void check_small_stack(const tml_t5_model *v2)  /* v2: the golden lst-v2 file's model */
{
    printf("scoring on a thread with a 64 KiB stack:\n");
    char *text = wide_model_text(4096);
    const char *path = in_dir("wide.json");
    write_file(path, text, strlen(text));
    free(text);
    tml_t5_model *wide = expect_load("model with a 4096-wide hidden layer", path, TML_OK);
    const tml_t5_model *models[2] = {v2, wide};
    const char *names[2] = {"default model", "4096-wide model"};
    for (int i = 0; i < 2; i++) {
        if (!models[i]) continue;
        stack_job job = {.m = models[i], .status = -1};
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        size_t stack = 64 * 1024;
        if (stack < (size_t)PTHREAD_STACK_MIN) stack = (size_t)PTHREAD_STACK_MIN;
        pthread_attr_setstacksize(&attr, stack);
        pthread_t t;
        CHECK(pthread_create(&t, &attr, small_stack_worker, &job) == 0, "pthread_create");
        pthread_join(t, NULL);
        pthread_attr_destroy(&attr);
        CHECK(job.status == TML_OK, "%s on a 64 KiB stack: %s", names[i], tml_status_name(job.status));
        if (i == 0)
            CHECK(memcmp(job.score, g_ref_score, sizeof(float) * g_batch.n_t5) == 0, "small-stack scores differ");
        printf("  ok  %s scored on a 64 KiB stack\n", names[i]);
    }
    if (wide) api->t5_model_free(wide);
}

/* --------------------------------------------------- dlclose / dlopen */

static void *g_lib;
static const tml_api *g_reloaded; /* the table of g_lib */
static pthread_barrier_t g_barrier;

static void *failing_thread(void *arg)
{
    (void)arg;
    tml_t5_model *m;
    g_reloaded->t5_model_load("/nonexistent/t5_faults.json", &m); /* leaves a thread-local message */
    pthread_barrier_wait(&g_barrier);                 /* main dlcloses */
    pthread_barrier_wait(&g_barrier);
    return NULL; /* the message's destructor runs after the dlclose */
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void check_reload(void)
{
    printf("dlclose + dlopen, 100 times, without RTLD_NODELETE:\n");
    const char *path = tml_library_path(NULL);
    char err[1024];
    tml_t5_model *kept = NULL;
    void (*kept_free)(tml_t5_model *) = NULL;
    tml_status (*first_score)(const tml_t5_model *, const tml_t5_batch *, float *, uint8_t *) = NULL;
    long rss_start = 0;
    int iterations = 100;
    for (int i = 0; i < iterations; i++) {
        g_lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!g_lib) {
            CHECK(0, "dlopen %d: %s", i, dlerror());
            return;
        }
        g_reloaded = tml_api_of(g_lib, path, err, sizeof err);
        if (!g_reloaded) {
            CHECK(0, "table after reload %d: %s", i, err);
            dlclose(g_lib);
            return;
        }
        if (i == 0) first_score = g_reloaded->t5_score;
        CHECK(g_reloaded->t5_score == first_score, "reload %d mapped the library elsewhere", i);
        tml_t5_model *m = NULL;
        float s[64];
        uint8_t p[64];
        CHECK(g_reloaded->t5_model_default(&m) == TML_OK && g_reloaded->t5_score(m, &g_batch, s, p) == TML_OK,
              "reload %d: default model", i);
        CHECK(memcmp(s, g_ref_default, sizeof(float) * g_batch.n_t5) == 0, "reload %d: scores differ", i);
        if (i == 0) {
            kept = m; /* kept across every later dlclose */
            kept_free = g_reloaded->t5_model_free;
        } else {
            g_reloaded->t5_model_free(m);
        }
        if (kept) {
            CHECK(g_reloaded->t5_score(kept, &g_batch, s, p) == TML_OK, "reload %d: the kept handle", i);
            CHECK(memcmp(s, g_ref_default, sizeof(float) * g_batch.n_t5) == 0, "reload %d: kept handle differs", i);
        }
        pthread_barrier_init(&g_barrier, NULL, 2);
        pthread_t t;
        pthread_create(&t, NULL, failing_thread, NULL);
        pthread_barrier_wait(&g_barrier);
        CHECK(dlclose(g_lib) == 0, "dlclose %d: %s", i, dlerror());
        pthread_barrier_wait(&g_barrier);
        pthread_join(t, NULL);
        pthread_barrier_destroy(&g_barrier);
        if (i == 4) rss_start = rss_kb();
    }
    void *still = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    printf("  ok  %d cycles; after dlclose the library is %s\n", iterations,
           still ? "still mapped (linked with -z nodelete: unloading is a no-op)" : "unmapped");
    if (still) dlclose(still);
    long grown = rss_kb() - rss_start;
    printf("  ok  resident memory grew %ld KiB over the last %d cycles%s\n", grown, iterations - 5,
           UNDER_SANITIZER ? " (not checked: sanitizer quarantine)" : "");
    CHECK(UNDER_SANITIZER || grown < 64 * 1024, "resident memory grew %ld KiB over %d reloads", grown,
          iterations - 5);
    if (kept) kept_free(kept);
}

int main(void)
{
    api = test_load_api();
    test_make_temp_dir(g_dir, sizeof g_dir, "trigml-faults");
    char v2path[1024];
    test_source_path(v2path, sizeof v2path, "Tests/golden/t5_model_lst_v2.json");
    if (!(g_v2_text = test_read_file(v2path, &g_v2_size))) {
        fprintf(stderr, "FAIL: cannot read %s\n", v2path);
        return 1;
    }

    tml_t5_model *v2 = NULL, *v1 = NULL;
    char v1path[1024];
    test_source_path(v1path, sizeof v1path, "Tests/golden/t5_model_lst_v1.json");
    CHECK(api->t5_model_load(v2path, &v2) == TML_OK, "%s", api->last_error());
    CHECK(api->t5_model_load(v1path, &v1) == TML_OK, "%s", api->last_error());
    CHECK(t5_synth_event(&g_event, 12, 5, 77) == 0, "synthetic event");
    if (g_failures) return test_finish("t5_faults");
    g_batch = t5f_batch(&g_event);
    CHECK(api->t5_score(v2, &g_batch, g_ref_score, g_ref_pass) == TML_OK, "%s", api->last_error());
    tml_t5_model *def = NULL;
    CHECK(api->t5_model_default(&def) == TML_OK && api->t5_score(def, &g_batch, g_ref_default, NULL) == TML_OK, "%s",
          api->last_error());
    api->t5_model_free(def);

    check_injected_faults();
    check_pipes();
    check_replaced_while_loading();
    check_paths();
    check_absurd_counts(v2, v1);
    check_absurd_counts_other_kinds();
    check_small_stack(v2);
    check_reload();

    api->t5_model_free(v2);
    api->t5_model_free(v1);
    t5f_event_free(&g_event);
    free(g_v2_text);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return test_finish("t5_faults");
}
