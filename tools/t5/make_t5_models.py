#!/usr/bin/env python3
"""One command: toy data -> trained T5 models -> working points -> library refresh -> plots.

usage: python3 tools/t5/make_t5_models.py [--seed 20261124] [--jobs 2] [--quick]
                                       [--no-install] [--no-build] [--no-plots] [--check-reproducible]

Steps (the full-size run takes a few minutes on 2 cores):
 1. generate three statistically independent toy samples (tools/t5/lst_toy):
    train (seed), working-point (seed+1), check (seed+2); tables with the
    features from the numpy reference (tools/reference/t5_reference.py);
 2. train lst-v2 and lst-v1 (tools/t5/train_t5.py), events 0,1,2,3 mod 5 for
    training and 4 mod 5 for early stopping;
 3. on the working-point sample: the baseline chi2 cut's fake efficiency, the
    DNN single cut matched to it, the 98% and 93%-retention pT x |eta| tables;
 4. write models/t5_lst_v2.json (98% table) and models/t5_lst_v1.json (single
    matched cut, LST v1 style) and models/t5_working_points.json (all working
    points and the validation numbers; check sample for the retention check);
 5. unless --no-install: copy the models to Tests/golden, embed the lst-v2 one
    as the library's default model, refresh the golden vectors, write the demo
    event file examples-c/data/t5_demo_events.bin; unless --no-build rebuild
    the library; unless --no-plots draw docs/plots/*.png (tools/plots/plot_t5.py).

--check-reproducible trains both models a second time from scratch (new
process) and fails unless the model files are byte-identical.
"""
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
ROOT = checkout_paths.ROOT

import t5_reference as ref  # noqa: E402
import train_t5  # noqa: E402
from lst_toy import event as toy_event  # noqa: E402
from lst_toy import sample  # noqa: E402
from t5_event_file import write_events  # noqa: E402
from t5_model_file import write_model  # noqa: E402
from toy_run import start_run, toy_arguments  # noqa: E402

DEFAULT_SEED = 20261124
# Baseline: chi2 = rz (3 dof) + curvature (2 dof) below the 95% point of a chi2 with 5 dof.
BASELINE_CHI2_CUT = 11.0705
FULL = dict(train=500, wp=800, check=800, pileup=toy_event.DEFAULT_PILEUP, max_epochs=40, patience=5)
QUICK = dict(train=16, wp=12, check=12, pileup=10, max_epochs=4, patience=2)
FEATURE_SETS = (("lst-v2", "x_v2"), ("lst-v1", "x_v1"))
DEMO_EVENTS, DEMO_PILEUP = 3, toy_event.DEFAULT_PILEUP


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def _r(v, digits=5):
    return None if v is None or not np.isfinite(v) else round(float(v), digits)


def _rates(rows):
    return [[_r(v) for v in row] for row in rows]


def build_tables(seed, cfg, jobs, work, log):
    tabs = {}
    for name, offset in (("train", 0), ("wp", 1), ("check", 2)):
        t0 = time.time()
        events = sample.generate(seed + offset, cfg[name], cfg["pileup"], jobs)
        tab = sample.table(events)
        tabs[name] = tab
        sample.save(work / f"table_{name}.npz", tab)
        sims = sample.sim_table(events)
        sample.save(work / f"sim_{name}.npz", sims)
        log(f"sample {name}: seed {seed + offset}, {cfg[name]} events, {tab['label'].size} T5 "
            f"({int(tab['label'].sum())} true), {time.time() - t0:.1f} s")
    return tabs


