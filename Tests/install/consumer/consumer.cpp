// consumer_cxx: the installed header compiled as strict C++17, the table
// used from C++ (the way a CMSSW plugin would hold it).
#include <trigml.h>

#include <cstdio>

int main() {
    const tml_api* api = tml_get_api(TML_ABI_VERSION);
    if (api == nullptr || api->abi_version != TML_ABI_VERSION || api->size < sizeof(tml_api)) {
        std::fprintf(stderr, "FAIL: tml_get_api(%u)\n", static_cast<unsigned>(TML_ABI_VERSION));
        return 1;
    }
    tml_t5_model* model = nullptr;
    if (api->t5_model_default(&model) != TML_OK) {
        std::fprintf(stderr, "FAIL: %s\n", api->last_error());
        return 1;
    }
    const int inputs = api->t5_model_input_count(model);
    api->t5_model_free(model);
    if (inputs != 23) {
        std::fprintf(stderr, "FAIL: the default model has %d inputs, not 23\n", inputs);
        return 1;
    }
    std::printf("consumer_cxx: TrigML %s through the table, default model with %d inputs\n", api->version(), inputs);
    return 0;
}
