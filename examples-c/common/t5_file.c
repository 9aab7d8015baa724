#include "t5_file.h"

#include <stdlib.h>
#include <string.h>

#include "byte_cursor.h"
#include "file_bytes.h"

static const char EVENT_MAGIC[8] = {'T', 'M', 'L', 'T', '5', 'E', 'V', '1'};
static const char GOLDEN_MAGIC[8] = {'T', 'M', 'L', 'T', '5', 'G', 'V', '1'};
static const char GOLDEN2_MAGIC[8] = {'T', 'M', 'L', 'T', '5', 'G', 'V', '2'};

/* Golden input counts beyond this are not a T5 model (LST uses 23 and 38). */
#define T5F_MAX_INPUT_COUNT 4096u
/* Host-column tables wider than this are not plausible (and the library
 * reads columns 0..65535 only). */
#define T5F_MAX_COLUMN_COUNT 65536u
#define T5F_KNOWN_FLAGS (T5F_FLAG_TRUTH | T5F_FLAG_HOST_COLUMNS | T5F_FLAG_CLASS_TRUTH)

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

int t5f_event_alloc_with(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5, int truth,
                         t5f_column_alloc *column)
{
    memset(e, 0, sizeof *e);
    int ok = 1;
    e->n_md = n_md;
    e->n_t3 = n_t3;
    e->n_t5 = n_t5;
    e->md_x = column(n_md, sizeof(float), &ok);
    e->md_y = column(n_md, sizeof(float), &ok);
    e->md_z = column(n_md, sizeof(float), &ok);
    e->md_r = column(n_md, sizeof(float), &ok);
    e->md_eta = column(n_md, sizeof(float), &ok);
    e->md_phi = column(n_md, sizeof(float), &ok);
    e->md_layer = column(n_md, sizeof(uint8_t), &ok);
    e->t3_md = (n_t3 > UINT64_MAX / 3) ? (ok = 0, NULL) : column(3 * n_t3, sizeof(uint32_t), &ok);
    e->t3_radius = column(n_t3, sizeof(float), &ok);
    e->t5_t3 = (n_t5 > UINT64_MAX / 2) ? (ok = 0, NULL) : column(2 * n_t5, sizeof(uint32_t), &ok);
    if (truth) {
        e->t5_is_true = column(n_t5, sizeof(uint8_t), &ok);
        e->t5_sim_pt = column(n_t5, sizeof(float), &ok);
        e->t5_sim_eta = column(n_t5, sizeof(float), &ok);
    }
    if (!ok) {
        t5f_event_free(e);
        return -1;
    }
    return 0;
}

int t5f_event_alloc(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5, int truth)
{
    return t5f_event_alloc_with(e, n_md, n_t3, n_t5, truth, fb_alloc_column);
}

int t5f_event_alloc_columns(t5f_event *e, uint32_t md_count, uint32_t t3_count, uint32_t t5_count)
{
    int ok = 1;
    e->md_column_count = md_count;
    e->t3_column_count = t3_count;
    e->t5_column_count = t5_count;
    e->md_columns = (md_count && e->n_md > UINT64_MAX / md_count) ? (ok = 0, NULL)
                                                                  : fb_alloc_column(e->n_md * md_count, sizeof(float), &ok);
    e->t3_columns = (t3_count && e->n_t3 > UINT64_MAX / t3_count) ? (ok = 0, NULL)
                                                                  : fb_alloc_column(e->n_t3 * t3_count, sizeof(float), &ok);
    e->t5_columns = (t5_count && e->n_t5 > UINT64_MAX / t5_count) ? (ok = 0, NULL)
                                                                  : fb_alloc_column(e->n_t5 * t5_count, sizeof(float), &ok);
    return ok ? 0 : -1;
}

