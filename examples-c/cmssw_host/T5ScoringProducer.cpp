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
    cache->classCount = cache->api->t5_model_class_count(cache->model);
    cache->embeddingDim = cache->api->t5_model_embedding_dim(cache->model);
    const int32_t points = cache->api->t5_model_working_point_count(cache->model);
    for (int32_t w = 0; w < points; ++w) cache->workingPoints.emplace_back(cache->api->t5_model_working_point_name(cache->model, w));
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
    const tml_t5_columns* columns = event.t5Columns();
    const size_t n = batch.n_t5, points = cache.workingPoints.size();
    auto product = std::make_unique<edm::T5ScoreProduct>();
    // Empty vectors give NULL data(); the ABI accepts NULL outputs when n_t5 = 0.
    if (cache.embeddingDim > 0) {
        product->embedding.resize(n * cache.embeddingDim);
        tml_status s = cache.api->t5_embed(cache.model, &batch, columns, product->embedding.data());
        if (s != TML_OK)
            throw edm::Exception(failure(cache.api, "tml_t5_embed", s, " on event " + std::to_string(event.id())));
    } else {
        product->score.resize(n);
        product->probabilities.resize(n * cache.classCount);
        product->pass.resize(n * points);
        std::vector<uint8_t> pass(n);
        for (size_t w = 0; w < points; ++w) {
            tml_status s = cache.api->t5_score_ex(cache.model, &batch, columns, static_cast<int32_t>(w),
                                                  product->score.data(), pass.data(),
                                                  w == 0 ? product->probabilities.data() : nullptr);
            if (s != TML_OK)
                throw edm::Exception(failure(cache.api, "tml_t5_score_ex", s,
                                             " on event " + std::to_string(event.id()) + ", working point " +
                                                 cache.workingPoints[w]));
            for (size_t t = 0; t < n; ++t) product->pass[t * points + w] = pass[t];
        }
    }
    ++events_;
    candidates_ += batch.n_t5;
    event.put(std::move(product));
}
