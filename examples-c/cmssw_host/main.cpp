// cmssw_host: runs T5ScoringProducer the way CMSSW would run a stream
// module with a global cache, on a T5 event file.
//
//   cmssw_host CONFIG [key=value ...]
//
// CONFIG is a ParameterSet file (see demo.cfg); key=value arguments override
// it (relative paths then resolve against the current directory).
//
// Scheduling: the job is `repeat` passes over the file's events; in pass r,
// event i runs on stream (i + r) mod streams. Each stream is one std::thread
// with its own producer instance; all share the one global cache (one model
// handle). With repeat >= streams every event is scored on every stream.
// Each stream keeps the first product it made for an event and compares
// later ones with it; after the run, the products of all streams are
// compared bit for bit (memcmp). Any difference fails the job.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "Framework.h"
#include "T5ScoringProducer.h"
#include "t5_file.h"

namespace {

constexpr int kEtaBins = 10;          // |eta1| bins for the summary
constexpr double kEtaBinWidth = 0.25; // the last bin is open-ended

struct StreamResult {
    // First product this stream made for each event (empty if never seen).
    std::vector<std::unique_ptr<edm::T5ScoreProduct>> firstProduct;
    uint64_t repeatMismatches = 0;
    std::string error;
};

// Bitwise, so NaN values compare equal to the same NaN.
template <typename T>
bool sameBits(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0; // data() may be NULL when empty
}

bool sameProduct(const edm::T5ScoreProduct& a, const edm::T5ScoreProduct& b) {
    return sameBits(a.score, b.score) && sameBits(a.pass, b.pass) && sameBits(a.probabilities, b.probabilities) &&
           sameBits(a.embedding, b.embedding);
}

// One stream: its share of the (pass, event) jobs, in order.
void runStream(T5ScoringProducer& producer, unsigned stream, unsigned nStreams, long long repeat,
               const std::vector<tml_t5_batch>& batches, const std::vector<tml_t5_columns>& columns,
               bool hasColumns, StreamResult& result) {
    try {
        const size_t nEvents = batches.size();
        result.firstProduct.resize(nEvents);
        for (long long r = 0; r < repeat; ++r) {
            for (size_t i = 0; i < nEvents; ++i) {
                if ((i + static_cast<size_t>(r)) % nStreams != stream) continue;
                edm::Event event(i, batches[i], hasColumns ? &columns[i] : nullptr);
                producer.produce(event);
                auto product = event.releaseScores();
                if (!result.firstProduct[i]) {
                    result.firstProduct[i] = std::move(product);
                } else if (!sameProduct(*result.firstProduct[i], *product)) {
                    ++result.repeatMismatches;
                }
            }
        }
    } catch (const std::exception& e) {
        result.error = e.what();
    }
}

std::string binLabel(int b) {
    char buf[32];
    if (b == kEtaBins - 1)
        std::snprintf(buf, sizeof buf, "[%.2f, inf)", b * kEtaBinWidth);
    else
        std::snprintf(buf, sizeof buf, "[%.2f, %.2f)", b * kEtaBinWidth, (b + 1) * kEtaBinWidth);
    return buf;
}

double fraction(uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0.0; }

int run(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
        std::fprintf(stderr,
                     "usage: %s CONFIG [key=value ...]\n"
                     "keys: library (path or auto), model (default or JSON path), events (T5 event file),\n"
                     "      streams (threads), repeat (passes over the file), max_events (0 = all)\n",
                     argv[0]);
        return 2;
    }
    edm::ParameterSet pset = edm::ParameterSet::fromFile(argv[1]);
    for (int a = 2; a < argc; ++a) pset.setOverride(argv[a]);
    pset.checkKnownKeys({"library", "model", "events", "streams", "repeat", "max_events"});
    const unsigned nStreams = static_cast<unsigned>(pset.getInt("streams", 4, 1, 256));
    const long long repeat = pset.getInt("repeat", 1, 1, 1000000);
    const long long maxEvents = pset.getInt("max_events", 0, 0, UINT32_MAX);
    const std::string eventsPath = pset.getPath("events");

