#!/usr/bin/env python3
"""One command for the format-version-2 T5 models on the toy detector with
displaced tracks: host columns -> 3-class model with two retention tables ->
embedding model -> golden vectors -> plots.

usage: python3 tools/t5/make_t5_v2_models.py [--seed 20261201] [--jobs 1] [--quick]
                                          [--no-install] [--no-plots] [--work DIR]

Steps (docs/t5_training.md, "Version-2 models"):
 1. four independent samples with long-lived decays (tools/t5/lst_toy,
    displaced mode): train (seed), working point (seed+1), check (seed+2),
    golden (seed+3, a few small events);
 2. the toy T3 classifier on the training sample's T3s, then the host
    columns of every event (tools/t5/t5_host_columns.py);
 3. the 3-class T5 model (fake, prompt, displaced; score 1 - P(fake)) with
    standardisation and extra inputs; its 98% and 93% retention tables on the
    working-point sample, checked on the check sample beside the binary
    lst-v2 model (models/t5_lst_v2.json);
 4. the embedding model (dim 6) with a contrastive loss on T5 pairs close in
    (eta, phi), its distance cut on the working-point sample;
 5. unless --no-install: models/t5_v2_{3class,embed}.json, their copies
    Tests/golden/t5_model_v2_{3class,embed}.json, models/t5_v2_results.json,
    the golden event file Tests/golden/t5_events_v2.bin and the golden
    vectors Tests/golden/t5_golden_v2_{3class,embed}.bin from the numpy
    reference (tools/reference/t5_v2_reference.py); unless --no-plots
    docs/plots/t5_v2_*.png.
Every output is a function of the seed: a rerun writes the same bytes.
"""
import json
import os
import pathlib
import shutil
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402
ROOT = checkout_paths.ROOT

import t5_host_columns as host  # noqa: E402
import t5_model_file  # noqa: E402
import t5_model_v2_file as v2file  # noqa: E402
import t5_reference as ref  # noqa: E402
import t5_v2_reference as v2ref  # noqa: E402
import train_t5  # noqa: E402
import train_t5_v2  # noqa: E402
import t5_v2_retention as retention  # noqa: E402
from lst_toy import event as toy_event  # noqa: E402
from lst_toy import sample  # noqa: E402
from t5_event_file import write_events  # noqa: E402
from t5_golden import write_golden_v2  # noqa: E402
from toy_run import start_run, toy_arguments  # noqa: E402

DEFAULT_SEED = 20261201
# Working-point and check samples: the pT > 5 GeV row holds few independent true T5s
# (several per high-pT track, the tracks of a jet correlated), so its per-bin
# retention at 4000 events still moves by +-0.5 points (event bootstrap) in the sample
# that derives a table and again in the one that checks it; 12000 and 8000 events
# bring every bin's combined error below 0.5 points (docs/t5_training.md).
FULL = dict(train=200, wp=12000, check=8000, golden=2, pileup=toy_event.DEFAULT_PILEUP, golden_pileup=5,
            displaced=10.0, max_epochs=40, patience=5, embed_epochs=25)
QUICK = dict(train=10, wp=8, check=8, golden=2, pileup=10, golden_pileup=5, displaced=10.0,
             max_epochs=3, patience=2, embed_epochs=2)
CLASSES = ["fake", "prompt", "displaced"]
SCORE = {"kind": "one_minus", "class": "fake"}
EMBEDDING_DIM = 6
PAIR_WINDOW = 0.05  # |d eta1| and |d phi1| of the T5 pairs the embedding separates
# Jets of fakes make up to ~1e8 close pairs in one event: every same-particle pair is
# kept, of the others a seeded uniform sample of at most this many per event.
OTHER_PAIRS_PER_EVENT = 3000
DUPLICATE_EFFICIENCY = 0.95  # fraction of same-particle pairs the distance cut keeps (working-point sample)
BINARY_MODEL = ROOT / "models" / "t5_lst_v2.json"

