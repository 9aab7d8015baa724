/*
 * write_synth_events: writes a synthetic T5 event file (with truth) for the
 * host's smoke test and for trying the host before tools/ has made real
 * events. Usage: write_synth_events OUT [n_events [tracks [fakes]]]
 */
#include <stdio.h>
#include <stdlib.h>

#include "t5_synth.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUT [n_events [tracks_per_event [fakes_per_event]]]\n", argv[0]);
        return 2;
    }
    uint32_t n_events = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 16;
    uint32_t tracks = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 150;
    uint32_t fakes = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 350;
    t5f_events ev = {.n_events = n_events, .flags = T5F_FLAG_TRUTH,
                     .events = calloc(n_events ? n_events : 1, sizeof(t5f_event))};
    if (!ev.events) return 1;
    for (uint32_t i = 0; i < n_events; i++)
        if (t5_synth_event(&ev.events[i], tracks, fakes, 1000 + i)) {
            fprintf(stderr, "cannot make event %u (tracks must be >= 2 with fakes)\n", i);
            return 1;
        }
    char err[1024];
    int rc = t5f_write_events(argv[1], &ev, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    else printf("wrote %s: %u events, %u T5 each\n", argv[1], n_events, tracks + fakes);
    t5f_free_events(&ev);
    return rc ? 1 : 0;
}
