/*
 * tml_loader.h: the TrigML C ABI resolved at run time with dlopen/dlsym.
 *
 * Hosts and tests load libtrigml.so the way a framework plugin would (no
 * link-time dependency), so every C program here exercises the same path a
 * CMSSW module would take. One tml_api table is immutable after
 * tml_api_load() and may be shared by any number of threads.
 */
#ifndef TML_LOADER_H
#define TML_LOADER_H

#include <stddef.h>

#include "trigml.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tml_api {
    void *dl;           /* dlopen handle */
    char path[4096];    /* the library actually opened */
    uint32_t (*abi_version)(void);
    const char *(*version)(void);
    const char *(*last_error)(void);
    tml_status (*t5_model_default)(tml_t5_model **out);
    tml_status (*t5_model_load)(const char *path, tml_t5_model **out);
    void (*t5_model_free)(tml_t5_model *m);
    int32_t (*t5_model_input_count)(const tml_t5_model *m);
    tml_status (*t5_features)(const tml_t5_model *m, const tml_t5_batch *b, float *features);
    tml_status (*t5_score)(const tml_t5_model *m, const tml_t5_batch *b, float *score, uint8_t *pass);
    /* decorrelated taggers */
    tml_status (*tagger_load)(const char *path, tml_tagger **out);
    void (*tagger_free)(tml_tagger *t);
    int32_t (*tagger_output_count)(const tml_tagger *t);
    int32_t (*tagger_jet_feature_count)(const tml_tagger *t);
    int32_t (*tagger_constituent_feature_count)(const tml_tagger *t);
    tml_status (*tagger_score)(const tml_tagger *t, const tml_jet_batch *b, float *out);
    tml_status (*discriminant_log_ratio)(uint64_t n, int32_t n_classes, const float *prob, int32_t signal_class,
                                         const float *background_fractions, float *out);
    tml_status (*ddt_config_init)(tml_ddt_config *cfg, double background_efficiency);
    tml_status (*ddt_build)(uint64_t n, const float *score, const float *mass, const float *pt,
                            const float *weight, const tml_ddt_config *cfg, tml_ddt_map **out);
    tml_status (*ddt_apply)(const tml_ddt_map *map, uint64_t n, const float *score, const float *mass,
                            const float *pt, float *out);
    tml_status (*ddt_save)(const tml_ddt_map *map, const char *path);
    tml_status (*ddt_load)(const char *path, tml_ddt_map **out);
    void (*ddt_free)(tml_ddt_map *map);
    tml_status (*metric_r50_jsd)(uint64_t n, const float *score, const uint8_t *is_signal, const float *mass,
                                 const float *weight, double *rejection, double *inverse_jsd);
} tml_api;

/*
 * The library to open: `explicit_path` if non-NULL and non-empty, else the
 * environment variable TRIGML_LIB if set and non-empty, else the path the
 * build configured (TRIGML_LIB_DEFAULT, set by CMakeLists.txt).
 */
const char *tml_api_default_path(const char *explicit_path);

/*
 * Opens the library and resolves every T5 and tagger entry point; checks that the
 * library implements TML_ABI_VERSION. Returns 0 on success; on failure
 * returns -1 with a message in err (the dlerror() text or the mismatch).
 */
int tml_api_load(tml_api *api, const char *explicit_path, char *err, size_t err_size);

/* Forgets the table. The library itself stays mapped (see tml_loader.c). */
void tml_api_unload(tml_api *api);

/* A readable name for a status code ("TML_ERR_SHAPE"). */
const char *tml_status_name(tml_status s);

#ifdef __cplusplus
}
#endif

#endif /* TML_LOADER_H */
