/*
 * oom_sweep.c: the C entry points under address-space limits (issue 12).
 *
 * Each (limit, path) pair runs in a child process that sets RLIMIT_AS,
 * loads the library and does one piece of work:
 *   lut     2^24 mode-15 words from a 400-tree depth-5 forest (tml_lut_generate);
 *           below 700 MiB, where the tabulation set-up (about 330 MiB) does
 *           not fit and the library evaluates one address at a time instead
 *           (a minute or more of CPU for 2^24 words), the first 2^18 + 2^12 of them: the
 *           smallest mode-15 range the library tabulates (split bit 18), so
 *           the fallback is what runs. Under TRIGML_LUT_DEBUG=1 the child
 *           must say it fell back at the lowest limit, and the words' hash
 *           must equal the hash of the same range generated without a limit
 *           (tabulated): the fallback gives the same words, not only a status.
 *   forest  that forest loaded and 2^20 rows predicted
 *   t5      the default model on a synthetic event of 60000 T5s
 *   tagger  the golden Deep Sets tagger on 200000 jets of 30 constituents
 * Each child must end with TML_OK or TML_ERR_OUT_OF_MEMORY (exit code 0 or
 * 6), never a signal; a child whose own set-up (dlopen, its input arrays)
 * does not fit exits with 100 ("could not start"), allowed only below the
 * comfortable limit, at which every path must succeed.
 *
 * The forest is written by a child without a limit, deterministically:
 * thresholds half way between decoded values of random mode-15 addresses
 * (as tools/reference/lut_reference.py write_golden_forests does for the
 * golden forests), leaves from a fixed linear congruential sequence.
 *
 * RLIMIT_AS and AddressSanitizer do not mix (ASan reserves terabytes of
 * shadow address space), so CMakeLists.txt registers this test only when
 * TRIGML_SANITIZE is off.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t5_synth.h"
#include "tml_loader.h"

#define COULD_NOT_START 100
#define LUT_FIRST 805306368u /* 2^29 + 2^28: inside mode 15 */
#define LUT_COUNT (1u << 24)
#define LUT_SMALL_COUNT ((1u << 18) + (1u << 12))
#define LUT_SMALL_BELOW_MIB 700
#define FALLBACK_NOTE "evaluating one address at a time instead"
#define WRONG_WORDS 101
#define FOREST_ROWS (1u << 20)

static const unsigned limits_mib[] = {200, 300, 450, 700, 1000, 1500, 2560};
#define N_LIMITS (sizeof limits_mib / sizeof limits_mib[0])
static const unsigned comfortable_mib = 2560;

static uint64_t lcg_state = 20261207u;
static uint32_t lcg_next(void) {
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(lcg_state >> 33);
}

static const tml_api *load_or_exit(void) {
    char err[512];
    const tml_api *api = tml_load(NULL, err, sizeof err);
    if (!api) {
        fprintf(stderr, "  (could not load the library: %s)\n", err);
        exit(COULD_NOT_START);
    }
    return api;
}

