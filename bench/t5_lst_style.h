/* The LST-style per-candidate T5 scorer (t5_lst_style.c). */
#ifndef T5_LST_STYLE_H
#define T5_LST_STYLE_H

#include <stdint.h>

#include "trigml.h"

#ifdef LST_FULL_UNROLL
#define LST_API(name) name##_unrolled
#else
#define LST_API(name) name
#endif

/* Scores and pass flags of every candidate of b, one candidate at a time. */
void lst_t5_score(const tml_t5_batch *b, float *score, uint8_t *pass);

/* The 23 lst-v2 features as the loop computes them (float), n_t5 x 23. */
void lst_t5_features(const tml_t5_batch *b, float *features);

/* The working-point cut that applies to each candidate (diagnostics). */
void lst_t5_cuts(const tml_t5_batch *b, float *cut);

/* The same three, compiled with -DLST_FULL_UNROLL. */
void lst_t5_score_unrolled(const tml_t5_batch *b, float *score, uint8_t *pass);
void lst_t5_features_unrolled(const tml_t5_batch *b, float *features);
void lst_t5_cuts_unrolled(const tml_t5_batch *b, float *cut);

#endif
