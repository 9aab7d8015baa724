// T5ScoringProducer.h: the LST T5 DNN as a CMSSW-style stream producer with
// a global cache. The cache holds the dlopen'ed TrigML function table and
// ONE immutable model handle; every stream scores its events through it
// concurrently with no locking (TrigML handles are immutable).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "Framework.h"
#include "tml_loader.h"

struct T5ScoringCache {
    const tml_api* api = nullptr;   // libtrigml.so's table: dlopen + dlsym(tml_get_api)
    std::string libraryPath;        // the library opened
    tml_t5_model* model = nullptr;  // shared read-only by every stream
    std::string modelName;          // "default" or the model file path
    int inputCount = 0;
    int classCount = 0;              // 1 sigmoid, K softmax, 0 embedding
    int embeddingDim = 0;            // > 0 for an embedding model
    std::vector<std::string> workingPoints;  // names, in file order
    double loadMilliseconds = 0;    // dlopen + model load, done once per job

    T5ScoringCache() = default;
    T5ScoringCache(const T5ScoringCache&) = delete;
    T5ScoringCache& operator=(const T5ScoringCache&) = delete;
    // Frees the model handle; the framework destroys the cache right after
    // globalEndJob (which, as in CMSSW, only gets a const pointer).
    ~T5ScoringCache();
};

class T5ScoringProducer : public edm::stream::EDProducer<edm::GlobalCache<T5ScoringCache>> {
public:
    // Parameters: library ("auto" = $TRIGML_LIB, else the build's library),
    // model ("default" = the embedded model, else a model JSON path).
    static std::unique_ptr<T5ScoringCache> initializeGlobalCache(const edm::ParameterSet& pset);
    static void globalEndJob(const T5ScoringCache* cache);

    T5ScoringProducer(const edm::ParameterSet& pset, const T5ScoringCache* cache);

    // Scores every T5 of the event's batch (with the event's host columns, if
    // any) at every working point of the model, or embeds it for an
    // embedding model; puts a T5ScoreProduct. Throws
    // edm::Exception (with tml_last_error()) if the library refuses the batch.
    void produce(edm::Event& event) override;

    // Stream-local counters (stream scratch: touched by this stream only).
    uint64_t eventsSeen() const { return events_; }
    uint64_t candidatesSeen() const { return candidates_; }

private:
    uint64_t events_ = 0;
    uint64_t candidates_ = 0;
};
