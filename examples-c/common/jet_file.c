#include "jet_file.h"

#include <stdlib.h>
#include <string.h>

#include "byte_cursor.h"
#include "file_bytes.h"

static const char JETS_MAGIC[8] = {'T', 'M', 'L', 'J', 'E', 'T', 'S', '1'};
static const char SCORES_MAGIC[8] = {'T', 'M', 'L', 'T', 'G', 'S', 'C', '1'};

void jet_file_free(jet_file *j)
{
    if (!j) return;
    free(j->pt);
    free(j->mass);
    free(j->weight);
    free(j->label);
    free(j->jet_features);
    free(j->offsets);
    free(j->constituent_features);
    memset(j, 0, sizeof *j);
}

int jet_file_read(const char *path, jet_file *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    byte_cursor c;
    if (bc_open(&c, path, JETS_MAGIC, "TrigML jet", err, err_size) != 0) return -1;
    jet_file j;
    memset(&j, 0, sizeof j);
    uint64_t n_jf = 0, n_cf = 0;
    if (bc_take_u64(&c, &j.n_jets, "n_jets") != 0 || bc_take_u64(&c, &j.n_constituents, "n_constituents") != 0 ||
        bc_take_u32(&c, &j.jet_feature_count, "jet_feature_count") != 0 ||
        bc_take_u32(&c, &j.constituent_feature_count, "constituent_feature_count") != 0)
        goto fail;
    if (j.jet_feature_count > JET_FILE_MAX_FEATURES || j.constituent_feature_count > JET_FILE_MAX_FEATURES) {
        bc_fail(&c, "feature counts", "%u and %u (at most %u each)", j.jet_feature_count,
                j.constituent_feature_count, JET_FILE_MAX_FEATURES);
        goto fail;
    }
    if (j.n_jets == UINT64_MAX) {
        bc_fail(&c, "n_jets", "= %llu is not a count", (unsigned long long)j.n_jets);
        goto fail;
    }
    c.section = "column";
    if (bc_product(&c, j.n_jets, j.jet_feature_count, &n_jf, "jet_features") != 0 ||
        bc_product(&c, j.n_constituents, j.constituent_feature_count, &n_cf, "constituent_features") != 0)
        goto fail;
    if (!(j.pt = bc_take_column(&c, j.n_jets, 4, "pt")) || !(j.mass = bc_take_column(&c, j.n_jets, 4, "mass")) ||
        !(j.weight = bc_take_column(&c, j.n_jets, 4, "weight")) ||
        !(j.label = bc_take_column(&c, j.n_jets, 1, "label")) ||
        !(j.jet_features = bc_take_column(&c, n_jf, 4, "jet_features")) ||
        !(j.offsets = bc_take_column(&c, j.n_jets + 1, 8, "constituent_offsets")) ||
        !(j.constituent_features = bc_take_column(&c, n_cf, 4, "constituent_features")))
        goto fail;
    if (bc_expect_end(&c, "the last column") != 0) goto fail;
    if (j.offsets[0] != 0) {
        fb_set_error(err, err_size, "%s: constituent_offsets[0] = %llu, the format requires 0", path,
                     (unsigned long long)j.offsets[0]);
        goto fail;
    }
    for (uint64_t k = 1; k <= j.n_jets; k++) {
        if (j.offsets[k] < j.offsets[k - 1] || j.offsets[k] > j.n_constituents) {
            fb_set_error(err, err_size, "%s: constituent_offsets[%llu] = %llu after %llu (n_constituents = %llu): "
                         "not a non-decreasing CSR index",
                         path, (unsigned long long)k, (unsigned long long)j.offsets[k],
                         (unsigned long long)j.offsets[k - 1], (unsigned long long)j.n_constituents);
            goto fail;
        }
    }
    if (j.offsets[j.n_jets] != j.n_constituents) {
        fb_set_error(err, err_size, "%s: constituent_offsets[n_jets] = %llu but n_constituents = %llu", path,
                     (unsigned long long)j.offsets[j.n_jets], (unsigned long long)j.n_constituents);
        goto fail;
    }
    bc_close(&c);
    *out = j;
    return 0;
fail:
    bc_close(&c);
    jet_file_free(&j);
    return -1;
}

