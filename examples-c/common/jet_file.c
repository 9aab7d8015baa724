#include "file_bytes.h"
#include "jet_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns are copied with memcpy straight from the little-endian file. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "jet_file.c assumes a little-endian host (the file formats are little-endian)"
#endif

static const char JETS_MAGIC[8] = {'T', 'M', 'L', 'J', 'E', 'T', 'S', '1'};
static const char SCORES_MAGIC[8] = {'T', 'M', 'L', 'T', 'G', 'S', 'C', '1'};



/* ------------------------------------------------------ bounds-checked cursor */

typedef struct cursor {
    const uint8_t *data;
    size_t size, pos;
    const char *path;
    char *err;
    size_t err_size;
} cursor;

static int take(cursor *c, void *dst, size_t n, const char *field)
{
    if (n > c->size - c->pos) {
        fb_set_error(c->err, c->err_size, "%s: %s needs %zu bytes but only %zu remain at byte offset %zu (truncated file?)",
                  c->path, field, n, c->size - c->pos, c->pos);
        return -1;
    }
    if (n) memcpy(dst, c->data + c->pos, n);
    c->pos += n;
    return 0;
}

/* count elements of elem bytes into a fresh allocation (never NULL). The
 * count is checked against the bytes left before it is multiplied. */
static void *take_column(cursor *c, uint64_t count, size_t elem, const char *field)
{
    size_t left = c->size - c->pos;
    if (count > left / elem) {
        fb_set_error(c->err, c->err_size,
                  "%s: %s has %llu elements of %zu bytes but only %zu bytes remain at byte offset %zu "
                  "(corrupt count or truncated file?)",
                  c->path, field, (unsigned long long)count, elem, left, c->pos);
        return NULL;
    }
    size_t bytes = (size_t)count * elem;
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fb_set_error(c->err, c->err_size, "%s: %s: cannot allocate %zu bytes", c->path, field, bytes);
        return NULL;
    }
    if (bytes) memcpy(p, c->data + c->pos, bytes);
    c->pos += bytes;
    return p;
}

/* a * b elements, or -1 (with a message) when the product overflows. */
static int product(cursor *c, uint64_t a, uint64_t b, uint64_t *out, const char *field)
{
    if (b != 0 && a > UINT64_MAX / b) {
        fb_set_error(c->err, c->err_size, "%s: %s: %llu x %llu elements overflow", c->path, field,
                  (unsigned long long)a, (unsigned long long)b);
        return -1;
    }
    *out = a * b;
    return 0;
}

void jet_file_free(jet_file *j)
{
    if (!j) return;
    free(j->pt);
    free(j->mass);
    free(j->weight);
    free(j->label);
    free(j->jet_features);
    free(j->offsets);
    free(j->constituent_features);
    memset(j, 0, sizeof *j);
}

