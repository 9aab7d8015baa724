#include "tml_loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TRIGML_LIB_DEFAULT
#define TRIGML_LIB_DEFAULT "libtrigml.so"
#endif

const char *tml_library_path(const char *explicit_path)
{
    if (explicit_path && explicit_path[0]) return explicit_path;
    const char *env = getenv("TRIGML_LIB");
    if (env && env[0]) return env;
    return TRIGML_LIB_DEFAULT;
}

const tml_api *tml_load(const char *explicit_path, char *err, size_t err_size)
{
    const char *path = tml_library_path(explicit_path);
    /* RTLD_NODELETE, and no dlclose: the library registers a pthread-key
     * destructor for its thread-local error message; unmapping it while any
     * thread that ever failed a call is still alive would leave that
     * destructor dangling. */
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!library) {
        const char *why = dlerror();
        snprintf(err, err_size, "dlopen('%s') failed: %s (set TRIGML_LIB to the library's path)", path,
                 why ? why : "unknown error");
        return NULL;
    }
    return tml_api_of(library, path, err, err_size);
}

const tml_api *tml_api_of(void *library, const char *path, char *err, size_t err_size)
{
    dlerror();
    void *symbol = dlsym(library, "tml_get_api");
    if (!symbol) {
        const char *why = dlerror();
        snprintf(err, err_size, "%s: symbol tml_get_api not found (%s)", path, why ? why : "NULL");
        return NULL;
    }
    /* dlsym returns void *; converting that to a function pointer is what
     * POSIX guarantees to work, but ISO C does not spell it, hence memcpy. */
    tml_get_api_fn get_api;
    memcpy(&get_api, &symbol, sizeof get_api);
    const tml_api *api = get_api(TML_ABI_VERSION);
    if (!api) {
        snprintf(err, err_size, "%s does not implement ABI version %u", path, (unsigned)TML_ABI_VERSION);
        return NULL;
    }
    if (api->abi_version != TML_ABI_VERSION || api->size < sizeof(tml_api)) {
        snprintf(err, err_size, "%s returned a table of ABI %u and %u bytes; this program needs ABI %u, %zu bytes",
                 path, (unsigned)api->abi_version, (unsigned)api->size, (unsigned)TML_ABI_VERSION,
                 sizeof(tml_api));
        return NULL;
    }
    return api;
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