int t5f_event_alloc_class_truth(t5f_event *e)
{
    int ok = 1;
    e->t5_class = fb_alloc_column(e->n_t5, sizeof(uint8_t), &ok);
    e->t5_sim_d0 = fb_alloc_column(e->n_t5, sizeof(float), &ok);
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
static float *take_table(byte_cursor *c, uint64_t rows, uint32_t width, const char *field)
{
    uint64_t count;
    if (bc_product(c, rows, width, &count, field)) return NULL;
    return bc_take_column(c, count, 4, field);
}

static int read_event(byte_cursor *c, t5f_event *e, const t5f_events *file)
{
    uint64_t n3, n2;
    uint32_t flags = file->flags;
    if (bc_take_u64(c, &e->n_md, "n_md") || bc_take_u64(c, &e->n_t3, "n_t3") || bc_take_u64(c, &e->n_t5, "n_t5")) return -1;
    if (!(e->md_x = bc_take_column(c, e->n_md, 4, "md_x"))) return -1;
    if (!(e->md_y = bc_take_column(c, e->n_md, 4, "md_y"))) return -1;
    if (!(e->md_z = bc_take_column(c, e->n_md, 4, "md_z"))) return -1;
    if (!(e->md_r = bc_take_column(c, e->n_md, 4, "md_r"))) return -1;
    if (!(e->md_eta = bc_take_column(c, e->n_md, 4, "md_eta"))) return -1;
    if (!(e->md_phi = bc_take_column(c, e->n_md, 4, "md_phi"))) return -1;
    if (!(e->md_layer = bc_take_column(c, e->n_md, 1, "md_layer"))) return -1;
    if (bc_product(c, e->n_t3, 3, &n3, "t3_md")) return -1;
    if (!(e->t3_md = bc_take_column(c, n3, 4, "t3_md"))) return -1;
    if (!(e->t3_radius = bc_take_column(c, e->n_t3, 4, "t3_radius"))) return -1;
    if (bc_product(c, e->n_t5, 2, &n2, "t5_t3")) return -1;
    if (!(e->t5_t3 = bc_take_column(c, n2, 4, "t5_t3"))) return -1;
    if (flags & T5F_FLAG_HOST_COLUMNS) {
        e->md_column_count = file->md_column_count;
        e->t3_column_count = file->t3_column_count;
        e->t5_column_count = file->t5_column_count;
        if (!(e->md_columns = take_table(c, e->n_md, e->md_column_count, "md_columns"))) return -1;
        if (!(e->t3_columns = take_table(c, e->n_t3, e->t3_column_count, "t3_columns"))) return -1;
        if (!(e->t5_columns = take_table(c, e->n_t5, e->t5_column_count, "t5_columns"))) return -1;
    }
    if (flags & T5F_FLAG_TRUTH) {
        if (!(e->t5_is_true = bc_take_column(c, e->n_t5, 1, "t5_is_true"))) return -1;
        if (!(e->t5_sim_pt = bc_take_column(c, e->n_t5, 4, "t5_sim_pt"))) return -1;
        if (!(e->t5_sim_eta = bc_take_column(c, e->n_t5, 4, "t5_sim_eta"))) return -1;
    }
    if (flags & T5F_FLAG_CLASS_TRUTH) {
        if (!(e->t5_class = bc_take_column(c, e->n_t5, 1, "t5_class"))) return -1;
        for (uint64_t t = 0; t < e->n_t5; t++)
            if (e->t5_class[t] > T5F_CLASS_DISPLACED) {
                c->pos -= (size_t)(e->n_t5 - t); /* the message's offset is the bad byte's */
                bc_fail(c, "t5_class", "[%llu] = %u is not a class (0 fake, 1 prompt, 2 displaced)",
                        (unsigned long long)t, e->t5_class[t]);
                return -1;
            }
        if (!(e->t5_sim_d0 = bc_take_column(c, e->n_t5, 4, "t5_sim_d0"))) return -1;
    }
    return 0;
}

static int read_event_record(byte_cursor *c, uint32_t index, void *events)
{
    t5f_events *ev = events;
    return read_event(c, &ev->events[index], ev);
}

int t5f_read_events(const char *path, t5f_events *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    byte_cursor c;
    if (bc_open(&c, path, EVENT_MAGIC, "T5 event", err, err_size)) return -1;
    uint32_t n_events = 0, flags = 0;
    if (bc_take_u32(&c, &n_events, "n_events") || bc_take_u32(&c, &flags, "flags")) goto fail;
    if (flags & ~T5F_KNOWN_FLAGS) {
        /* Unknown bits would change the layout: refuse rather than misread. */
        bc_fail(&c, "flags", "= 0x%x has unknown bits (this reader knows bits 0-2)", flags);
        goto fail;
    }
    if ((flags & T5F_FLAG_CLASS_TRUTH) && !(flags & T5F_FLAG_TRUTH)) {
        bc_fail(&c, "flags", "= 0x%x has bit 2 (class truth) without bit 0 (truth)", flags);
        goto fail;
    }
    if (flags & T5F_FLAG_HOST_COLUMNS) {
        if (bc_take_u32(&c, &out->md_column_count, "md_column_count") ||
            bc_take_u32(&c, &out->t3_column_count, "t3_column_count") ||
            bc_take_u32(&c, &out->t5_column_count, "t5_column_count"))
            goto fail;
        if (out->md_column_count > T5F_MAX_COLUMN_COUNT || out->t3_column_count > T5F_MAX_COLUMN_COUNT ||
            out->t5_column_count > T5F_MAX_COLUMN_COUNT) {
            bc_fail(&c, "column counts", "%u, %u, %u: one is above %u", out->md_column_count,
                    out->t3_column_count, out->t5_column_count, T5F_MAX_COLUMN_COUNT);
            goto fail;
        }
    }
    out->flags = flags;
    /* Each event takes at least its three u64 counts. */
    if (!(out->events = bc_begin_records(&c, n_events, "n_events", 24, sizeof *out->events, "event"))) goto fail;
    if (bc_read_records(&c, n_events, "n_events", &out->n_events, read_event_record, out)) goto fail;
    bc_close(&c);
    return 0;
fail:
    bc_close(&c);
    t5f_free_events(out);
    return -1;
}

/* --------------------------------------------------------------- writing */

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
    fb_writer w;
    if (fb_writer_open(&w, path, err, err_size)) return -1;
    fb_put(&w, EVENT_MAGIC, 1, sizeof EVENT_MAGIC);
    fb_put(&w, &in->n_events, 4, 1);
    fb_put(&w, &in->flags, 4, 1);
    if (columns) {
        fb_put(&w, &in->md_column_count, 4, 1);
        fb_put(&w, &in->t3_column_count, 4, 1);
        fb_put(&w, &in->t5_column_count, 4, 1);
    }
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_event *e = &in->events[i];
        fb_put(&w, &e->n_md, 8, 1);
        fb_put(&w, &e->n_t3, 8, 1);
        fb_put(&w, &e->n_t5, 8, 1);
        fb_put(&w, e->md_x, 4, e->n_md);
        fb_put(&w, e->md_y, 4, e->n_md);
        fb_put(&w, e->md_z, 4, e->n_md);
        fb_put(&w, e->md_r, 4, e->n_md);
        fb_put(&w, e->md_eta, 4, e->n_md);
        fb_put(&w, e->md_phi, 4, e->n_md);
        fb_put(&w, e->md_layer, 1, e->n_md);
        fb_put(&w, e->t3_md, 4, 3 * e->n_t3);
        fb_put(&w, e->t3_radius, 4, e->n_t3);
        fb_put(&w, e->t5_t3, 4, 2 * e->n_t5);
        if (columns) {
            fb_put(&w, e->md_columns, 4, e->n_md * e->md_column_count);
            fb_put(&w, e->t3_columns, 4, e->n_t3 * e->t3_column_count);
            fb_put(&w, e->t5_columns, 4, e->n_t5 * e->t5_column_count);
        }
        if (truth) {
            fb_put(&w, e->t5_is_true, 1, e->n_t5);
            fb_put(&w, e->t5_sim_pt, 4, e->n_t5);
            fb_put(&w, e->t5_sim_eta, 4, e->n_t5);
        }
        if (classes) {
            fb_put(&w, e->t5_class, 1, e->n_t5);
            fb_put(&w, e->t5_sim_d0, 4, e->n_t5);
        }
    }
    return fb_writer_close(&w, err, err_size);
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