int jet_file_alloc(jet_file *j, uint64_t n_jets, uint64_t n_constituents, uint32_t jet_feature_count,
                   uint32_t constituent_feature_count, char *err, size_t err_size)
{
    memset(j, 0, sizeof *j);
    if (n_jets >= SIZE_MAX / 8 || n_constituents >= SIZE_MAX / 8 || jet_feature_count > JET_FILE_MAX_FEATURES ||
        constituent_feature_count > JET_FILE_MAX_FEATURES ||
        (jet_feature_count && n_jets > SIZE_MAX / 4 / jet_feature_count) ||
        (constituent_feature_count && n_constituents > SIZE_MAX / 4 / constituent_feature_count)) {
        fb_set_error(err, err_size, "jet_file_alloc: counts too large");
        return -1;
    }
    j->n_jets = n_jets;
    j->n_constituents = n_constituents;
    j->jet_feature_count = jet_feature_count;
    j->constituent_feature_count = constituent_feature_count;
    int ok = 1;
    j->pt = fb_alloc_column(n_jets, 4, &ok);
    j->mass = fb_alloc_column(n_jets, 4, &ok);
    j->weight = fb_alloc_column(n_jets, 4, &ok);
    j->label = fb_alloc_column(n_jets, 1, &ok);
    j->jet_features = fb_alloc_column(n_jets * jet_feature_count, 4, &ok);
    j->offsets = fb_alloc_column(n_jets + 1, 8, &ok);
    j->constituent_features = fb_alloc_column(n_constituents * constituent_feature_count, 4, &ok);
    if (!ok) {
        jet_file_free(j);
        fb_set_error(err, err_size, "jet_file_alloc: out of memory");
        return -1;
    }
    return 0;
}

int jet_file_write(const char *path, const jet_file *in, char *err, size_t err_size)
{
    fb_writer w;
    if (fb_writer_open(&w, path, err, err_size) != 0) return -1;
    uint64_t n = in->n_jets;
    fb_put(&w, JETS_MAGIC, 1, sizeof JETS_MAGIC);
    fb_put(&w, &in->n_jets, 8, 1);
    fb_put(&w, &in->n_constituents, 8, 1);
    fb_put(&w, &in->jet_feature_count, 4, 1);
    fb_put(&w, &in->constituent_feature_count, 4, 1);
    fb_put(&w, in->pt, 4, n);
    fb_put(&w, in->mass, 4, n);
    fb_put(&w, in->weight, 4, n);
    fb_put(&w, in->label, 1, n);
    fb_put(&w, in->jet_features, 4, n * in->jet_feature_count);
    fb_put(&w, in->offsets, 8, n + 1);
    fb_put(&w, in->constituent_features, 4, in->n_constituents * in->constituent_feature_count);
    return fb_writer_close(&w, err, err_size);
}

tml_jet_batch jet_file_batch(const jet_file *j, uint64_t first, uint64_t count)
{
    tml_jet_batch b;
    memset(&b, 0, sizeof b);
    b.n_jets = count;
    b.jet_feature_count = j->jet_feature_count;
    b.jet_features = j->jet_features + first * j->jet_feature_count;
    b.constituent_offsets = j->offsets + first;
    b.n_constituents = j->n_constituents;
    b.constituent_feature_count = j->constituent_feature_count;
    b.constituent_features = j->constituent_features;
    return b;
}

/* ------------------------------------------------------------ golden scores */

void jet_scores_free(jet_scores *s)
{
    if (!s) return;
    free(s->scores);
    memset(s, 0, sizeof *s);
}

int jet_scores_read(const char *path, jet_scores *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    byte_cursor c;
    if (bc_open(&c, path, SCORES_MAGIC, "TrigML tagger-score", err, err_size) != 0) return -1;
    jet_scores s;
    memset(&s, 0, sizeof s);
    uint32_t zero = 0;
    uint64_t total = 0;
    if (bc_take_u64(&c, &s.n_jets, "n_jets") != 0 || bc_take_u32(&c, &s.output_count, "output_count") != 0 ||
        bc_take_u32(&c, &zero, "reserved") != 0)
        goto fail;
    if (s.output_count == 0 || s.output_count > JET_FILE_MAX_FEATURES || zero != 0) {
        bc_fail(&c, "output_count", "= %u, reserved = %u", s.output_count, zero);
        goto fail;
    }
    if (bc_product(&c, s.n_jets, s.output_count, &total, "scores") != 0) goto fail;
    if (!(s.scores = bc_take_column(&c, total, 4, "scores"))) goto fail;
    if (bc_expect_end(&c, "the scores") != 0) goto fail;
    bc_close(&c);
    *out = s;
    return 0;
fail:
    bc_close(&c);
    jet_scores_free(&s);
    return -1;
}
