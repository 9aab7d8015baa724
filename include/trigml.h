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
 *  - The library keeps no global mutable state. It starts threads only
 *    inside tml_lut_generate and tml_lut_evaluate (their n_threads
 *    argument; 0 = all cores), and every such thread has ended when the
 *    call returns. Every other call runs on the caller's thread only.
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
#define TML_ERR_OUT_OF_MEMORY    6 /* the work does not fit in the memory left (RLIMIT_AS, strict overcommit): nothing was built or written; the message says what needed how many bytes */
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

/* A T5 model file (JSON; format in docs/formats/t5_model.md. */
tml_status tml_t5_model_load(const char *path, tml_t5_model **out);

void tml_t5_model_free(tml_t5_model *m);

/* Network inputs per candidate: the feature set's (23 for lst-v2, 38 for
 * lst-v1) plus a version-2 model's extra inputs; -1 for NULL. */
int32_t tml_t5_model_input_count(const tml_t5_model *m);

/* The exact network inputs, n_t5 x input_count floats, row-major (before a
 * version-2 model's standardisation). Same as tml_t5_features_ex with
 * cols = NULL: TML_ERR_INVALID_ARGUMENT for a model that reads host columns. */
tml_status tml_t5_features(const tml_t5_model *m, const tml_t5_batch *b,
                           float *features);

/* Score per T5 into score[n_t5]; pass[n_t5] (may be NULL) is 1 where the
 * model's first working point accepts the candidate, else 0. Same as
 * tml_t5_score_ex with cols = NULL, working point 0, no probabilities:
 * TML_ERR_INVALID_ARGUMENT for a model that reads host columns,
 * TML_ERR_UNSUPPORTED for an embedding model. */
tml_status tml_t5_score(const tml_t5_model *m, const tml_t5_batch *b,
                        float *score, uint8_t *pass);

/*
 * Host columns for version-2 models (docs/formats/t5_model.md, "Version 2"):
 * quantities computed elsewhere in the host, one row per MD, per T3 and per
 * T5 of the batch, row-major with md_count / t3_count / t5_count floats per
 * row (e.g. the parent T3s' DNN class probabilities, log10(1 + dcaXY)). A
 * model's `extra_inputs` name (table, column); the library gathers them per
 * candidate through the batch's index chain (md: anchor 1-5, t3: inner or
 * outer). A pointer may be NULL when its count is 0 or its table has no
 * rows; a table may be wider than the model reads.
 */
typedef struct tml_t5_columns {
    uint32_t md_count; /* floats per MD row */
    const float *md;   /* [n_md][md_count] */
    uint32_t t3_count; /* floats per T3 row */
    const float *t3;   /* [n_t3][t3_count] */
    uint32_t t5_count; /* floats per T5 row */
    const float *t5;   /* [n_t5][t5_count] */
} tml_t5_columns;

/* The version-2 T5 calls (tml_t5_model_class_count ... tml_t5_embed) are
 * declared after tml_metric_r50_jsd below: new entry points are appended. */

/* ------------------------------------------------------------- forests */

/*
 * A forest of binary decision trees: an XGBoost JSON model (as written by
 * Booster.save_model("x.json"); objectives reg:squarederror,
 * reg:absoluteerror, binary:logistic, reg:logistic; single output, numerical
 * splits) or the library's own forest file (format in docs/formats/forest.md). At each node a row goes left when x[feature] < threshold (float32
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

/* ------------------------------------------------ EMTF-style pT LUTs */

/*
 * An address scheme decodes an integer address into BDT inputs. Presets:
 * "emtf2017-mode15", "-mode14", "-mode13", "-mode11", "-mode7" and the
 * two-station "-mode12", "-mode10", "-mode9", "-mode6", "-mode5", "-mode3"
 * (CMS EMTF 2017 layouts, compression tables and trained input order;
 * docs/lut.md). User schemes are JSON files
 * (docs/formats/lut_scheme.md); a file in which a derived value could overflow is refused,
 * so every address of a scheme decodes to finite inputs.
 */
