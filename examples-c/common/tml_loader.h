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
} tml_api;

/*
 * The library to open: `explicit_path` if non-NULL and non-empty, else the
 * environment variable TRIGML_LIB if set and non-empty, else the path the
 * build configured (TRIGML_LIB_DEFAULT, set by CMakeLists.txt).
 */
const char *tml_api_default_path(const char *explicit_path);

/*
 * Opens the library and resolves every T5 entry point; checks that the
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
