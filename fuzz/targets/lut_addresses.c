/*
 * Fuzz target: LUT address arrays and output ranges on the preset schemes
 * (tml_lut_decode, tml_lut_evaluate, tml_lut_generate).
 *
 * Set-up: the four small forests of Tests/golden/lut/ (9, 10, 12 and 20
 * inputs: one matches every emtf2017 preset), loaded once.
 *
 * Decoding:
 *   byte 0  scheme: one of the 11 emtf2017 presets
 *   byte 1  bit 0: conversion emtf2017 / emtf2022; bit 1: a forest whose
 *           input count does not match the scheme; bit 2: n_threads 2
 *           for generate (else 1)
 *   byte 2  number of addresses n (0..31), then per address a kind byte
 *           (inside, first/last, just before, just past, far past, raw
 *           64-bit) and its value bytes
 *   then    a range kind byte (inside, straddling the end, straddling the
 *           start, past the end, raw start, empty), a count (1..512) and
 *           an offset
 *
 * Checks: tml_lut_decode and tml_lut_evaluate succeed exactly when every
 * address is inside [first, first + count) of the scheme, else
 * TML_ERR_INVALID_ARGUMENT with nothing written; decoded inputs are finite
 * and the same alone as in the batch. tml_lut_generate with the matching
 * forest succeeds exactly when the range is inside (an empty range is
 * accepted anywhere), else TML_ERR_INVALID_ARGUMENT with nothing written;
 * its words equal tml_lut_evaluate's, address by address. With a
 * mismatched forest it fails with TML_ERR_SHAPE and writes nothing.
 * Every output buffer is one malloc of exactly its length.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

/* MAX_RANGE: each generated word is re-evaluated one address at a time
 * under trace-cmp instrumentation (about 400 traced compares per address),
 * so 4096-word ranges held the target at ~160 executions/s; 512 keeps every
 * range kind (straddling, past, empty) at ~8x the rate. Large ranges and
 * the tabulated path are covered by the C and pytest LUT parity tests. */
enum { N_SCHEMES = 11, N_FORESTS = 4, MAX_ADDR = 32, MAX_RANGE = 512 };

static const char *const kSchemes[N_SCHEMES] = {
    "emtf2017-mode15", "emtf2017-mode14", "emtf2017-mode13", "emtf2017-mode11", "emtf2017-mode7", "emtf2017-mode12",
    "emtf2017-mode10", "emtf2017-mode9",  "emtf2017-mode6",  "emtf2017-mode5",  "emtf2017-mode3"};
static const char *const kForests[N_FORESTS] = {"Tests/golden/lut/forest_9f.json", "Tests/golden/lut/forest_10f.json",
                                                "Tests/golden/lut/forest_12f.json",
                                                "Tests/golden/lut/forest_20f.json"};

static tml_lut_scheme *g_scheme[N_SCHEMES];
static tml_forest *g_forest[N_FORESTS];
static tml_pt_conversion g_conv[2];

static void cleanup(void)
{
    for (int i = 0; i < N_SCHEMES; i++) tml_lut_scheme_free(g_scheme[i]);
    for (int i = 0; i < N_FORESTS; i++) tml_forest_free(g_forest[i]);
    memset(g_scheme, 0, sizeof g_scheme);
    memset(g_forest, 0, sizeof g_forest);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    for (int i = 0; i < N_SCHEMES; i++)
        if (tml_lut_scheme_preset(kSchemes[i], &g_scheme[i]) != TML_OK) {
            fprintf(stderr, "lut_addresses: preset %s: %s\n", kSchemes[i], tml_last_error());
            abort();
        }
    for (int i = 0; i < N_FORESTS; i++)
        if (tml_forest_load(fz_source_path(kForests[i]), &g_forest[i]) != TML_OK) {
            fprintf(stderr, "lut_addresses: %s: %s\n", kForests[i], tml_last_error());
            abort();
        }
    if (tml_pt_conversion_preset("emtf2017", &g_conv[0]) != TML_OK ||
        tml_pt_conversion_preset("emtf2022", &g_conv[1]) != TML_OK) {
        fprintf(stderr, "lut_addresses: conversion presets: %s\n", tml_last_error());
        abort();
    }
    /* Warm-up: a forest's LUT form is built by its first LUT call and kept
     * for the handle's life (Forest.lutForm()), as are the library's
     * once-only tables. Made here, that allocation is not charged to the
     * first input that reaches it: libFuzzer runs a leak check whenever an
     * input's mallocs and frees do not balance, and LeakSanitizer cannot
     * follow the tagged pointers inside Swift enum payloads, so the long-lived
     * handles above would be reported as leaks. Statuses are ignored: an
     * incompatible scheme/forest pair is simply refused. */
    for (int f = 0; f < N_FORESTS; f++)
        for (int s = 0; s < N_SCHEMES; s++) {
            uint64_t first = tml_lut_scheme_first_address(g_scheme[s]);
            uint16_t word;
            float margin;
            (void)tml_lut_evaluate(g_scheme[s], g_forest[f], &g_conv[0], 1, &first, &word, &margin, 1);
        }
    atexit(cleanup);
    return 0;
}