typedef struct tml_lut_scheme tml_lut_scheme;

tml_status tml_lut_scheme_preset(const char *name, tml_lut_scheme **out);
tml_status tml_lut_scheme_load(const char *path, tml_lut_scheme **out);
void tml_lut_scheme_free(tml_lut_scheme *s);

/* The addresses that belong to the scheme: [first, first + count). Mode 15:
 * first 2^29, count 2^29. 0 for NULL. */
uint64_t tml_lut_scheme_first_address(const tml_lut_scheme *s);
uint64_t tml_lut_scheme_address_count(const tml_lut_scheme *s);

/* BDT inputs per address (mode 15: 20); -1 for NULL. */
int32_t tml_lut_scheme_feature_count(const tml_lut_scheme *s);

/* The name of BDT input `index` (0 <= index < feature_count), in the
 * forest's input order (mode 15: "theta", "st1_ring2", "dphi12", ...).
 * The string is owned by the handle and lives until tml_lut_scheme_free.
 * NULL for a NULL handle or an index out of range. */
const char *tml_lut_scheme_feature_name(const tml_lut_scheme *s, int32_t index);

/* Decoded inputs of n addresses into features[n * feature_count],
 * row-major, in the forest's input order. Every address must belong to the
 * scheme. */
tml_status tml_lut_decode(const tml_lut_scheme *s, uint64_t n,
                          const uint64_t *address, float *features);

/*
 * BDT output -> stored word, all in double precision:
 *   pt_xml = 1 / max(output_floor, out)    target TML_PT_TARGET_INV_PT
 *          = 2 ^ max(output_floor, out)    target TML_PT_TARGET_LOG2_PT
 *   pt_xml = 1 if pt_xml < 0
 *   pt     = pt_xml * scale_numerator / (1 - scale_slope * min(pt_xml, scale_pt_cap))
 *   x      = word_per_gev * pt + word_offset
 *   word   = 0 if x is NaN or < 0, word_max if x >= word_max, else floor(x)
 * Presets: "emtf2017" = {INV_PT, 0.001, 1.2, 0.015, 20, 2, 1, 511};
 *          "emtf2022" = {LOG2_PT, 0, 1.13, 0.015, 20, 2, 1, 511}.
 * Fill by hand for other conversions (all doubles finite, word_max <= 65535).
 */
#define TML_PT_TARGET_INV_PT  0
#define TML_PT_TARGET_LOG2_PT 1
typedef struct tml_pt_conversion {
    int32_t target;          /* TML_PT_TARGET_INV_PT or TML_PT_TARGET_LOG2_PT */
    double output_floor;     /* lower clamp of the BDT output */
    double scale_numerator;  /* efficiency scaling: numerator */
    double scale_slope;      /* efficiency scaling: slope */
    double scale_pt_cap;     /* efficiency scaling: pt_xml cap */
    double word_per_gev;     /* word = floor(word_per_gev * pt + word_offset) */
    double word_offset;
    uint32_t word_max;       /* clamp (511 for the 9-bit GMT pT) */
} tml_pt_conversion;

tml_status tml_pt_conversion_preset(const char *name, tml_pt_conversion *out);

