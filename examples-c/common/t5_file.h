/*
 * t5_file.h: reader and writer for the T5 event file ("TMLT5EV1", with the
 * optional host columns and class truth) and the T5 golden-vector files
 * ("TMLT5GV1", and "TMLT5GV2" for version-2 models); the formats are in
 * docs/formats/t5_events.md.
 *
 * The reader trusts nothing in the file: every count is checked against the
 * bytes that remain before anything is allocated, so a corrupt or truncated
 * file gives an error message (path, event, field, offset), never a crash or
 * a huge allocation. It checks the layout only; whether the index chain is
 * consistent is the library's job (tml_t5_score reports it).
 *
 * Every column of a read event is its own aligned allocation (the file packs
 * u8 and u32 columns with no padding) and is never NULL, even when empty.
 */
#ifndef T5_FILE_H
#define T5_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "trigml.h"

#ifdef __cplusplus
extern "C" {
#endif

#define T5F_FLAG_TRUTH 1u        /* per-T5 truth columns present */
#define T5F_FLAG_HOST_COLUMNS 2u /* per-MD, per-T3 and per-T5 host columns present */
#define T5F_FLAG_CLASS_TRUTH 4u  /* per-T5 class and sim d0 present (only with T5F_FLAG_TRUTH) */

/* t5_class values (LST's T5 DNN classes, docs/formats/t5_events.md). */
#define T5F_CLASS_FAKE 0
#define T5F_CLASS_PROMPT 1
#define T5F_CLASS_DISPLACED 2

typedef struct t5f_event {
    uint64_t n_md, n_t3, n_t5;
    float *md_x, *md_y, *md_z, *md_r, *md_eta, *md_phi; /* [n_md] */
    uint8_t *md_layer;                                  /* [n_md] */
    uint32_t *t3_md;                                    /* [3*n_t3] */
    float *t3_radius;                                   /* [n_t3] */
    uint32_t *t5_t3;                                    /* [2*n_t5] */
    uint8_t *t5_is_true;                                /* [n_t5], NULL without truth */
    float *t5_sim_pt, *t5_sim_eta;                      /* [n_t5], NULL without truth */
    /* Host columns (T5F_FLAG_HOST_COLUMNS), row-major; counts 0 and
     * pointers NULL without them. */
    uint32_t md_column_count, t3_column_count, t5_column_count;
    float *md_columns; /* [n_md * md_column_count] */
    float *t3_columns; /* [n_t3 * t3_column_count] */
    float *t5_columns; /* [n_t5 * t5_column_count] */
    /* Class truth (T5F_FLAG_CLASS_TRUTH); NULL without it. */
    uint8_t *t5_class; /* [n_t5] T5F_CLASS_* */
    float *t5_sim_d0;  /* [n_t5] |transverse impact parameter| of the sim particle, cm; NaN for fakes */
} t5f_event;

typedef struct t5f_events {
    uint32_t n_events;
    uint32_t flags; /* T5F_FLAG_*: what every event carries */
    t5f_event *events;
    /* With T5F_FLAG_HOST_COLUMNS: floats per row of each table (the same
     * in every event; the reader copies them into each event too). */
    uint32_t md_column_count, t3_column_count, t5_column_count;
} t5f_events;

typedef struct t5f_golden_event {
    uint64_t n_t5;
    float *features; /* [n_t5 * input_count], row-major */
    float *score;    /* [n_t5] */
    uint8_t *pass;   /* [n_t5] */
} t5f_golden_event;

typedef struct t5f_golden {
    uint32_t input_count;
    uint32_t n_events;
    t5f_golden_event *events;
} t5f_golden;

/* Golden vectors of a version-2 model ("TMLT5GV2"). */
typedef struct t5f_golden2_event {
    uint64_t n_t5;
    float *features;      /* [n_t5 * input_count], before standardisation */
    float *score;         /* [n_t5]; [0] for an embedding model (class_count 0) */
    float *probabilities; /* [n_t5 * class_count] */
    uint8_t *pass;        /* [n_t5 * working_point_count], pass[t * wp_count + w] */
    float *embedding;     /* [n_t5 * embedding_dim] */
} t5f_golden2_event;

typedef struct t5f_golden2 {
    uint32_t input_count, class_count, embedding_dim, working_point_count;
    uint32_t n_events;
    t5f_golden2_event *events;
} t5f_golden2;

/* All functions returning int: 0 on success, -1 with a message in err. */

int t5f_read_events(const char *path, t5f_events *out, char *err, size_t err_size);
int t5f_write_events(const char *path, const t5f_events *in, char *err, size_t err_size);
void t5f_free_events(t5f_events *ev);

/* Allocates every column of one event (zeroed; truth columns only when
 * `truth` is non-zero). For programs that build events themselves. */
int t5f_event_alloc(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5, int truth);

/* The same with another column allocator: column(count, elem, ok) returns
 * a column of count elements, or NULL and sets *ok = 0 (the fuzz targets
 * allocate exact-length columns so that ASan sees reads past them). */
typedef void *t5f_column_alloc(uint64_t count, size_t elem, int *ok);
int t5f_event_alloc_with(t5f_event *e, uint64_t n_md, uint64_t n_t3, uint64_t n_t5, int truth,
                         t5f_column_alloc *column);
void t5f_event_free(t5f_event *e);

/* Allocates an event's host columns (zeroed; sets the counts) or its class
 * truth columns, after t5f_event_alloc. */
int t5f_event_alloc_columns(t5f_event *e, uint32_t md_count, uint32_t t3_count, uint32_t t5_count);
int t5f_event_alloc_class_truth(t5f_event *e);

/* The library's view of an event: pointers into `e`, nothing copied. */
tml_t5_batch t5f_batch(const t5f_event *e);

/* The event's host columns for the _ex calls (all counts 0 without them). */
tml_t5_columns t5f_columns(const t5f_event *e);

int t5f_read_golden(const char *path, t5f_golden *out, char *err, size_t err_size);
int t5f_write_golden(const char *path, const t5f_golden *in, char *err, size_t err_size);
void t5f_free_golden(t5f_golden *g);

int t5f_read_golden2(const char *path, t5f_golden2 *out, char *err, size_t err_size);
int t5f_write_golden2(const char *path, const t5f_golden2 *in, char *err, size_t err_size);
void t5f_free_golden2(t5f_golden2 *g);

#ifdef __cplusplus
}
#endif

#endif /* T5_FILE_H */