static int read_golden_event(byte_cursor *c, uint32_t index, void *golden)
{
    const t5f_golden *g = golden;
    t5f_golden_event *e = &g->events[index];
    uint64_t nf;
    if (bc_take_u64(c, &e->n_t5, "n_t5") || bc_product(c, e->n_t5, g->input_count, &nf, "features")) return -1;
    if (!(e->features = bc_take_column(c, nf, 4, "features"))) return -1;
    if (!(e->score = bc_take_column(c, e->n_t5, 4, "score"))) return -1;
    if (!(e->pass = bc_take_column(c, e->n_t5, 1, "pass"))) return -1;
    return 0;
}

int t5f_read_golden(const char *path, t5f_golden *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    byte_cursor c;
    if (bc_open(&c, path, GOLDEN_MAGIC, "T5 golden", err, err_size)) return -1;
    uint32_t input_count = 0, n_events = 0;
    if (bc_take_u32(&c, &input_count, "input_count") || bc_take_u32(&c, &n_events, "n_events")) goto fail;
    if (input_count == 0 || input_count > T5F_MAX_INPUT_COUNT) {
        bc_fail(&c, "input_count", "= %u is outside 1..%u", input_count, T5F_MAX_INPUT_COUNT);
        goto fail;
    }
    out->input_count = input_count;
    /* Each event takes at least its u64 count. */
    if (!(out->events = bc_begin_records(&c, n_events, "n_events", 8, sizeof *out->events, "event"))) goto fail;
    if (bc_read_records(&c, n_events, "n_events", &out->n_events, read_golden_event, out)) goto fail;
    bc_close(&c);
    return 0;
fail:
    bc_close(&c);
    t5f_free_golden(out);
    return -1;
}