def train_models(tabs, seed, cfg, work, log):
    """Trains both feature sets; writes work/t5_lst_v{2,1}.json and work/t5_working_points.json."""
    tr = tabs["train"]
    val = (tr["event"] % 5) == 4
    wp, ck = tabs["wp"], tabs["check"]
    base_pass_wp = wp["chi2"] < BASELINE_CHI2_CUT
    base_pass_ck = ck["chi2"] < BASELINE_CHI2_CUT
    t_wp, t_ck = wp["label"] > 0, ck["label"] > 0
    baseline = dict(
        definition="chi2 = r-z straight-line chi2 of the 5 anchors (3 dof) + curvature-match chi2 of the "
                   "inner/bridge/outer radii (2 dof); pass if chi2 < cut (tools/t5/lst_toy/chi2.py)",
        cut=BASELINE_CHI2_CUT,
        wp_sample=dict(true_eff=_r(base_pass_wp[t_wp].mean()), fake_eff=_r(base_pass_wp[~t_wp].mean())),
        check_sample=dict(true_eff=_r(base_pass_ck[t_ck].mean()), fake_eff=_r(base_pass_ck[~t_ck].mean())),
    )
    summary = dict(seed=seed, samples={k: dict(events=cfg[k], t5=int(tabs[k]["label"].size),
                                                true_t5=int(tabs[k]["label"].sum()), seed=seed + o)
                                       for k, o in (("train", 0), ("wp", 1), ("check", 2))},
                   pileup=cfg["pileup"], baseline=baseline, models={})
    paths = {}
    for k, (feature_set, col) in enumerate(FEATURE_SETS):
        t0 = time.time()
        layers, info = train_t5.train(tr[col][~val], tr["label"][~val], tr[col][val], tr["label"][val],
                                      seed=seed * 10 + k, max_epochs=cfg["max_epochs"], patience=cfg["patience"])
        s_wp = ref.score(wp[col], layers, feature_set)
        s_ck = ref.score(ck[col], layers, feature_set)
        table98, n98 = train_t5.derive_table(s_wp, wp["label"], wp["r_inner"], wp["eta1"], 98.0)
        table93, _ = train_t5.derive_table(s_wp, wp["label"], wp["r_inner"], wp["eta1"], 93.0)
        cut = train_t5.matched_cut(s_wp[~t_wp], baseline["wp_sample"]["fake_eff"])
        single = {"kind": "single", "cut": cut}
        m_wp = train_t5.passes(s_wp, None, None, single)
        m_ck = train_t5.passes(s_ck, None, None, single)
        ret98 = train_t5.retention_table(s_ck, ck["label"], ck["r_inner"], ck["eta1"], train_t5.table_wp(table98))
        ret93 = train_t5.retention_table(s_ck, ck["label"], ck["r_inner"], ck["eta1"], train_t5.table_wp(table93))
        p98 = train_t5.passes(s_ck, ck["r_inner"], ck["eta1"], train_t5.table_wp(table98))
        fs = feature_set.replace("-", "_")
        wp_model = train_t5.table_wp(table98) if feature_set == "lst-v2" else single
        what = ("98%-retention pT x |eta| table (LST v2 kWp style)" if feature_set == "lst-v2"
                else "single cut matched to the baseline chi2 cut's fake efficiency (LST v1 style)")
        provenance = (
            f"Trained by tools/make_t5_models.py (seed {seed}) on the toy LST detector (tools/lst_toy, "
            f"docs/t5_training.md): {cfg['train']} events at pile-up {cfg['pileup']}, "
            f"{info['train_rows']} T5 for training + {info['validation_rows']} for early stopping; "
            f"numpy MLP {tr[col].shape[1]}-32-32-1, class-weighted BCE, Adam lr 2.5e-3, batch 1024, "
            f"best epoch {info['best_epoch']} of {info['epochs_run']}. Working point: {what}, from "
            f"{cfg['wp']} independent events (seed {seed + 1}). Other working points in "
            f"models/t5_working_points.json.")
        paths[feature_set] = work / f"t5_{fs}.json"
        write_model(paths[feature_set], feature_set, layers, wp_model, provenance)
        summary["models"][feature_set] = dict(
            file=f"models/t5_{fs}.json", working_point_in_file=wp_model["kind"], training=info,
            table98=dict(working_point=train_t5.table_wp(table98), true_t5_per_bin_wp_sample=n98,
                         check_retention_per_bin=_rates(ret98[0]), check_true_t5_per_bin=ret98[1],
                         check_retention_overall=_r(ret98[2]),
                         check_fake_eff=_r(p98[~t_ck].mean())),
            table93=dict(working_point=train_t5.table_wp(table93),
                         check_retention_per_bin=_rates(ret93[0]), check_retention_overall=_r(ret93[2])),
            matched_single=dict(working_point=single,
                                wp_sample=dict(true_eff=_r(m_wp[t_wp].mean()), fake_eff=_r(m_wp[~t_wp].mean())),
                                check_sample=dict(true_eff=_r(m_ck[t_ck].mean()), fake_eff=_r(m_ck[~t_ck].mean()))),
        )
        log(f"{feature_set}: best epoch {info['best_epoch']}/{info['epochs_run']}, {time.time() - t0:.1f} s; "
            f"matched cut {cut:.4f}: true eff {m_ck[t_ck].mean():.4f} vs baseline {base_pass_ck[t_ck].mean():.4f} "
            f"at fake eff {m_ck[~t_ck].mean():.4f} vs {base_pass_ck[~t_ck].mean():.4f} (check sample); "
            f"98% table retention on check sample {ret98[2]:.4f}")
    wp_path = work / "t5_working_points.json"
    wp_path.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return paths, wp_path, summary


