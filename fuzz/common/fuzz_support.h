/*
 * fuzz_support.h: what every TrigML fuzz target shares.
 *
 * A target is one C file in fuzz/targets/ that defines
 * LLVMFuzzerTestOneInput (and, if it needs set-up, LLVMFuzzerInitialize).
 * fuzz/run_fuzz.sh compiles it together with this support code and links it
 * against the sanitized, coverage-instrumented libtrigml.so; nothing else
 * has to be registered anywhere. Its seed corpus lives in
 * Tests/fuzz-corpus/<target>/, crash reproducers in .../regressions/.
 *
 * The harness treats as a failure (abort, so libFuzzer saves the input):
 * any crash or sanitizer report inside the library (found by the runtime),
 * and any broken promise of the C ABI contract the target checks with
 * FZ_REQUIRE (status out of range, a failed call without a message or one
 * that wrote outputs, a result that depends on batch position, ...).
 */
#ifndef TRIGML_FUZZ_SUPPORT_H
#define TRIGML_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "t5_file.h"
#include "trigml.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Aborts with the file, line, condition and a formatted explanation. */
#define FZ_REQUIRE(cond, ...)                                         \
    do {                                                              \
        if (!(cond)) fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
    } while (0)

__attribute__((noreturn, format(printf, 4, 5))) void fz_fail(const char *file, int line, const char *cond,
                                                               const char *fmt, ...);

/* ----------------------------------------------------------- input bytes */

/* Consumes the fuzz input front to back; reads past the end give zeros. */
typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
} fz_reader;

static inline fz_reader fz_reader_make(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    return r;
}
uint8_t fz_u8(fz_reader *r);
uint16_t fz_u16(fz_reader *r);
uint32_t fz_u32(fz_reader *r);
uint64_t fz_u64(fz_reader *r);
float fz_f32_raw(fz_reader *r);     /* any bit pattern: NaNs, Inf, denormals */
float fz_f32_special(fz_reader *r); /* one byte picks a value from a table of edge cases */

/* ------------------------------------------------------- files in memory */

/*
 * Writes bytes to an in-memory file (memfd; a temp file where memfd is not
 * available) and returns a path that opens it from the start:
 * "/proc/self/fd/N". The same file is rewritten on every call, so the
 * returned path stays valid until the next call.
 */
const char *fz_bytes_as_file(const uint8_t *data, size_t size);

/* A file for entry points that write one (tml_ddt_save), in a private
 * directory (/dev/shm when writable) removed at exit: its path, and what was
 * last written to it (the buffer is valid until the next call). */
const char *fz_scratch_path(void);
const uint8_t *fz_scratch_contents(size_t *size);

/*
 * The checks every loader target makes on a refused file: the status is a
 * content error (format, shape or unsupported version), *out was reset to
 * NULL, and tml_last_error() names the file.
 */
void fz_require_refused(const char *loader, tml_status s, const void *out, const char *path);

/*
 * Defines LLVMFuzzerTestOneInput for a target whose input is one whole
 * file: the bytes become a file (fz_bytes_as_file) that `load` (a
 * tml_*_load) reads into a `handle_type` pointer set to a non-NULL dummy
 * first, since a failed load must reset it. A refused file must pass
 * fz_require_refused; an accepted one must come with a handle, is given
 * to check(handle) and freed with release(handle).
 */
#define FZ_FILE_LOADER_TARGET(handle_type, load, check, release)                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                              \
    {                                                                                         \
        const char *path = fz_bytes_as_file(data, size);                                      \
        handle_type *handle = (handle_type *)(uintptr_t)0x10;                                 \
        tml_status status = load(path, &handle);                                              \
        if (status != TML_OK) {                                                               \
            fz_require_refused(#load, status, handle, path);                                  \
            return 0;                                                                         \
        }                                                                                     \
        FZ_REQUIRE(handle != NULL, "%s: TML_OK with a NULL handle", #load);                   \
        check(handle);                                                                        \
        release(handle);                                                                      \
        return 0;                                                                             \
    }

/* Calls add(path) for every file under the source tree that matches the
 * glob `relative_pattern` (Tests/golden/...), in sorted order; the number
 * of calls that returned non-zero. */
int fz_each_source_file(const char *relative_pattern, int (*add)(const char *path));

/* --------------------------------------------------------- shared models */

/* Tests/golden/... under the source tree (TRIGML_SOURCE_DIR, or the
 * environment variable of the same name at run time). */
const char *fz_source_path(const char *relative);

/* The embedded default model (lst-v2) and Tests/golden/t5_model_lst_v1.json;
 * loaded once, aborts if either fails. */
const tml_t5_model *fz_default_model(void);
const tml_t5_model *fz_lst_v1_model(void);

/* ------------------------------------------------------------ T5 batches */

/* An event whose columns are each their own malloc of exactly their
 * declared length (an empty column is a real malloc(0)), so ASan sees any
 * read past them; no truth columns. Free it with t5f_event_free and view it
 * with t5f_batch (examples-c/common/t5_file.h). Returns 0 or -1. */
int fz_t5_event_alloc(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5);

/* A physically plausible event (Tests/c/t5_synth.c): n_tracks true T5s plus
 * n_fakes fakes, in exact-length columns as above. Returns 0 or -1. */
int fz_t5_synth(t5f_event *e, uint32_t n_tracks, uint32_t n_fakes, uint64_t seed);

/* A page that faults on any access: the pointer to pass where the contract
 * says the library must not touch memory (absurd counts). */
void *fz_guard_page(void);

/* Float equality for results: same bits, or both NaN. */
static inline int fz_same_float(float a, float b)
{
    union { float f; uint32_t u; } x = {a}, y = {b};
    return x.u == y.u || (a != a && b != b);
}

#ifdef __cplusplus
}
#endif

#endif /* TRIGML_FUZZ_SUPPORT_H */
