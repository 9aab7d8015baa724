// Framework.h: a tiny stand-in for the parts of CMSSW that a T5 scoring
// module touches, so the host exercises TrigML the way CMSSW would:
//
//  - edm::ParameterSet: the module's configuration (ParameterSet.cpp).
//  - edm::Event: one event's products; the input is the T5 SoA batch, the
//    output is the per-candidate score/pass product.
//  - edm::stream::EDProducer<edm::GlobalCache<C>>: one module instance per
//    stream, all sharing ONE const C built by the static
//    initializeGlobalCache(pset) and handed to the static globalEndJob(cache)
//    at the end (the pattern of RecoBTag/ONNXRuntime producers).
//  - edm::StreamModules<P>: the framework side that makes the cache once,
//    builds the stream copies and ends the job.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "trigml.h"

namespace edm {

// cms::Exception's role: configuration and processing errors.
class Exception : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ParameterSet {
public:
    // key = value lines; '#' starts a comment; blank lines ignored.
    // Relative paths read with getPath() resolve against the file's directory.
    static ParameterSet fromFile(const std::string& path);

    // A command-line override "key=value"; relative paths resolve against
    // the current directory.
    void setOverride(const std::string& assignment);

    bool has(const std::string& key) const { return entries_.count(key) != 0; }
    std::string getString(const std::string& key) const;
    std::string getString(const std::string& key, const std::string& fallback) const;
    long long getInt(const std::string& key, long long fallback, long long min, long long max) const;
    std::string getPath(const std::string& key) const;

    // Throws on a key not in `known` (catches typos such as "stream = 4").
    void checkKnownKeys(const std::vector<std::string>& known) const;

    const std::string& origin() const { return origin_; }

private:
    struct Entry {
        std::string value;
        std::string baseDir; // for relative paths
        std::string where;   // "file:line" or "command line", for messages
    };
    std::map<std::string, Entry> entries_;
    std::string origin_;
};

// The score product of the T5 producer: one entry per T5 candidate (per
// working point for pass, candidate-major: pass[t * workingPoints + w]; per
// class for probabilities; per dimension for an embedding model's output).
struct T5ScoreProduct {
    std::vector<float> score;
    std::vector<uint8_t> pass;
    std::vector<float> probabilities;
    std::vector<float> embedding;
};

// One event as seen by a stream module: a read-only view of the input SoA
// product and a slot for the producer's output.
class Event {
public:
    Event(uint64_t id, const tml_t5_batch& t5, const tml_t5_columns* columns = nullptr)
        : id_(id), t5_(&t5), columns_(columns) {}
    uint64_t id() const { return id_; }
    const tml_t5_batch& t5Batch() const { return *t5_; }
    // Host columns of the event (per MD, T3 and T5), or nullptr without them.
    const tml_t5_columns* t5Columns() const { return columns_; }
    void put(std::unique_ptr<T5ScoreProduct> p) { scores_ = std::move(p); }
    const T5ScoreProduct* scores() const { return scores_.get(); }
    std::unique_ptr<T5ScoreProduct> releaseScores() { return std::move(scores_); }

private:
    uint64_t id_;
    const tml_t5_batch* t5_;
    const tml_t5_columns* columns_;
    std::unique_ptr<T5ScoreProduct> scores_;
};

template <typename C>
struct GlobalCache {};

template <typename P>
class StreamModules;

namespace stream {

template <typename... Extensions>
class EDProducer;

template <typename C>
class EDProducer<GlobalCache<C>> {
public:
    using GlobalCacheType = C;
    virtual ~EDProducer() = default;
    virtual void produce(Event& event) = 0;

protected:
    // Read-only by design: every stream shares the one cache concurrently.
    const C* globalCache() const { return cache_; }

private:
    template <typename P>
    friend class edm::StreamModules;
    const C* cache_ = nullptr;
};

} // namespace stream

// The framework side for one module type P: initializeGlobalCache once,
// N stream instances constructed with (pset, cache), globalEndJob, then the
// cache is destroyed (in CMSSW too, the framework owns and deletes it).
template <typename P>
class StreamModules {
public:
    using Cache = typename P::GlobalCacheType;

    StreamModules(const ParameterSet& pset, unsigned nStreams) : cache_(P::initializeGlobalCache(pset)) {
        if (!cache_) throw Exception("initializeGlobalCache returned no cache");
        for (unsigned s = 0; s < nStreams; ++s) {
            streams_.push_back(std::make_unique<P>(pset, cache_.get()));
            streams_.back()->cache_ = cache_.get();
        }
    }
    ~StreamModules() { endJob(); }
    StreamModules(const StreamModules&) = delete;
    StreamModules& operator=(const StreamModules&) = delete;

    P& stream(unsigned s) { return *streams_.at(s); }
    unsigned size() const { return static_cast<unsigned>(streams_.size()); }
    const Cache& cache() const { return *cache_; }

    void endJob() {
        if (!cache_) return;
        streams_.clear();
        P::globalEndJob(cache_.get());
        cache_.reset();
    }

private:
    std::unique_ptr<Cache> cache_;
    std::vector<std::unique_ptr<P>> streams_;
};

} // namespace edm