/*
 * out[k] = the stored word of address first + k, for k < count; the whole
 * range must belong to the scheme and the scheme's feature count must equal
 * the forest's. n_threads 0 = all cores; threads live only inside the call.
 * Deterministic: equal, entry for entry, to decoding each address,
 * evaluating the forest and converting (tml_lut_evaluate), for any range,
 * split and thread count.
 *
 * Checks, in this order: handles, conversion, n_threads >= 0, count (its
 * array must fit in 2^47 bytes), out non-NULL when count > 0, the feature
 * counts (TML_ERR_SHAPE), the input names when the forest file has them
 * (XGBoost `feature_names`: each must equal tml_lut_scheme_feature_name of
 * its index, else TML_ERR_SHAPE naming the first mismatch: index, forest
 * name, scheme name; a forest without names is not compared), then the
 * range (TML_ERR_INVALID_ARGUMENT; first +
 * count - 1 must not wrap). With matching feature counts, count = 0
 * succeeds for any first and writes nothing (out may then be NULL). A
 * failed call writes nothing.
 * A NaN input (possible only from a user scheme's arithmetic) follows each
 * node's default direction, as tml_forest_predict does. The forest's LUT
 * form is prepared once per forest handle, so small ranges cost only their
 * own evaluation.
 *
 * Summation rule for LUTs: the BDT output is the exact sum of the base
 * margin and the reached leaves, rounded once to float32 (nearest, ties to
 * even). For XGBoost models this may differ from tml_forest_predict's
 * float32 running sum by an ulp, so a word can differ by one step where the
 * output sits on a conversion boundary.
 */
tml_status tml_lut_generate(const tml_lut_scheme *s, const tml_forest *f,
                            const tml_pt_conversion *c, uint64_t first,
                            uint64_t count, uint16_t *out, int32_t n_threads);

/* The one-address-at-a-time path: for each of n addresses (in any order),
 * words[i] and margins[i] (either may be NULL) receive the stored word and
 * the BDT output under the LUT summation rule. Feature counts and input
 * names are checked as for tml_lut_generate (when n > 0). */
tml_status tml_lut_evaluate(const tml_lut_scheme *s, const tml_forest *f,
                            const tml_pt_conversion *c, uint64_t n,
                            const uint64_t *address, uint16_t *words,
                            float *margins, int32_t n_threads);

/* ------------------------------------------------ decorrelated taggers */

/*
 * A batch of jets for tagger scoring. Jet-level features are row-major;
 * constituents are stored CSR-style: jet j owns rows
 * constituent_offsets[j] .. constituent_offsets[j+1]-1 of
 * constituent_features. The offsets must be non-decreasing and
 * constituent_offsets[n_jets] <= n_constituents (the first offset need not
 * be 0, so a host may pass a slice of a larger event). A jet with no
 * constituents pools to zeros.
 */
typedef struct tml_jet_batch {
    uint64_t n_jets;                     /* number of jets */
    uint64_t jet_feature_count;          /* columns of jet_features */
    const float *jet_features;           /* [n_jets][jet_feature_count]; may
                                            be NULL when either count is 0 */
    const uint64_t *constituent_offsets; /* [n_jets + 1], CSR; NULL for an
                                            MLP tagger (ignored by it) */
    uint64_t n_constituents;             /* rows of constituent_features */
    uint64_t constituent_feature_count;  /* columns of constituent_features */
    const float *constituent_features;   /* [n_constituents]
                                            [constituent_feature_count] */
} tml_jet_batch;

typedef struct tml_tagger tml_tagger;

/* A tagger model file (JSON; format in docs/formats/tagger_model.md):
 * an MLP over jet features, or a Deep Sets tagger (per-constituent network
 * Phi, sum pooling over each jet's constituents, network F over the pooled
 * vector followed by the jet features). Hidden activations relu,
 * leaky_relu, elu, tanh; output sigmoid (1 output) or softmax (>= 2).
 * Format version 2 names each input column and carries its whole
 * transform (float32(x / divide_by) - offset) * scale, so the batch holds
 * the physics quantities (the constituent multiplicity, not
 * multiplicity / 50); a version-1 file expects its inputs already
 * normalised as in training. Unknown keys are refused (TML_ERR_FORMAT
 * naming the key's path and the nearest valid key). */
tml_status tml_tagger_load(const char *path, tml_tagger **out);

void tml_tagger_free(tml_tagger *t);

/* Outputs per jet: 1 for a sigmoid tagger, the class count for softmax;
 * -1 for NULL. */
int32_t tml_tagger_output_count(const tml_tagger *t);

/* Jet features (columns of tml_jet_batch.jet_features) the model reads;
 * -1 for NULL. */