T3_PROBABILITIES = [v2file.extra_input("t3", c, t3=side) for side in ("inner", "outer") for c in range(3)]
EXTRA_3CLASS = (T3_PROBABILITIES + [v2file.extra_input("md", 0, anchor=1)]
                + [v2file.extra_input("md", 1, anchor=a) for a in (1, 3, 5)] + [v2file.extra_input("t5", 0)])
EXTRA_EMBED = T3_PROBABILITIES + [v2file.extra_input("t5", 0)]


def _r(v, digits=5):
    return None if v is None or not np.isfinite(v) else round(float(v), digits)


def t3_classifier(events, seed, cfg, log):
    x = np.concatenate([host.t3_features(b) for b, _ in events])
    y = np.concatenate([e["t3_class"] for _, e in events]).astype(np.int64)
    event_of = np.concatenate([np.full(b["n_t3"], i) for i, (b, _) in enumerate(events)])
    val = event_of % 5 == 4
    ok = np.all(np.isfinite(x), axis=1)
    model = train_t5_v2.train_classifier(x[ok & ~val], y[ok & ~val], x[ok & val], y[ok & val], 3, seed,
                                         hidden=(32,), max_epochs=cfg["max_epochs"], patience=cfg["patience"])
    log(f"T3 classifier: {int((ok & ~val).sum())} T3 (classes {np.bincount(y, minlength=3).tolist()}), "
        f"best epoch {model['info']['best_epoch']}")
    return model


def with_host_columns(events, clf):
    return [host.add_host_columns(b, x["md_bend"], clf) for b, x in events]


def t5_table(batches, extras, first_event=0):
    cols = {k: [] for k in ("x3", "xe", "x_v2", "cls", "sim_pt", "sim_d0", "r_inner", "eta1", "event", "particle")}
    for i, (b, x) in enumerate(zip(batches, extras)):
        c = host.columns_of(b)
        cols["x3"].append(v2ref.inputs(b, c, dict(feature_set="lst-v2", extra_inputs=EXTRA_3CLASS)))
        cols["xe"].append(v2ref.inputs(b, c, dict(feature_set="lst-v2", extra_inputs=EXTRA_EMBED)))
        cols["x_v2"].append(ref.features(b, "lst-v2"))
        md = ref.anchor_indices(b)
        t5_t3 = np.asarray(b["t5_t3"], np.int64).reshape(-1, 2)
        cols["cls"].append(b["t5_class"]), cols["sim_pt"].append(b["t5_sim_pt"]), cols["sim_d0"].append(b["t5_sim_d0"])
        cols["r_inner"].append(b["t3_radius"][t5_t3[:, 0]]), cols["eta1"].append(b["md_eta"][md[:, 0]])
        cols["event"].append(np.full(md.shape[0], first_event + i, np.int32)), cols["particle"].append(x["t5_particle"])
    out = {k: np.concatenate(v) for k, v in cols.items()}
    out["phi1"] = np.concatenate([b["md_phi"][ref.anchor_indices(b)[:, 0]] for b in batches])
    return out


def scored_table(seed, n_events, cfg, jobs, clf, m3, me, binary_layers, chunk=200):
    """A working-point or check sample reduced, a chunk of events at a time, to what the
    working points, the comparison and the embedding cut need: the 3-class and binary
    scores and the embedding per T5 (the inputs themselves are not kept, so samples of
    thousands of events fit in memory)."""
    parts = []
    for first in range(0, n_events, chunk):
        events = sample.generate(seed, min(chunk, n_events - first), cfg["pileup"], jobs, first=first,
                                 displaced=cfg["displaced"])
        tab = t5_table(with_host_columns(events, clf), [x for _, x in events], first)
        tab["score"] = v2ref.score(v2ref.network(tab.pop("x3"), m3), m3)
        tab["embedding"] = v2ref.network(tab.pop("xe"), me)
        tab["score_binary"] = ref.score(tab.pop("x_v2"), binary_layers)
        parts.append(tab)
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _near(eta, phi, i, j):
    return (np.abs(eta[i] - eta[j]) < PAIR_WINDOW) & (np.abs(ref.delta_phi(phi[i], phi[j])) < PAIR_WINDOW)


