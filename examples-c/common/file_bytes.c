#include "file_bytes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fb_set_error(char *err, size_t err_size, const char *fmt, ...)
{
    if (!err || err_size == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

int fb_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t err_size)
{
    *data = NULL;
    *size = 0;
    if (!path) {
        fb_set_error(err, err_size, "file path is NULL");
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fb_set_error(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            uint8_t *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (!buf) {
        fclose(f);
        fb_set_error(err, err_size, "%s: out of memory after %zu bytes", path, len);
        return -1;
    }
    if (ferror(f)) {
        fb_set_error(err, err_size, "%s: read error after %zu bytes: %s", path, len, strerror(errno));
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *data = buf;
    *size = len;
    return 0;
}

int fb_writer_open(fb_writer *w, const char *path, char *err, size_t err_size)
{
    w->path = path;
    w->failed = 0;
    w->f = NULL;
    if (!path) {
        fb_set_error(err, err_size, "file path is NULL");
        return -1;
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        fb_set_error(err, err_size, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

void fb_put(fb_writer *w, const void *p, size_t elem, uint64_t count)
{
    if (w->failed || count == 0) return;
    if (fwrite(p, elem, (size_t)count, w->f) != count) w->failed = 1;
}

int fb_writer_close(fb_writer *w, char *err, size_t err_size)
{
    if (fclose(w->f) != 0) w->failed = 1;
    w->f = NULL;
    if (w->failed) {
        fb_set_error(err, err_size, "%s: write failed: %s", w->path, strerror(errno));
        return -1;
    }
    return 0;
}

void *fb_alloc_column(uint64_t count, size_t elem, int *ok)
{
    if (count > SIZE_MAX / elem) {
        *ok = 0;
        return NULL;
    }
    void *p = calloc(count ? (size_t)count : 1, elem);
    if (!p) *ok = 0;
    return p;
}