int32_t tml_tagger_jet_feature_count(const tml_tagger *t);

/* Constituent features the model reads: 0 for an MLP; -1 for NULL. */
int32_t tml_tagger_constituent_feature_count(const tml_tagger *t);

/* Probabilities into out[n_jets * output_count], row-major. The batch's
 * feature counts must equal the model's (TML_ERR_SHAPE otherwise). A jet
 * with any non-finite input value (its jet features or, for Deep Sets, any
 * of its constituents' features) gets NaN in every output. Networks run in
 * double; each probability is rounded to float once. */
tml_status tml_tagger_score(const tml_tagger *t, const tml_jet_batch *b,
                            float *out);

/* DL1-style discriminant per jet into out[n]:
 *   D = ln((p_sig + 1e-10) / (sum_{k != sig} f_k p_k + 1e-10))
 * with prob row-major [n][n_classes] and background_fractions[n_classes]
 * indexed by class (the signal class's entry is ignored). The other
 * fractions must be finite, >= 0 and sum to 1 within 1e-6. Computed in
 * double; a row with a non-finite probability, or whose ratio is not
 * positive, gives NaN. n_classes >= 2. */
tml_status tml_discriminant_log_ratio(uint64_t n, int32_t n_classes,
                                      const float *prob, int32_t signal_class,
                                      const float *background_fractions,
                                      float *out);

/* Score direction of a DDT map. */
#define TML_DDT_HIGHER_PASSES 0 /* signal-like jets score high (NN scores) */
#define TML_DDT_LOWER_PASSES  1 /* signal-like jets score low (tau21, D2, N2) */

/* What the build does with a bin holding fewer than min_entries jets. */
#define TML_DDT_EMPTY_FILL 0 /* distance-weighted mean of the `neighbours`
                                nearest filled bins (see smoothing) */
#define TML_DDT_EMPTY_FAIL 1 /* the build fails, naming the bin */

/* Optional smoothing of the whole map after the per-bin quantiles. */
#define TML_DDT_SMOOTHING_NONE 0
#define TML_DDT_SMOOTHING_KNN  1 /* every bin becomes the distance-weighted
                                    mean of its `neighbours` nearest filled
                                    bins (itself included when filled) */

/*
 * How tml_ddt_build makes a map X_q(rho, pT), rho = ln(m^2 / pT^2).
 * tml_ddt_config_init fills the defaults given in brackets.
 *
 * Bins: rho bin i = floor((rho - rho_min) * rho_bins / (rho_max - rho_min)),
 * likewise for pT; jets outside [rho_min, rho_max) x [pt_min, pt_max) are
 * not used by the build. In each bin with at least min_entries jets, X is
 * the weighted quantile of the score at level 1 - background_efficiency
 * (higher passes) or background_efficiency (lower passes), so that this
 * fraction of the bin's background weight passes. The quantile is exact and
 * documented in docs/formats/ddt_map.md: the weighted inverse CDF through
 * the mid-points of each jet's weight, linearly interpolated.
 *
 * Neighbours: distances between bin centres are measured in bins
 * (sqrt(di^2 + dj^2)); the weight of a filled bin at distance d is
 * 1 / (1 + d); the `neighbours` nearest filled bins are used, ties broken by
 * lower rho bin, then lower pT bin. Filling and smoothing both read the
 * unsmoothed per-bin quantiles.
 *
 * Score transform: tml_ddt_build, and tml_ddt_apply with the map, first
 * turn every score s into t(s), and the map holds quantiles of t(s):
 *   TML_DDT_SCORE_IDENTITY: t(s) = s (any finite score);
 *   TML_DDT_SCORE_LOGIT:    s must be a probability in [0, 1] (a sigmoid
 *     tagger's output; TML_ERR_INVALID_ARGUMENT naming the jet otherwise):
 *     t(s) = ln(p) - ln(1 - p), computed in double with p = s clamped to
 *     [2^-149, 1 - 2^-24] (so 1.0f gives 16.64, not infinity), then
 *     rounded to float: exactly the float logit a host computing it this
 *     way would pass to an identity map.
 * So callers always pass the tagger's own output, and a logit computed by
 * hand and passed to a logit map by mistake is refused, not misread.
 *
 * Layout (ABI compatibility): sizeof(tml_ddt_config) is 72 bytes and every
 * member keeps the offset it had in ABI 1.0. score_transform lives in what
 * was the upper half of a uint64_t min_entries, which every ABI 1.0 caller
 * whose configuration the library accepted had set to zero
 * (min_entries <= 2^31 - 1): such a caller's struct, compiled against the
 * old header, reads as TML_DDT_SCORE_IDENTITY, which is what it got
 * before, and tml_ddt_config_init writes exactly 72 bytes, as it always
 * did. Nothing is read or written past the struct an ABI 1.0 caller owns.
 */
