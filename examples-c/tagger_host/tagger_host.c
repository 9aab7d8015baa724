/*
 * tagger_host: a decorrelated jet tagger through the TrigML C ABI.
 *
 *   tagger_host [--model PATH] [--map PATH] [--jets PATH] [--batch N]
 *               [--signal-class K] [--min-jets N]
 *
 * Loads a tagger (default models/taggers/mlp_raw.json, the trained MLP) and
 * a DDT map (default models/taggers/ddt_raw_q05.json, its 5% background-
 * efficiency map), scores a jet file (default
 * examples-c/tagger_host/demo_jets.bin: held-out Pythia 8 jets; format in
 * docs/formats/jet_file.md) in batches of N jets, applies the DDT to the
 * tagger's probability (a map built on the logit says so in its file,
 * "score_transform": "logit", and takes the logit itself) and prints, per
 * 5 GeV groomed-mass bin
 * from 50 to 300 GeV, the fraction of background (label 0) weight that
 * passes
 *   - the DDT cut (tml_ddt_apply > 0), and
 *   - for contrast, one global cut on the raw score at the same background
 *     efficiency q (the map's background_efficiency). That cut is a one-bin
 *     DDT map built with tml_ddt_build from the file's background, so it
 *     uses exactly the library's weighted-quantile definition.
 * A flat DDT column is what decorrelation means; the raw column shows the
 * sculpting. When the file has both signal and background weight it also
 * prints R50 and 1/JSD (tml_metric_r50_jsd) for the raw score and the
 * DDT-decorrelated score.
 *
 * A softmax tagger is reduced to one score with tml_discriminant_log_ratio
 * (signal class K, default 0; the other classes weighted equally), turned
 * into the probability-like ratio p_sig / (p_sig + sum_k f_k p_k) =
 * 1 / (1 + e^-D) (the form of CMS's XbbvsQCD discriminants), whose logit
 * is D again, so either kind of map takes it.
 *
 * Every library status is checked; a failure prints tml_last_error() and
 * exits 1. The library is dlopen()ed ($TRIGML_LIB or the configured path).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jet_file.h"
#include "tml_loader.h"

#ifndef TRIGML_SOURCE_DIR
#define TRIGML_SOURCE_DIR "."
#endif

#define MASS_BINS 50
#define MASS_LOW 50.0
#define MASS_WIDTH 5.0

static const tml_api *api;

/* Prints the failing call with the library's message and exits. */
static void must(tml_status st, const char *call)
{
    if (st == TML_OK) return;
    fprintf(stderr, "tagger_host: %s failed: %s: %s\n", call, tml_status_name(st), api->last_error());
    exit(1);
}

/* The text after `"key":` in the head of a DDT map file (the C ABI has no
 * accessors for the map's settings; the library has already validated the
 * file by the time this runs, and tml_ddt_save writes the settings before
 * the grids). NULL when absent. */
static const char *map_member(const char *head, const char *key)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = strstr(head, quoted);
    const char *colon = at ? strchr(at, ':') : NULL;
    return colon ? colon + 1 : NULL;
}

/* background_efficiency (NAN when absent) and whether the map takes the
 * logit of the score (score_transform "logit"; absent in format version 1:
 * the identity). */
static double map_settings(const char *path, int *logit)
{
    *logit = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NAN;
    char head[8192];
    size_t got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[got] = 0;
    const char *transform = map_member(head, "score_transform");
    *logit = transform && strstr(transform, "\"logit\"") == transform + strspn(transform, " ");
    const char *q = map_member(head, "background_efficiency");
    return q ? strtod(q, NULL) : NAN;
}

static char *source_path(const char *relative)
{
    size_t n = strlen(TRIGML_SOURCE_DIR) + strlen(relative) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", TRIGML_SOURCE_DIR, relative);
    return p;
}