static int inside(uint64_t a, uint64_t first, uint64_t count) { return a >= first && a - first < count; }

static uint64_t pick_address(fz_reader *r, uint64_t first, uint64_t count)
{
    uint8_t kind = fz_u8(r) % 8;
    switch (kind) {
    case 0:
    case 1:
        return first + fz_u32(r) % count;
    case 2:
        return (fz_u8(r) & 1) ? first + count - 1 : first;
    case 3:
        return first - 1 - fz_u8(r) % 4;
    case 4:
        return first + count + fz_u8(r) % 4;
    case 5:
        return first + count + fz_u32(r);
    case 6:
        return UINT64_MAX - fz_u8(r);
    default:
        return fz_u64(r);
    }
}

static void check_decode(const tml_lut_scheme *s, const tml_forest *f, const tml_pt_conversion *c, size_t n,
                         const uint64_t *address, int all_inside)
{
    size_t nf = (size_t)tml_lut_scheme_feature_count(s);
    size_t len = n * nf;
    float *features = malloc((len ? len : 1) * sizeof(float));
    memset(features, 0x5A, (len ? len : 1) * sizeof(float));
    tml_status st = tml_lut_decode(s, n, address, features);
    if (all_inside) {
        FZ_REQUIRE(st == TML_OK, "decoding %zu addresses inside the scheme: status %d (%s)", n, st, tml_last_error());
        float alone[64];
        for (size_t i = 0; i < n; i++) {
            FZ_REQUIRE(tml_lut_decode(s, 1, &address[i], alone) == TML_OK, "one address: %s", tml_last_error());
            for (size_t j = 0; j < nf; j++) {
                FZ_REQUIRE(isfinite(features[i * nf + j]), "address %llu input %zu = %.9g",
                           (unsigned long long)address[i], j, features[i * nf + j]);
                FZ_REQUIRE(fz_same_float(alone[j], features[i * nf + j]), "address %llu input %zu: alone %.9g, batch %.9g",
                           (unsigned long long)address[i], j, alone[j], features[i * nf + j]);
            }
        }
    } else {
        FZ_REQUIRE(st == TML_ERR_INVALID_ARGUMENT, "decoding an address outside the scheme: status %d", st);
        FZ_REQUIRE(tml_last_error()[0] != '\0', "a failed decode without a message");
        for (size_t i = 0; i < len; i++)
            FZ_REQUIRE(((uint32_t *)features)[i] == 0x5A5A5A5Au, "a refused decode wrote features[%zu]", i);
    }
    free(features);

    /* tml_lut_evaluate: the same rule for the addresses. */
    uint16_t *words = malloc((n ? n : 1) * sizeof(uint16_t));
    float *margins = malloc((n ? n : 1) * sizeof(float));
    memset(words, 0xA5, (n ? n : 1) * sizeof(uint16_t));
    memset(margins, 0x5A, (n ? n : 1) * sizeof(float));
    st = tml_lut_evaluate(s, f, c, n, address, words, margins, 1);
    if (all_inside) {
        FZ_REQUIRE(st == TML_OK, "evaluating %zu addresses inside the scheme: status %d (%s)", n, st, tml_last_error());
        for (size_t i = 0; i < n; i++) {
            FZ_REQUIRE(words[i] <= c->word_max, "word %u past word_max %u", words[i], c->word_max);
            FZ_REQUIRE(isfinite(margins[i]), "address %llu: margin %.9g", (unsigned long long)address[i], margins[i]);
        }
    } else {
        FZ_REQUIRE(st == TML_ERR_INVALID_ARGUMENT, "evaluating an address outside the scheme: status %d", st);
        for (size_t i = 0; i < n; i++)
            FZ_REQUIRE(words[i] == 0xA5A5u && ((uint32_t *)margins)[i] == 0x5A5A5A5Au,
                       "a refused evaluate wrote entry %zu", i);
    }
    free(words);
    free(margins);
}