#define TML_DDT_SCORE_IDENTITY 0 /* the map works on the score as given */
#define TML_DDT_SCORE_LOGIT    1 /* the map works on ln(p / (1 - p)) */

typedef struct tml_ddt_config {
    double background_efficiency; /* q in (0, 1): background fraction that
                                     passes [the init argument] */
    double rho_min;               /* [-7] */
    double rho_max;               /* [0] */
    double pt_min;                /* GeV [200] */
    double pt_max;                /* GeV [1000] */
    /* These two members share the 8 bytes that ABI 1.0 gave to a uint64_t
     * min_entries (see "Layout" above): min_entries is its low-order half,
     * score_transform its high-order half, on either byte order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    int32_t score_transform;      /* as below */
    uint32_t min_entries;         /* as below */
#else
    uint32_t min_entries;         /* jets a bin needs for its own quantile,
                                     1..2^31 - 1 [20] */
    int32_t score_transform;      /* TML_DDT_SCORE_IDENTITY [default] or
                                     TML_DDT_SCORE_LOGIT: what the map does to
                                     the score before binning and before
                                     subtracting X_q; recorded in the map */
#endif
    int32_t rho_bins;             /* 1..1024, rho_bins * pt_bins <= 16384 [35] */
    int32_t pt_bins;              /* 1..1024 [8] */
    int32_t direction;            /* TML_DDT_HIGHER_PASSES [default] or
                                     TML_DDT_LOWER_PASSES */
    int32_t empty_bins;           /* TML_DDT_EMPTY_FILL [default] or
                                     TML_DDT_EMPTY_FAIL */
    int32_t smoothing;            /* TML_DDT_SMOOTHING_NONE [default] or
                                     TML_DDT_SMOOTHING_KNN */
    int32_t neighbours;           /* k for filling and smoothing, 1..64 [5] */
} tml_ddt_config;

typedef struct tml_ddt_map tml_ddt_map;

/* Fills every member with the defaults above for a working point that keeps
 * background_efficiency of the background; fails if it is not in (0, 1). */
tml_status tml_ddt_config_init(tml_ddt_config *cfg,
                               double background_efficiency);

/* Builds a map from a background-only sample of n jets (score, groomed mass
 * and pT in GeV; weight[n] may be NULL for unit weights). Every jet must
 * have finite values, mass >= 0, pT > 0 and weight >= 0, and with
 * TML_DDT_SCORE_LOGIT a score in [0, 1] (TML_ERR_INVALID_ARGUMENT naming the
 * jet otherwise). The map records cfg->score_transform. */
tml_status tml_ddt_build(uint64_t n, const float *score, const float *mass,
                         const float *pt, const float *weight,
                         const tml_ddt_config *cfg, tml_ddt_map **out);

