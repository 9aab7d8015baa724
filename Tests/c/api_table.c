/*
 * api_table: the table tml_get_api returns, member by member, against the
 * library's exported symbols. Run by Tests/c/api_table.sh, which passes the
 * entry point names of include/trigml.h in declaration order (the order of
 * the members); checks:
 *  - tml_get_api(TML_ABI_VERSION) is the same table on every call, its
 *    abi_version is TML_ABI_VERSION and its size sizeof(tml_api);
 *  - the table holds exactly one function pointer per name after its two
 *    32-bit fields, each non-NULL and equal to dlsym of its name;
 *  - tml_get_api of a version the library does not implement is NULL.
 */
#include <dlfcn.h>
#include <stddef.h>

#include "test_util.h"

typedef void (*entry_point)(void);

int main(int argc, char **argv)
{
    const tml_api *api = test_load_api();
    const char *path = tml_library_path(NULL);
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE); /* the same handle tml_load opened */
    if (!library) {
        fprintf(stderr, "FAIL: dlopen(%s): %s\n", path, dlerror());
        return 1;
    }
    size_t names = (size_t)(argc - 1);
    CHECK(names > 0, "no entry point names given (run through api_table.sh)");

    tml_get_api_fn get_api;
    void *symbol = dlsym(library, "tml_get_api");
    memcpy(&get_api, &symbol, sizeof get_api);
    CHECK(symbol != NULL, "tml_get_api is not exported");
    if (!symbol) return test_finish("api_table");
    CHECK(get_api(TML_ABI_VERSION) == api, "tml_get_api returns a different table on a second call");
    CHECK(get_api(999) == NULL, "tml_get_api(999) is not NULL");
    CHECK(get_api(0) == NULL, "tml_get_api(0) is not NULL");
    CHECK(get_api(TML_ABI_VERSION + 1) == NULL, "tml_get_api(TML_ABI_VERSION + 1) is not NULL");
    CHECK(api->abi_version == TML_ABI_VERSION, "abi_version %u", (unsigned)api->abi_version);
    CHECK(api->size == sizeof(tml_api), "size %u, sizeof(tml_api) %zu", (unsigned)api->size, sizeof(tml_api));

    /* The members are function pointers, one per name, right after the two
     * 32-bit fields: the layout the "members only ever appended" rule needs. */
    size_t first = offsetof(tml_api, version);
    CHECK(sizeof(tml_api) == first + names * sizeof(entry_point),
          "sizeof(tml_api) = %zu, but %zu names need %zu bytes", sizeof(tml_api), names,
          first + names * sizeof(entry_point));
    for (size_t i = 0; i < names && first + (i + 1) * sizeof(entry_point) <= sizeof(tml_api); i++) {
        entry_point member, exported;
        memcpy(&member, (const char *)api + first + i * sizeof(entry_point), sizeof member);
        void *found = dlsym(library, argv[i + 1]);
        memcpy(&exported, &found, sizeof exported);
        CHECK(member != NULL, "member %zu (%s) is NULL", i, argv[i + 1]);
        CHECK(found != NULL, "%s is not exported", argv[i + 1]);
        CHECK(member == exported, "member %zu is not %s", i, argv[i + 1]);
    }
    /* Two members by name, so a renamed member fails to compile here too. */
    CHECK(strcmp(api->version(), ((const char *(*)(void))dlsym(library, "tml_version"))()) == 0, "version()");
    CHECK(api->metric_r50_jsd != NULL, "metric_r50_jsd");
    printf("api_table: %zu members = the exported functions, in header order\n", names);
    return test_finish("api_table");
}