def _same_particle_pairs(particle):
    """All pairs (i < j) of rows with one sim particle (>= 0): groups are a few T5s each."""
    rows = np.nonzero(particle >= 0)[0]
    rows = rows[np.argsort(particle[rows], kind="stable")]
    starts = np.flatnonzero(np.r_[True, np.diff(particle[rows]) != 0])
    sizes = np.diff(np.r_[starts, rows.size])
    out = [np.zeros((0, 2), np.int64)]
    for size in np.unique(sizes[sizes > 1]):
        first = starts[sizes == size]
        a, b = np.triu_indices(size, 1)
        out.append(np.stack([rows[first[:, None] + a].ravel(), rows[first[:, None] + b].ravel()], axis=1))
    return np.concatenate(out)


def _other_pairs(eta, phi, particle, rng):
    """Up to OTHER_PAIRS_PER_EVENT pairs close in (eta, phi) of two different particles (or a
    fake), drawn uniformly from the eta-window candidates without listing them all: a dense
    jet can hold 1e8 of them."""
    order = np.argsort(eta, kind="stable")
    hi = np.searchsorted(eta[order], eta[order] + PAIR_WINDOW, side="left")
    counts = np.maximum(hi - np.arange(eta.size) - 1, 0)
    ends = np.cumsum(counts)
    total = int(ends[-1]) if ends.size else 0
    if total == 0:
        return np.zeros((0, 2), np.int64)
    flat = np.sort(rng.choice(total, size=min(total, 4 * OTHER_PAIRS_PER_EVENT), replace=False))
    first = np.searchsorted(ends, flat, side="right")
    second = first + 1 + (flat - (ends[first] - counts[first]))
    i, j = order[first], order[second]
    keep = _near(eta, phi, i, j) & ~((particle[i] >= 0) & (particle[i] == particle[j]))
    return np.stack([i[keep], j[keep]], axis=1)[:OTHER_PAIRS_PER_EVENT]


def pairs_of(tab, seed):
    """T5 pairs in one event with |d eta1|, |d phi1| < PAIR_WINDOW: (pairs [n, 2], same [n]),
    same = one sim particle; every same pair, at most OTHER_PAIRS_PER_EVENT others per event."""
    pairs, same = [], []
    bounds = np.flatnonzero(np.r_[True, np.diff(tab["event"]) != 0, True])
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        eta, phi = tab["eta1"][lo:hi].astype(np.float64), tab["phi1"][lo:hi].astype(np.float64)
        particle = tab["particle"][lo:hi]
        both = _same_particle_pairs(particle)
        both = both[_near(eta, phi, both[:, 0], both[:, 1])]
        others = _other_pairs(eta, phi, particle, np.random.default_rng([seed, int(tab["event"][lo])]))
        pairs += [both + lo, others + lo]
        same += [np.ones(len(both), bool), np.zeros(len(others), bool)]
    if not pairs:
        return np.zeros((0, 2), np.int64), np.zeros(0, bool)
    return np.concatenate(pairs), np.concatenate(same)


def reference_model(trained, extra_inputs, working_points=()):
    """The dict t5_v2_reference evaluates, from a trained model (as the model file will hold it)."""
    embedding = trained["layers"][-1][2] == "linear"
    return dict(feature_set="lst-v2", extra_inputs=extra_inputs, mean=trained["mean"], std=trained["std"],
                layers=trained["layers"], classes=None if embedding else CLASSES, score=None if embedding else SCORE,
                working_points=list(working_points), embedding_dim=EMBEDDING_DIM if embedding else 0)


def efficiencies(passed, tab):
    cls = tab["cls"]
    return {name: _r(passed[cls == k].mean()) for k, name in enumerate(CLASSES)}


def fit_3class(tr, seed, cfg):
    val = tr["event"] % 5 == 4
    trained = train_t5_v2.train_classifier(tr["x3"][~val], tr["cls"][~val], tr["x3"][val], tr["cls"][val], 3,
                                           seed * 10 + 1, max_epochs=cfg["max_epochs"], patience=cfg["patience"])
    return trained, reference_model(trained, EXTRA_3CLASS)