int jet_file_read(const char *path, jet_file *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t size;
    if (fb_read_file(path, &data, &size, err, err_size) != 0) return -1;
    cursor c = {data, size, 0, path, err, err_size};
    jet_file j;
    memset(&j, 0, sizeof j);
    char magic[8];
    uint64_t n_jf = 0, n_cf = 0;
    if (take(&c, magic, 8, "magic") != 0) goto fail;
    if (memcmp(magic, JETS_MAGIC, 8) != 0) {
        fb_set_error(err, err_size, "%s: not a TrigML jet file (magic is not \"TMLJETS1\")", path);
        goto fail;
    }
    if (take(&c, &j.n_jets, 8, "n_jets") != 0 || take(&c, &j.n_constituents, 8, "n_constituents") != 0 ||
        take(&c, &j.jet_feature_count, 4, "jet_feature_count") != 0 ||
        take(&c, &j.constituent_feature_count, 4, "constituent_feature_count") != 0)
        goto fail;
    if (j.jet_feature_count > JET_FILE_MAX_FEATURES || j.constituent_feature_count > JET_FILE_MAX_FEATURES) {
        fb_set_error(err, err_size, "%s: header: feature counts %u and %u (at most %u each)", path, j.jet_feature_count,
                  j.constituent_feature_count, JET_FILE_MAX_FEATURES);
        goto fail;
    }
    if (j.n_jets == UINT64_MAX) {
        fb_set_error(err, err_size, "%s: header: n_jets = %llu is not a count", path, (unsigned long long)j.n_jets);
        goto fail;
    }
    if (product(&c, j.n_jets, j.jet_feature_count, &n_jf, "jet_features") != 0 ||
        product(&c, j.n_constituents, j.constituent_feature_count, &n_cf, "constituent_features") != 0)
        goto fail;
    if (!(j.pt = take_column(&c, j.n_jets, 4, "pt")) || !(j.mass = take_column(&c, j.n_jets, 4, "mass")) ||
        !(j.weight = take_column(&c, j.n_jets, 4, "weight")) || !(j.label = take_column(&c, j.n_jets, 1, "label")) ||
        !(j.jet_features = take_column(&c, n_jf, 4, "jet_features")) ||
        !(j.offsets = take_column(&c, j.n_jets + 1, 8, "constituent_offsets")) ||
        !(j.constituent_features = take_column(&c, n_cf, 4, "constituent_features")))
        goto fail;
    if (c.pos != c.size) {
        fb_set_error(err, err_size, "%s: %zu trailing bytes after the last column (byte offset %zu)", path,
                  c.size - c.pos, c.pos);
        goto fail;
    }
    if (j.offsets[0] != 0) {
        fb_set_error(err, err_size, "%s: constituent_offsets[0] = %llu, the format requires 0", path,
                  (unsigned long long)j.offsets[0]);
        goto fail;
    }
    for (uint64_t k = 1; k <= j.n_jets; k++) {
        if (j.offsets[k] < j.offsets[k - 1] || j.offsets[k] > j.n_constituents) {
            fb_set_error(err, err_size, "%s: constituent_offsets[%llu] = %llu after %llu (n_constituents = %llu): "
                      "not a non-decreasing CSR index",
                      path, (unsigned long long)k, (unsigned long long)j.offsets[k],
                      (unsigned long long)j.offsets[k - 1], (unsigned long long)j.n_constituents);
            goto fail;
        }
    }
    if (j.offsets[j.n_jets] != j.n_constituents) {
        fb_set_error(err, err_size, "%s: constituent_offsets[n_jets] = %llu but n_constituents = %llu", path,
                  (unsigned long long)j.offsets[j.n_jets], (unsigned long long)j.n_constituents);
        goto fail;
    }
    free(data);
    *out = j;
    return 0;
fail:
    free(data);
    jet_file_free(&j);
    return -1;
}

int jet_file_alloc(jet_file *j, uint64_t n_jets, uint64_t n_constituents, uint32_t jet_feature_count,
                   uint32_t constituent_feature_count, char *err, size_t err_size)
{
    memset(j, 0, sizeof *j);
    if (n_jets >= SIZE_MAX / 8 || n_constituents >= SIZE_MAX / 8 || jet_feature_count > JET_FILE_MAX_FEATURES ||
        constituent_feature_count > JET_FILE_MAX_FEATURES ||
        (jet_feature_count && n_jets > SIZE_MAX / 4 / jet_feature_count) ||
        (constituent_feature_count && n_constituents > SIZE_MAX / 4 / constituent_feature_count)) {
        fb_set_error(err, err_size, "jet_file_alloc: counts too large");
        return -1;
    }
    j->n_jets = n_jets;
    j->n_constituents = n_constituents;
    j->jet_feature_count = jet_feature_count;
    j->constituent_feature_count = constituent_feature_count;
    size_t n = (size_t)n_jets;
    j->pt = calloc(n ? n : 1, 4);
    j->mass = calloc(n ? n : 1, 4);
    j->weight = calloc(n ? n : 1, 4);
    j->label = calloc(n ? n : 1, 1);
    size_t njf = n * jet_feature_count;
    j->jet_features = calloc(njf ? njf : 1, 4);
    j->offsets = calloc(n + 1, 8);
    size_t nc = (size_t)n_constituents * constituent_feature_count;
    j->constituent_features = calloc(nc ? nc : 1, 4);
    if (!j->pt || !j->mass || !j->weight || !j->label || !j->jet_features || !j->offsets || !j->constituent_features) {
        jet_file_free(j);
        fb_set_error(err, err_size, "jet_file_alloc: out of memory");
        return -1;
    }
    return 0;
}

