#include "tml_loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TRIGML_LIB_DEFAULT
#define TRIGML_LIB_DEFAULT "libtrigml.so"
#endif

const char *tml_api_default_path(const char *explicit_path)
{
    if (explicit_path && explicit_path[0]) return explicit_path;
    const char *env = getenv("TRIGML_LIB");
    if (env && env[0]) return env;
    return TRIGML_LIB_DEFAULT;
}

/* dlsym returns void *; converting that to a function pointer is what POSIX
 * guarantees to work, but ISO C does not spell it, hence the memcpy. */
static int resolve(tml_api *api, const char *name, void *slot, size_t slot_size, char *err, size_t err_size)
{
    dlerror();
    void *sym = dlsym(api->dl, name);
    if (!sym) {
        const char *why = dlerror();
        snprintf(err, err_size, "%s: symbol %s not found (%s)", api->path, name, why ? why : "NULL");
        return -1;
    }
    memcpy(slot, &sym, slot_size);
    return 0;
}

int tml_api_load(tml_api *api, const char *explicit_path, char *err, size_t err_size)
{
    memset(api, 0, sizeof *api);
    const char *path = tml_api_default_path(explicit_path);
    if (strlen(path) >= sizeof api->path) {
        snprintf(err, err_size, "library path is longer than %zu bytes", sizeof api->path - 1);
        return -1;
    }
    strcpy(api->path, path);
    /* RTLD_NODELETE: the library registers a pthread-key destructor for its
     * thread-local error message; unmapping it while any thread that ever
     * failed a call is still alive would leave that destructor dangling. */
    api->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!api->dl) {
        const char *why = dlerror();
        snprintf(err, err_size, "dlopen('%s') failed: %s (set TRIGML_LIB to the library's path)", path,
                 why ? why : "unknown error");
        return -1;
    }
#define TML_RESOLVE(field, name) \
    if (resolve(api, name, &api->field, sizeof api->field, err, err_size) != 0) goto fail
    TML_RESOLVE(abi_version, "tml_abi_version");
    TML_RESOLVE(version, "tml_version");
    TML_RESOLVE(last_error, "tml_last_error");
    TML_RESOLVE(t5_model_default, "tml_t5_model_default");
    TML_RESOLVE(t5_model_load, "tml_t5_model_load");
    TML_RESOLVE(t5_model_free, "tml_t5_model_free");
    TML_RESOLVE(t5_model_input_count, "tml_t5_model_input_count");
    TML_RESOLVE(t5_features, "tml_t5_features");
    TML_RESOLVE(t5_score, "tml_t5_score");
    TML_RESOLVE(tagger_load, "tml_tagger_load");
    TML_RESOLVE(tagger_free, "tml_tagger_free");
    TML_RESOLVE(tagger_output_count, "tml_tagger_output_count");
    TML_RESOLVE(tagger_jet_feature_count, "tml_tagger_jet_feature_count");
    TML_RESOLVE(tagger_constituent_feature_count, "tml_tagger_constituent_feature_count");
    TML_RESOLVE(tagger_score, "tml_tagger_score");
    TML_RESOLVE(discriminant_log_ratio, "tml_discriminant_log_ratio");
    TML_RESOLVE(ddt_config_init, "tml_ddt_config_init");
    TML_RESOLVE(ddt_build, "tml_ddt_build");
    TML_RESOLVE(ddt_apply, "tml_ddt_apply");
    TML_RESOLVE(ddt_save, "tml_ddt_save");
    TML_RESOLVE(ddt_load, "tml_ddt_load");
    TML_RESOLVE(ddt_free, "tml_ddt_free");
    TML_RESOLVE(metric_r50_jsd, "tml_metric_r50_jsd");
#undef TML_RESOLVE
    if (api->abi_version() != TML_ABI_VERSION) {
        snprintf(err, err_size, "%s implements ABI version %u, this program was built for %u", path,
                 (unsigned)api->abi_version(), (unsigned)TML_ABI_VERSION);
        goto fail;
    }
    return 0;
fail:
    dlclose(api->dl);
    api->dl = NULL;
    return -1;
}

void tml_api_unload(tml_api *api)
{
    /* With RTLD_NODELETE this only drops the reference count; the code stays
     * mapped for the thread-exit destructors mentioned above. */
    if (api->dl) dlclose(api->dl);
    memset(api, 0, sizeof *api);
}

const char *tml_status_name(tml_status s)
{
    switch (s) {
    case TML_OK: return "TML_OK";
    case TML_ERR_INVALID_ARGUMENT: return "TML_ERR_INVALID_ARGUMENT";
    case TML_ERR_IO: return "TML_ERR_IO";
    case TML_ERR_FORMAT: return "TML_ERR_FORMAT";
    case TML_ERR_SHAPE: return "TML_ERR_SHAPE";
    case TML_ERR_UNSUPPORTED: return "TML_ERR_UNSUPPORTED";
    case TML_ERR_OUT_OF_MEMORY: return "TML_ERR_OUT_OF_MEMORY";
    case TML_ERR_INTERNAL: return "TML_ERR_INTERNAL";
    default: return "unknown status";
    }
}
