/*
 * t5_lst_float_reference: an independent float transcription of LST's CPU
 * inference of the v2 T5 DNN, written from LST's documented arithmetic
 * (cmssw RecoTracker/LSTCore: src/alpaka/NeuralNetwork.h at 719e09e3,
 * interface/Circle.h at 1416747, HeterogeneousCore/AlpakaMath/interface/
 * deltaPhi.h, interface/alpaka/Common.h), not from the library's sources.
 *
 * Compiled with -ffp-contract=off, as CMSSW builds LST: every float multiply
 * and add rounds on its own. It reproduces LST exactly, including where the
 * library deliberately differs (docs/numerics.md): a NaN input becomes 0 in
 * the ReLU (one constant score), a logit above ~88.7 gives a NaN score, and
 * |eta1| = 2.5 exactly (where LST reads past its kWp row) takes the last
 * bin, the one thing a C program cannot reproduce.
 */
#ifndef T5_LST_FLOAT_REFERENCE_H
#define T5_LST_FLOAT_REFERENCE_H

#define LSTREF_INPUTS 23
#define LSTREF_HIDDEN 32
#define LSTREF_PT_BINS 2
#define LSTREF_ETA_BINS 10

/* The v2 network, weights as LST stores them: wgtT[in][out]. */
typedef struct lstref_network {
    float wgtT_layer1[LSTREF_INPUTS][LSTREF_HIDDEN];
    float bias_layer1[LSTREF_HIDDEN];
    float wgtT_layer2[LSTREF_HIDDEN][LSTREF_HIDDEN];
    float bias_layer2[LSTREF_HIDDEN];
    float wgtT_output_layer[LSTREF_HIDDEN][1];
    float bias_output_layer[1];
    float kWp[LSTREF_PT_BINS][LSTREF_ETA_BINS];
} lstref_network;

/* The anchor values T5 scoring reads (MiniDoubletsSoA anchorX/Y/Z/Rt/Eta/Phi)
 * for md1..md5, and the two T3 radii (TripletsSoA radius). */
typedef struct lstref_t5 {
    float x[5], y[5], z[5], rt[5], eta[5], phi[5];
    float innerRadius, outerRadius;
} lstref_t5;

/* Circle.h computeRadiusFromThreeAnchorHits: the radius, -1 for D == 0 or R^2 < 0. */
float lstref_circle_radius(float x1, float y1, float x2, float y2, float x3, float y3);

/* deltaPhi.h: reducePhiRange(phi1 - phi2). */
float lstref_delta_phi(float phi1, float phi2);

/* The 23 inputs of t5dnn::runInference. */
void lstref_features(const lstref_t5 *t5, float x[LSTREF_INPUTS]);

/* The sigmoid score LST computes from these inputs. */
float lstref_score(const lstref_network *net, const float x[LSTREF_INPUTS]);

/* LST's pass decision for this score (score > kWp[pt bin][eta bin]). */
int lstref_pass(const lstref_network *net, const lstref_t5 *t5, float score);

#endif
