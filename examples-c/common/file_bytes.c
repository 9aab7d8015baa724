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