/* Decorrelated score into out[n]: t(score) - X_q(rho, pT) (higher passes)
 * or X_q(rho, pT) - t(score) (lower passes), t the map's score transform,
 * so a jet passes where out > 0: pass the tagger's own output, whatever
 * the map was built on. X_q is interpolated bilinearly between bin centres
 * and clamped at the edges (a jet of mass 0 takes the lowest rho). A jet
 * with a non-finite value, mass < 0 or pT <= 0 gets NaN (which never
 * passes). For a TML_DDT_SCORE_LOGIT map, a score that is neither NaN nor
 * in [0, 1] (e.g. a logit passed by mistake) fails the call with
 * TML_ERR_INVALID_ARGUMENT naming the jet, nothing written. Computed in
 * double. */
tml_status tml_ddt_apply(const tml_ddt_map *map, uint64_t n,
                         const float *score, const float *mass,
                         const float *pt, float *out);

/* The map as a JSON file (format in docs/formats/ddt_map.md; it records
 * the score transform; a version-1 file without it is an identity map). */
tml_status tml_ddt_save(const tml_ddt_map *map, const char *path);
tml_status tml_ddt_load(const char *path, tml_ddt_map **out);
void tml_ddt_free(tml_ddt_map *map);

/*
 * The decorrelation benchmark (ATLAS protocol). Higher score = more
 * signal-like (negate tau21-like scores first). weight[n] may be NULL.
 *  - cut c: the weighted median of the signal scores (the quantile of
 *    tml_ddt_build at level 0.5); a jet passes when score > c;
 *  - rejection = 1 / (passing background weight / background weight),
 *    +inf when no background passes;
 *  - inverse_jsd = 1 / JSD(P || F), log base 2, between the background mass
 *    histograms of passing (P) and failing (F) jets, each normalised to unit
 *    sum: 50 bins of 5 GeV, bin floor((m - 50) / 5), masses outside
 *    [50, 300) GeV not histogrammed; +inf when JSD = 0, NaN when P or F is
 *    empty.
 * Needs positive total signal and background weight; every value finite,
 * weights >= 0 (TML_ERR_INVALID_ARGUMENT otherwise).
 */
tml_status tml_metric_r50_jsd(uint64_t n, const float *score,
                              const uint8_t *is_signal, const float *mass,
                              const float *weight, double *rejection,
                              double *inverse_jsd);

/* ------------------------------------------- T5 version-2 models (ABI 1) */

/* Probabilities per candidate: 1 for a sigmoid model, K for a softmax
 * model, 0 for an embedding model; -1 for NULL. */
int32_t tml_t5_model_class_count(const tml_t5_model *m);

/* Output dimension D of an embedding model, else 0; -1 for NULL. */
int32_t tml_t5_model_embedding_dim(const tml_t5_model *m);

/* Named working points (0 for an embedding model); -1 for NULL. */
int32_t tml_t5_model_working_point_count(const tml_t5_model *m);

/* Name of working point `index` (a version-1 file's is "default"), owned by
 * the model and valid until it is freed; NULL out of range or for NULL. */
const char *tml_t5_model_working_point_name(const tml_t5_model *m,
                                            int32_t index);

/* The network inputs, n_t5 x input_count, row-major: the feature set's
 * inputs, then the extra inputs gathered from cols, BEFORE standardisation
 * (what a training ntuple holds). cols may be NULL when the model reads no
 * host column. */
tml_status tml_t5_features_ex(const tml_t5_model *m, const tml_t5_batch *b,
                              const tml_t5_columns *cols, float *features);

/* score[n_t5] (required); pass[n_t5] (may be NULL) for working point
 * `working_point` (0 = the first in the file); probabilities
 * [n_t5 x class_count] (may be NULL): the softmax outputs (for a sigmoid
 * model, the score). A softmax model's score is 1 - P(class) or P(class) as
 * its file says. Missing or too narrow columns (TML_ERR_INVALID_ARGUMENT /
 * TML_ERR_SHAPE), a working point out of range (TML_ERR_INVALID_ARGUMENT):
 * nothing written. An embedding model: TML_ERR_UNSUPPORTED (use
 * tml_t5_embed). */
