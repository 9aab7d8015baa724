/*
 * byte_cursor.h: a bounded reader over a little-endian file held in memory,
 * shared by the file readers of the hosts and tests (t5_file.c,
 * jet_file.c).
 *
 * It trusts nothing it reads: every take is checked against the bytes that
 * remain, and a column's element count is checked against them before it
 * is multiplied or allocated, so a corrupt or truncated file gives a
 * message (path, where, field, byte offset) and never a crash or a huge
 * allocation. Values are copied as they lie in the file, so the readers
 * that use it require a little-endian host (both formats are little-endian).
 */
#ifndef TRIGML_BYTE_CURSOR_H
#define TRIGML_BYTE_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "byte_cursor.h assumes a little-endian host (the file formats are little-endian)"
#endif

typedef struct byte_cursor {
    const uint8_t *data; /* the whole file, owned by the cursor */
    size_t size, pos;
    const char *path;
    char *err;
    size_t err_size;
    /* Where the cursor is, for messages: "header", or "event" with
     * record >= 0 for the record-by-record part of a file. */
    const char *section;
    long record;
} byte_cursor;

/* Reads the whole file and checks its 8-byte magic; on a mismatch the
 * message says it is not a `kind` file. 0, or -1 with a message (the cursor
 * then owns nothing). */
int bc_open(byte_cursor *c, const char *path, const char magic[8], const char *kind, char *err, size_t err_size);
void bc_close(byte_cursor *c);

/* A message "path: <section [record:]> field <what> (at byte offset P of S)". */
void bc_fail(byte_cursor *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int bc_take(byte_cursor *c, void *dst, size_t n, const char *field);
int bc_take_u32(byte_cursor *c, uint32_t *v, const char *field);
int bc_take_u64(byte_cursor *c, uint64_t *v, const char *field);

/* count elements of elem bytes copied into a fresh allocation of at least
 * one byte (never NULL on success); NULL with a message on failure. */
void *bc_take_column(byte_cursor *c, uint64_t count, size_t elem, const char *field);

/* The zeroed table of a file's `count` records (never NULL on success),
 * after checking that `count` (read as count_field) records of at least
 * min_record_bytes each fit in what remains; the cursor's messages then name the `section`
 * ("event") and record. NULL with a message on failure. */
void *bc_begin_records(byte_cursor *c, uint32_t count, const char *count_field, size_t min_record_bytes,
                       size_t elem, const char *section);

/* Reads `count` records with read_record(c, index, ctx), setting the
 * cursor's record and *started = index + 1 before each (so the caller frees
 * a partly read record too), then checks that no bytes trail the last one
 * (count_field names the count a trailing byte suggests is corrupt). */
int bc_read_records(byte_cursor *c, uint32_t count, const char *count_field, uint32_t *started,
                    int (*read_record)(byte_cursor *c, uint32_t index, void *ctx), void *ctx);

/* *out = a * b, or -1 with a message when the product overflows. */
int bc_product(byte_cursor *c, uint64_t a, uint64_t b, uint64_t *out, const char *field);

/* 0 when every byte was read; else -1 and a message naming what the
 * trailing bytes follow (printf-style `after`). */
int bc_expect_end(byte_cursor *c, const char *after, ...) __attribute__((format(printf, 2, 3)));

#endif /* TRIGML_BYTE_CURSOR_H */
