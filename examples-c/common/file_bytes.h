/*
 * Shared by the file readers of the hosts and tests (t5_file.c,
 * jet_file.c): error-message formatting and reading a whole file.
 */
#ifndef TRIGML_FILE_BYTES_H
#define TRIGML_FILE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* printf into err[err_size]; a NULL or empty buffer is ignored. */
void fb_set_error(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The whole file in one malloc'ed buffer (*data, *size); 0 on success, -1
 * with a message naming the path on NULL path, open/read errors or memory. */
int fb_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t err_size);

#endif