tml_status tml_t5_score_ex(const tml_t5_model *m, const tml_t5_batch *b,
                           const tml_t5_columns *cols, int32_t working_point,
                           float *score, uint8_t *pass, float *probabilities);

/* The embedding of every candidate, n_t5 x embedding_dim, row-major (NaN
 * rows for candidates with a non-finite input). TML_ERR_UNSUPPORTED for a
 * model that is not an embedding model. */
tml_status tml_t5_embed(const tml_t5_model *m, const tml_t5_batch *b,
                        const tml_t5_columns *cols, float *embedding);

/* ------------------------------------------------------------- CPU path */

/*
 * The kernel path every call of this process runs: "baseline" (x86-64 with
 * SSE2; every other architecture), "avx2" (AVX2 + FMA CPUs, x86-64-v3) or
 * "avx512" (AVX-512 F/CD/BW/DQ/VL), the fastest the CPU and OS support
 * (Linux: the flags of /proc/cpuinfo; other systems run "baseline"),
 * chosen at the first call. Every path gives bit-identical results.
 * The environment variable TRIGML_ISA (same names; unset or empty = the
 * fastest) forces a path. A value that is not a path, or a path this CPU
 * cannot run, is refused, not replaced: then every entry point fails with
 * TML_ERR_INVALID_ARGUMENT and a message naming TRIGML_ISA and the paths
 * this CPU runs, and this function returns NULL. Static storage.
 */
const char *tml_cpu_path(void);

/* ------------------------------------------------- one table, one dlsym */

/*
 * Every entry point above as one table, for hosts that dlopen() the library
 * (a framework plugin): one dlsym("tml_get_api") instead of one per call.
 *
 *   tml_get_api_fn get = (tml_get_api_fn)dlsym(lib, "tml_get_api");
 *   const tml_api *api = get ? get(TML_ABI_VERSION) : NULL;
 *   if (!api || api->size < sizeof(tml_api)) ...  (older library: refuse)
 *   api->t5_model_default(&model);
 *
 * One member per entry point, named without the tml_ prefix, in the order
 * the entry points are declared in this header (tml_abi_version and
 * tml_get_api are left out: the table is what tml_get_api returns, and its
 * first member says the ABI version). Members are only ever appended: a new
 * entry point is declared after tml_metric_r50_jsd above and gets its
 * member at the end, so a table from a newer library starts with this one
 * (compare `size`). Tests/c/api_table.sh checks that the declarations, the
 * library's exported symbols and these members name the same functions in
 * the same order.
 */
