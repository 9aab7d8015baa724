#!/usr/bin/env python3
"""Parity of libtrigml's T5 scoring (through ctypes) with the numpy reference.

usage: python3 tools/t5/t5_parity.py [--events FILE] [--pair LIB_MODEL=REF_MODEL ...] [--no-probe]
                                  [--score-tol 0] [--details N]

LIB_MODEL is a model file or "default" (the embedded model); REF_MODEL is the
model file the reference evaluates. Without --pair: the embedded default
against t5_model_lst_v2.json, then each golden model file against itself.
Unless --no-probe, each model file is also run with a checkerboard
pT x |eta| working point (cuts 0 and 1 alternating), so the pass flags
reveal which table cell the library picked.

Tolerances: none. The library and the reference both follow LST's float32 operations
and call the same C library's log10f and expf, so features and scores must be
bit-identical (NaN matches NaN, inf the same inf) and pass flags identical.
Exits 1 on any disagreement.
"""
import argparse
import pathlib
import sys
import tempfile

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
import t5_reference as ref
from t5_event_file import read_events
from t5_model_file import read_model, write_model
import trigml

ROOT = checkout_paths.ROOT
GOLDEN = ROOT / "Tests" / "golden"
FEATURE_TOL = SCORE_TOL = PASS_MARGIN = 0.0  # bit-exact (docs/numerics.md)

CHECKERBOARD_WP = {
    "kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25, "eta_bins": 10,
    "cuts": [[float((row + col) % 2) for col in range(10)] for row in range(2)],
}


def feature_agreement(lib, want):
    """(ok mask, absolute difference where both are finite)."""
    lib, want = lib.astype(np.float64), want.astype(np.float64)
    finite = np.isfinite(lib) & np.isfinite(want)
    diff = np.where(finite, np.abs(lib - np.where(finite, want, 0)), 0.0)
    ok = ((np.isnan(lib) & np.isnan(want))
          | (np.isinf(lib) & (lib == want))
          | (finite & (diff <= FEATURE_TOL * np.maximum(1.0, np.abs(np.where(finite, want, 0))))))
    return ok, diff


def score_agreement(lib, want, tolerance=SCORE_TOL):
    lib = lib.astype(np.float64)
    finite = np.isfinite(lib) & np.isfinite(want)
    diff = np.where(finite, np.abs(lib - np.where(finite, want, 0)), 0.0)
    return (np.isnan(lib) & np.isnan(want)) | (finite & (diff <= tolerance)), diff


def compare(lib_model, ref_model, batches, label, details=5, score_tol=SCORE_TOL):
    """Runs one model on every batch both ways; prints a summary line, returns True if all agree."""
    feature_set, layers, working_point, _ = read_model(ref_model)
    n = max_feature = max_score = bad_features = bad_scores = bad_pass = 0
    problems = []
    with (trigml.T5Model.default() if lib_model == "default" else trigml.T5Model.load(lib_model)) as model:
        if model.input_count != ref.INPUT_COUNT[feature_set]:
            print(f"{label}: library input_count {model.input_count}, reference {feature_set}")
            return False
        for event, batch in enumerate(batches):
            want_x = ref.features(batch, feature_set)
            want_s = ref.score(want_x, layers, feature_set)
            want_p = ref.pass_flags(want_s, batch, working_point)
            cut = ref.candidate_cuts(batch, working_point)
            got_x = model.features(batch)
            got_s, got_p = model.score(batch)
            ok_x, dx = feature_agreement(got_x, want_x)
            ok_s, ds = score_agreement(got_s, want_s, score_tol)
            ok_p = (got_p == want_p) | (np.abs(want_s - cut) <= PASS_MARGIN)
            n += len(want_s)
            max_feature = max(max_feature, float(dx.max(initial=0)))
            max_score = max(max_score, float(ds.max(initial=0)))
            bad_features += int((~ok_x).sum())
            bad_scores += int((~ok_s).sum())
            bad_pass += int((~ok_p).sum())
            for t5, i in zip(*np.nonzero(~ok_x)):
                problems.append(f"  event {event} T5 {t5} feature {i}: library {got_x[t5, i]!r}, "
                                f"reference {want_x[t5, i]!r}")
            for t5 in np.nonzero(~ok_s)[0]:
                problems.append(f"  event {event} T5 {t5} score: library {got_s[t5]!r}, reference {want_s[t5]!r}")
            for t5 in np.nonzero(~ok_p)[0]:
                problems.append(f"  event {event} T5 {t5} pass: library {got_p[t5]}, reference {want_p[t5]} "
                                f"(score {want_s[t5]!r}, cut {cut[t5]!r})")
    agree = not problems
    print(f"{'OK  ' if agree else 'FAIL'} {label}: {n} candidates, max feature diff {max_feature:.3g}, "
          f"max score diff {max_score:.3g}, feature mismatches {bad_features}, "
          f"score mismatches {bad_scores}, pass mismatches {bad_pass}")
    for line in problems[:details]:
        print(line)
    if len(problems) > details:
        print(f"  ... {len(problems) - details} more")
    return agree


def probe_model(model_path, directory):
    """A copy of the model file with the checkerboard working point."""
    feature_set, layers, _, provenance = read_model(model_path)
    out = pathlib.Path(directory) / f"probe_{pathlib.Path(model_path).name}"
    write_model(out, feature_set, layers, CHECKERBOARD_WP, "parity probe of " + provenance)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", default=GOLDEN / "t5_events.bin")
    parser.add_argument("--pair", action="append", default=[], metavar="LIB_MODEL=REF_MODEL")
    parser.add_argument("--no-probe", action="store_true")
    parser.add_argument("--details", type=int, default=5, help="mismatches printed per model")
    parser.add_argument("--score-tol", type=float, default=SCORE_TOL, help="absolute score tolerance")
    args = parser.parse_args()

    pairs = [tuple(p.split("=", 1)) for p in args.pair] or [
        ("default", GOLDEN / "t5_model_lst_v2.json"),
        (GOLDEN / "t5_model_lst_v2.json",) * 2,
        (GOLDEN / "t5_model_lst_v1.json",) * 2,
    ]
    batches = read_events(args.events)
    print(f"library {trigml.library_path()}, events {args.events}")
    agree = True
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_probe:
            files = sorted({str(ref_model) for _, ref_model in pairs})
            pairs += [(probe,) * 2 for probe in (probe_model(f, tmp) for f in files)]
        for lib_model, ref_model in pairs:
            label = f"{pathlib.Path(lib_model).name} vs reference {pathlib.Path(ref_model).name}"
            agree &= compare(lib_model, ref_model, batches, label, args.details, args.score_tol)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