static void usage(void)
{
    fprintf(stderr, "usage: tagger_host [--model PATH] [--map PATH] [--jets PATH] [--batch N] [--signal-class K] "
                    "[--min-jets N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    char *model_path = source_path("models/taggers/mlp_raw.json");
    char *map_path = source_path("models/taggers/ddt_raw_q05.json");
    char *jets_path = source_path("examples-c/tagger_host/demo_jets.bin");
    uint64_t batch = 4096;
    int32_t signal_class = 0;
    double min_jets = 50; /* bins with less background weight are shown but not in the max deviation */
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (!strcmp(argv[i], "--model")) free(model_path), model_path = strdup(argv[++i]);
        else if (!strcmp(argv[i], "--map")) free(map_path), map_path = strdup(argv[++i]);
        else if (!strcmp(argv[i], "--jets")) free(jets_path), jets_path = strdup(argv[++i]);
        else if (!strcmp(argv[i], "--batch")) batch = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--signal-class")) signal_class = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--min-jets")) min_jets = atof(argv[++i]);
        else usage();
    }
    if (batch == 0) usage();

    char err[1024];
    if (!(api = tml_load(NULL, err, sizeof err))) {
        fprintf(stderr, "tagger_host: %s\n", err);
        return 1;
    }
    printf("TrigML %s (ABI %u) from %s\n", api->version(), (unsigned)api->abi_version, tml_library_path(NULL));

    jet_file jets;
    if (jet_file_read(jets_path, &jets, err, sizeof err) != 0) {
        fprintf(stderr, "tagger_host: %s\n", err);
        return 1;
    }
    size_t n = (size_t)jets.n_jets;
    printf("jets:   %s: %zu jets, %llu constituents, %u jet / %u constituent features\n", jets_path, n,
           (unsigned long long)jets.n_constituents, jets.jet_feature_count, jets.constituent_feature_count);

    tml_tagger *tagger = NULL;
    must(api->tagger_load(model_path, &tagger), "tml_tagger_load");
    int32_t n_out = api->tagger_output_count(tagger);
    int32_t n_con = api->tagger_constituent_feature_count(tagger);
    printf("tagger: %s: %s, %d output(s), %d jet features, %d constituent features\n", model_path,
           n_con > 0 ? "Deep Sets" : "MLP", n_out, api->tagger_jet_feature_count(tagger), n_con);
    if (n_out < 1) {
        fprintf(stderr, "tagger_host: output count %d\n", n_out);
        return 1;
    }

    tml_ddt_map *map = NULL;
    must(api->ddt_load(map_path, &map), "tml_ddt_load");
    int logit_map = 0;
    double q = map_settings(map_path, &logit_map);
    if (!(q > 0 && q < 1)) {
        fprintf(stderr, "tagger_host: %s: no background_efficiency in (0, 1)\n", map_path);
        return 1;
    }
    printf("map:    %s: background efficiency q = %g, on the %s\n", map_path, q,
           logit_map ? "logit of the score (the map takes it itself)" : "score as given");

    /* ---- scores, batch by batch (each batch's CSR offsets are the file's own) */
    float *prob = malloc((n * (size_t)n_out + 1) * sizeof(float));
    float *score = malloc((n + 1) * sizeof(float));
    float *ddt = malloc((n + 1) * sizeof(float));
    float *raw = malloc((n + 1) * sizeof(float));
    for (uint64_t first = 0; first < jets.n_jets; first += batch) {
        uint64_t count = jets.n_jets - first < batch ? jets.n_jets - first : batch;
        tml_jet_batch b = jet_file_batch(&jets, first, count);
        must(api->tagger_score(tagger, &b, prob + first * (uint64_t)n_out), "tml_tagger_score");
    }
    if (n_out == 1) {
        /* The tagger's probability as it is: the maps of models/taggers/
         * are built on its logit z = ln p - ln(1 - p) (docs/taggers.md, "The
         * DDT score"), and they record it, so tml_ddt_apply takes z itself. */
        memcpy(score, prob, n * sizeof(float));
        printf("score:  the tagger probability\n");
    } else {
        float *fractions = calloc((size_t)n_out, sizeof(float));
        for (int32_t k = 0; k < n_out; k++)
            if (k != signal_class) fractions[k] = 1.0f / (float)(n_out - 1);
        must(api->discriminant_log_ratio(n, n_out, prob, signal_class, fractions, score), "tml_discriminant_log_ratio");
        for (size_t j = 0; j < n; j++) score[j] = (float)(1.0 / (1.0 + exp(-(double)score[j])));
        printf("score:  p_sig / (p_sig + sum f_k p_k) = 1 / (1 + e^-D), D the DL1-style log ratio, signal class %d, "
               "other classes weighted equally\n", signal_class);
        free(fractions);
    }
    must(api->ddt_apply(map, n, score, jets.mass, jets.pt, ddt), "tml_ddt_apply");

    /* ---- the raw cut at the same background efficiency: a one-bin map */
    size_t n_bkg = 0, n_sig = 0, n_nan = 0;
    double w_bkg = 0, w_sig = 0;
    float *bs = malloc((n + 1) * sizeof(float)), *bm = malloc((n + 1) * sizeof(float));
    float *bp = malloc((n + 1) * sizeof(float)), *bw = malloc((n + 1) * sizeof(float));
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(score[j]) || !isfinite(ddt[j])) {
            n_nan++;
            continue;
        }
        if (jets.label[j]) {
            n_sig++;
            w_sig += jets.weight[j];
        } else {
            bs[n_bkg] = score[j], bm[n_bkg] = jets.mass[j], bp[n_bkg] = jets.pt[j], bw[n_bkg] = jets.weight[j];
            n_bkg++;
            w_bkg += jets.weight[j];
        }
    }
    if (n_bkg == 0) {
        fprintf(stderr, "tagger_host: no background jet (label 0) with a finite score: nothing to show\n");
        return 1;
    }
    tml_ddt_config one;
    must(api->ddt_config_init(&one, q), "tml_ddt_config_init");
    one.rho_min = -1e3, one.rho_max = 1e3, one.pt_min = 0, one.pt_max = 1e9;
    one.rho_bins = 1, one.pt_bins = 1, one.min_entries = 1;
    one.score_transform = logit_map ? TML_DDT_SCORE_LOGIT : TML_DDT_SCORE_IDENTITY; /* the DDT map's scale */
    tml_ddt_map *global = NULL;
    must(api->ddt_build(n_bkg, bs, bm, bp, bw, &one, &global), "tml_ddt_build (global raw cut)");
    must(api->ddt_apply(global, n, score, jets.mass, jets.pt, raw), "tml_ddt_apply (global raw cut)");
    /* the cut value X itself: a score whose transform is 0 (p = 0.5 for
     * the logit, 0 for the identity) gives 0 - X */
    float zero_point = logit_map ? 0.5f : 0.0f, one_mass = 100.0f, one_pt = 500.0f, minus_cut;
    must(api->ddt_apply(global, 1, &zero_point, &one_mass, &one_pt, &minus_cut), "tml_ddt_apply (cut value)");
    double raw_cut = -(double)minus_cut;

    /* ---- pass fractions per mass bin (background weight) */
    double tot[MASS_BINS] = {0}, pass_raw[MASS_BINS] = {0}, pass_ddt[MASS_BINS] = {0};
    double all_raw = 0, all_ddt = 0, sig_raw = 0, sig_ddt = 0;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(score[j]) || !isfinite(ddt[j])) continue;
        double w = jets.weight[j];
        int pr = raw[j] > 0, pd = ddt[j] > 0;
        if (jets.label[j]) {
            sig_raw += pr * w, sig_ddt += pd * w;
            continue;
        }
        all_raw += pr * w, all_ddt += pd * w;
        double a = ((double)jets.mass[j] - MASS_LOW) / MASS_WIDTH;
        if (!(a >= 0 && a < MASS_BINS)) continue;
        int b = (int)a;
        tot[b] += w, pass_raw[b] += pr * w, pass_ddt[b] += pd * w;
    }
    printf("\nbackground: %zu jets (weight %.1f), signal: %zu jets (weight %.1f), %zu jets with a NaN score left out\n",
           n_bkg, w_bkg, n_sig, w_sig, n_nan);
    printf("raw cut at q = %g over all background: %s > %.6f\n\n", q, logit_map ? "logit of the score" : "score",
           raw_cut);
    printf("background pass fraction per groomed-mass bin (target q = %g)\n", q);
    printf("  mass [GeV]   bkg weight   raw cut   DDT cut\n");
    double dev_raw = 0, dev_ddt = 0;
    int shown = 0;
    for (int b = 0; b < MASS_BINS; b++) {
        double lo = MASS_LOW + MASS_WIDTH * b;
        if (tot[b] <= 0) {
            printf("  %5.0f-%-5.0f %10.1f         -         -\n", lo, lo + MASS_WIDTH, tot[b]);
            continue;
        }
        double fr = pass_raw[b] / tot[b], fd = pass_ddt[b] / tot[b];
        printf("  %5.0f-%-5.0f %10.1f   %7.4f   %7.4f%s\n", lo, lo + MASS_WIDTH, tot[b], fr, fd,
               tot[b] >= min_jets ? "" : "   (few jets)");
        if (tot[b] >= min_jets) {
            dev_raw = fmax(dev_raw, fabs(fr - q));
            dev_ddt = fmax(dev_ddt, fabs(fd - q));
            shown++;
        }
    }
    printf("\nall background: raw %.4f, DDT %.4f pass\n", all_raw / w_bkg, all_ddt / w_bkg);
    printf("max |pass fraction - q| over the %d bins with >= %g background weight: raw %.4f, DDT %.4f\n", shown,
           min_jets, dev_raw, dev_ddt);
    if (w_sig > 0) printf("signal efficiency: raw %.4f, DDT %.4f\n", sig_raw / w_sig, sig_ddt / w_sig);

    /* ---- R50 and 1/JSD when the file has both classes */
    if (w_sig > 0 && w_bkg > 0) {
        size_t m = 0;
        float *ms = malloc((n + 1) * sizeof(float)), *md = malloc((n + 1) * sizeof(float));
        float *mm = malloc((n + 1) * sizeof(float)), *mw = malloc((n + 1) * sizeof(float));
        uint8_t *ml = malloc(n + 1);
        for (size_t j = 0; j < n; j++) {
            if (!isfinite(score[j]) || !isfinite(ddt[j])) continue;
            ms[m] = score[j], md[m] = ddt[j], mm[m] = jets.mass[j], mw[m] = jets.weight[j], ml[m] = jets.label[j];
            m++;
        }
        double r_raw, j_raw, r_ddt, j_ddt;
        must(api->metric_r50_jsd(m, ms, ml, mm, mw, &r_raw, &j_raw), "tml_metric_r50_jsd (raw)");
        must(api->metric_r50_jsd(m, md, ml, mm, mw, &r_ddt, &j_ddt), "tml_metric_r50_jsd (DDT)");
        printf("\nat 50%% signal efficiency (tml_metric_r50_jsd):\n");
        printf("  %-18s R50 %9.2f   1/JSD %9.2f\n", "raw score", r_raw, j_raw);
        printf("  %-18s R50 %9.2f   1/JSD %9.2f\n", "DDT score - X_q", r_ddt, j_ddt);
        free(ms), free(md), free(mm), free(mw), free(ml);
    } else {
        printf("\nR50 / 1/JSD: skipped (the file needs signal and background weight)\n");
    }

    api->ddt_free(global);
    api->ddt_free(map);
    api->tagger_free(tagger);
    free(prob), free(score), free(ddt), free(raw), free(bs), free(bm), free(bp), free(bw);
    jet_file_free(&jets);
    free(model_path), free(map_path), free(jets_path);
    return 0;
}