    // The source: read every event once; the batches are views into it.
    t5f_events file{};
    char err[1024];
    if (t5f_read_events(eventsPath.c_str(), &file, err, sizeof err) != 0) throw edm::Exception(err);
    std::unique_ptr<t5f_events, void (*)(t5f_events*)> fileOwner(&file, t5f_free_events);
    size_t nEvents = file.n_events;
    if (maxEvents > 0) nEvents = std::min(nEvents, static_cast<size_t>(maxEvents));
    std::vector<tml_t5_batch> batches;
    std::vector<tml_t5_columns> columns; // the host columns of a version-2 event file
    const bool hasColumns = (file.flags & T5F_FLAG_HOST_COLUMNS) != 0;
    uint64_t candidatesPerPass = 0;
    for (size_t i = 0; i < nEvents; ++i) {
        batches.push_back(t5f_batch(&file.events[i]));
        columns.push_back(t5f_columns(&file.events[i]));
        candidatesPerPass += file.events[i].n_t5;
    }

    // Module construction: the global cache once, then one instance per stream.
    edm::StreamModules<T5ScoringProducer> modules(pset, nStreams);
    const T5ScoringCache& cache = modules.cache();

    std::vector<StreamResult> results(nStreams);
    std::vector<std::thread> threads;
    auto t0 = std::chrono::steady_clock::now();
    for (unsigned s = 0; s < nStreams; ++s)
        threads.emplace_back(runStream, std::ref(modules.stream(s)), s, nStreams, repeat, std::cref(batches),
                             std::cref(columns), hasColumns, std::ref(results[s]));
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    int status = 0;
    uint64_t scored = 0, eventsScored = 0;
    for (unsigned s = 0; s < nStreams; ++s) {
        if (!results[s].error.empty()) {
            std::fprintf(stderr, "stream %u failed: %s\n", s, results[s].error.c_str());
            status = 1;
        }
        if (results[s].repeatMismatches) {
            std::fprintf(stderr, "stream %u: %llu repeated events gave different results\n", s,
                         (unsigned long long)results[s].repeatMismatches);
            status = 1;
        }
        scored += modules.stream(s).candidatesSeen();
        eventsScored += modules.stream(s).eventsSeen();
    }
    if (status) return status;

    // Cross-stream agreement, and the reference product of every event.
    std::vector<const edm::T5ScoreProduct*> reference(nEvents, nullptr);
    uint64_t comparisons = 0, disagreements = 0;
    unsigned minStreamsPerEvent = nEvents ? nStreams : 0;
    for (size_t i = 0; i < nEvents; ++i) {
        unsigned seenBy = 0;
        for (unsigned s = 0; s < nStreams; ++s) {
            const auto& p = results[s].firstProduct[i];
            if (!p) continue;
            ++seenBy;
            if (!reference[i]) {
                reference[i] = p.get();
            } else {
                ++comparisons;
                if (!sameProduct(*reference[i], *p)) {
                    if (disagreements++ < 5) std::fprintf(stderr, "event %zu: stream %u disagrees with another stream\n", i, s);
                }
            }
        }
        minStreamsPerEvent = std::min(minStreamsPerEvent, seenBy);
    }
    if (disagreements) {
        std::fprintf(stderr, "%llu of %llu cross-stream comparisons differ\n", (unsigned long long)disagreements,
                     (unsigned long long)comparisons);
        return 1;
    }

    // Acceptance at the first working point per |eta1| bin, eta1 = md_eta of
    // the inner T3's first MD; with class truth, the acceptance of every
    // working point per true class (LST's T5 classes: fake, prompt, displaced).
    const size_t points = cache.workingPoints.size();
    uint64_t binAll[kEtaBins] = {0}, binPass[kEtaBins] = {0}, nonFiniteEta = 0, nanScores = 0, total = 0, accepted = 0;
    uint64_t trueAll = 0, truePass = 0, fakeAll = 0, fakePass = 0;
    std::vector<uint64_t> classAll(3, 0), classPass(3 * points, 0);
    const bool truth = (file.flags & T5F_FLAG_TRUTH) != 0 && points > 0;
    const bool classTruth = (file.flags & T5F_FLAG_CLASS_TRUTH) != 0 && points > 0;
    for (size_t i = 0; i < nEvents; ++i) {
        const t5f_event& ev = file.events[i];
        const edm::T5ScoreProduct& p = *reference[i];
        for (uint64_t t = 0; t < ev.n_t5 && points > 0; ++t) {
            // The library accepted the batch, so these indices are in range.
            const uint32_t innerT3 = ev.t5_t3[2 * t];
            const float eta1 = ev.md_eta[ev.t3_md[3 * static_cast<uint64_t>(innerT3)]];
            const bool pass = p.pass[t * points] != 0;
            if (classTruth) {
                const unsigned c = ev.t5_class[t]; // the reader checked 0..2
                ++classAll[c];
                for (size_t w = 0; w < points; ++w) classPass[c * points + w] += p.pass[t * points + w];
            }
            ++total;
            accepted += pass;
            nanScores += std::isnan(p.score[t]);
            if (std::isfinite(eta1)) {
                int b = static_cast<int>(std::min<double>(std::fabs(eta1) / kEtaBinWidth, kEtaBins - 1));
                ++binAll[b];
                binPass[b] += pass;
            } else {
                ++nonFiniteEta;
            }
            if (truth) {
                if (ev.t5_is_true[t]) ++trueAll, truePass += pass;
                else ++fakeAll, fakePass += pass;
            }
        }
    }