/* The 400-tree depth-5 forest over the 20 mode-15 inputs. */
static int write_forest(const char *path) {
    const tml_api *api = load_or_exit();
    tml_lut_scheme *scheme = NULL;
    if (api->lut_scheme_preset("emtf2017-mode15", &scheme) != TML_OK) return 1;
    int32_t nf = api->lut_scheme_feature_count(scheme);
    enum { SAMPLES = 4096 };
    static uint64_t addresses[SAMPLES];
    float *decoded = malloc(sizeof(float) * SAMPLES * (size_t)nf);
    if (!decoded) return 1;
    uint64_t first = api->lut_scheme_first_address(scheme), count = api->lut_scheme_address_count(scheme);
    for (int i = 0; i < SAMPLES; i++) addresses[i] = first + (((uint64_t)lcg_next() << 31) ^ lcg_next()) % count;
    if (api->lut_decode(scheme, SAMPLES, addresses, decoded) != TML_OK) {
        fprintf(stderr, "decode: %s\n", api->last_error());
        return 1;
    }
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    fprintf(f, "{\"format\": \"trigml.forest\", \"format_version\": 1, \"feature_count\": %d, "
               "\"base_score\": 0.03, \"trees\": [", nf);
    for (int tree = 0; tree < 400; tree++) {
        int feature[63];
        float threshold[63], value[63];
        for (int node = 0; node < 63; node++) {
            feature[node] = node < 31 ? (int)(lcg_next() % (uint32_t)nf) : 0;
            threshold[node] = node < 31 ? decoded[(lcg_next() % SAMPLES) * (uint32_t)nf + (uint32_t)feature[node]] + 0.5f : 0;
            value[node] = node < 31 ? 0 : ((float)(lcg_next() % 2001) - 1000.0f) * 8e-6f;
        }
        fprintf(f, "%s{", tree ? "," : "");
        const char *names[] = {"left", "right", "feature", "threshold", "value"};
        for (int k = 0; k < 5; k++) {
            fprintf(f, "%s\"%s\": [", k ? ", " : "", names[k]);
            for (int node = 0; node < 63; node++) {
                const char *sep = node ? "," : "";
                if (k == 0) fprintf(f, "%s%d", sep, node < 31 ? 2 * node + 1 : -1);
                if (k == 1) fprintf(f, "%s%d", sep, node < 31 ? 2 * node + 2 : -1);
                if (k == 2) fprintf(f, "%s%d", sep, feature[node]);
                if (k == 3) fprintf(f, "%s%.9g", sep, threshold[node]);
                if (k == 4) fprintf(f, "%s%.9g", sep, value[node]);
            }
            fputs("]", f);
        }
        fputs("}", f);
    }
    fputs("]}\n", f);
    free(decoded);
    api->lut_scheme_free(scheme);
    return fclose(f) != 0;
}

/* FNV-1a over the words. Reference hashes (no limit) and each child's hash
 * are passed through a shared page mapped before any fork, so a child under
 * a limit allocates nothing to report it. */
static uint64_t *shared_hashes; /* [0]: 2^24 words, [1]: 2^16 words, [2]: the child's */
static uint64_t words_hash(const uint16_t *words, uint32_t count) {
    uint64_t h = 14695981039346656037ull;
    for (uint32_t i = 0; i < count; i++) h = (h ^ words[i]) * 1099511628211ull;
    return h;
}

static int run_lut(const tml_api *api, const char *forest_path, uint32_t count) {
    uint16_t *words = malloc(sizeof(uint16_t) * count);
    if (!words) return COULD_NOT_START;
    tml_lut_scheme *scheme = NULL;
    tml_forest *forest = NULL;
    tml_pt_conversion conversion;
    tml_status st = api->lut_scheme_preset("emtf2017-mode15", &scheme);
    if (st == TML_OK) st = api->forest_load(forest_path, &forest);
    if (st == TML_OK) st = api->pt_conversion_preset("emtf2017", &conversion);
    if (st == TML_OK) st = api->lut_generate(scheme, forest, &conversion, LUT_FIRST, count, words, 2);
    if (st != TML_OK) fprintf(stderr, "    lut: %s\n", api->last_error());
    if (st == TML_OK) shared_hashes[2] = words_hash(words, count);
    api->forest_free(forest);
    api->lut_scheme_free(scheme);
    free(words);
    return st;
}

static int run_forest(const tml_api *api, const char *forest_path) {
    float *rows = malloc(sizeof(float) * 20 * (size_t)FOREST_ROWS), *out = malloc(sizeof(float) * FOREST_ROWS);
    if (!rows || !out) return COULD_NOT_START;
    for (size_t i = 0; i < 20 * (size_t)FOREST_ROWS; i++) rows[i] = (float)(lcg_next() % 512) - 256.0f;
    tml_forest *forest = NULL;
    tml_status st = api->forest_load(forest_path, &forest);
    if (st == TML_OK) st = api->forest_predict(forest, FOREST_ROWS, rows, 20, 1, out);
    if (st != TML_OK) fprintf(stderr, "    forest: %s\n", api->last_error());
    api->forest_free(forest);
    free(rows);
    free(out);
    return st;
}

