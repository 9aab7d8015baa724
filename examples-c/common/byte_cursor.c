#include "byte_cursor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file_bytes.h"

int bc_open(byte_cursor *c, const char *path, const char magic[8], const char *kind, char *err, size_t err_size)
{
    uint8_t *data;
    size_t size;
    memset(c, 0, sizeof *c);
    if (fb_read_file(path, &data, &size, err, err_size) != 0) return -1;
    *c = (byte_cursor){data, size, 0, path, err, err_size, "header", -1};
    char found[8];
    if (bc_take(c, found, sizeof found, "magic") != 0) goto fail;
    if (memcmp(found, magic, sizeof found) != 0) {
        c->pos = 0;
        bc_fail(c, "magic", "is not \"%.8s\" (not a %s file)", magic, kind);
        goto fail;
    }
    return 0;
fail:
    bc_close(c);
    return -1;
}

void bc_close(byte_cursor *c)
{
    free((void *)c->data);
    c->data = NULL;
    c->size = c->pos = 0;
}

void bc_fail(byte_cursor *c, const char *field, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->record >= 0)
        fb_set_error(c->err, c->err_size, "%s: %s %ld: %s %s (at byte offset %zu of %zu)", c->path, c->section,
                     c->record, field, what, c->pos, c->size);
    else
        fb_set_error(c->err, c->err_size, "%s: %s %s %s (at byte offset %zu of %zu)", c->path, c->section, field,
                     what, c->pos, c->size);
}

int bc_take(byte_cursor *c, void *dst, size_t n, const char *field)
{
    if (n > c->size - c->pos) {
        bc_fail(c, field, "needs %zu bytes but only %zu remain (truncated file?)", n, c->size - c->pos);
        return -1;
    }
    if (n) memcpy(dst, c->data + c->pos, n);
    c->pos += n;
    return 0;
}

int bc_take_u32(byte_cursor *c, uint32_t *v, const char *field) { return bc_take(c, v, sizeof *v, field); }
int bc_take_u64(byte_cursor *c, uint64_t *v, const char *field) { return bc_take(c, v, sizeof *v, field); }

void *bc_take_column(byte_cursor *c, uint64_t count, size_t elem, const char *field)
{
    size_t left = c->size - c->pos;
    if (count > left / elem) {
        bc_fail(c, field, "has %llu elements of %zu bytes but only %zu bytes remain (corrupt count or truncated file?)",
                (unsigned long long)count, elem, left);
        return NULL;
    }
    size_t bytes = (size_t)count * elem;
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        bc_fail(c, field, "cannot allocate %zu bytes", bytes);
        return NULL;
    }
    if (bytes) memcpy(p, c->data + c->pos, bytes);
    c->pos += bytes;
    return p;
}

void *bc_begin_records(byte_cursor *c, uint32_t count, const char *count_field, size_t min_record_bytes,
                       size_t elem, const char *section)
{
    if (count > (c->size - c->pos) / min_record_bytes) {
        bc_fail(c, count_field, "= %u cannot fit in the %zu bytes that remain", count, c->size - c->pos);
        return NULL;
    }
    void *table = calloc(count ? count : 1, elem);
    if (!table) {
        fb_set_error(c->err, c->err_size, "%s: out of memory for %u %ss", c->path, count, section);
        return NULL;
    }
    c->section = section;
    return table;
}

int bc_read_records(byte_cursor *c, uint32_t count, const char *count_field, uint32_t *started,
                    int (*read_record)(byte_cursor *c, uint32_t index, void *ctx), void *ctx)
{
    for (uint32_t i = 0; i < count; i++) {
        c->record = (long)i;
        *started = i + 1;
        if (read_record(c, i, ctx) != 0) return -1;
    }
    return bc_expect_end(c, "the last of %u %ss (corrupt %s?)", count, c->section, count_field);
}

int bc_product(byte_cursor *c, uint64_t a, uint64_t b, uint64_t *out, const char *field)
{
    if (b != 0 && a > UINT64_MAX / b) {
        bc_fail(c, field, "count %llu x %llu overflows", (unsigned long long)a, (unsigned long long)b);
        return -1;
    }
    *out = a * b;
    return 0;
}

int bc_expect_end(byte_cursor *c, const char *after, ...)
{
    if (c->pos == c->size) return 0;
    char what[256];
    va_list ap;
    va_start(ap, after);
    vsnprintf(what, sizeof what, after, ap);
    va_end(ap);
    fb_set_error(c->err, c->err_size, "%s: %zu trailing bytes after %s (byte offset %zu)", c->path, c->size - c->pos,
                 what, c->pos);
    return -1;
}