def working_points(model, wp, ck, log):
    """The 98% and 93% retention tables on the working-point sample, checked per bin on the
    check sample (tools/t5/t5_v2_retention.py); the cuts are recorded beside the check so
    that tools/tests/test_t5_v2_training.py can tie the check to the model file."""
    true_wp = wp["cls"] > 0
    wps, results = [], {}
    for percent in (98.0, 93.0):
        cuts, n_wp = train_t5.derive_table(wp["score"], true_wp, wp["r_inner"], wp["eta1"], percent)
        wp_entry = dict(name=f"retention{int(percent)}", **train_t5.table_wp(cuts))
        wps.append(wp_entry)
        res = retention.check(ck, wp_entry)
        passed = train_t5.passes(ck["score"], ck["r_inner"], ck["eta1"], wp_entry)
        results[wp_entry["name"]] = dict(cuts=cuts, check_retention_per_bin=[[_r(v) for v in row] for row in res["rates"]],
                                         check_retention_error_per_bin=[[_r(v) for v in row] for row in res["errors"]],
                                         check_true_t5_per_bin=res["counts"], check_retention_overall=_r(res["overall"]),
                                         check_retention_min=_r(res["min"]), check_retention_max=_r(res["max"]),
                                         check_bins_outside_tolerance=len(res["outside"]), tolerance=retention.TOLERANCE,
                                         true_t5_per_bin_wp_sample=n_wp, check_efficiency=efficiencies(passed, ck))
        for line in retention.markdown(f"3-class {wp_entry['name']}, check sample", res):
            log(line)
        log(f"3-class {wp_entry['name']}: efficiency {efficiencies(passed, ck)}")
    model["working_points"] = wps
    return results


def binary_comparison(ck, wp_binary, log):
    passed = train_t5.passes(ck["score_binary"], ck["r_inner"], ck["eta1"], wp_binary)
    eff = efficiencies(passed, ck)
    log(f"binary lst-v2 ({BINARY_MODEL.name}, its 98% table): efficiency {eff}")
    return dict(file=str(BINARY_MODEL.relative_to(ROOT)), check_efficiency=eff)


def fit_embedding(tr, seed, cfg):
    val = tr["event"] % 5 == 4
    pairs, same = pairs_of(tr, seed)
    in_val = val[pairs[:, 0]]
    ok = np.all(np.isfinite(tr["xe"]), axis=1)
    use = ok[pairs[:, 0]] & ok[pairs[:, 1]]
    trained = train_t5_v2.train_embedding(tr["xe"], pairs[use & ~in_val], same[use & ~in_val], pairs[use & in_val],
                                          same[use & in_val], tr["xe"], EMBEDDING_DIM, seed * 10 + 2,
                                          max_epochs=cfg["embed_epochs"], patience=cfg["patience"])
    return trained, reference_model(trained, EXTRA_EMBED)


def embedding_cut(trained, wp, ck, seed, log):
    """The distance cut keeping DUPLICATE_EFFICIENCY of the working-point sample's duplicate pairs."""
    distances = {}
    for offset, (name, tab) in enumerate((("wp", wp), ("check", ck)), 1):
        e = tab["embedding"].astype(np.float64)
        p, s = pairs_of(tab, seed + offset)
        d = np.sqrt(((e[p[:, 0]] - e[p[:, 1]]) ** 2).sum(axis=1))
        distances[name] = (d, s)
    d_wp, s_wp = distances["wp"]
    cut = train_t5.f32(np.quantile(d_wp[s_wp & np.isfinite(d_wp)], DUPLICATE_EFFICIENCY))
    d_ck, s_ck = distances["check"]
    result = dict(distance_cut=cut, pair_window=PAIR_WINDOW, other_pairs_per_event=OTHER_PAIRS_PER_EVENT,
                  training=trained["info"],
                  check_pairs=int(d_ck.size), check_duplicate_pairs=int(s_ck.sum()),
                  check_duplicate_efficiency=_r((d_ck[s_ck] < cut).mean()),
                  check_non_duplicate_below_cut=_r((d_ck[~s_ck] < cut).mean()))
    log(f"embedding: cut {cut:.4f}; check sample: {result['check_duplicate_efficiency']} of "
        f"{result['check_duplicate_pairs']} duplicate pairs below, {result['check_non_duplicate_below_cut']} of "
        f"{int((~s_ck).sum())} other pairs")
    return result, distances


