/*
 * The LST way of scoring T5s, as the peer of the benchmark: one candidate at
 * a time, the way LST's per-thread code does it (cmssw
 * RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h, t5dnn::runInference, and
 * its weights header T5NeuralNetworkWeights.h), written for this benchmark:
 *
 *  - gather the five anchors through the index chain T5 -> T3 -> MD,
 *  - the 23 lst-v2 features in float (LST reads float columns and computes
 *    in float), the bridge radius through anchors 2, 3, 4 by LST's float
 *    Circle.h formula (lst_radius_three_hits),
 *  - dense layers written output-major, `out[i] = b[i]; for j: out[i] +=
 *    in[j] * W[j][i]`, both loops unrolled (CMS_UNROLL_LOOP), ReLU as
 *    (x > 0) ? x : 0, sigmoid as exp(x) / (exp(x) + 1),
 *  - the working point as a kWp[pt bin][|eta| bin] table lookup.
 *
 * The weights are compile-time constant arrays, as LST's
 * T5NeuralNetworkWeights.h: t5_lst_weights.h is generated from the model
 * file at bench time (bench/t5_bench.py) and is not committed.
 * Compiled with -O3 -march=native -ffp-contract=off -std=c11, twice: as CMSSW's GCC host build
 * compiles LST (CMS_UNROLL_LOOP = `#pragma GCC ivdep`), and with
 * -DLST_FULL_UNROLL (the GPU meaning of CMS_UNROLL_LOOP, `#pragma unroll`),
 * whose entry points get the suffix _unrolled.
 */
#include <math.h>
#include <stdint.h>

#include "trigml.h"
#include "t5_lst_weights.h"
#include "t5_lst_style.h"

#if LST_N_IN != 23
#error "the LST-style loop implements the lst-v2 feature set (23 inputs)"
#endif

/* CMS_UNROLL_LOOP: with the GCC host compiler it is `#pragma GCC ivdep`
 * (FWCore/Utilities/interface/CMSUnrollLoop.h), no forced unrolling; on
 * CUDA/HIP it is a full `#pragma unroll`. -DLST_FULL_UNROLL gives the
 * latter on the host (GCC unroll 64). */
#ifdef LST_FULL_UNROLL
#define LST_UNROLL _Pragma("GCC unroll 64")
#else
#define LST_UNROLL _Pragma("GCC ivdep")
#endif

static const float kEta_norm = 2.5f;
static const float kPhi_norm = 3.14159265358979323846f;
static const float kZ_max = 267.2349854f;
static const float kR_max = 110.1099396f;
static const float k2Rinv1GeVf = (2.99792458e-3f * 3.8f) / 2.0f;

/* phi1 - phi2 reduced into [-pi, pi] (round to the nearest turn). */
static inline float lst_delta_phi(float phi1, float phi2) {
    const float pi = 3.14159265358979323846f;
    const float two_pi = 6.28318530717958647692f;
    float d = phi1 - phi2;
    if (fabsf(d) <= pi) return d;
    return d - roundf(d * (1.0f / two_pi)) * two_pi;
}

/* The bridge radius as LST computes it: `computeRadiusFromThreeAnchorHits`
 * (cmssw RecoTracker/LSTCore/interface/Circle.h at 1416747), all float: the
 * circle centre from the determinant of the three points, radius
 * sqrt(cx^2 + cy^2 - c); -1 when the determinant is 0 or the radicand is
 * negative. (Build with -DLST_DOUBLE_BRIDGE for the exact circumradius in
 * double, which the network was not trained on.) */
static inline float lst_radius_three_hits(float x1, float y1, float x2, float y2, float x3, float y3) {
#ifdef LST_DOUBLE_BRIDGE
    double ax = x2 - x1, ay = y2 - y1, bx = x3 - x2, by = y3 - y2, cx = x3 - x1, cy = y3 - y1;
    return (float)(sqrt(ax * ax + ay * ay) * sqrt(bx * bx + by * by) * sqrt(cx * cx + cy * cy) /
                   (2 * fabs(ax * cy - ay * cx)));
#else
    float determinant = (y1 - y3) * (x2 - x3) - (x1 - x3) * (y2 - y3);
    float denomInv = 1.0f / determinant;
    float xy1sqr = x1 * x1 + y1 * y1, xy2sqr = x2 * x2 + y2 * y2, xy3sqr = x3 * x3 + y3 * y3;
    float centerX = 0.5f * ((y3 - y2) * xy1sqr + (y1 - y3) * xy2sqr + (y2 - y1) * xy3sqr) * denomInv;
    float centerY = 0.5f * ((x2 - x3) * xy1sqr + (x3 - x1) * xy2sqr + (x1 - x2) * xy3sqr) * denomInv;
    float offset = ((x2 * y3 - x3 * y2) * xy1sqr + (x3 * y1 - x1 * y3) * xy2sqr + (x1 * y2 - x2 * y1) * xy3sqr) *
                   denomInv;
    float radicand = centerX * centerX + centerY * centerY - offset;
    if (determinant == 0 || radicand < 0) return -1.0f;
    return sqrtf(radicand);
#endif
}

/* One dense layer, output-major as in LST's NeuralNetwork.h. */
#define LST_LINEAR(IN, OUT, input, output, W, B)                 \
    do {                                                          \
        LST_UNROLL for (int i_ = 0; i_ < (OUT); ++i_) {           \
            (output)[i_] = (B)[i_];                               \
            LST_UNROLL for (int j_ = 0; j_ < (IN); ++j_) {        \
                (output)[i_] += (input)[j_] * (W)[j_][i_];        \
            }                                                     \
        }                                                         \
    } while (0)

