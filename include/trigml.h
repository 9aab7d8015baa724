/*
 * trigml.h: the C ABI of libtrigml.so (ABI version 1).
 *
 * TrigML scores small neural networks and boosted decision trees for
 * trigger and reconstruction code. Load the library with dlopen() (or link
 * it), check tml_abi_version() == TML_ABI_VERSION, then use the handles
 * below.
 *
 * Conventions shared by every entry point:
 *  - Fallible calls return tml_status; TML_OK (0) means success. On any
 *    other status, tml_last_error() describes what failed, where, and which
 *    index or field. The message is thread-local and stays valid until the
 *    next failing call on the same thread.
 *  - Handles are opaque and immutable once made. Any number of threads may
 *    use one handle at once with no locking (the CMSSW global-cache
 *    pattern). *_free(NULL) is a no-op.
 *  - Inputs are const pointer + count and are never modified or retained.
 *    Outputs are allocated by the caller.
 *  - Pointer, index and shape errors fail the whole call before any output
 *    is written. Non-finite input values never fail a call: the affected
 *    candidate gets score NaN and pass 0.
 *  - The library starts no threads and keeps no global mutable state.
 */
#ifndef TRIGML_H
#define TRIGML_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TML_ABI_VERSION 1

/* ---------------------------------------------------------------- status */

typedef int32_t tml_status;

#define TML_OK                   0
#define TML_ERR_INVALID_ARGUMENT 1 /* NULL pointer, bad index, bad count */
#define TML_ERR_IO               2 /* file missing, unreadable, truncated read */
#define TML_ERR_FORMAT           3 /* malformed or inconsistent file content */
#define TML_ERR_SHAPE            4 /* sizes that do not fit together */
#define TML_ERR_UNSUPPORTED      5 /* valid request this version cannot do */
#define TML_ERR_OUT_OF_MEMORY    6
#define TML_ERR_INTERNAL         7

/* The ABI version this library implements; compare with TML_ABI_VERSION. */
uint32_t tml_abi_version(void);

/* The library's semantic version, e.g. "0.1.0". Static storage. */
const char *tml_version(void);

/* Message of the last failed call on this thread; "" if none failed yet. */
const char *tml_last_error(void);

/* ------------------------------------------------- T5 scoring (LST DNN) */

/*
 * One event (or one module's worth) of LST objects as structure of arrays.
 * Units: cm and rad. Index columns are 0-based.
 */
typedef struct tml_t5_batch {
    uint64_t n_md;          /* number of mini-doublets (anchor hits) */
    const float *md_x;      /* [n_md] anchor x */
    const float *md_y;      /* [n_md] anchor y */
    const float *md_z;      /* [n_md] anchor z */
    const float *md_r;      /* [n_md] anchor transverse radius */
    const float *md_eta;    /* [n_md] anchor pseudorapidity */
    const float *md_phi;    /* [n_md] anchor azimuth */
    const uint8_t *md_layer;/* [n_md] 1-6 barrel, 7-11 endcap; may be NULL
                               when the model's feature set needs no layer */
    uint64_t n_t3;          /* number of triplets */
    const uint32_t *t3_md;  /* [n_t3][3] anchor MDs, inner to outer */
    const float *t3_radius; /* [n_t3] circle radius through the 3 anchors */
    uint64_t n_t5;          /* number of quintuplet candidates */
    const uint32_t *t5_t3;  /* [n_t5][2] inner T3, outer T3; the outer T3's
                               first MD must be the inner T3's last MD */
} tml_t5_batch;

typedef struct tml_t5_model tml_t5_model;

/* The embedded default model: LST v2 features (23 inputs), its weights and
 * its 98%-retention pT x |eta| working points. */
tml_status tml_t5_model_default(tml_t5_model **out);

/* A T5 model file (JSON; format in README.md, "T5 model file"). */
tml_status tml_t5_model_load(const char *path, tml_t5_model **out);

void tml_t5_model_free(tml_t5_model *m);

/* Network inputs per candidate: 23 for lst-v2, 38 for lst-v1; -1 for NULL. */
int32_t tml_t5_model_input_count(const tml_t5_model *m);

/* The exact network inputs, n_t5 x input_count floats, row-major. */
tml_status tml_t5_features(const tml_t5_model *m, const tml_t5_batch *b,
                           float *features);

/* Sigmoid score per T5 into score[n_t5]; pass[n_t5] (may be NULL) is 1
 * where the model's working point accepts the candidate, else 0. */
tml_status tml_t5_score(const tml_t5_model *m, const tml_t5_batch *b,
                        float *score, uint8_t *pass);

/* ------------------------------------------------------------- forests */

/*
 * A forest of binary decision trees: an XGBoost JSON model (as written by
 * Booster.save_model("x.json"); objectives reg:squarederror,
 * reg:absoluteerror, binary:logistic, reg:logistic; single output, numerical
 * splits) or the library's own forest file (format in README.md, "Forest
 * file"). At each node a row goes left when x[feature] < threshold (float32
 * compare) and right otherwise; a NaN feature is a missing value and goes
 * the node's default way (XGBoost's default_left; the own format's
 * default_left, right when absent). NaN inputs never fail a call.
 *
 * Output is the raw margin: base score plus the leaves, summed in tree
 * order. XGBoost models sum in float32 exactly as XGBoost does, so the
 * result equals Booster.predict(..., output_margin=True) bit for bit (no
 * sigmoid is applied). Own-format forests sum in double (as TMVA and the
 * CMS EMTF emulator do) and round to float once.
 */
typedef struct tml_forest tml_forest;

/* Loads either kind of file; the format is recognised from its content.
 * Every tree is checked: child and feature indices in range, no cycles or
 * shared nodes, finite thresholds and leaves, matching array lengths.
 * Unsupported models (other objectives, multi-class, categorical splits,
 * dart/gblinear) fail with TML_ERR_UNSUPPORTED. */
tml_status tml_forest_load(const char *path, tml_forest **out);

void tml_forest_free(tml_forest *f);

/* Features each row must supply (XGBoost's num_feature); -1 for NULL. */
int32_t tml_forest_feature_count(const tml_forest *f);

/* Number of trees; -1 for NULL. */
int32_t tml_forest_tree_count(const tml_forest *f);

/* Raw margin of n_rows rows into out[n_rows]. Feature j of row i is read
 * from x[i*row_stride + j*feature_stride] (strides in floats): row-major
 * callers pass (n_features, 1), column-major/SoA callers (1, n_rows).
 * out must not overlap x. Deterministic and bit-identical for any batch
 * size or layout. */
tml_status tml_forest_predict(const tml_forest *f, uint64_t n_rows,
                              const float *x, uint64_t row_stride,
                              uint64_t feature_stride, float *out);

#ifdef __cplusplus
}
#endif

#endif /* TRIGML_H */