static int run_t5(const tml_api *api) {
    t5f_event event;
    if (t5_synth_event(&event, 20000, 40000, 12)) return COULD_NOT_START;
    tml_t5_batch batch = t5f_batch(&event);
    float *score = malloc(sizeof(float) * event.n_t5);
    uint8_t *pass = malloc(event.n_t5);
    if (!score || !pass) return COULD_NOT_START;
    tml_t5_model *model = NULL;
    tml_status st = api->t5_model_default(&model);
    if (st == TML_OK) st = api->t5_score(model, &batch, score, pass);
    if (st != TML_OK) fprintf(stderr, "    t5: %s\n", api->last_error());
    api->t5_model_free(model);
    t5f_event_free(&event);
    free(score);
    free(pass);
    return st;
}

static int run_tagger(const tml_api *api) {
    const char *path = TRIGML_SOURCE_DIR "/Tests/golden/taggers/deepsets_sigmoid.json";
    tml_tagger *tagger = NULL;
    tml_status st = api->tagger_load(path, &tagger);
    if (st != TML_OK) {
        fprintf(stderr, "    tagger: %s\n", api->last_error());
        return st;
    }
    uint64_t jets = 200000, per_jet = 30;
    uint64_t jet_features = (uint64_t)api->tagger_jet_feature_count(tagger);
    uint64_t constituent_features = (uint64_t)api->tagger_constituent_feature_count(tagger);
    float *jet = malloc(sizeof(float) * jets * jet_features);
    float *constituents = malloc(sizeof(float) * jets * per_jet * constituent_features);
    uint64_t *offsets = malloc(sizeof(uint64_t) * (jets + 1));
    float *out = malloc(sizeof(float) * jets);
    if (!jet || !constituents || !offsets || !out) return COULD_NOT_START;
    for (uint64_t i = 0; i < jets * jet_features; i++) jet[i] = (float)(lcg_next() % 1000) * 0.1f + 1.0f;
    for (uint64_t i = 0; i < jets * per_jet * constituent_features; i++) constituents[i] = (float)(lcg_next() % 1000) * 0.001f;
    for (uint64_t j = 0; j <= jets; j++) offsets[j] = j * per_jet;
    tml_jet_batch batch = {jets, jet_features, jet, offsets, jets * per_jet, constituent_features, constituents};
    st = api->tagger_score(tagger, &batch, out);
    if (st != TML_OK) fprintf(stderr, "    tagger: %s\n", api->last_error());
    api->tagger_free(tagger);
    free(jet);
    free(constituents);
    free(offsets);
    free(out);
    return st;
}

/* The LUT child's stderr (its TRIGML_LUT_DEBUG lines), for the parent to read. */
static char lut_log_path[] = "/tmp/trigml_oom_lutlog_XXXXXX";

/* Copies the LUT child's log to stderr (without the debug lines), marks an
 * OK run that fell back ("OK*") and fails the lowest limit if the child
 * neither fell back nor failed to start: the tabulation cannot fit there. */
static int check_lut_log(unsigned limit_mib, const char **outcome) {
    FILE *f = fopen(lut_log_path, "r");
    if (!f) return 1;
    char line[1024];
    int fell_back = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, FALLBACK_NOTE)) fell_back = 1;
        if (strncmp(line, "trigml lut:", 11) != 0) fputs(line, stderr);
    }
    fclose(f);
    if (fell_back && !strcmp(*outcome, "OK")) *outcome = "OK*";
    if (limit_mib == limits_mib[0] && !fell_back && strcmp(*outcome, "nostart") != 0) {
        fprintf(stderr, "oom_sweep: lut at %u MiB did not fall back to one address at a time\n", limit_mib);
        return 1;
    }
    return 0;
}

static const char *path_names[] = {"lut", "forest", "t5", "tagger"};
#define N_PATHS 4

