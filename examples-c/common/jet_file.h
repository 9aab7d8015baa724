/*
 * jet_file.h: reader and writer for the TrigML jet file ("TMLJETS1", what
 * tools/formats/jets_file.py writes) and the golden tagger-score file ("TMLTGSC1");
 * both formats are in docs/formats/jet_file.md.
 *
 * The reader trusts nothing in the file: every count is checked against the
 * bytes that remain before anything is allocated, so a corrupt or truncated
 * file gives an error message (path, field, byte offset), never a crash or a
 * huge allocation. It also checks what the format promises about the CSR
 * offsets (offsets[0] = 0, non-decreasing, offsets[n_jets] = n_constituents)
 * and that no bytes trail the last column, so a jet_file_batch() slice of a
 * file that was read successfully is always a valid batch layout.
 *
 * Every column is its own aligned allocation (the file packs u8 columns with
 * no padding) and is never NULL, even when empty.
 */
#ifndef JET_FILE_H
#define JET_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "trigml.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counts larger than this in a header are refused before any allocation
 * (a feature count is a model's input width, not a data size). */
#define JET_FILE_MAX_FEATURES 65536u

typedef struct jet_file {
    uint64_t n_jets, n_constituents;
    uint32_t jet_feature_count, constituent_feature_count;
    float *pt, *mass, *weight;   /* [n_jets], GeV; mass = groomed mass */
    uint8_t *label;              /* [n_jets], 1 signal, 0 background */
    float *jet_features;         /* [n_jets * jet_feature_count], row-major */
    uint64_t *offsets;           /* [n_jets + 1], CSR, offsets[0] = 0 */
    float *constituent_features; /* [n_constituents * constituent_feature_count] */
} jet_file;

/* All functions returning int: 0 on success, -1 with a message in err. */

int jet_file_read(const char *path, jet_file *out, char *err, size_t err_size);
int jet_file_write(const char *path, const jet_file *in, char *err, size_t err_size);
void jet_file_free(jet_file *j);

/* Allocates every column (zeroed, offsets all 0). For programs that build
 * jet samples themselves. */
int jet_file_alloc(jet_file *j, uint64_t n_jets, uint64_t n_constituents, uint32_t jet_feature_count,
                   uint32_t constituent_feature_count, char *err, size_t err_size);

/* The library's view of jets [first, first + count) of a file that was read
 * or built consistently: pointers into `j`, nothing copied. The offsets are
 * the file's own (the slice's first offset need not be 0). The caller keeps
 * first + count <= n_jets. */
tml_jet_batch jet_file_batch(const jet_file *j, uint64_t first, uint64_t count);

/* Golden tagger scores: n_jets x output_count floats, row-major. */
typedef struct jet_scores {
    uint64_t n_jets;
    uint32_t output_count;
    float *scores;
} jet_scores;

int jet_scores_read(const char *path, jet_scores *out, char *err, size_t err_size);
void jet_scores_free(jet_scores *s);

#ifdef __cplusplus
}
#endif

#endif /* JET_FILE_H */
