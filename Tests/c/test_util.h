/*
 * test_util.h: the few helpers every C regression test shares. Each test is
 * a plain program: it prints what failed and returns non-zero (ctest).
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_bytes.h"
#include "tml_loader.h"

#ifndef TRIGML_SOURCE_DIR
#define TRIGML_SOURCE_DIR "."
#endif

static int g_failures = 0;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (!(cond)) {                                                           \
            g_failures++;                                                        \
            fprintf(stderr, "FAIL %s:%d: (%s) ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* Loads the library (TRIGML_LIB or the build's path) or exits with 1. */
static inline const tml_api *test_load_api(void)
{
    char err[1024];
    /* Line-buffered stdout keeps progress lines and FAIL lines (stderr) in
     * order in ctest's captured output. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    const tml_api *api = tml_load(NULL, err, sizeof err);
    if (!api) {
        fprintf(stderr, "FAIL: cannot load the library: %s\n", err);
        exit(1);
    }
    return api;
}

/* Asserts the exact status, a non-empty message when it is not TML_OK, and
 * that the message mentions `mention` (and `mention2`) when non-NULL. */
static inline void test_expect(const tml_api *api, const char *what, tml_status got, tml_status want,
                               const char *mention, const char *mention2)
{
    const char *msg = api->last_error();
    CHECK(got == want, "%s: status %s, expected %s (message: '%s')", what, tml_status_name(got),
          tml_status_name(want), msg ? msg : "(NULL)");
    if (want == TML_OK) return;
    CHECK(msg && msg[0], "%s: empty tml_last_error()", what);
    if (!msg) return;
    CHECK(!mention || strstr(msg, mention), "%s: message '%s' does not mention '%s'", what, msg, mention);
    CHECK(!mention2 || strstr(msg, mention2), "%s: message '%s' does not mention '%s'", what, msg, mention2);
    printf("  ok  %-44s %s: %s\n", what, tml_status_name(got), msg);
}

/* Exits 2 with "usage: <usage>" unless the program got n_args arguments. */
static inline void test_require_args(int argc, int n_args, const char *usage)
{
    if (argc == n_args + 1) return;
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
}

/* `relative` under the source tree, written into buf. */
static inline const char *test_source_path(char *buf, size_t size, const char *relative)
{
    snprintf(buf, size, "%s/%s", TRIGML_SOURCE_DIR, relative);
    return buf;
}

static inline int test_file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}

/* A file reader's result (0 = read; otherwise its message is in `err`):
 * a test cannot go on without its input, so a failure ends it. */
static inline void test_read_or_exit(int rc, const char *err)
{
    if (rc == 0) return;
    fprintf(stderr, "FAIL: %s\n", err);
    exit(1);
}

/* Golden-parity programs read committed files a tool writes: a missing one
 * is a failure (a golden test that passes without its goldens proves
 * nothing), with a line naming the tool that regenerates it. */
static inline void test_require_files(const char *a, const char *b, const char *written_by)
{
    if (test_file_exists(a) && test_file_exists(b)) return;
    printf("FAIL: %s or %s is missing (%s writes them)\n", a, b, written_by);
    exit(1);
}

/* The whole file in a malloc'ed buffer with a NUL after its *size bytes
 * (so text files can be searched with strstr); NULL when it cannot be read. */
static inline char *test_read_file(const char *path, size_t *size)
{
    uint8_t *data;
    char err[512];
    if (fb_read_file(path, &data, size, err, sizeof err) != 0) return NULL;
    char *text = realloc(data, *size + 1);
    if (!text) {
        free(data);
        return NULL;
    }
    text[*size] = 0;
    return text;
}

/* Writes size bytes to path (replacing it): 0, or -1 when it cannot. */
static inline int test_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* A fresh directory "$TMPDIR/<prefix>-XXXXXX" (TMPDIR defaults to /tmp),
 * its path in dir; exits with 1 when none can be made. */
static inline void test_make_temp_dir(char *dir, size_t size, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/%s-XXXXXX", tmp ? tmp : "/tmp", prefix);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static inline int test_finish(const char *name)
{
    if (g_failures) {
        fprintf(stderr, "%s: %d check(s) FAILED\n", name, g_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif /* TEST_UTIL_H */
