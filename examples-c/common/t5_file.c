#include "file_bytes.h"
#include "t5_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns are copied with memcpy straight from the little-endian file. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "t5_file.c assumes a little-endian host (the file formats are little-endian)"
#endif

static const char EVENT_MAGIC[8] = {'T', 'M', 'L', 'T', '5', 'E', 'V', '1'};
static const char GOLDEN_MAGIC[8] = {'T', 'M', 'L', 'T', '5', 'G', 'V', '1'};
static const char GOLDEN2_MAGIC[8] = {'T', 'M', 'L', 'T', '5', 'G', 'V', '2'};

/* Golden input counts beyond this are not a T5 model (LST uses 23 and 38). */
#define T5F_MAX_INPUT_COUNT 4096u
/* Host-column tables wider than this are not plausible (and the library
 * reads columns 0..65535 only). */
#define T5F_MAX_COLUMN_COUNT 65536u
#define T5F_KNOWN_FLAGS (T5F_FLAG_TRUTH | T5F_FLAG_HOST_COLUMNS | T5F_FLAG_CLASS_TRUTH)




/* ------------------------------------------------------ bounds-checked cursor */

typedef struct cursor {
    const uint8_t *data;
    size_t size, pos;
    const char *path;
    char *err;
    size_t err_size;
    long event; /* -1 while reading the header */
} cursor;

static void cursor_fail(cursor *c, const char *field, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->event >= 0)
        fb_set_error(c->err, c->err_size, "%s: event %ld: %s %s (at byte offset %zu of %zu)", c->path, c->event,
                  field, what, c->pos, c->size);
    else
        fb_set_error(c->err, c->err_size, "%s: header %s %s (at byte offset %zu of %zu)", c->path, field, what,
                  c->pos, c->size);
}

static int take(cursor *c, void *dst, size_t n, const char *field)
{
    if (n > c->size - c->pos) {
        cursor_fail(c, field, "needs %zu bytes but only %zu remain (truncated file?)", n, c->size - c->pos);
        return -1;
    }
    if (n) memcpy(dst, c->data + c->pos, n);
    c->pos += n;
    return 0;
}

static int take_u32(cursor *c, uint32_t *v, const char *field) { return take(c, v, sizeof *v, field); }
static int take_u64(cursor *c, uint64_t *v, const char *field) { return take(c, v, sizeof *v, field); }

/* count * elem bytes, copied into a fresh allocation (at least 1 byte so the
 * pointer is never NULL); NULL on failure. The count is checked against the
 * bytes left before multiplying, so neither the product nor the allocation
 * can blow up. */
static void *take_column(cursor *c, uint64_t count, size_t elem, const char *field)
{
    size_t left = c->size - c->pos;
    if (count > left / elem) {
        cursor_fail(c, field, "has %llu elements of %zu bytes but only %zu bytes remain (corrupt count or truncated file?)",
                    (unsigned long long)count, elem, left);
        return NULL;
    }
    size_t bytes = (size_t)count * elem;
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        cursor_fail(c, field, "cannot allocate %zu bytes", bytes);
        return NULL;
    }
    memcpy(p, c->data + c->pos, bytes);
    c->pos += bytes;
    return p;
}

/* Element count of a multi-column, rejecting an overflowing multiply. */
static int scaled(cursor *c, uint64_t n, uint64_t per, uint64_t *out, const char *field)
{
    if (n > UINT64_MAX / per) {
        cursor_fail(c, field, "count %llu x %llu overflows", (unsigned long long)n, (unsigned long long)per);
        return -1;
    }
    *out = n * per;
    return 0;
}

/* ----------------------------------------------- whole-file framing (all three) */

/* Reads `path` into *data and checks its 8-byte magic; on failure the
 * message says which kind of file was expected. */