int t5f_write_golden(const char *path, const t5f_golden *in, char *err, size_t err_size)
{
    fb_writer w;
    if (fb_writer_open(&w, path, err, err_size)) return -1;
    fb_put(&w, GOLDEN_MAGIC, 1, sizeof GOLDEN_MAGIC);
    fb_put(&w, &in->input_count, 4, 1);
    fb_put(&w, &in->n_events, 4, 1);
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_golden_event *e = &in->events[i];
        fb_put(&w, &e->n_t5, 8, 1);
        fb_put(&w, e->features, 4, e->n_t5 * in->input_count);
        fb_put(&w, e->score, 4, e->n_t5);
        fb_put(&w, e->pass, 1, e->n_t5);
    }
    return fb_writer_close(&w, err, err_size);
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

/* n_t5 x per elements of one golden column (an empty column when per is 0). */
static void *take_rows(byte_cursor *c, uint64_t n_t5, uint32_t per, size_t elem, const char *field)
{
    uint64_t count;
    if (bc_product(c, n_t5, per, &count, field)) return NULL;
    return bc_take_column(c, count, elem, field);
}

static int read_golden2_event(byte_cursor *c, uint32_t index, void *golden)
{
    const t5f_golden2 *g = golden;
    t5f_golden2_event *e = &g->events[index];
    if (bc_take_u64(c, &e->n_t5, "n_t5")) return -1;
    if (!(e->features = take_rows(c, e->n_t5, g->input_count, 4, "features"))) return -1;
    if (!(e->score = take_rows(c, e->n_t5, g->class_count ? 1 : 0, 4, "score"))) return -1;
    if (!(e->probabilities = take_rows(c, e->n_t5, g->class_count, 4, "probabilities"))) return -1;
    if (!(e->pass = take_rows(c, e->n_t5, g->working_point_count, 1, "pass"))) return -1;
    if (!(e->embedding = take_rows(c, e->n_t5, g->embedding_dim, 4, "embedding"))) return -1;
    return 0;
}

int t5f_read_golden2(const char *path, t5f_golden2 *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    byte_cursor c;
    if (bc_open(&c, path, GOLDEN2_MAGIC, "version-2 T5 golden", err, err_size)) return -1;
    uint32_t n_events = 0;
    if (bc_take_u32(&c, &out->input_count, "input_count") || bc_take_u32(&c, &out->class_count, "class_count") ||
        bc_take_u32(&c, &out->embedding_dim, "embedding_dim") ||
        bc_take_u32(&c, &out->working_point_count, "working_point_count") || bc_take_u32(&c, &n_events, "n_events"))
        goto fail;
    if (out->input_count == 0 || out->input_count > T5F_MAX_INPUT_COUNT || out->class_count > T5F_MAX_INPUT_COUNT ||
        out->embedding_dim > T5F_MAX_INPUT_COUNT || out->working_point_count > 64) {
        bc_fail(&c, "counts", "input %u, class %u, embedding %u, working points %u: out of range", out->input_count,
                out->class_count, out->embedding_dim, out->working_point_count);
        goto fail;
    }
    if ((out->class_count == 0) == (out->embedding_dim == 0)) {
        bc_fail(&c, "counts", "class_count %u and embedding_dim %u: exactly one must be non-zero", out->class_count,
                out->embedding_dim);
        goto fail;
    }
    /* Each event takes at least its u64 count. */
    if (!(out->events = bc_begin_records(&c, n_events, "n_events", 8, sizeof *out->events, "event"))) goto fail;
    if (bc_read_records(&c, n_events, "n_events", &out->n_events, read_golden2_event, out)) goto fail;
    bc_close(&c);
    return 0;
fail:
    bc_close(&c);
    t5f_free_golden2(out);
    return -1;
}

int t5f_write_golden2(const char *path, const t5f_golden2 *in, char *err, size_t err_size)
{
    fb_writer w;
    if (fb_writer_open(&w, path, err, err_size)) return -1;
    fb_put(&w, GOLDEN2_MAGIC, 1, sizeof GOLDEN2_MAGIC);
    fb_put(&w, &in->input_count, 4, 1);
    fb_put(&w, &in->class_count, 4, 1);
    fb_put(&w, &in->embedding_dim, 4, 1);
    fb_put(&w, &in->working_point_count, 4, 1);
    fb_put(&w, &in->n_events, 4, 1);
    for (uint32_t i = 0; i < in->n_events; i++) {
        const t5f_golden2_event *e = &in->events[i];
        fb_put(&w, &e->n_t5, 8, 1);
        fb_put(&w, e->features, 4, e->n_t5 * in->input_count);
        fb_put(&w, e->score, 4, in->class_count ? e->n_t5 : 0);
        fb_put(&w, e->probabilities, 4, e->n_t5 * in->class_count);
        fb_put(&w, e->pass, 1, e->n_t5 * in->working_point_count);
        fb_put(&w, e->embedding, 4, e->n_t5 * in->embedding_dim);
    }
    return fb_writer_close(&w, err, err_size);
}
