/*
 * t5_synth.h: deterministic, physically plausible T5 events for the C tests
 * (the golden files come from tools/; these need nothing but a seed).
 *
 * Each true track is a 3.8 T helix from the beam line crossing five
 * consecutive barrel layers: five MDs, an inner T3 (md1, md2, md3), an outer
 * T3 (md3, md4, md5) and one T5. Each fake T5 joins a track's inner T3 to an
 * extra outer T3 that starts at that track's md3 and continues on another
 * track's md4 and md5. T3 radii are the exact circumradii of their anchors.
 */
#ifndef T5_SYNTH_H
#define T5_SYNTH_H

#include <stdint.h>

#include "t5_file.h"

/* n_md = 5*n_tracks, n_t3 = 2*n_tracks + n_fakes, n_t5 = n_tracks + n_fakes;
 * the truth columns are filled. n_fakes needs n_tracks >= 2. Returns 0 or -1. */
int t5_synth_event(t5f_event *e, uint32_t n_tracks, uint32_t n_fakes, uint64_t seed);

/* The index of track k's MD number `anchor` (0..4) in a synthetic event. */
static inline uint32_t t5_synth_md(uint32_t track, uint32_t anchor) { return 5 * track + anchor; }

#endif /* T5_SYNTH_H */