static int open_cursor(cursor *c, uint8_t **data, const char *path, const char magic[8], const char *kind, char *err,
                       size_t err_size)
{
    size_t size;
    if (fb_read_file(path, data, &size, err, err_size)) return -1;
    *c = (cursor){*data, size, 0, path, err, err_size, -1};
    char found[8];
    if (take(c, found, sizeof found, "magic")) return -1;
    if (memcmp(found, magic, sizeof found) != 0) {
        c->pos = 0;
        cursor_fail(c, "magic", "is not \"%.8s\" (not a %s)", magic, kind);
        return -1;
    }
    return 0;
}

/* A zeroed table of n_events records after a cheap bound: each event takes
 * at least `min_event_bytes` of what remains. */
static void *alloc_event_table(cursor *c, uint32_t n_events, size_t record, size_t min_event_bytes)
{
    if (n_events > (c->size - c->pos) / min_event_bytes) {
        cursor_fail(c, "n_events", "= %u cannot fit in the %zu bytes that remain", n_events, c->size - c->pos);
        return NULL;
    }
    void *table = calloc(n_events ? n_events : 1, record);
    if (!table) fb_set_error(c->err, c->err_size, "%s: out of memory for %u events", c->path, n_events);
    return table;
}

/* The whole file was read: no trailing bytes. */
static int check_end(cursor *c, uint32_t n_events)
{
    if (c->pos == c->size) return 0;
    fb_set_error(c->err, c->err_size, "%s: %zu trailing bytes after the last of %u events (corrupt n_events?)",
                 c->path, c->size - c->pos, n_events);
    return -1;
}

/* ------------------------------------------------------------------ events */

void t5f_event_free(t5f_event *e)
{
    if (!e) return;
    free(e->md_x);
    free(e->md_y);
    free(e->md_z);
    free(e->md_r);
    free(e->md_eta);
    free(e->md_phi);
    free(e->md_layer);
    free(e->t3_md);
    free(e->t3_radius);
    free(e->t5_t3);
    free(e->t5_is_true);
    free(e->t5_sim_pt);
    free(e->t5_sim_eta);
    free(e->md_columns);
    free(e->t3_columns);
    free(e->t5_columns);
    free(e->t5_class);
    free(e->t5_sim_d0);
    memset(e, 0, sizeof *e);
}

static void *zalloc(uint64_t count, size_t elem, int *ok)
{
    if (count > SIZE_MAX / elem) {
        *ok = 0;
        return NULL;
    }
    void *p = calloc(count ? (size_t)count : 1, elem);
    if (!p) *ok = 0;
    return p;
}

int t5f_event_alloc(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5, int truth)
{
    memset(e, 0, sizeof *e);
    int ok = 1;
    e->n_md = n_md;
    e->n_t3 = n_t3;
    e->n_t5 = n_t5;
    e->md_x = zalloc(n_md, sizeof(float), &ok);
    e->md_y = zalloc(n_md, sizeof(float), &ok);
    e->md_z = zalloc(n_md, sizeof(float), &ok);
    e->md_r = zalloc(n_md, sizeof(float), &ok);
    e->md_eta = zalloc(n_md, sizeof(float), &ok);
    e->md_phi = zalloc(n_md, sizeof(float), &ok);
    e->md_layer = zalloc(n_md, sizeof(uint8_t), &ok);
    e->t3_md = (n_t3 > UINT64_MAX / 3) ? (ok = 0, NULL) : zalloc(3 * n_t3, sizeof(uint32_t), &ok);
    e->t3_radius = zalloc(n_t3, sizeof(float), &ok);
    e->t5_t3 = (n_t5 > UINT64_MAX / 2) ? (ok = 0, NULL) : zalloc(2 * n_t5, sizeof(uint32_t), &ok);
    if (truth) {
        e->t5_is_true = zalloc(n_t5, sizeof(uint8_t), &ok);
        e->t5_sim_pt = zalloc(n_t5, sizeof(float), &ok);
        e->t5_sim_eta = zalloc(n_t5, sizeof(float), &ok);
    }
    if (!ok) {
        t5f_event_free(e);
        return -1;
    }
    return 0;
}

