#define _GNU_SOURCE
#include "fuzz_support.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "t5_synth.h" /* Tests/c: plausible helix events */

#ifndef TRIGML_SOURCE_DIR
#define TRIGML_SOURCE_DIR "."
#endif

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "\n==trigml-fuzz== contract violated at %s:%d: (%s)\n==trigml-fuzz== ", file, line, cond);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n==trigml-fuzz== tml_last_error(): '%s'\n", tml_last_error());
    abort();
}

/* ------------------------------------------------------------ input bytes */

uint8_t fz_u8(fz_reader *r)
{
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

uint16_t fz_u16(fz_reader *r)
{
    uint16_t lo = fz_u8(r);
    return (uint16_t)(lo | (uint16_t)fz_u8(r) << 8);
}

uint32_t fz_u32(fz_reader *r)
{
    uint32_t lo = fz_u16(r);
    return lo | (uint32_t)fz_u16(r) << 16;
}

uint64_t fz_u64(fz_reader *r)
{
    uint64_t lo = fz_u32(r);
    return lo | (uint64_t)fz_u32(r) << 32;
}

float fz_f32_raw(fz_reader *r)
{
    uint32_t bits = fz_u32(r);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float fz_f32_special(fz_reader *r)
{
    static const float table[32] = {
        0.0f,      -0.0f,      1.0f,       -1.0f,      NAN,          -NAN,         INFINITY,  -INFINITY,
        1e-45f,    -1e-45f,    1e-38f,     3.4028235e38f, -3.4028235e38f, 1e30f,    1e-30f,    0.5f,
        2.5f,      3.14159265f, -3.14159265f, 6.2831853f, 23.0f,       110.1099396f, 267.2349854f, -267.2349854f,
        1e6f,      -1e6f,      1e-6f,      5.0f,       0.25f,        2.4f,         -2.4f,     16777217.0f,
    };
    return table[fz_u8(r) % 32];
}

/* -------------------------------------------------------- files in memory */

/* An in-memory file (memfd; an unlinked temp file where memfd is missing). */
static int memory_file(char *path, size_t size)
{
    int fd = -1;
#ifdef MFD_CLOEXEC
    fd = memfd_create("trigml-fuzz", MFD_CLOEXEC);
#endif
    if (fd < 0) {
        char tmpl[] = "/tmp/trigml-fuzz-XXXXXX";
        fd = mkstemp(tmpl);
        if (fd < 0) {
            perror("trigml-fuzz: mkstemp");
            abort();
        }
        unlink(tmpl); /* still reachable through /proc/self/fd */
    }
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

const char *fz_bytes_as_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[128];
    if (fd < 0) fd = memory_file(path, sizeof path);
    if (ftruncate(fd, 0) != 0) {
        perror("trigml-fuzz: ftruncate");
        abort();
    }
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(fd, data + done, size - done, (off_t)done);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            perror("trigml-fuzz: pwrite");
            abort();
        }
        done += (size_t)w;
    }
    return path;
}

/* A real directory, since writers may create "<path>.tmp-<pid>" and rename it. */
static char g_scratch_dir[256], g_scratch_file[300];

static void remove_scratch(void)
{
    unlink(g_scratch_file);
    rmdir(g_scratch_dir);
}

const char *fz_scratch_path(void)
{
    if (!g_scratch_file[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(g_scratch_dir, sizeof g_scratch_dir, "%s/trigml-fuzz-XXXXXX", base);
        if (!mkdtemp(g_scratch_dir)) {
            perror("trigml-fuzz: mkdtemp");
            abort();
        }
        snprintf(g_scratch_file, sizeof g_scratch_file, "%s/scratch.json", g_scratch_dir);
        atexit(remove_scratch);
    }
    return g_scratch_file;
}

const uint8_t *fz_scratch_contents(size_t *size)
{
    static uint8_t *buf;
    static size_t cap;
    *size = 0;
    FILE *f = fopen(fz_scratch_path(), "rb");
    if (!f) return buf;
    for (;;) {
        if (*size + 65536 > cap) {
            cap = 2 * cap + 65536;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + *size, 1, cap - *size, f);
        *size += got;
        if (got == 0) break;
    }
    fclose(f);
    return buf;
}

void fz_require_refused(const char *loader, tml_status s, const void *out, const char *path)
{
    FZ_REQUIRE(s == TML_ERR_FORMAT || s == TML_ERR_SHAPE || s == TML_ERR_UNSUPPORTED,
               "%s refused a file with status %d (expected format, shape or unsupported)", loader, s);
    FZ_REQUIRE(out == NULL, "%s: *out = %p after a failed load", loader, out);
    const char *msg = tml_last_error();
    FZ_REQUIRE(msg && strstr(msg, path), "%s: the message does not name the file: '%s'", loader,
               msg ? msg : "(NULL)");
}

/* ---------------------------------------------------------- shared models */

const char *fz_source_path(const char *relative)
{
    static char buf[4096];
    const char *dir = getenv("TRIGML_SOURCE_DIR");
    if (!dir || !dir[0]) dir = TRIGML_SOURCE_DIR;
    snprintf(buf, sizeof buf, "%s/%s", dir, relative);
    return buf;
}

int fz_each_source_file(const char *relative_pattern, int (*add)(const char *path))
{
    glob_t g;
    int added = 0;
    if (glob(fz_source_path(relative_pattern), 0, NULL, &g) != 0) return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) added += add(g.gl_pathv[i]) != 0;
    globfree(&g);
    return added;
}

