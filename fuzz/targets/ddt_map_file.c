/*
 * Fuzz target: DDT map files ("trigml.ddt-map"): tml_ddt_load, then
 * tml_ddt_apply, tml_ddt_save and a reload.
 *
 * Refused files: a content error naming the file, *out NULL. Accepted maps:
 * a score outside [0, 1] is either taken (an identity map) or refused with
 * TML_ERR_INVALID_ARGUMENT and nothing written (a logit map); apply on fixed
 * jets (inside and outside both axes, mass 0, NaN/Inf inputs, mass < 0,
 * pT <= 0; the infinite score only for an identity map) gives NaN exactly
 * for the documented bad inputs; the
 * map saved and loaded again applies with the same bits, and saving it once
 * more writes the same bytes (the README's byte-identical round trip).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { N = 14 };
enum { INFINITE_SCORE = 12 };
static float kScore[N] = {0.5f, 0.9f, 0.1f, 0.0f, 1.0f, 0.7f, 0.3f, NAN, 0.5f, 0.5f, 0.5f, 0.5f, INFINITY, 0.2f};
static const float kMass[N] = {80.f, 120.f, 30.f, 0.f, 250.f, 5.f, 1e4f, 80.f, NAN, -1.f, 80.f, 80.f, 80.f, 1e-30f};
static const float kPt[N] = {400.f, 650.f, 210.f, 300.f, 999.f, 1500.f, 150.f, 400.f, 400.f, 400.f, 0.f, -5.f, 400.f, 3e38f};
/* Bad by the README: a non-finite input, mass < 0 or pT <= 0. */
static int bad_input(int i)
{
    return !isfinite(kScore[i]) || !isfinite(kMass[i]) || !isfinite(kPt[i]) || kMass[i] < 0 || kPt[i] <= 0;
}

static void check_map(const tml_ddt_map *map)
{
    float out[N], again[N];
    /* Which transform: a logit map refuses a score that is not a probability. */
    const float outside = 2.5f;
    out[0] = 7.0f;
    tml_status s = tml_ddt_apply(map, 1, &outside, kMass, kPt, out);
    FZ_REQUIRE(s == TML_OK || s == TML_ERR_INVALID_ARGUMENT, "apply of score 2.5: status %d", s);
    FZ_REQUIRE(s == TML_OK || out[0] == 7.0f, "a refused apply wrote %g", out[0]);
    kScore[INFINITE_SCORE] = s == TML_OK ? INFINITY : NAN;
    s = tml_ddt_apply(map, N, kScore, kMass, kPt, out);
    FZ_REQUIRE(s == TML_OK, "apply: status %d", s);
    for (int i = 0; i < N; i++)
        FZ_REQUIRE(!isnan(out[i]) == !bad_input(i), "jet %d (score %g, mass %g, pT %g): decorrelated score %g", i,
                   kScore[i], kMass[i], kPt[i], out[i]);

    const char *saved = fz_scratch_path();
    s = tml_ddt_save(map, saved);
    FZ_REQUIRE(s == TML_OK, "save of a map that loaded: status %d", s);
    size_t size1;
    const uint8_t *text = fz_scratch_contents(&size1);
    uint8_t *first = malloc(size1 + 1);
    memcpy(first, text, size1);

    tml_ddt_map *reloaded = NULL;
    s = tml_ddt_load(saved, &reloaded);
    FZ_REQUIRE(s == TML_OK, "the saved map does not load again: status %d", s);
    FZ_REQUIRE(tml_ddt_apply(reloaded, N, kScore, kMass, kPt, again) == TML_OK, "apply after reload");
    for (int i = 0; i < N; i++)
        FZ_REQUIRE(fz_same_float(out[i], again[i]), "jet %d: %.9g before the save, %.9g after", i, out[i], again[i]);
    FZ_REQUIRE(tml_ddt_save(reloaded, saved) == TML_OK, "second save");
    size_t size2;
    text = fz_scratch_contents(&size2);
    FZ_REQUIRE(size1 == size2 && memcmp(first, text, size1) == 0, "save -> load -> save changed the file (%zu -> %zu bytes)",
               size1, size2);
    free(first);
    tml_ddt_free(reloaded);
}

FZ_FILE_LOADER_TARGET(tml_ddt_map, tml_ddt_load, check_map, tml_ddt_free)