int t5f_event_alloc_columns(t5f_event *e, uint32_t md_count, uint32_t t3_count, uint32_t t5_count)
{
    int ok = 1;
    e->md_column_count = md_count;
    e->t3_column_count = t3_count;
    e->t5_column_count = t5_count;
    e->md_columns = (md_count && e->n_md > UINT64_MAX / md_count) ? (ok = 0, NULL) : zalloc(e->n_md * md_count, sizeof(float), &ok);
    e->t3_columns = (t3_count && e->n_t3 > UINT64_MAX / t3_count) ? (ok = 0, NULL) : zalloc(e->n_t3 * t3_count, sizeof(float), &ok);
    e->t5_columns = (t5_count && e->n_t5 > UINT64_MAX / t5_count) ? (ok = 0, NULL) : zalloc(e->n_t5 * t5_count, sizeof(float), &ok);
    return ok ? 0 : -1;
}

int t5f_event_alloc_class_truth(t5f_event *e)
{
    int ok = 1;
    e->t5_class = zalloc(e->n_t5, sizeof(uint8_t), &ok);
    e->t5_sim_d0 = zalloc(e->n_t5, sizeof(float), &ok);
    return ok ? 0 : -1;
}

tml_t5_columns t5f_columns(const t5f_event *e)
{
    tml_t5_columns c;
    c.md_count = e->md_column_count;
    c.md = e->md_columns;
    c.t3_count = e->t3_column_count;
    c.t3 = e->t3_columns;
    c.t5_count = e->t5_column_count;
    c.t5 = e->t5_columns;
    return c;
}

tml_t5_batch t5f_batch(const t5f_event *e)
{
    tml_t5_batch b;
    b.n_md = e->n_md;
    b.md_x = e->md_x;
    b.md_y = e->md_y;
    b.md_z = e->md_z;
    b.md_r = e->md_r;
    b.md_eta = e->md_eta;
    b.md_phi = e->md_phi;
    b.md_layer = e->md_layer;
    b.n_t3 = e->n_t3;
    b.t3_md = e->t3_md;
    b.t3_radius = e->t3_radius;
    b.n_t5 = e->n_t5;
    b.t5_t3 = e->t5_t3;
    return b;
}

void t5f_free_events(t5f_events *ev)
{
    if (!ev) return;
    if (ev->events)
        for (uint32_t i = 0; i < ev->n_events; i++) t5f_event_free(&ev->events[i]);
    free(ev->events);
    memset(ev, 0, sizeof *ev);
}

/* A host-column table of `rows` rows of `width` floats. */
static float *take_table(cursor *c, uint64_t rows, uint32_t width, const char *field)
{
    uint64_t count;
    if (scaled(c, rows, width ? width : 1, &count, field)) return NULL;
    return take_column(c, width ? count : 0, 4, field);
}