static tml_t5_model *g_default, *g_v1;

/* Freed at exit so that LeakSanitizer's end-of-run check sees no live model:
 * Swift keeps the case tag of a multi-payload enum in the spare high bits of
 * the payload's object pointer, so LSan cannot follow such a reference and
 * would report what a live model owns as leaked. */
static void free_models(void)
{
    tml_t5_model_free(g_default);
    tml_t5_model_free(g_v1);
    g_default = g_v1 = NULL;
}

static void free_models_at_exit(void)
{
    static int registered;
    if (!registered) registered = 1, atexit(free_models);
}

const tml_t5_model *fz_default_model(void)
{
    free_models_at_exit();
    if (!g_default && tml_t5_model_default(&g_default) != TML_OK) {
        fprintf(stderr, "trigml-fuzz: default model: %s\n", tml_last_error());
        abort();
    }
    return g_default;
}

const tml_t5_model *fz_lst_v1_model(void)
{
    free_models_at_exit();
    if (!g_v1) {
        const char *path = fz_source_path("Tests/golden/t5_model_lst_v1.json");
        if (tml_t5_model_load(path, &g_v1) != TML_OK) {
            fprintf(stderr, "trigml-fuzz: %s: %s\n", path, tml_last_error());
            abort();
        }
    }
    return g_v1;
}

/* ------------------------------------------------------------- T5 batches */

static void *column(uint64_t count, size_t element, int *ok)
{
    if (count > SIZE_MAX / element) {
        *ok = 0;
        return NULL;
    }
    void *p = malloc((size_t)count * element); /* malloc(0) is a real, empty allocation */
    if (!p && count) *ok = 0;
    return p;
}

int fz_t5_event_alloc(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5)
{
    return t5f_event_alloc_with(e, n_md, n_t3, n_t5, 0, column);
}

int fz_t5_synth(t5f_event *e, uint32_t n_tracks, uint32_t n_fakes, uint64_t seed)
{
    t5f_event s;
    if (t5_synth_event(&s, n_tracks, n_fakes, seed) != 0) return -1;
    if (fz_t5_event_alloc(e, s.n_md, s.n_t3, s.n_t5) != 0) {
        t5f_event_free(&s);
        return -1;
    }
    size_t md = (size_t)s.n_md * sizeof(float);
    memcpy(e->md_x, s.md_x, md);
    memcpy(e->md_y, s.md_y, md);
    memcpy(e->md_z, s.md_z, md);
    memcpy(e->md_r, s.md_r, md);
    memcpy(e->md_eta, s.md_eta, md);
    memcpy(e->md_phi, s.md_phi, md);
    memcpy(e->md_layer, s.md_layer, (size_t)s.n_md);
    memcpy(e->t3_md, s.t3_md, (size_t)s.n_t3 * 3 * sizeof(uint32_t));
    memcpy(e->t3_radius, s.t3_radius, (size_t)s.n_t3 * sizeof(float));
    memcpy(e->t5_t3, s.t5_t3, (size_t)s.n_t5 * 2 * sizeof(uint32_t));
    t5f_event_free(&s);
    return 0;
}

void *fz_guard_page(void)
{
    static void *page;
    if (!page) {
        page = mmap(NULL, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) {
            perror("trigml-fuzz: mmap");
            abort();
        }
    }
    return page;
}