def write_demo_events(seed, path):
    events = sample.generate(seed + 3, DEMO_EVENTS, DEMO_PILEUP, 1)
    write_events(path, [b for b, _ in events], with_truth=True)


def install(paths, wp_path, seed, log, build=True, plots=True, work=None):
    models = ROOT / "models"
    models.mkdir(exist_ok=True)
    golden = ROOT / "Tests" / "golden"
    for feature_set, src in paths.items():
        fs = feature_set.replace("-", "_")
        shutil.copyfile(src, models / f"t5_{fs}.json")
        shutil.copyfile(src, golden / f"t5_model_{fs}.json")
    shutil.copyfile(wp_path, models / "t5_working_points.json")
    py = sys.executable
    subprocess.run([py, str(checkout_paths.TOOLS / "t5" / "embed_default_model.py"), str(golden / "t5_model_lst_v2.json")], check=True, cwd=ROOT)
    subprocess.run([py, str(checkout_paths.TOOLS / "t5" / "make_t5_golden.py")], check=True, cwd=ROOT)
    demo = ROOT / "examples-c" / "data" / "t5_demo_events.bin"
    demo.parent.mkdir(parents=True, exist_ok=True)
    write_demo_events(seed, demo)
    log(f"wrote {demo.relative_to(ROOT)} ({demo.stat().st_size} bytes)")
    if build:
        t0 = time.time()
        subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-static-stdlib"], check=True, cwd=ROOT)
        log(f"library rebuilt in {time.time() - t0:.0f} s")
    if plots:
        subprocess.run([py, str(checkout_paths.TOOLS / "plots" / "plot_t5.py"), "--work", str(work)], check=True, cwd=ROOT)


def main() -> int:
    parser = toy_arguments(__doc__, DEFAULT_SEED, 2, ROOT / "build" / "t5_toy",
                           "leave models/, Tests/golden, the library alone")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--check-reproducible", action="store_true")
    args = parser.parse_args()
    cfg, work, log = start_run(args, QUICK, FULL)

    tabs = build_tables(args.seed, cfg, args.jobs, work, log)
    paths, wp_path, summary = train_models(tabs, args.seed, cfg, work, log)
    hashes = {k: sha256(p) for k, p in paths.items()}
    if args.check_reproducible:
        again = work / "again"
        again.mkdir(exist_ok=True)
        cmd = [sys.executable, __file__, "--seed", str(args.seed), "--work", str(again), "--no-install",
               "--jobs", "1"] + (["--quick"] if args.quick else [])
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        same = all(sha256(again / p.name) == hashes[k] for k, p in paths.items())
        same &= sha256(again / wp_path.name) == sha256(wp_path)
        log(f"reproducibility (fresh process, data regenerated with --jobs 1): "
            f"{'byte-identical' if same else 'DIFFERENT'}")
        if not same:
            return 1
    if not args.no_install:
        install(paths, wp_path, args.seed, log, build=not args.no_build, plots=not args.no_plots, work=work)
    for k, h in hashes.items():
        log(f"{k}: sha256 {h}")
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