static int read_event(cursor *c, t5f_event *e, uint32_t flags, const t5f_events *file)
{
    uint64_t n3, n2;
    int truth = (flags & T5F_FLAG_TRUTH) != 0;
    if (take_u64(c, &e->n_md, "n_md") || take_u64(c, &e->n_t3, "n_t3") || take_u64(c, &e->n_t5, "n_t5")) return -1;
    if (!(e->md_x = take_column(c, e->n_md, 4, "md_x"))) return -1;
    if (!(e->md_y = take_column(c, e->n_md, 4, "md_y"))) return -1;
    if (!(e->md_z = take_column(c, e->n_md, 4, "md_z"))) return -1;
    if (!(e->md_r = take_column(c, e->n_md, 4, "md_r"))) return -1;
    if (!(e->md_eta = take_column(c, e->n_md, 4, "md_eta"))) return -1;
    if (!(e->md_phi = take_column(c, e->n_md, 4, "md_phi"))) return -1;
    if (!(e->md_layer = take_column(c, e->n_md, 1, "md_layer"))) return -1;
    if (scaled(c, e->n_t3, 3, &n3, "t3_md")) return -1;
    if (!(e->t3_md = take_column(c, n3, 4, "t3_md"))) return -1;
    if (!(e->t3_radius = take_column(c, e->n_t3, 4, "t3_radius"))) return -1;
    if (scaled(c, e->n_t5, 2, &n2, "t5_t3")) return -1;
    if (!(e->t5_t3 = take_column(c, n2, 4, "t5_t3"))) return -1;
    if (flags & T5F_FLAG_HOST_COLUMNS) {
        e->md_column_count = file->md_column_count;
        e->t3_column_count = file->t3_column_count;
        e->t5_column_count = file->t5_column_count;
        if (!(e->md_columns = take_table(c, e->n_md, e->md_column_count, "md_columns"))) return -1;
        if (!(e->t3_columns = take_table(c, e->n_t3, e->t3_column_count, "t3_columns"))) return -1;
        if (!(e->t5_columns = take_table(c, e->n_t5, e->t5_column_count, "t5_columns"))) return -1;
    }
    if (truth) {
        if (!(e->t5_is_true = take_column(c, e->n_t5, 1, "t5_is_true"))) return -1;
        if (!(e->t5_sim_pt = take_column(c, e->n_t5, 4, "t5_sim_pt"))) return -1;
        if (!(e->t5_sim_eta = take_column(c, e->n_t5, 4, "t5_sim_eta"))) return -1;
    }
    if (flags & T5F_FLAG_CLASS_TRUTH) {
        if (!(e->t5_class = take_column(c, e->n_t5, 1, "t5_class"))) return -1;
        for (uint64_t t = 0; t < e->n_t5; t++)
            if (e->t5_class[t] > T5F_CLASS_DISPLACED) {
                c->pos -= (size_t)(e->n_t5 - t);
                cursor_fail(c, "t5_class", "[%llu] = %u is not a class (0 fake, 1 prompt, 2 displaced)",
                            (unsigned long long)t, e->t5_class[t]);
                return -1;
            }
        if (!(e->t5_sim_d0 = take_column(c, e->n_t5, 4, "t5_sim_d0"))) return -1;
    }
    return 0;
}

int t5f_read_events(const char *path, t5f_events *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    uint8_t *data = NULL;
    cursor c;
    uint32_t n_events = 0, flags = 0;
    if (open_cursor(&c, &data, path, EVENT_MAGIC, "T5 event file", err, err_size)) goto fail;
    if (take_u32(&c, &n_events, "n_events") || take_u32(&c, &flags, "flags")) goto fail;
    if (flags & ~T5F_KNOWN_FLAGS) {
        /* Unknown bits would change the layout: refuse rather than misread. */
        cursor_fail(&c, "flags", "= 0x%x has unknown bits (this reader knows bits 0-2)", flags);
        goto fail;
    }
    if ((flags & T5F_FLAG_CLASS_TRUTH) && !(flags & T5F_FLAG_TRUTH)) {
        cursor_fail(&c, "flags", "= 0x%x has bit 2 (class truth) without bit 0 (truth)", flags);
        goto fail;
    }
    if (flags & T5F_FLAG_HOST_COLUMNS) {
        if (take_u32(&c, &out->md_column_count, "md_column_count") ||
            take_u32(&c, &out->t3_column_count, "t3_column_count") ||
            take_u32(&c, &out->t5_column_count, "t5_column_count"))
            goto fail;
        if (out->md_column_count > T5F_MAX_COLUMN_COUNT || out->t3_column_count > T5F_MAX_COLUMN_COUNT ||
            out->t5_column_count > T5F_MAX_COLUMN_COUNT) {
            cursor_fail(&c, "column counts", "%u, %u, %u: one is above %u", out->md_column_count,
                        out->t3_column_count, out->t5_column_count, T5F_MAX_COLUMN_COUNT);
            goto fail;
        }
    }
    out->flags = flags;
    /* Each event takes at least its three u64 counts. */
    if (!(out->events = alloc_event_table(&c, n_events, sizeof *out->events, 24))) goto fail;
    for (uint32_t i = 0; i < n_events; i++) {
        c.event = (long)i;
        out->n_events = i + 1; /* so t5f_free_events frees the partial event too */
        if (read_event(&c, &out->events[i], flags, out)) goto fail;
    }
    if (check_end(&c, n_events)) goto fail;
    out->n_events = n_events;
    free(data);
    return 0;
fail:
    free(data);
    t5f_free_events(out);
    return -1;
}

