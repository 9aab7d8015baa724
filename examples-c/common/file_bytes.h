/*
 * Shared by the file readers and writers of the hosts and tests
 * (byte_cursor.c, t5_file.c, jet_file.c): error-message formatting, reading
 * a whole file, writing one field after another, and zeroed columns.
 */
#ifndef TRIGML_FILE_BYTES_H
#define TRIGML_FILE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* printf into err[err_size]; a NULL or empty buffer is ignored. */
void fb_set_error(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The whole file in one malloc'ed buffer (*data, *size); 0 on success, -1
 * with a message naming the path on NULL path, open/read errors or memory. */
int fb_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t err_size);

/* Writes a file field by field; the first failed write is remembered and
 * reported once, by fb_writer_close. */
typedef struct fb_writer {
    FILE *f;
    const char *path;
    int failed;
} fb_writer;

/* 0, or -1 with a message naming the path (NULL path, cannot create). */
int fb_writer_open(fb_writer *w, const char *path, char *err, size_t err_size);
/* count elements of elem bytes; nothing for count 0. */
void fb_put(fb_writer *w, const void *p, size_t elem, uint64_t count);
/* Closes the file: 0, or -1 with a message when any write or the close failed. */
int fb_writer_close(fb_writer *w, char *err, size_t err_size);

/* A zeroed column of count elements of elem bytes, never NULL (at least one
 * element); NULL and *ok = 0 when the size overflows or memory runs out, so
 * a caller can allocate every column and check once. */
void *fb_alloc_column(uint64_t count, size_t elem, int *ok);

#endif
