#include "t5_synth.h"

#include <math.h>

/* LST barrel layer radii in cm (approximate; enough for plausible inputs). */
static const double kLayerRadius[6] = {23.0, 35.0, 50.5, 68.5, 86.0, 109.0};
/* pT [GeV] = 2 * k2Rinv1GeVf * R [cm], the convention of the README. */
static const double kK2Rinv1GeVf = 2.99792458e-3 * 3.8 / 2.0;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static double uniform(uint64_t *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double circumradius(const t5f_event *e, uint32_t a, uint32_t b, uint32_t c)
{
    double ax = e->md_x[a], ay = e->md_y[a], bx = e->md_x[b], by = e->md_y[b], cx = e->md_x[c], cy = e->md_y[c];
    double ab = hypot(bx - ax, by - ay), bc = hypot(cx - bx, cy - by), ca = hypot(ax - cx, ay - cy);
    double cross = fabs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
    return cross > 0 ? ab * bc * ca / (2.0 * cross) : 1e9;
}

int t5_synth_event(t5f_event *e, uint32_t n_tracks, uint32_t n_fakes, uint64_t seed)
{
    if (n_fakes > 0 && n_tracks < 2) return -1;
    if (t5f_event_alloc(e, 5ull * n_tracks, 2ull * n_tracks + n_fakes, (uint64_t)n_tracks + n_fakes, 1)) return -1;
    uint64_t s = seed;
    for (uint32_t k = 0; k < n_tracks; k++) {
        /* log-uniform pT in [0.8, 50] GeV, so both pT rows of the v2 working
         * point (edge 5 GeV) are populated. */
        double pt = exp(uniform(&s, log(0.8), log(50.0)));
        double q = (splitmix(&s) & 1) ? 1.0 : -1.0;
        double phi0 = uniform(&s, -M_PI, M_PI);
        double eta = uniform(&s, -2.4, 2.4);
        double z0 = uniform(&s, -5.0, 5.0);
        double R = pt / (2.0 * kK2Rinv1GeVf);
        int first_layer = (int)(splitmix(&s) % 2); /* layers 1-5 or 2-6 */
        for (uint32_t a = 0; a < 5; a++) {
            uint32_t md = t5_synth_md(k, a);
            double r = kLayerRadius[first_layer + a];
            double half = asin(r / (2.0 * R)); /* half the turning angle */
            double phi = remainder(phi0 - q * half, 2.0 * M_PI);
            double z = z0 + 2.0 * R * half * sinh(eta);
            e->md_x[md] = (float)(r * cos(phi));
            e->md_y[md] = (float)(r * sin(phi));
            e->md_z[md] = (float)z;
            e->md_r[md] = (float)r;
            e->md_eta[md] = (float)asinh(z / r);
            e->md_phi[md] = (float)phi;
            e->md_layer[md] = (uint8_t)(first_layer + 1 + a);
        }
        uint32_t inner = 2 * k, outer = 2 * k + 1;
        for (uint32_t a = 0; a < 3; a++) {
            e->t3_md[3 * inner + a] = t5_synth_md(k, a);
            e->t3_md[3 * outer + a] = t5_synth_md(k, a + 2);
        }
        e->t3_radius[inner] = (float)circumradius(e, t5_synth_md(k, 0), t5_synth_md(k, 1), t5_synth_md(k, 2));
        e->t3_radius[outer] = (float)circumradius(e, t5_synth_md(k, 2), t5_synth_md(k, 3), t5_synth_md(k, 4));
        e->t5_t3[2 * k] = inner;
        e->t5_t3[2 * k + 1] = outer;
        e->t5_is_true[k] = 1;
        e->t5_sim_pt[k] = (float)pt;
        e->t5_sim_eta[k] = (float)eta;
    }
    for (uint32_t f = 0; f < n_fakes; f++) {
        uint32_t i = (uint32_t)(splitmix(&s) % n_tracks);
        uint32_t j = (uint32_t)((i + 1 + splitmix(&s) % (n_tracks - 1)) % n_tracks); /* j != i */
        uint32_t t3 = 2 * n_tracks + f;
        e->t3_md[3 * t3] = t5_synth_md(i, 2);
        e->t3_md[3 * t3 + 1] = t5_synth_md(j, 3);
        e->t3_md[3 * t3 + 2] = t5_synth_md(j, 4);
        e->t3_radius[t3] = (float)circumradius(e, t5_synth_md(i, 2), t5_synth_md(j, 3), t5_synth_md(j, 4));
        uint64_t t5 = (uint64_t)n_tracks + f;
        e->t5_t3[2 * t5] = 2 * i;
        e->t5_t3[2 * t5 + 1] = t3;
        e->t5_is_true[t5] = 0;
        e->t5_sim_pt[t5] = 0.0f;
        e->t5_sim_eta[t5] = 0.0f;
    }
    return 0;
}