/* --------------------------------------------------------------- writing */

typedef struct writer {
    FILE *f;
    const char *path;
    int failed;
} writer;

static void put(writer *w, const void *p, size_t elem, uint64_t count)
{
    if (w->failed || count == 0) return;
    if (fwrite(p, elem, (size_t)count, w->f) != count) w->failed = 1;
}

static int finish(writer *w, char *err, size_t err_size)
{
    if (fclose(w->f) != 0) w->failed = 1;
    if (w->failed) {
        fb_set_error(err, err_size, "%s: write failed: %s", w->path, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_writer(writer *w, const char *path, char *err, size_t err_size)
{
    w->path = path;
    w->failed = 0;
    w->f = path ? fopen(path, "wb") : NULL;
    if (!w->f) {
        fb_set_error(err, err_size, "%s: cannot create: %s", path ? path : "(NULL)", strerror(errno));
        return -1;
    }
    return 0;
}

int t5f_write_events(const char *path, const t5f_events *in, char *err, size_t err_size)
{
    if (in->flags & ~T5F_KNOWN_FLAGS) {
        fb_set_error(err, err_size, "%s: flags 0x%x has unknown bits", path, in->flags);
        return -1;
    }
    int truth = (in->flags & T5F_FLAG_TRUTH) != 0;
    int columns = (in->flags & T5F_FLAG_HOST_COLUMNS) != 0;
    int classes = (in->flags & T5F_FLAG_CLASS_TRUTH) != 0;
    if (classes && !truth) {
        fb_set_error(err, err_size, "%s: flags 0x%x: class truth (bit 2) needs truth (bit 0)", path, in->flags);
        return -1;
    }
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_event *e = &in->events[i];
        if (truth && !e->t5_is_true) {
            fb_set_error(err, err_size, "%s: flags say truth but event %u has no truth columns", path, i);
            return -1;
        }
        if (classes && !e->t5_class) {
            fb_set_error(err, err_size, "%s: flags say class truth but event %u has no t5_class", path, i);
            return -1;
        }
        if (columns && (e->md_column_count != in->md_column_count || e->t3_column_count != in->t3_column_count ||
                        e->t5_column_count != in->t5_column_count ||
                        (in->md_column_count && !e->md_columns) || (in->t3_column_count && !e->t3_columns) ||
                        (in->t5_column_count && !e->t5_columns))) {
            fb_set_error(err, err_size, "%s: event %u's host columns do not match the file's column counts", path, i);
            return -1;
        }
    }
    writer w;
    if (open_writer(&w, path, err, err_size)) return -1;
    put(&w, EVENT_MAGIC, 1, sizeof EVENT_MAGIC);
    put(&w, &in->n_events, 4, 1);
    put(&w, &in->flags, 4, 1);
    if (columns) {
        put(&w, &in->md_column_count, 4, 1);
        put(&w, &in->t3_column_count, 4, 1);
        put(&w, &in->t5_column_count, 4, 1);
    }
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_event *e = &in->events[i];
        put(&w, &e->n_md, 8, 1);
        put(&w, &e->n_t3, 8, 1);
        put(&w, &e->n_t5, 8, 1);
        put(&w, e->md_x, 4, e->n_md);
        put(&w, e->md_y, 4, e->n_md);
        put(&w, e->md_z, 4, e->n_md);
        put(&w, e->md_r, 4, e->n_md);
        put(&w, e->md_eta, 4, e->n_md);
        put(&w, e->md_phi, 4, e->n_md);
        put(&w, e->md_layer, 1, e->n_md);
        put(&w, e->t3_md, 4, 3 * e->n_t3);
        put(&w, e->t3_radius, 4, e->n_t3);
        put(&w, e->t5_t3, 4, 2 * e->n_t5);
        if (columns) {
            put(&w, e->md_columns, 4, e->n_md * e->md_column_count);
            put(&w, e->t3_columns, 4, e->n_t3 * e->t3_column_count);
            put(&w, e->t5_columns, 4, e->n_t5 * e->t5_column_count);
        }
        if (truth) {
            put(&w, e->t5_is_true, 1, e->n_t5);
            put(&w, e->t5_sim_pt, 4, e->n_t5);
            put(&w, e->t5_sim_eta, 4, e->n_t5);
        }
        if (classes) {
            put(&w, e->t5_class, 1, e->n_t5);
            put(&w, e->t5_sim_d0, 4, e->n_t5);
        }
    }
    return finish(&w, err, err_size);
}

/* ---------------------------------------------------------------- golden */

void t5f_free_golden(t5f_golden *g)
{
    if (!g) return;
    if (g->events)
        for (uint32_t i = 0; i < g->n_events; i++) {
            free(g->events[i].features);
            free(g->events[i].score);
            free(g->events[i].pass);
        }
    free(g->events);
    memset(g, 0, sizeof *g);
}

int t5f_read_golden(const char *path, t5f_golden *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    uint8_t *data = NULL;
    cursor c;
    uint32_t input_count = 0, n_events = 0;
    if (open_cursor(&c, &data, path, GOLDEN_MAGIC, "T5 golden file", err, err_size)) goto fail;
    if (take_u32(&c, &input_count, "input_count") || take_u32(&c, &n_events, "n_events")) goto fail;
    if (input_count == 0 || input_count > T5F_MAX_INPUT_COUNT) {
        cursor_fail(&c, "input_count", "= %u is outside 1..%u", input_count, T5F_MAX_INPUT_COUNT);
        goto fail;
    }
    out->input_count = input_count;
    if (!(out->events = alloc_event_table(&c, n_events, sizeof *out->events, 8))) goto fail;
    for (uint32_t i = 0; i < n_events; i++) {
        t5f_golden_event *e = &out->events[i];
        uint64_t nf;
        c.event = (long)i;
        out->n_events = i + 1;
        if (take_u64(&c, &e->n_t5, "n_t5") || scaled(&c, e->n_t5, input_count, &nf, "features")) goto fail;
        if (!(e->features = take_column(&c, nf, 4, "features"))) goto fail;
        if (!(e->score = take_column(&c, e->n_t5, 4, "score"))) goto fail;
        if (!(e->pass = take_column(&c, e->n_t5, 1, "pass"))) goto fail;
    }
    if (check_end(&c, n_events)) goto fail;
    out->n_events = n_events;
    free(data);
    return 0;
fail:
    free(data);
    t5f_free_golden(out);
    return -1;
}

int t5f_write_golden(const char *path, const t5f_golden *in, char *err, size_t err_size)
{
    writer w;
    if (open_writer(&w, path, err, err_size)) return -1;
    put(&w, GOLDEN_MAGIC, 1, sizeof GOLDEN_MAGIC);
    put(&w, &in->input_count, 4, 1);
    put(&w, &in->n_events, 4, 1);
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_golden_event *e = &in->events[i];
        put(&w, &e->n_t5, 8, 1);
        put(&w, e->features, 4, e->n_t5 * in->input_count);
        put(&w, e->score, 4, e->n_t5);
        put(&w, e->pass, 1, e->n_t5);
    }
    return finish(&w, err, err_size);
}

