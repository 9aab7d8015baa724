/*
 * LST's CPU inference of the v2 T5 DNN in plain float C (see the header).
 * Each expression is LST's, evaluated left to right in float; this file must
 * be compiled with -ffp-contract=off (CMakeLists.txt sets it).
 */
#include "t5_lst_float_reference.h"

#include <math.h>

/* Common.h: kPi = std::numbers::pi_v<float>; dnn::t5dnn normalisations;
 * k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2 computed in double, stored as float. */
static const float kPi = 3.14159265358979323846f;
static const float kEta_norm = 2.5f;
static const float kPhi_norm = 3.14159265358979323846f;
static const float kZ_max = 267.2349854f;
static const float kR_max = 110.1099396f;
static const float kEtaSize = 0.25f;
static const float k2Rinv1GeVf = (float)((2.99792458e-3 * 3.8) / 2);

float lstref_circle_radius(float x1, float y1, float x2, float y2, float x3, float y3)
{
    float denominator = (y1 - y3) * (x2 - x3) - (x1 - x3) * (y2 - y3);
    float denomInv = 1.0f / denominator;
    float xy1sqr = x1 * x1 + y1 * y1;
    float xy2sqr = x2 * x2 + y2 * y2;
    float xy3sqr = x3 * x3 + y3 * y3;
    float centerX = 0.5f * ((y3 - y2) * xy1sqr + (y1 - y3) * xy2sqr + (y2 - y1) * xy3sqr) * denomInv;
    float centerY = 0.5f * ((x2 - x3) * xy1sqr + (x3 - x1) * xy2sqr + (x1 - x2) * xy3sqr) * denomInv;
    float c = ((x2 * y3 - x3 * y2) * xy1sqr + (x3 * y1 - x1 * y3) * xy2sqr + (x1 * y2 - x2 * y1) * xy3sqr) * denomInv;
    float radiusSquared = centerX * centerX + centerY * centerY - c;
    if (denominator == 0 || radiusSquared < 0) return -1.0f;
    return sqrtf(radiusSquared);
}

float lstref_delta_phi(float phi1, float phi2)
{
    float x = phi1 - phi2;
    const float o2pi = 1.0f / (2.0f * kPi);
    if (fabsf(x) <= kPi) return x;
    float n = roundf(x * o2pi);
    return x - n * 2.0f * kPi;
}

void lstref_features(const lstref_t5 *t, float x[LSTREF_INPUTS])
{
    float eta[5], z[5];
    for (int k = 0; k < 5; k++) {
        eta[k] = fabsf(t->eta[k]);
        z[k] = fabsf(t->z[k]);
    }
    x[0] = eta[0] / kEta_norm;
    x[1] = fabsf(t->phi[0]) / kPhi_norm;
    x[2] = z[0] / kZ_max;
    x[3] = t->rt[0] / kR_max;
    for (int k = 1; k < 5; k++) {
        float *step = x + 4 * k;
        step[0] = eta[k] - eta[k - 1];
        step[1] = lstref_delta_phi(t->phi[k], t->phi[k - 1]) / kPhi_norm;
        step[2] = (z[k] - z[k - 1]) / kZ_max;
        step[3] = (t->rt[k] - t->rt[k - 1]) / kR_max;
    }
    /* Quintuplet.h: the bridge radius through anchors 2, 3, 4. */
    float bridgeRadius = lstref_circle_radius(t->x[1], t->y[1], t->x[2], t->y[2], t->x[3], t->y[3]);
    x[20] = log10f(t->innerRadius);
    x[21] = log10f(bridgeRadius);
    x[22] = log10f(t->outerRadius);
}

/* NeuralNetwork.h linear_layer: out[i] = b[i]; out[i] += in[j] * W[j][i], j ascending. */
static void linear(int inputs, int outputs, const float *in, float *out, const float *wgtT, const float *bias)
{
    for (int i = 0; i < outputs; i++) {
        out[i] = bias[i];
        for (int j = 0; j < inputs; j++) out[i] += in[j] * wgtT[j * outputs + i];
    }
}

static void relu(int n, float *v)
{
    for (int i = 0; i < n; i++) v[i] = (v[i] > 0.f) ? v[i] : 0.f;
}

float lstref_score(const lstref_network *net, const float x[LSTREF_INPUTS])
{
    float x1[LSTREF_HIDDEN], x2[LSTREF_HIDDEN], x3[1];
    linear(LSTREF_INPUTS, LSTREF_HIDDEN, x, x1, &net->wgtT_layer1[0][0], net->bias_layer1);
    relu(LSTREF_HIDDEN, x1);
    linear(LSTREF_HIDDEN, LSTREF_HIDDEN, x1, x2, &net->wgtT_layer2[0][0], net->bias_layer2);
    relu(LSTREF_HIDDEN, x2);
    linear(LSTREF_HIDDEN, 1, x2, x3, &net->wgtT_output_layer[0][0], net->bias_output_layer);
    return expf(x3[0]) / (expf(x3[0]) + 1.f);
}

int lstref_pass(const lstref_network *net, const lstref_t5 *t, float score)
{
    float t5_pt = t->innerRadius * k2Rinv1GeVf * 2;
    int pt_index = t5_pt > 5.0f;
    float eta1 = fabsf(t->eta[0]);
    /* LST: (eta1 > 2.5f) ? kEtaBins - 1 : (unsigned)(eta1 / kEtaSize); at exactly
     * 2.5 that indexes past the row, which C cannot reproduce: the last bin
     * here. A NaN eta1 (undefined in LST) also takes the last bin; its score
     * is LST's constant, below every cut. */
    int bin_index = LSTREF_ETA_BINS - 1;
    if (eta1 <= 2.5f) {
        bin_index = (int)(eta1 / kEtaSize);
        if (bin_index > LSTREF_ETA_BINS - 1) bin_index = LSTREF_ETA_BINS - 1;
    }
    return score > net->kWp[pt_index][bin_index];
}
