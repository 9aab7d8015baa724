/*
 * Comparison of library outputs with golden values, shared by the T5 golden
 * tests (t5_golden.c, t5_v2_golden.c).
 *
 * A value matches its golden value when both are NaN, both are the same
 * infinity, or both are finite and |got - want| <= tol (times max(1, |want|)
 * when relative). The first GOLDEN_MAX_REPORTS differences of a test are
 * printed, naming the event and the index.
 */
#ifndef TRIGML_GOLDEN_COMPARE_H
#define TRIGML_GOLDEN_COMPARE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define GOLDEN_MAX_REPORTS 10

static int golden_reports;

static inline int golden_matches(float got, float want, double tol, int relative)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    if (!isfinite(got)) return 0;
    double scale = relative ? fmax(1.0, fabs((double)want)) : 1.0;
    return fabs((double)got - (double)want) <= tol * scale;
}

/* Compares n values; returns how many differ and raises *max_diff to the
 * largest finite difference seen. */
static inline uint64_t golden_compare(const char *what, uint32_t event, const float *got, const float *want,
                                      uint64_t n, double tol, int relative, double *max_diff)
{
    uint64_t bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (isfinite(got[i]) && isfinite(want[i])) *max_diff = fmax(*max_diff, fabs((double)got[i] - want[i]));
        if (!golden_matches(got[i], want[i], tol, relative)) {
            bad++;
            if (golden_reports++ < GOLDEN_MAX_REPORTS)
                fprintf(stderr, "  event %u %s[%llu]: library %.9g, golden %.9g\n", event, what,
                        (unsigned long long)i, got[i], want[i]);
        }
    }
    return bad;
}

/* Every cut of a model file's working points, read from its JSON text: the
 * numbers of each "cuts" table and each single "cut" (version 1's
 * "working_point" and version 2's "working_points" alike). A deliberately
 * small scanner: tools/ wrote the file and the library has validated it.
 * Returns the count (at most max kept), -1 when the file cannot be read. */
static inline int golden_read_cuts(const char *path, double *cuts, int max)
{
    size_t size;
    char *text = test_read_file(path, &size);
    if (!text) return -1;
    int n = 0;
    for (const char *key = strstr(text, "\"cut"); key; key = strstr(key + 1, "\"cut")) {
        if (strncmp(key, "\"cuts\"", 6) != 0 && strncmp(key, "\"cut\"", 5) != 0) continue;
        const char *p = strchr(key + 4, ':');
        int depth = 0;
        while (p && *++p) {
            if (*p == '[') depth++;
            else if (*p == ']' && --depth == 0) break;
            else if (*p == '-' || (*p >= '0' && *p <= '9')) {
                char *end;
                double v = strtod(p, &end);
                if (n < max) cuts[n] = v;
                n++;
                if (depth == 0) break; /* a single "cut" */
                p = end - 1;
            }
        }
    }
    free(text);
    return n < max ? n : max;
}

/* True when `score` is within `tol` of one of the n cuts: there a last-bit
 * difference may legitimately flip a pass flag. */
static inline int golden_near_a_cut(float score, const double *cuts, int n, double tol)
{
    for (int i = 0; i < n; i++)
        if (fabs((double)score - cuts[i]) <= tol) return 1;
    return 0;
}

/* One pass flag against its golden value: NaN scores never pass on either
 * side; flags of scores near a cut are skipped (*skipped counts them).
 * Returns 1 when the flag is wrong. */
static inline int golden_pass_differs(uint32_t event, size_t t, const char *where, uint8_t got, uint8_t want,
                                      float score, float want_score, const double *cuts, int n_cuts, double tol,
                                      uint64_t *skipped)
{
    int bad;
    if (isnan(want_score)) {
        bad = got != 0 || want != 0;
    } else if (golden_near_a_cut(want_score, cuts, n_cuts, tol)) {
        ++*skipped;
        return 0;
    } else {
        bad = got != want;
    }
    if (bad && golden_reports++ < GOLDEN_MAX_REPORTS)
        fprintf(stderr, "  event %u T5 %zu%s: pass library %u, golden %u (score %.9g / %.9g)\n", event, t, where, got,
                want, score, want_score);
    return bad;
}

#endif
