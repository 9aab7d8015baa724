/*
 * t5_file: the event/golden file reader of examples-c/common. Round trips,
 * then every way a file can be broken (each truncation point, bad magic,
 * unknown flags, counts larger than the file, trailing bytes) must give a
 * clear error, never a crash or a huge allocation.
 */
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "t5_synth.h"
#include "test_util.h"

static char g_dir[256];

static const char *tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", g_dir, name);
    return buf;
}

/* Reads path as a golden file (golden != 0) or an event file, frees what
 * was read, and returns the reader's status (its message in err). */
static int read_as(const char *path, int golden, char *err, size_t err_size)
{
    int rc;
    if (golden) {
        t5f_golden g;
        rc = t5f_read_golden(path, &g, err, err_size);
        if (rc == 0) t5f_free_golden(&g);
    } else {
        t5f_events ev;
        rc = t5f_read_events(path, &ev, err, err_size);
        if (rc == 0) t5f_free_events(&ev);
    }
    return rc;
}

static int same_event(const t5f_event *a, const t5f_event *b, int truth)
{
    if (a->n_md != b->n_md || a->n_t3 != b->n_t3 || a->n_t5 != b->n_t5) return 0;
    size_t m = (size_t)a->n_md, t3 = (size_t)a->n_t3, t5 = (size_t)a->n_t5;
    int same = !memcmp(a->md_x, b->md_x, 4 * m) && !memcmp(a->md_y, b->md_y, 4 * m) &&
               !memcmp(a->md_z, b->md_z, 4 * m) && !memcmp(a->md_r, b->md_r, 4 * m) &&
               !memcmp(a->md_eta, b->md_eta, 4 * m) && !memcmp(a->md_phi, b->md_phi, 4 * m) &&
               !memcmp(a->md_layer, b->md_layer, m) && !memcmp(a->t3_md, b->t3_md, 12 * t3) &&
               !memcmp(a->t3_radius, b->t3_radius, 4 * t3) && !memcmp(a->t5_t3, b->t5_t3, 8 * t5);
    if (truth)
        same = same && !memcmp(a->t5_is_true, b->t5_is_true, t5) && !memcmp(a->t5_sim_pt, b->t5_sim_pt, 4 * t5) &&
               !memcmp(a->t5_sim_eta, b->t5_sim_eta, 4 * t5);
    return same;
}

/* Every strict prefix of a valid file must be rejected with a message. */
static void check_truncations(const char *path, int golden)
{
    size_t size;
    char cut[512], err[1024];
    char *data = test_read_file(path, &size);
    if (!data) {
        CHECK(0, "cannot reread %s", path);
        return;
    }
    tmp_path(cut, sizeof cut, "cut.bin");
    int rejected = 0;
    for (size_t n = 0; n < size; n++) {
        test_write_file(cut, data, n);
        err[0] = 0;
        int rc = read_as(cut, golden, err, sizeof err);
        CHECK(rc != 0, "%s cut to %zu of %zu bytes was accepted", path, n, size);
        CHECK(err[0] != 0, "%s cut to %zu bytes: no message", path, n);
        rejected += rc != 0;
    }
    /* One more byte than the file says it has: trailing garbage. */
    uint8_t *longer = malloc(size + 1);
    memcpy(longer, data, size);
    longer[size] = 0xAB;
    test_write_file(cut, longer, size + 1);
    int rc = read_as(cut, golden, err, sizeof err);
    CHECK(rc != 0 && strstr(err, "trailing"), "one trailing byte: rc %d, message '%s'", rc, err);
    printf("  %s: all %d truncations rejected; trailing byte: %s\n", golden ? "golden" : "events", rejected, err);
    free(longer);
    free(data);
    unlink(cut);
}

/* Overwrites 8 bytes at `offset` of a copy of the file and expects a
 * rejection whose message contains `mention`. */
static void check_patch(const char *path, size_t offset, const void *patch, size_t n, const char *mention, int golden)
{
    size_t size;
    char bad[512], err[1024] = "";
    char *data = test_read_file(path, &size);
    if (!data || offset + n > size) {
        CHECK(0, "cannot patch %s at %zu", path, offset);
        free(data);
        return;
    }
    memcpy(data + offset, patch, n);
    tmp_path(bad, sizeof bad, "patched.bin");
    test_write_file(bad, data, size);
    int rc = read_as(bad, golden, err, sizeof err);
    CHECK(rc != 0, "patch at %zu accepted (expected an error mentioning '%s')", offset, mention);
    CHECK(strstr(err, mention) != NULL, "patch at %zu: message '%s' does not mention '%s'", offset, err, mention);
    printf("  patched byte %zu: %s\n", offset, err);
    free(data);
    unlink(bad);
}