def provenance(what, seed, cfg, info):
    return (f"Trained by tools/t5/make_t5_v2_models.py (seed {seed}) on the toy LST detector with long-lived "
            f"decays (tools/t5/lst_toy displaced mode, docs/t5_training.md): {cfg['train']} events at pile-up "
            f"{cfg['pileup']}; {what}; numpy MLP, Adam lr 2.5e-3, batch 1024, best epoch {info['best_epoch']} of "
            f"{info['epochs_run']}. Host columns: tools/t5/t5_host_columns.py.")


def write_models(work, seed, cfg, t3c, m3, me, trained3, trainede):
    doc3 = v2file.document("lst-v2", m3["layers"], provenance(
        "3-class softmax (fake, prompt, displaced) with class-balanced cross-entropy; working points: 98% and 93% "
        f"of true T5s per pT x |eta1| bin on {cfg['wp']} independent events (seed {seed + 1})", seed, cfg,
        trained3["info"]), extra_inputs=EXTRA_3CLASS, standardize=(m3["mean"], m3["std"]), classes=CLASSES,
        score=SCORE, working_points=m3["working_points"])
    doce = v2file.document("lst-v2", me["layers"], provenance(
        f"{EMBEDDING_DIM}-dimensional embedding with a contrastive loss (margin 1) on T5 pairs within "
        f"|d eta1|, |d phi1| < {PAIR_WINDOW}", seed, cfg, trainede["info"]), extra_inputs=EXTRA_EMBED,
        standardize=(me["mean"], me["std"]), embedding=True)
    paths = {"3class": work / "t5_v2_3class.json", "embed": work / "t5_v2_embed.json"}
    v2file.write(paths["3class"], doc3)
    v2file.write(paths["embed"], doce)
    return paths


GOLDEN_T5_PER_CLASS = 40  # keeps Tests/golden small (its *.bin files stay below 1 MB together)
T5_ROW_KEYS = ("t5_is_true", "t5_sim_pt", "t5_sim_eta", "t5_class", "t5_sim_d0", "t5_columns")


def _thin(batch):
    """The first GOLDEN_T5_PER_CLASS T5s of each class (in their order); MDs and T3s stay."""
    keep = np.sort(np.concatenate([np.nonzero(batch["t5_class"] == k)[0][:GOLDEN_T5_PER_CLASS] for k in range(3)]))
    out = dict(batch, n_t5=int(keep.size), t5_t3=batch["t5_t3"][keep])
    out.update({key: batch[key][keep] for key in T5_ROW_KEYS})
    return out


def golden_events(seed, cfg, clf):
    """The golden sample with host columns; the last event has NaN host columns on three
    candidates (an MD, a T3 and a T5 column), for the NaN policy."""
    events = sample.generate(seed + 3, cfg["golden"], cfg["golden_pileup"], 1, displaced=cfg["displaced"])
    batches = [_thin(b) for b in with_host_columns(events, clf)]
    last = batches[-1]
    if last["n_t5"] >= 3:
        md = ref.anchor_indices(last)
        t5_t3 = np.asarray(last["t5_t3"], np.int64).reshape(-1, 2)
        last["md_columns"][md[0, 2], 1] = np.nan   # anchor 3 of T5 0: read by the 3-class model
        last["t3_columns"][t5_t3[1, 1], 2] = np.nan  # outer T3 of T5 1: read by both models
        last["t5_columns"][2, 0] = np.nan
    return batches