/* ------------------------------------------------------------- golden v2 */

void t5f_free_golden2(t5f_golden2 *g)
{
    if (!g) return;
    if (g->events)
        for (uint32_t i = 0; i < g->n_events; i++) {
            free(g->events[i].features);
            free(g->events[i].score);
            free(g->events[i].probabilities);
            free(g->events[i].pass);
            free(g->events[i].embedding);
        }
    free(g->events);
    memset(g, 0, sizeof *g);
}

/* n_t5 x per floats (or bytes) of one golden column. */
static void *take_rows(cursor *c, uint64_t n_t5, uint32_t per, size_t elem, const char *field)
{
    uint64_t count;
    if (per == 0) return take_column(c, 0, elem, field);
    if (scaled(c, n_t5, per, &count, field)) return NULL;
    return take_column(c, count, elem, field);
}

int t5f_read_golden2(const char *path, t5f_golden2 *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    uint8_t *data = NULL;
    cursor c;
    uint32_t n_events = 0;
    if (open_cursor(&c, &data, path, GOLDEN2_MAGIC, "version-2 T5 golden file", err, err_size)) goto fail;
    if (take_u32(&c, &out->input_count, "input_count") || take_u32(&c, &out->class_count, "class_count") ||
        take_u32(&c, &out->embedding_dim, "embedding_dim") ||
        take_u32(&c, &out->working_point_count, "working_point_count") || take_u32(&c, &n_events, "n_events"))
        goto fail;
    if (out->input_count == 0 || out->input_count > T5F_MAX_INPUT_COUNT || out->class_count > T5F_MAX_INPUT_COUNT ||
        out->embedding_dim > T5F_MAX_INPUT_COUNT || out->working_point_count > 64) {
        cursor_fail(&c, "counts", "input %u, class %u, embedding %u, working points %u: out of range",
                    out->input_count, out->class_count, out->embedding_dim, out->working_point_count);
        goto fail;
    }
    if ((out->class_count == 0) == (out->embedding_dim == 0)) {
        cursor_fail(&c, "counts", "class_count %u and embedding_dim %u: exactly one must be non-zero",
                    out->class_count, out->embedding_dim);
        goto fail;
    }
    if (!(out->events = alloc_event_table(&c, n_events, sizeof *out->events, 8))) goto fail;
    for (uint32_t i = 0; i < n_events; i++) {
        t5f_golden2_event *e = &out->events[i];
        c.event = (long)i;
        out->n_events = i + 1;
        if (take_u64(&c, &e->n_t5, "n_t5")) goto fail;
        if (!(e->features = take_rows(&c, e->n_t5, out->input_count, 4, "features"))) goto fail;
        if (!(e->score = take_rows(&c, e->n_t5, out->class_count ? 1 : 0, 4, "score"))) goto fail;
        if (!(e->probabilities = take_rows(&c, e->n_t5, out->class_count, 4, "probabilities"))) goto fail;
        if (!(e->pass = take_rows(&c, e->n_t5, out->working_point_count, 1, "pass"))) goto fail;
        if (!(e->embedding = take_rows(&c, e->n_t5, out->embedding_dim, 4, "embedding"))) goto fail;
    }
    if (check_end(&c, n_events)) goto fail;
    out->n_events = n_events;
    free(data);
    return 0;
fail:
    free(data);
    t5f_free_golden2(out);
    return -1;
}

int t5f_write_golden2(const char *path, const t5f_golden2 *in, char *err, size_t err_size)
{
    writer w;
    if (open_writer(&w, path, err, err_size)) return -1;
    put(&w, GOLDEN2_MAGIC, 1, sizeof GOLDEN2_MAGIC);
    put(&w, &in->input_count, 4, 1);
    put(&w, &in->class_count, 4, 1);
    put(&w, &in->embedding_dim, 4, 1);
    put(&w, &in->working_point_count, 4, 1);
    put(&w, &in->n_events, 4, 1);
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_golden2_event *e = &in->events[i];
        put(&w, &e->n_t5, 8, 1);
        put(&w, e->features, 4, e->n_t5 * in->input_count);
        put(&w, e->score, 4, in->class_count ? e->n_t5 : 0);
        put(&w, e->probabilities, 4, e->n_t5 * in->class_count);
        put(&w, e->pass, 1, e->n_t5 * in->working_point_count);
        put(&w, e->embedding, 4, e->n_t5 * in->embedding_dim);
    }
    return finish(&w, err, err_size);
}
