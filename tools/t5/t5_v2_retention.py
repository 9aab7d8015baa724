#!/usr/bin/env python3
"""Per-bin retention of a version-2 T5 model's retention tables on a sample
independent of the one they were derived on: the fraction of true T5s
(prompt and displaced) passing each working point per pT x |eta1| bin, and
whether every bin is within TOLERANCE of the table's target.

usage: python3 tools/t5/t5_v2_retention.py [--model models/t5_v2_3class.json]
                                           [--table build/t5_v2_toy/t5_v2_table_check.npz]

--table: a scored check sample written by `make_t5_v2_models.py --save-tables`
(its "score" column must come from --model). Prints one markdown table per
working point (what docs/t5_training.md quotes) and exits 1 when a bin is
outside target +- TOLERANCE. make_t5_v2_models.py runs the same check on its
check sample and records it in models/t5_v2_results.json, which
tools/tests/test_t5_v2_training.py checks against the model file.
"""
import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: E402
import t5_model_v2_file as v2file  # noqa: E402
import train_t5  # noqa: E402

TOLERANCE = 0.01  # issue 15: every bin at its target within +-1 percentage point
BOOTSTRAP_REPLICAS = 200
BOOTSTRAP_SEED = 15
ETA_LABELS = [f"{k * train_t5.ETA_BIN_WIDTH:g}–{(k + 1) * train_t5.ETA_BIN_WIDTH:g}"
              for k in range(train_t5.ETA_BINS - 1)] + [f"≥{(train_t5.ETA_BINS - 1) * train_t5.ETA_BIN_WIDTH:g}"]


def target_of(wp):
    """The retention a table named retention<percent> was derived for (a fraction)."""
    return float(wp["name"].removeprefix("retention")) / 100.0


def bootstrap_errors(tab, wp):
    """Statistical error of each bin's retention (the cut held fixed): the spread over
    event-bootstrap replicas. True T5s of one event are not independent (a high-pT track
    makes several, the tracks of a jet share density and T3 inputs), so this is larger
    than the binomial error of the T5 count, most in the pT > 5 GeV row."""
    true = (tab["cls"] > 0)
    row, col = train_t5.bins(tab["r_inner"], tab["eta1"])
    sel = true & (col >= 0)
    _, event = np.unique(tab["event"], return_inverse=True)
    n_bins = train_t5.ETA_BINS * (len(train_t5.PT_EDGES) + 1)
    cell = (event[sel] * n_bins + row[sel] * train_t5.ETA_BINS + col[sel]).astype(np.int64)
    n_events = int(event.max()) + 1 if event.size else 0
    total = np.bincount(cell, minlength=n_events * n_bins).reshape(n_events, n_bins).astype(np.float64)
    passed = train_t5.passes(tab["score"], tab["r_inner"], tab["eta1"], wp)[sel]
    kept = np.bincount(cell, weights=passed, minlength=n_events * n_bins).reshape(n_events, n_bins)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    replicas = []
    for _ in range(BOOTSTRAP_REPLICAS):
        w = np.bincount(rng.integers(0, n_events, n_events), minlength=n_events).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            replicas.append((w @ kept) / (w @ total))
    return np.std(replicas, axis=0).reshape(len(train_t5.PT_EDGES) + 1, train_t5.ETA_BINS).tolist()


def check(tab, wp):
    """Per-bin retention of working point wp on the scored table tab (keys score, cls,
    r_inner, eta1, event) and its event-bootstrap error."""
    true = tab["cls"] > 0
    rates, counts, overall = train_t5.retention_table(tab["score"], true, tab["r_inner"], tab["eta1"], wp)
    flat = [v for row in rates for v in row if np.isfinite(v)]
    target = target_of(wp)
    outside = [(r, c) for r, row in enumerate(rates) for c, v in enumerate(row)
               if np.isfinite(v) and abs(v - target) > TOLERANCE]
    return dict(target=target, rates=rates, counts=counts, overall=overall, min=min(flat), max=max(flat),
                outside=outside, errors=bootstrap_errors(tab, wp))


def markdown(name, result):
    """A per-bin table in percent, bins outside the tolerance in bold."""
    lines = [f"{name} (target {100 * result['target']:g}% ± {100 * TOLERANCE:g}): overall "
             f"{100 * result['overall']:.2f}%, bins {100 * result['min']:.2f}–{100 * result['max']:.2f}%", "",
             "| pT \\ \\|η₁\\| | " + " | ".join(ETA_LABELS) + " |", "|---|" + "---|" * len(ETA_LABELS)]
    edges = train_t5.PT_EDGES
    row_labels = [f"≤ {edges[0]:g} GeV"] + [f"> {e:g} GeV" for e in edges]
    for r, row in enumerate(result["rates"]):
        cells = [f"**{100 * v:.2f}**" if (r, c) in result["outside"] else f"{100 * v:.2f}" for c, v in enumerate(row)]
        lines.append(f"| {row_labels[r]} | " + " | ".join(cells) + " |")
    errors = np.asarray(result["errors"])
    lines += ["", f"Event-bootstrap error per bin: {100 * np.nanmin(errors[0]):.2f}–{100 * np.nanmax(errors[0]):.2f} points "
              f"(pT row 1), {100 * np.nanmin(errors[-1]):.2f}–{100 * np.nanmax(errors[-1]):.2f} (pT row {errors.shape[0]})"]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(checkout_paths.ROOT / "models" / "t5_v2_3class.json"))
    parser.add_argument("--table", default=str(checkout_paths.ROOT / "build" / "t5_v2_toy" / "t5_v2_table_check.npz"))
    args = parser.parse_args()
    model = v2file.read(args.model)
    with np.load(args.table) as data:
        tab = {k: data[k] for k in ("score", "cls", "r_inner", "eta1", "event")}
    bad = 0
    for wp in model["working_points"]:
        result = check(tab, wp)
        print("\n".join(markdown(wp["name"], result)) + "\n")
        bad += len(result["outside"])
    print(f"{bad} bin(s) outside target ± {100 * TOLERANCE:g} points")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