int main(void)
{
    char err[1024], path[512], gpath[512];
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_make_temp_dir(g_dir, sizeof g_dir, "trigml-t5file");

    /* Round trip, with and without truth columns; one empty event included. */
    for (int truth = 0; truth <= 1; truth++) {
        t5f_events ev = {.n_events = 3, .flags = truth ? T5F_FLAG_TRUTH : 0, .events = calloc(3, sizeof(t5f_event))};
        CHECK(t5_synth_event(&ev.events[0], 5, 3, 11) == 0, "synth");
        CHECK(t5f_event_alloc(&ev.events[1], 0, 0, 0, 1) == 0, "empty event");
        CHECK(t5_synth_event(&ev.events[2], 2, 1, 12) == 0, "synth");
        tmp_path(path, sizeof path, truth ? "truth.bin" : "plain.bin");
        CHECK(t5f_write_events(path, &ev, err, sizeof err) == 0, "write: %s", err);
        t5f_events back;
        int rc = t5f_read_events(path, &back, err, sizeof err);
        CHECK(rc == 0, "read back: %s", err);
        if (rc == 0) {
            CHECK(back.n_events == 3 && back.flags == ev.flags, "header %u events flags %u", back.n_events, back.flags);
            for (uint32_t i = 0; i < 3 && i < back.n_events; i++)
                CHECK(same_event(&ev.events[i], &back.events[i], truth), "event %u differs after the round trip", i);
            CHECK(truth || back.events[0].t5_is_true == NULL, "truth columns read from a file without them");
            tml_t5_batch b = t5f_batch(&back.events[0]);
            CHECK(b.n_t5 == 8 && b.t5_t3 == back.events[0].t5_t3, "t5f_batch view");
            t5f_free_events(&back);
        }
        check_truncations(path, 0);
        t5f_free_events(&ev);
    }

    /* Host columns and class truth (flags bits 1 and 2): round trip, the
     * view for the _ex calls, truncations, a class that is not a class. */
    {
        t5f_events ev = {.n_events = 2, .flags = T5F_FLAG_TRUTH | T5F_FLAG_HOST_COLUMNS | T5F_FLAG_CLASS_TRUTH,
                         .events = calloc(2, sizeof(t5f_event)), .md_column_count = 2, .t3_column_count = 3,
                         .t5_column_count = 1};
        CHECK(t5_synth_event(&ev.events[0], 3, 2, 21) == 0, "synth");
        CHECK(t5f_event_alloc(&ev.events[1], 0, 0, 0, 1) == 0, "empty event");
        for (int i = 0; i < 2; i++) {
            t5f_event *e = &ev.events[i];
            CHECK(t5f_event_alloc_columns(e, 2, 3, 1) == 0 && t5f_event_alloc_class_truth(e) == 0, "alloc");
            for (uint64_t k = 0; k < e->n_md * 2; k++) e->md_columns[k] = 0.5f * (float)k;
            for (uint64_t k = 0; k < e->n_t3 * 3; k++) e->t3_columns[k] = -0.25f * (float)k;
            for (uint64_t k = 0; k < e->n_t5; k++) {
                e->t5_columns[k] = (float)k;
                e->t5_class[k] = (uint8_t)(k % 3);
                e->t5_sim_d0[k] = k % 3 == 0 ? NAN : 0.1f * (float)k;
            }
        }
        tmp_path(path, sizeof path, "columns.bin");
        CHECK(t5f_write_events(path, &ev, err, sizeof err) == 0, "write: %s", err);
        t5f_events back;
        int rc = t5f_read_events(path, &back, err, sizeof err);
        CHECK(rc == 0, "read back: %s", err);
        if (rc == 0) {
            CHECK(back.flags == ev.flags && back.md_column_count == 2 && back.t3_column_count == 3 &&
                      back.t5_column_count == 1, "header flags %u counts %u %u %u", back.flags, back.md_column_count,
                  back.t3_column_count, back.t5_column_count);
            const t5f_event *a = &ev.events[0], *b = &back.events[0];
            CHECK(same_event(a, b, 1), "event 0 differs after the round trip");
            CHECK(!memcmp(a->md_columns, b->md_columns, 4 * 2 * a->n_md) &&
                      !memcmp(a->t3_columns, b->t3_columns, 4 * 3 * a->n_t3) &&
                      !memcmp(a->t5_columns, b->t5_columns, 4 * a->n_t5) && !memcmp(a->t5_class, b->t5_class, a->n_t5) &&
                      !memcmp(a->t5_sim_d0, b->t5_sim_d0, 4 * a->n_t5),
                  "host columns or class truth differ after the round trip");
            tml_t5_columns cols = t5f_columns(b);
            CHECK(cols.md_count == 2 && cols.md == b->md_columns && cols.t3_count == 3 && cols.t5 == b->t5_columns,
                  "t5f_columns view");
            t5f_free_events(&back);
        }
        check_truncations(path, 0);
        size_t size;
        char *data = test_read_file(path, &size);
        CHECK(data != NULL, "cannot reread %s", path);
        if (data) {
            /* Event 0's last t5_class byte is followed by its t5_sim_d0 (4 n_t5
             * bytes) and the empty event's three u64 counts (24 bytes). */
            size_t at = size - 24 - 4 * (size_t)ev.events[0].n_t5 - 1;
            uint8_t bad = 3;
            check_patch(path, at, &bad, 1, "t5_class", 0);
            free(data);
        }
        t5f_free_events(&ev);
    }

    /* Header damage, on the file with truth (layout: magic 8, n_events 4,
     * flags 4, then event 0's n_md at 16). */
    tmp_path(path, sizeof path, "truth.bin");
    check_patch(path, 0, "TMLT5EV2", 8, "magic", 0);
    uint32_t flags = 9; /* bit 3: unknown */
    check_patch(path, 12, &flags, 4, "flags", 0);
    flags = 4; /* class truth without truth */
    check_patch(path, 12, &flags, 4, "flags", 0);
    uint32_t many = 0xFFFFFFFFu;
    check_patch(path, 8, &many, 4, "n_events", 0);
    uint64_t huge = 1ull << 62;
    check_patch(path, 16, &huge, 8, "md_x", 0); /* n_md */
    check_patch(path, 24, &huge, 8, "t3_md", 0); /* n_t3: 3*2^62 overflows */
    check_patch(path, 32, &huge, 8, "t5_t3", 0); /* n_t5 */
    uint64_t fewer = 24; /* n_md 25 -> 24: every later column shifts by bytes */
    check_patch(path, 16, &fewer, 8, "patched.bin", 0);

    /* Missing file. */
    t5f_events none;
    CHECK(t5f_read_events("/nonexistent/trigml/x.bin", &none, err, sizeof err) != 0 && strstr(err, "/nonexistent"),
          "missing file: '%s'", err);

    /* Golden round trip and damage. */
    {
        t5f_golden g = {23, 2, calloc(2, sizeof(t5f_golden_event))};
        g.events[0].n_t5 = 3;
        g.events[0].features = calloc(3 * 23, sizeof(float));
        g.events[0].score = calloc(3, sizeof(float));
        g.events[0].pass = calloc(3, 1);
        for (int i = 0; i < 3 * 23; i++) g.events[0].features[i] = (float)i * 0.5f;
        g.events[0].score[1] = 0.75f;
        g.events[0].pass[1] = 1;
        g.events[1].n_t5 = 0;
        tmp_path(gpath, sizeof gpath, "golden.bin");
        CHECK(t5f_write_golden(gpath, &g, err, sizeof err) == 0, "write golden: %s", err);
        t5f_golden back;
        int rc = t5f_read_golden(gpath, &back, err, sizeof err);
        CHECK(rc == 0, "read golden: %s", err);
        if (rc == 0) {
            CHECK(back.input_count == 23 && back.n_events == 2 && back.events[0].n_t5 == 3 && back.events[1].n_t5 == 0,
                  "golden header");
            CHECK(!memcmp(back.events[0].features, g.events[0].features, 3 * 23 * 4) &&
                      back.events[0].score[1] == 0.75f && back.events[0].pass[1] == 1,
                  "golden payload");
            t5f_free_golden(&back);
        }
        check_truncations(gpath, 1);
        check_patch(gpath, 0, "TMLT5EV1", 8, "magic", 1);
        uint32_t zero = 0;
        check_patch(gpath, 8, &zero, 4, "input_count", 1);
        check_patch(gpath, 16, &huge, 8, "features", 1);
        t5f_free_golden(&g);
    }

    /* Event file passed as a golden file and vice versa. */
    t5f_golden wrong;
    CHECK(t5f_read_golden(path, &wrong, err, sizeof err) != 0 && strstr(err, "magic"), "event file as golden: '%s'", err);
    CHECK(t5f_read_events(gpath, &none, err, sizeof err) != 0 && strstr(err, "magic"), "golden as event file: '%s'", err);

    unlink(path);
    unlink(gpath);
    tmp_path(path, sizeof path, "plain.bin");
    unlink(path);
    rmdir(g_dir);
    return test_finish("t5_file");
}