typedef struct tml_api {
    uint32_t abi_version; /* TML_ABI_VERSION of the library that made it */
    uint32_t size;        /* sizeof(tml_api) in that library */
    const char *(*version)(void);
    const char *(*last_error)(void);
    tml_status (*t5_model_default)(tml_t5_model **out);
    tml_status (*t5_model_load)(const char *path, tml_t5_model **out);
    void (*t5_model_free)(tml_t5_model *m);
    int32_t (*t5_model_input_count)(const tml_t5_model *m);
    tml_status (*t5_features)(const tml_t5_model *m, const tml_t5_batch *b,
                              float *features);
    tml_status (*t5_score)(const tml_t5_model *m, const tml_t5_batch *b,
                           float *score, uint8_t *pass);
    tml_status (*forest_load)(const char *path, tml_forest **out);
    void (*forest_free)(tml_forest *f);
    int32_t (*forest_feature_count)(const tml_forest *f);
    int32_t (*forest_tree_count)(const tml_forest *f);
    tml_status (*forest_predict)(const tml_forest *f, uint64_t n_rows,
                                 const float *x, uint64_t row_stride,
                                 uint64_t feature_stride, float *out);
    tml_status (*lut_scheme_preset)(const char *name, tml_lut_scheme **out);
    tml_status (*lut_scheme_load)(const char *path, tml_lut_scheme **out);
    void (*lut_scheme_free)(tml_lut_scheme *s);
    uint64_t (*lut_scheme_first_address)(const tml_lut_scheme *s);
    uint64_t (*lut_scheme_address_count)(const tml_lut_scheme *s);
    int32_t (*lut_scheme_feature_count)(const tml_lut_scheme *s);
    const char *(*lut_scheme_feature_name)(const tml_lut_scheme *s,
                                           int32_t index);
    tml_status (*lut_decode)(const tml_lut_scheme *s, uint64_t n,
                             const uint64_t *address, float *features);
    tml_status (*pt_conversion_preset)(const char *name,
                                       tml_pt_conversion *out);
    tml_status (*lut_generate)(const tml_lut_scheme *s, const tml_forest *f,
                               const tml_pt_conversion *c, uint64_t first,
                               uint64_t count, uint16_t *out,
                               int32_t n_threads);
    tml_status (*lut_evaluate)(const tml_lut_scheme *s, const tml_forest *f,
                               const tml_pt_conversion *c, uint64_t n,
                               const uint64_t *address, uint16_t *words,
                               float *margins, int32_t n_threads);
    tml_status (*tagger_load)(const char *path, tml_tagger **out);
    void (*tagger_free)(tml_tagger *t);
    int32_t (*tagger_output_count)(const tml_tagger *t);
    int32_t (*tagger_jet_feature_count)(const tml_tagger *t);
    int32_t (*tagger_constituent_feature_count)(const tml_tagger *t);
    tml_status (*tagger_score)(const tml_tagger *t, const tml_jet_batch *b,
                               float *out);
    tml_status (*discriminant_log_ratio)(uint64_t n, int32_t n_classes,
                                         const float *prob,
                                         int32_t signal_class,
                                         const float *background_fractions,
                                         float *out);
    tml_status (*ddt_config_init)(tml_ddt_config *cfg,
                                  double background_efficiency);
    tml_status (*ddt_build)(uint64_t n, const float *score, const float *mass,
                            const float *pt, const float *weight,
                            const tml_ddt_config *cfg, tml_ddt_map **out);
    tml_status (*ddt_apply)(const tml_ddt_map *map, uint64_t n,
                            const float *score, const float *mass,
                            const float *pt, float *out);
    tml_status (*ddt_save)(const tml_ddt_map *map, const char *path);
    tml_status (*ddt_load)(const char *path, tml_ddt_map **out);
    void (*ddt_free)(tml_ddt_map *map);
    tml_status (*metric_r50_jsd)(uint64_t n, const float *score,
                                 const uint8_t *is_signal, const float *mass,
                                 const float *weight, double *rejection,
                                 double *inverse_jsd);
    int32_t (*t5_model_class_count)(const tml_t5_model *m);
    int32_t (*t5_model_embedding_dim)(const tml_t5_model *m);
    int32_t (*t5_model_working_point_count)(const tml_t5_model *m);
    const char *(*t5_model_working_point_name)(const tml_t5_model *m,
                                               int32_t index);
    tml_status (*t5_features_ex)(const tml_t5_model *m, const tml_t5_batch *b,
                                 const tml_t5_columns *cols, float *features);
    tml_status (*t5_score_ex)(const tml_t5_model *m, const tml_t5_batch *b,
                              const tml_t5_columns *cols,
                              int32_t working_point, float *score,
                              uint8_t *pass, float *probabilities);
    tml_status (*t5_embed)(const tml_t5_model *m, const tml_t5_batch *b,
                           const tml_t5_columns *cols, float *embedding);
    const char *(*cpu_path)(void);
} tml_api;

/* The table of ABI version abi_version (static storage, never freed); NULL
 * for a version this library does not implement (today: anything but 1). */
const tml_api *tml_get_api(uint32_t abi_version);

/* The type of tml_get_api, for the result of dlsym(). */
typedef const tml_api *(*tml_get_api_fn)(uint32_t abi_version);

#ifdef __cplusplus
}
#endif

#endif /* TRIGML_H */
