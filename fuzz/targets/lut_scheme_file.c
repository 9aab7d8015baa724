/*
 * Fuzz target: LUT scheme files ("trigml.lut-scheme").
 *
 * Refused files: a content error naming the file, *out NULL. Accepted
 * schemes: a non-empty address range that does not wrap, a sane input
 * count, the first and last 16 addresses of the range decode to finite
 * inputs (the loader bounds every derived value and refuses schemes that
 * could overflow), decoding is
 * the same alone and in a batch, and an address just past the range is
 * refused with TML_ERR_INVALID_ARGUMENT and nothing written.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

enum { PROBES = 32 };

static void check_scheme(const tml_lut_scheme *s)
{
    uint64_t first = tml_lut_scheme_first_address(s), count = tml_lut_scheme_address_count(s);
    int32_t nf = tml_lut_scheme_feature_count(s);
    FZ_REQUIRE(count >= 1 && first + count > first, "range [%llu, +%llu)", (unsigned long long)first,
               (unsigned long long)count);
    FZ_REQUIRE(nf >= 0 && nf <= 4096, "feature count %d", nf);
    uint64_t address[PROBES];
    size_t n = 0;
    for (uint64_t k = 0; k < PROBES / 2 && k < count; k++) address[n++] = first + k;
    for (uint64_t k = 0; k < PROBES / 2 && count > PROBES / 2 + k; k++) address[n++] = first + count - 1 - k;
    size_t width = nf > 0 ? (size_t)nf : 1;
    float *features = malloc(PROBES * width * sizeof(float));
    float *alone = malloc(width * sizeof(float));
    FZ_REQUIRE(tml_lut_decode(s, n, address, features) == TML_OK, "decoding addresses inside the range");
    for (size_t i = 0; i < n; i++) {
        FZ_REQUIRE(tml_lut_decode(s, 1, &address[i], alone) == TML_OK, "one address");
        for (size_t j = 0; j < (size_t)nf; j++) {
            FZ_REQUIRE(isfinite(features[i * width + j]), "address %llu input %zu decodes to %.9g",
                       (unsigned long long)address[i], j, features[i * width + j]);
            FZ_REQUIRE(fz_same_float(alone[j], features[i * width + j]), "address %llu input %zu: alone %.9g, batch %.9g",
                       (unsigned long long)address[i], j, alone[j], features[i * width + j]);
        }
    }
    if (first + count != 0) {
        uint64_t past = first + count;
        alone[0] = 12345.0f;
        tml_status st = tml_lut_decode(s, 1, &past, alone);
        FZ_REQUIRE(st == TML_ERR_INVALID_ARGUMENT, "an address past the range: status %d", st);
        FZ_REQUIRE(nf == 0 || alone[0] == 12345.0f, "a refused decode wrote its output");
    }
    free(features);
    free(alone);
}

FZ_FILE_LOADER_TARGET(tml_lut_scheme, tml_lut_scheme_load, check_scheme, tml_lut_scheme_free)
