"""Samples of toy events and the training table built from them.

The table's features come from the single numpy reference
(tools/reference/t5_reference.py), so the training side sees exactly the inputs the
library computes.
"""
import multiprocessing
import os
import sys

import numpy as np

from . import event

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # tools/
import checkout_paths  # noqa: F401,E402
import t5_reference as ref  # noqa: E402

BATCH_KEYS = ("n_md", "md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi", "md_layer",
              "n_t3", "t3_md", "t3_radius", "n_t5", "t5_t3", "t5_is_true", "t5_sim_pt", "t5_sim_eta")


CLASS_KEYS = ("t5_class", "t5_sim_d0")  # class truth, kept for displaced samples


def _one(args):
    seed, index, pileup, displaced = args
    batch, extra = event.make_event(seed, index, pileup, displaced)
    keep = {k: extra[k] for k in ("chi2", "chi2_rz", "chi2_radius", "t5_particle")}
    keys = BATCH_KEYS
    if displaced > 0:
        keep.update({k: extra[k] for k in ("md_bend", "t3_class")})
        keys = BATCH_KEYS + CLASS_KEYS
    parts = extra["particles"]
    # sim particles that leave >= 5 anchors (track-level efficiency denominator)
    n_hits = np.bincount(extra["md_particle"][extra["md_particle"] >= 0], minlength=parts["pt"].size)
    keep["sim_pt"], keep["sim_eta"], keep["sim_n_md"] = parts["pt"], parts["eta"], n_hits
    return {k: batch[k] for k in keys}, keep


def generate(seed, n_events, pileup=event.DEFAULT_PILEUP, jobs=1, first=0, displaced=0.0):
    """Events first .. first+n_events-1 of the sample `seed`: list of (batch, extra).
    The result does not depend on `jobs` (each event has its own seed).
    displaced > 0: long-lived decays too, with class truth and the MD bends kept."""
    args = [(seed, i, pileup, displaced) for i in range(first, first + n_events)]
    if jobs > 1 and n_events > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_one, args, chunksize=max(1, n_events // (4 * jobs)))
    return [_one(a) for a in args]


def table(events):
    """Per-T5 training table (dict of arrays) over a list of (batch, extra)."""
    cols = {k: [] for k in ("x_v2", "x_v1", "label", "sim_pt", "sim_eta", "chi2", "chi2_rz",
                            "chi2_radius", "r_inner", "r_outer", "eta1", "event", "particle")}
    for i, (b, x) in enumerate(events):
        md = ref.anchor_indices(b)
        cols["x_v2"].append(ref.features(b, "lst-v2"))
        cols["x_v1"].append(ref.features(b, "lst-v1"))
        cols["label"].append(b["t5_is_true"].astype(np.uint8))
        cols["sim_pt"].append(b["t5_sim_pt"]), cols["sim_eta"].append(b["t5_sim_eta"])
        cols["chi2"].append(x["chi2"]), cols["chi2_rz"].append(x["chi2_rz"]), cols["chi2_radius"].append(x["chi2_radius"])
        t5_t3 = b["t5_t3"].astype(np.int64)
        cols["r_inner"].append(b["t3_radius"][t5_t3[:, 0]]), cols["r_outer"].append(b["t3_radius"][t5_t3[:, 1]])
        cols["eta1"].append(b["md_eta"][md[:, 0]])
        cols["event"].append(np.full(md.shape[0], i, np.int32))
        cols["particle"].append(np.asarray(x["t5_particle"], dtype=np.int64))
    out = {k: np.concatenate(v) for k, v in cols.items()}
    out["x_v2"] = out["x_v2"].reshape(-1, 23)
    out["x_v1"] = out["x_v1"].reshape(-1, 38)
    return out


def sim_table(events):
    """Sim particles with >= 5 anchors and whether any true T5 of theirs exists (index per event)."""
    pt, eta, ev, pid = [], [], [], []
    for i, (b, x) in enumerate(events):
        ok = x["sim_n_md"] >= 5
        pt.append(x["sim_pt"][ok]), eta.append(x["sim_eta"][ok])
        ev.append(np.full(ok.sum(), i, np.int32)), pid.append(np.nonzero(ok)[0])
    return dict(pt=np.concatenate(pt), eta=np.concatenate(eta), event=np.concatenate(ev), particle=np.concatenate(pid))


def save(path, tab):
    np.savez(path, **tab)


def load(path):
    with np.load(path) as f:
        return {k: f[k] for k in f.files}