    std::printf("TrigML CMSSW-like host\n");
    std::printf("  library     %s (TrigML %s, ABI %u)\n", cache.libraryPath.c_str(),
                cache.api->version(), (unsigned)cache.api->abi_version);
    const std::string head = cache.embeddingDim > 0
                                 ? "embedding of dimension " + std::to_string(cache.embeddingDim)
                                 : std::to_string(cache.classCount) + " class(es), " + std::to_string(points) +
                                       " working point(s)";
    std::printf("  model       %s, %d inputs, %s; global cache built once in %.2f ms\n", cache.modelName.c_str(),
                cache.inputCount, head.c_str(), cache.loadMilliseconds);
    if (hasColumns)
        std::printf("  columns     host columns per MD %u, per T3 %u, per T5 %u\n", file.md_column_count,
                    file.t3_column_count, file.t5_column_count);
    std::printf("  events      %zu from %s (%llu T5 candidates per pass)\n", nEvents, eventsPath.c_str(),
                (unsigned long long)candidatesPerPass);
    std::printf("  streams     %u threads sharing one model handle; %lld passes, event i of pass r on stream (i+r) mod %u\n",
                nStreams, repeat, nStreams);
    std::printf("  agreement   every event scored on >= %u streams; %llu cross-stream comparisons, all bit-identical\n",
                minStreamsPerEvent, (unsigned long long)comparisons);
    if (points > 0)
        std::printf("\n  %-14s %12s %12s %9s   (working point %s)\n", "|eta1| bin", "candidates", "accepted", "fraction",
                    cache.workingPoints[0].c_str());
    for (int b = 0; b < kEtaBins && points > 0; ++b)
        std::printf("  %-14s %12llu %12llu %9.4f\n", binLabel(b).c_str(), (unsigned long long)binAll[b],
                    (unsigned long long)binPass[b], fraction(binPass[b], binAll[b]));
    if (nonFiniteEta) std::printf("  %-14s %12llu\n", "non-finite", (unsigned long long)nonFiniteEta);
    if (points > 0)
        std::printf("  %-14s %12llu %12llu %9.4f\n", "all", (unsigned long long)total, (unsigned long long)accepted,
                    fraction(accepted, total));
    if (nanScores) std::printf("  %llu candidates scored NaN (non-finite inputs; never accepted)\n", (unsigned long long)nanScores);
    if (truth)
        std::printf("  truth       true T5 accepted %.4f (%llu), fake T5 accepted %.4f (%llu)\n",
                    fraction(truePass, trueAll), (unsigned long long)trueAll, fraction(fakePass, fakeAll),
                    (unsigned long long)fakeAll);
    if (classTruth) {
        static const char* const kClassNames[3] = {"fake", "prompt", "displaced"};
        std::printf("\n  %-22s", "acceptance per class");
        for (size_t w = 0; w < points; ++w) std::printf(" %14s", cache.workingPoints[w].c_str());
        std::printf("\n");
        for (unsigned c = 0; c < 3; ++c) {
            std::printf("  %-10s %11llu", kClassNames[c], (unsigned long long)classAll[c]);
            for (size_t w = 0; w < points; ++w) std::printf(" %14.4f", fraction(classPass[c * points + w], classAll[c]));
            std::printf("\n");
        }
    }
    std::printf("\n  throughput  %llu candidates in %llu events in %.3f s: %.4g candidates/s (%.3g events/s) on %u streams, %u hardware threads\n",
                (unsigned long long)scored, (unsigned long long)eventsScored, seconds,
                seconds > 0 ? double(scored) / seconds : 0.0, seconds > 0 ? double(eventsScored) / seconds : 0.0,
                nStreams, std::thread::hardware_concurrency());
    modules.endJob();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cmssw_host: %s\n", e.what());
        return 1;
    }
}