#define LST_RELU(N, v)                                            \
    do {                                                          \
        LST_UNROLL for (int k_ = 0; k_ < (N); ++k_) {             \
            (v)[k_] = ((v)[k_] > 0.f) ? (v)[k_] : 0.f;            \
        }                                                         \
    } while (0)

/* Anchors and radii of candidate t, through the index chain. */
static inline void lst_gather(const tml_t5_batch *b, uint64_t t, uint32_t md[5], float *r_in, float *r_out) {
    const uint32_t t3_in = b->t5_t3[2 * t], t3_out = b->t5_t3[2 * t + 1];
    md[0] = b->t3_md[3 * (uint64_t)t3_in];
    md[1] = b->t3_md[3 * (uint64_t)t3_in + 1];
    md[2] = b->t3_md[3 * (uint64_t)t3_in + 2];
    md[3] = b->t3_md[3 * (uint64_t)t3_out + 1];
    md[4] = b->t3_md[3 * (uint64_t)t3_out + 2];
    *r_in = b->t3_radius[t3_in];
    *r_out = b->t3_radius[t3_out];
}

static inline void lst_features(const tml_t5_batch *b, const uint32_t md[5], float r_in, float r_out,
                                float x[LST_N_IN]) {
    float eta[5], phi[5], z[5], r[5];
    for (int k = 0; k < 5; ++k) {
        eta[k] = fabsf(b->md_eta[md[k]]);
        phi[k] = b->md_phi[md[k]];
        z[k] = fabsf(b->md_z[md[k]]);
        r[k] = b->md_r[md[k]];
    }
    const float r_bridge = lst_radius_three_hits(b->md_x[md[1]], b->md_y[md[1]], b->md_x[md[2]], b->md_y[md[2]],
                                                 b->md_x[md[3]], b->md_y[md[3]]);
    x[0] = eta[0] / kEta_norm;
    x[1] = fabsf(phi[0]) / kPhi_norm;
    x[2] = z[0] / kZ_max;
    x[3] = r[0] / kR_max;
    for (int k = 1; k < 5; ++k) {
        x[4 * k + 0] = eta[k] - eta[k - 1];
        x[4 * k + 1] = lst_delta_phi(phi[k], phi[k - 1]) / kPhi_norm;
        x[4 * k + 2] = (z[k] - z[k - 1]) / kZ_max;
        x[4 * k + 3] = (r[k] - r[k - 1]) / kR_max;
    }
    x[20] = log10f(r_in);
    x[21] = log10f(r_bridge);
    x[22] = log10f(r_out);
}

static inline float lst_network(const float x[LST_N_IN]) {
    float h1[LST_N_H1], h2[LST_N_H2], out[1];
    LST_LINEAR(LST_N_IN, LST_N_H1, x, h1, wgtT_layer1, bias_layer1);
    LST_RELU(LST_N_H1, h1);
    LST_LINEAR(LST_N_H1, LST_N_H2, h1, h2, wgtT_layer2, bias_layer2);
    LST_RELU(LST_N_H2, h2);
    LST_LINEAR(LST_N_H2, 1, h2, out, wgtT_output_layer, bias_output_layer);
    const float e = expf(out[0]);
    return e / (e + 1.0f);
}

/* kWp[pt bin][|eta| bin]: pT of the inner T3, |eta| of the first anchor. */
static inline float lst_cut(float r_in, float eta1) {
    const float pt = 2.0f * k2Rinv1GeVf * r_in;
    int pt_bin = 0;
    for (int k = 0; k < LST_WP_N_PT_EDGES; ++k) pt_bin += pt > kWpPtEdges[k];
    /* LST: min(int(eta1 / kEtaSize), kEtaBins - 1). Compared in float first
     * so a NaN eta (foreign event files) picks the last bin instead of
     * converting NaN to int. */
    const float scaled = eta1 / kWpEtaSize;
    const int eta_bin = scaled < (float)(LST_WP_N_ETA - 1) ? (int)scaled : LST_WP_N_ETA - 1;
    return kWp[pt_bin][eta_bin];
}

void LST_API(lst_t5_score)(const tml_t5_batch *b, float *score, uint8_t *pass) {
    for (uint64_t t = 0; t < b->n_t5; ++t) {
        uint32_t md[5];
        float r_in, r_out, x[LST_N_IN];
        lst_gather(b, t, md, &r_in, &r_out);
        lst_features(b, md, r_in, r_out, x);
        const float s = lst_network(x);
        score[t] = s;
        pass[t] = s > lst_cut(r_in, fabsf(b->md_eta[md[0]]));
    }
}

void LST_API(lst_t5_cuts)(const tml_t5_batch *b, float *cut) {
    for (uint64_t t = 0; t < b->n_t5; ++t) {
        uint32_t md[5];
        float r_in, r_out;
        lst_gather(b, t, md, &r_in, &r_out);
        cut[t] = lst_cut(r_in, fabsf(b->md_eta[md[0]]));
    }
}

void LST_API(lst_t5_features)(const tml_t5_batch *b, float *features) {
    for (uint64_t t = 0; t < b->n_t5; ++t) {
        uint32_t md[5];
        float r_in, r_out;
        lst_gather(b, t, md, &r_in, &r_out);
        lst_features(b, md, r_in, r_out, features + t * LST_N_IN);
    }
}