static int child(unsigned limit_mib, int path, const char *forest_path) {
    if (path == 0) {
        setenv("TRIGML_LUT_DEBUG", "1", 1);
        int fd = open(lut_log_path, O_WRONLY | O_TRUNC);
        if (fd < 0 || dup2(fd, 2) < 0) return COULD_NOT_START;
        close(fd);
    }
    struct rlimit limit = {(rlim_t)limit_mib << 20, (rlim_t)limit_mib << 20};
    if (setrlimit(RLIMIT_AS, &limit) != 0) return COULD_NOT_START;
    const tml_api *api = load_or_exit();
    switch (path) {
    case 0: {
        int small = limit_mib < LUT_SMALL_BELOW_MIB;
        int st = run_lut(api, forest_path, small ? LUT_SMALL_COUNT : LUT_COUNT);
        if (st == TML_OK && shared_hashes[2] != shared_hashes[small]) return WRONG_WORDS;
        return st;
    }
    case 1: return run_forest(api, forest_path);
    case 2: return run_t5(api);
    default: return run_tagger(api);
    }
}

int main(void) {
    char forest_path[] = "/tmp/trigml_oom_forest_XXXXXX";
    int fd = mkstemp(forest_path);
    if (fd < 0) return 1;
    close(fd);
    fd = mkstemp(lut_log_path);
    if (fd < 0) return 1;
    close(fd);
    pid_t writer = fork();
    if (writer == 0) _exit(write_forest(forest_path));
    int status = 0;
    waitpid(writer, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "oom_sweep: could not write the forest\n");
        unlink(forest_path);
        return 1;
    }
    shared_hashes = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_hashes == MAP_FAILED) return 1;
    for (int small = 0; small < 2; small++) {
        pid_t reference = fork();
        if (reference == 0) _exit(run_lut(load_or_exit(), forest_path, small ? LUT_SMALL_COUNT : LUT_COUNT));
        waitpid(reference, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != TML_OK) {
            fprintf(stderr, "oom_sweep: the reference LUT words (no limit) could not be generated\n");
            unlink(forest_path);
            return 1;
        }
        shared_hashes[small] = shared_hashes[2];
    }
    int failures = 0;
    printf("limit MiB  lut      forest   t5       tagger\n");
    for (size_t l = 0; l < N_LIMITS; l++) {
        printf("%9u", limits_mib[l]);
        for (int path = 0; path < N_PATHS; path++) {
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid == 0) _exit(child(limits_mib[l], path, forest_path));
            waitpid(pid, &status, 0);
            const char *outcome = "?";
            int bad = 0;
            if (WIFSIGNALED(status)) {
                outcome = "SIGNAL";
                bad = 1;
                fprintf(stderr, "oom_sweep: %s at %u MiB ended with signal %d\n", path_names[path], limits_mib[l],
                        WTERMSIG(status));
            } else if (WEXITSTATUS(status) == TML_OK) {
                outcome = "OK";
            } else if (WEXITSTATUS(status) == TML_ERR_OUT_OF_MEMORY) {
                outcome = "OOM";
                bad = limits_mib[l] >= comfortable_mib;
            } else if (WEXITSTATUS(status) == WRONG_WORDS) {
                outcome = "WRONG";
                bad = 1;
                fprintf(stderr, "oom_sweep: lut at %u MiB gave other words than the run without a limit\n",
                        limits_mib[l]);
            } else if (WEXITSTATUS(status) == COULD_NOT_START) {
                outcome = "nostart";
                bad = limits_mib[l] >= comfortable_mib;
            } else {
                outcome = "other";
                bad = 1;
                fprintf(stderr, "oom_sweep: %s at %u MiB returned status %d\n", path_names[path], limits_mib[l],
                        WEXITSTATUS(status));
            }
            if (path == 0) bad |= check_lut_log(limits_mib[l], &outcome);
            printf("  %-7s", outcome);
            failures += bad;
        }
        printf("\n");
    }
    unlink(forest_path);
    unlink(lut_log_path);
    printf("(OK*: the LUT tabulation did not fit; the words were evaluated one address at a time)\n");
    printf("oom_sweep: %s (%d failure%s)\n", failures ? "FAILED" : "ok", failures, failures == 1 ? "" : "s");
    return failures != 0;
}
