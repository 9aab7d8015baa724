/*
 * tml_loader.h: the TrigML C ABI resolved at run time: dlopen, one dlsym
 * (tml_get_api), ABI check.
 *
 * Hosts, tests, benchmarks and fuzz targets load libtrigml.so the way a
 * framework plugin would (no link-time dependency), so every C program here
 * exercises the same path a CMSSW module would take. The table is the
 * library's own (static storage, immutable) and may be shared by any number
 * of threads.
 */
#ifndef TML_LOADER_H
#define TML_LOADER_H

#include <stddef.h>

#include "trigml.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The library to open: `explicit_path` if non-NULL and non-empty, else the
 * environment variable TRIGML_LIB if set and non-empty, else the path the
 * build configured (TRIGML_LIB_DEFAULT, set by CMakeLists.txt).
 */
const char *tml_library_path(const char *explicit_path);

/*
 * Opens the library at tml_library_path(explicit_path) and returns its
 * table for TML_ABI_VERSION. On failure returns NULL with a message in err:
 * the dlerror() text, a library without tml_get_api, one that does not
 * implement this ABI version, or one whose table is shorter than this
 * header's (an older library). The library stays mapped for the life of the
 * process (see tml_loader.c); loading the same path again returns the same
 * table.
 */
const tml_api *tml_load(const char *explicit_path, char *err, size_t err_size);

/*
 * The table of a library the caller dlopen()ed itself (tests that dlclose it
 * again): the one dlsym and the checks of tml_load. `path` only names the
 * library in messages.
 */
const tml_api *tml_api_of(void *library, const char *path, char *err, size_t err_size);

/* A readable name for a status code ("TML_ERR_SHAPE"). */
const char *tml_status_name(tml_status s);

#ifdef __cplusplus
}
#endif

#endif /* TML_LOADER_H */
