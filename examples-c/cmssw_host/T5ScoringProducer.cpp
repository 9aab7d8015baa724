#include "T5ScoringProducer.h"

#include <chrono>
#include <cstdio>

namespace {

std::string failure(const tml_api* api, const char* call, tml_status s, const std::string& context) {
    return std::string(call) + " failed" + context + ": " + tml_status_name(s) + ": " + api->last_error();
}

} // namespace

T5ScoringCache::~T5ScoringCache() {
    // The library itself stays mapped (tml_loader.c): nothing to unload.
    if (model) api->t5_model_free(model);
    model = nullptr;
}

std::unique_ptr<T5ScoringCache> T5ScoringProducer::initializeGlobalCache(const edm::ParameterSet& pset) {
    auto t0 = std::chrono::steady_clock::now();
    auto cache = std::make_unique<T5ScoringCache>();
    std::string library = pset.getString("library", "auto");
    std::string libraryPath = (library.empty() || library == "auto") ? "" : pset.getPath("library");
    char err[1024];
    cache->libraryPath = tml_library_path(libraryPath.empty() ? nullptr : libraryPath.c_str());
    cache->api = tml_load(cache->libraryPath.c_str(), err, sizeof err);
    if (!cache->api)
        throw edm::Exception(std::string("T5ScoringProducer: ") + err);

    std::string model = pset.getString("model", "default");
    tml_status s;
    if (model == "default") {
        cache->modelName = "default (embedded)";
        s = cache->api->t5_model_default(&cache->model);
        if (s != TML_OK) throw edm::Exception(failure(cache->api, "tml_t5_model_default", s, ""));
    } else {
        cache->modelName = pset.getPath("model");
        s = cache->api->t5_model_load(cache->modelName.c_str(), &cache->model);
        if (s != TML_OK) throw edm::Exception(failure(cache->api, "tml_t5_model_load", s, ""));
    }
    cache->inputCount = cache->api->t5_model_input_count(cache->model);
    if (cache->inputCount <= 0)
        throw edm::Exception("tml_t5_model_input_count returned " + std::to_string(cache->inputCount));
    cache->loadMilliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return cache;
}

void T5ScoringProducer::globalEndJob(const T5ScoringCache* cache) {
    std::printf("T5ScoringProducer::globalEndJob: releasing model %s\n", cache->modelName.c_str());
}

T5ScoringProducer::T5ScoringProducer(const edm::ParameterSet&, const T5ScoringCache*) {}

void T5ScoringProducer::produce(edm::Event& event) {
    const T5ScoringCache& cache = *globalCache();
    const tml_t5_batch& batch = event.t5Batch();
    auto product = std::make_unique<edm::T5ScoreProduct>();
    product->score.resize(batch.n_t5);
    product->pass.resize(batch.n_t5);
    // Empty vectors give NULL data(); the ABI accepts NULL outputs when n_t5 = 0.
    tml_status s = cache.api->t5_score(cache.model, &batch, product->score.data(), product->pass.data());
    if (s != TML_OK)
        throw edm::Exception(failure(cache.api, "tml_t5_score", s, " on event " + std::to_string(event.id())));
    ++events_;
    candidates_ += batch.n_t5;
    event.put(std::move(product));
}