int jet_file_write(const char *path, const jet_file *in, char *err, size_t err_size)
{
    if (!path) {
        fb_set_error(err, err_size, "file path is NULL");
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fb_set_error(err, err_size, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    size_t n = (size_t)in->n_jets;
    int ok = fwrite(JETS_MAGIC, 1, 8, f) == 8 && fwrite(&in->n_jets, 8, 1, f) == 1 &&
             fwrite(&in->n_constituents, 8, 1, f) == 1 && fwrite(&in->jet_feature_count, 4, 1, f) == 1 &&
             fwrite(&in->constituent_feature_count, 4, 1, f) == 1 && fwrite(in->pt, 4, n, f) == n &&
             fwrite(in->mass, 4, n, f) == n && fwrite(in->weight, 4, n, f) == n && fwrite(in->label, 1, n, f) == n;
    size_t njf = n * in->jet_feature_count, ncf = (size_t)in->n_constituents * in->constituent_feature_count;
    ok = ok && fwrite(in->jet_features, 4, njf, f) == njf && fwrite(in->offsets, 8, n + 1, f) == n + 1 &&
         fwrite(in->constituent_features, 4, ncf, f) == ncf;
    if (fclose(f) != 0) ok = 0;
    if (!ok) {
        fb_set_error(err, err_size, "%s: write failed: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

tml_jet_batch jet_file_batch(const jet_file *j, uint64_t first, uint64_t count)
{
    tml_jet_batch b;
    memset(&b, 0, sizeof b);
    b.n_jets = count;
    b.jet_feature_count = j->jet_feature_count;
    b.jet_features = j->jet_features + first * j->jet_feature_count;
    b.constituent_offsets = j->offsets + first;
    b.n_constituents = j->n_constituents;
    b.constituent_feature_count = j->constituent_feature_count;
    b.constituent_features = j->constituent_features;
    return b;
}

/* ------------------------------------------------------------ golden scores */

void jet_scores_free(jet_scores *s)
{
    if (!s) return;
    free(s->scores);
    memset(s, 0, sizeof *s);
}

int jet_scores_read(const char *path, jet_scores *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t size;
    if (fb_read_file(path, &data, &size, err, err_size) != 0) return -1;
    cursor c = {data, size, 0, path, err, err_size};
    jet_scores s;
    memset(&s, 0, sizeof s);
    char magic[8];
    uint32_t zero = 0;
    uint64_t total = 0;
    if (take(&c, magic, 8, "magic") != 0) goto fail;
    if (memcmp(magic, SCORES_MAGIC, 8) != 0) {
        fb_set_error(err, err_size, "%s: not a TrigML tagger-score file (magic is not \"TMLTGSC1\")", path);
        goto fail;
    }
    if (take(&c, &s.n_jets, 8, "n_jets") != 0 || take(&c, &s.output_count, 4, "output_count") != 0 ||
        take(&c, &zero, 4, "reserved") != 0)
        goto fail;
    if (s.output_count == 0 || s.output_count > JET_FILE_MAX_FEATURES || zero != 0) {
        fb_set_error(err, err_size, "%s: header: output_count = %u, reserved = %u", path, s.output_count, zero);
        goto fail;
    }
    if (product(&c, s.n_jets, s.output_count, &total, "scores") != 0) goto fail;
    if (!(s.scores = take_column(&c, total, 4, "scores"))) goto fail;
    if (c.pos != c.size) {
        fb_set_error(err, err_size, "%s: %zu trailing bytes after the scores", path, c.size - c.pos);
        goto fail;
    }
    free(data);
    *out = s;
    return 0;
fail:
    free(data);
    jet_scores_free(&s);
    return -1;
}