static void check_generate(const tml_lut_scheme *s, const tml_forest *f, const tml_pt_conversion *c, int matching,
                           uint64_t start, uint64_t count, int32_t n_threads)
{
    uint64_t first = tml_lut_scheme_first_address(s), total = tml_lut_scheme_address_count(s);
    int ok_range = count == 0 || (start >= first && start - first <= total && count <= total - (start - first));
    size_t len = count ? (size_t)count : 1;
    uint16_t *out = malloc(len * sizeof(uint16_t));
    memset(out, 0xA5, len * sizeof(uint16_t));
    tml_status st = tml_lut_generate(s, f, c, start, count, out, n_threads);
    if (!matching) {
        if (count > 0) {
            FZ_REQUIRE(st == TML_ERR_SHAPE, "a forest with %d inputs for a %d-input scheme: status %d",
                       tml_forest_feature_count(f), tml_lut_scheme_feature_count(s), st);
        }
        if (st != TML_OK)
            for (size_t i = 0; i < count; i++) FZ_REQUIRE(out[i] == 0xA5A5u, "a refused generate wrote out[%zu]", i);
    } else if (ok_range) {
        FZ_REQUIRE(st == TML_OK, "range [%llu, +%llu) inside the scheme: status %d (%s)", (unsigned long long)start,
                   (unsigned long long)count, st, tml_last_error());
        if (count) {
            uint64_t *address = malloc(count * sizeof(uint64_t));
            uint16_t *words = malloc(count * sizeof(uint16_t));
            for (uint64_t k = 0; k < count; k++) address[k] = start + k;
            FZ_REQUIRE(tml_lut_evaluate(s, f, c, count, address, words, NULL, 1) == TML_OK, "evaluate: %s",
                       tml_last_error());
            for (uint64_t k = 0; k < count; k++)
                FZ_REQUIRE(words[k] == out[k], "address %llu: generate %u, evaluate %u",
                           (unsigned long long)address[k], out[k], words[k]);
            free(address);
            free(words);
        }
    } else {
        FZ_REQUIRE(st == TML_ERR_INVALID_ARGUMENT, "range [%llu, +%llu) outside the scheme: status %d",
                   (unsigned long long)start, (unsigned long long)count, st);
        FZ_REQUIRE(tml_last_error()[0] != '\0', "a failed generate without a message");
        for (size_t i = 0; i < count; i++) FZ_REQUIRE(out[i] == 0xA5A5u, "a refused generate wrote out[%zu]", i);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r = fz_reader_make(data, size);
    const tml_lut_scheme *s = g_scheme[fz_u8(&r) % N_SCHEMES];
    uint8_t flags = fz_u8(&r);
    const tml_pt_conversion *c = &g_conv[flags & 1];
    int32_t nf = tml_lut_scheme_feature_count(s);
    int match = -1, other = -1;
    for (int i = 0; i < N_FORESTS; i++) {
        if (tml_forest_feature_count(g_forest[i]) == nf) match = i;
        else if (other < 0 || (flags >> 4) % N_FORESTS == i) other = i;
    }
    FZ_REQUIRE(match >= 0 && nf <= 64, "no golden forest with %d inputs", nf);
    int matching = !(flags & 2);
    const tml_forest *f = g_forest[matching ? match : other];
    int32_t n_threads = (flags & 4) ? 2 : 1;

    uint64_t first = tml_lut_scheme_first_address(s), total = tml_lut_scheme_address_count(s);
    uint64_t address[MAX_ADDR];
    size_t n = fz_u8(&r) % MAX_ADDR;
    int all_inside = 1;
    for (size_t i = 0; i < n; i++) {
        address[i] = pick_address(&r, first, total);
        all_inside &= inside(address[i], first, total);
    }
    check_decode(s, g_forest[match], c, n, address, all_inside);

    uint8_t kind = fz_u8(&r) % 8;
    uint64_t count = 1 + fz_u16(&r) % MAX_RANGE, start;
    uint32_t off = fz_u32(&r);
    switch (kind) {
    case 0:
    case 1:
    case 2:
        start = first + off % (total - count + 1);
        break;
    case 3: /* straddles the end, or ends exactly on it */
        start = first + total - 1 - off % count;
        if (off & 0x80000000u) start = first + total - count;
        break;
    case 4: /* straddles the start */
        start = first - 1 - off % count;
        break;
    case 5:
        start = first + total + off % 8;
        break;
    case 6:
        start = fz_u64(&r);
        break;
    default:
        start = first + off % total;
        if (off & 1) count = 0;
        break;
    }
    check_generate(s, f, c, matching, start, count, n_threads);
    return 0;
}