def write_golden(batches, paths, golden_dir):
    write_events(golden_dir / "t5_events_v2.bin", batches, with_truth=True, with_host_columns=True,
                 with_class_truth=True)
    for name, path in paths.items():
        model = v2file.read(path)
        events = [v2ref.evaluate(b, host.columns_of(b), model) for b in batches]
        counts = (events[0]["features"].shape[1], len(model["classes"] or []), model["embedding_dim"],
                  len(model["working_points"]))
        write_golden_v2(golden_dir / f"t5_golden_v2_{name}.bin", *counts, events)


def main() -> int:
    parser = toy_arguments(__doc__, DEFAULT_SEED, 1, ROOT / "build" / "t5_v2_toy", "write only under --work")
    parser.add_argument("--golden-only", action="store_true",
                        help="only the golden events and vectors, for the models already in models/ (the T3 "
                             "classifier of the host columns is retrained: it is not stored)")
    parser.add_argument("--save-tables", action="store_true",
                        help="also write the scored working-point and check tables to --work as "
                             "t5_v2_table_{wp,check}.npz (about 150 MB each), for tools/t5/t5_v2_retention.py")
    args = parser.parse_args()
    cfg, work, log = start_run(args, QUICK, FULL)

    train_events = sample.generate(args.seed, cfg["train"], cfg["pileup"], args.jobs, displaced=cfg["displaced"])
    clf = t3_classifier(train_events, args.seed * 10, cfg, log)
    if args.golden_only:
        paths = {name: (work if args.no_install else ROOT / "models") / f"t5_v2_{name}.json" for name in ("3class", "embed")}
        write_golden(golden_events(args.seed, cfg, clf), paths, work if args.no_install else ROOT / "Tests" / "golden")
        log("golden vectors written")
        return 0
    train = t5_table(with_host_columns(train_events, clf), [x for _, x in train_events])
    del train_events
    trained3, m3 = fit_3class(train, args.seed, cfg)
    trainede, me = fit_embedding(train, args.seed, cfg)
    log(f"trained: 3-class best epoch {trained3['info']['best_epoch']}, embedding {trainede['info']['best_epoch']}")
    _, binary_layers, wp_bin, _ = t5_model_file.read_model(BINARY_MODEL)
    tabs = {"train": train}
    for name, offset in (("wp", 1), ("check", 2)):
        tabs[name] = scored_table(args.seed + offset, cfg[name], cfg, args.jobs, clf, m3, me, binary_layers)
        log(f"sample {name}: seed {args.seed + offset}, {cfg[name]} events")
        if args.save_tables:
            np.savez(work / f"t5_v2_table_{name}.npz", **tabs[name])
    for name, tab in tabs.items():
        log(f"{name}: {tab['cls'].size} T5, classes {np.bincount(tab['cls'], minlength=3).tolist()}")
    res3 = working_points(m3, tabs["wp"], tabs["check"], log)
    binary = binary_comparison(tabs["check"], wp_bin, log)
    rese, distances = embedding_cut(trainede, tabs["wp"], tabs["check"], args.seed, log)
    paths = write_models(work, args.seed, cfg, clf, m3, me, trained3, trainede)
    summary = dict(seed=args.seed, config=cfg, samples={k: dict(t5=int(t["cls"].size),
                   per_class=np.bincount(t["cls"], minlength=3).tolist()) for k, t in tabs.items()},
                   t3_classifier=clf["info"], model_3class=dict(training=trained3["info"], working_points=res3),
                   binary_lst_v2=binary, embedding=rese)
    results = work / "t5_v2_results.json"
    results.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    batches = golden_events(args.seed, cfg, clf)
    golden_dir = work if args.no_install else ROOT / "Tests" / "golden"
    write_golden(batches, paths, golden_dir)
    if not args.no_install:
        for name, path in paths.items():
            shutil.copyfile(path, ROOT / "models" / path.name)
            shutil.copyfile(path, golden_dir / f"t5_model_v2_{name}.json")
        shutil.copyfile(results, ROOT / "models" / results.name)
    if not args.no_plots:
        import plot_t5_v2
        plot_t5_v2.draw(ROOT / "docs" / "plots" if not args.no_install else work, tabs["check"], m3, wp_bin,
                        distances["check"], rese["distance_cut"])
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
