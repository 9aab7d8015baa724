"""LUT generation benchmark: full mode-15 range (2^29) and the full 2^30 table
(all eleven EMTF modes) with 400-tree depth-5 XGBoost forests trained on the
toy (tools/lut/lut_toy.py), vs XGBoost itself evaluating the same addresses.

    python3 tools/lut/lut_toy.py --mode all --out /tmp/forests     # once, about 10 min on 2 cores
    python3 bench/run_lut_bench.py --forests /tmp/forests [--threads 2] [--skip-full]

Writes bench/LUT_RESULTS.md. One run; wall and CPU seconds of the trigml
CLI (`trigml lut generate`, which includes loading forests and writing the
file) and XGBoost's inplace_predict rate on 1M decoded addresses,
extrapolated to the same address counts.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
CLI = os.path.join(REPO, "tools", "trigml")


def run(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.time() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def xgb_rate(forest, mode, threads):
    import xgboost as xgb
    import lut_reference as ref
    first, count = ref.scheme_range(mode)
    rng = np.random.default_rng(1)
    x = ref.decode(mode, first + rng.integers(0, count, size=1 << 20, dtype=np.uint64))
    b = xgb.Booster(model_file=forest)
    b.set_param({"nthread": threads})
    b.inplace_predict(x[:1000])
    t = time.time()
    b.inplace_predict(x)
    return (time.time() - t) / x.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--forests", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default="/tmp")
    ap.add_argument("--skip-full", action="store_true")
    a = ap.parse_args()
    rows = []
    out15 = os.path.join(a.out_dir, "lut_mode15.bin")
    w, c = run([CLI, "lut", "generate", "--scheme", "emtf2017-mode15", "--forest", os.path.join(a.forests, "mode15.json"),
                "--threads", str(a.threads), "--out", out15])
    per = xgb_rate(os.path.join(a.forests, "mode15.json"), 15, a.threads)
    rows.append(("mode 15, 2^29 addresses", w, c, per * 2**29))
    os.remove(out15)
    if not a.skip_full:
        outall = os.path.join(a.out_dir, "lut_full.bin")
        w, c = run([CLI, "lut", "generate", "--all-modes", "--forests", a.forests, "--threads", str(a.threads),
                    "--format", "emtf64", "--out", outall])
        est = per * 2**29
        for m in (14, 13, 11, 7, 12, 10, 9, 6, 5, 3):
            import lut_reference as ref
            est += xgb_rate(os.path.join(a.forests, f"mode{m}.json"), m, a.threads) * ref.scheme_range(m)[1]
        rows.append(("all modes, 2^30 addresses (emtf64 file)", w, c, est))
        os.remove(outall)
    trees = 400
    with open(os.path.join(REPO, "bench", "LUT_RESULTS.md"), "w") as f:
        f.write("# LUT generation (one run)\n\n")
        f.write(f"400-tree depth-5 XGBoost forests per mode (tools/lut/lut_toy.py), {a.threads} threads, "
                f"machine shared with other jobs (load average {os.getloadavg()[0]:.1f} at the end).\n\n")
        f.write("| table | trigml wall s | trigml CPU s | XGBoost inplace_predict, same addresses (extrapolated from 1M rows) s | ratio |\n|---|---|---|---|---|\n")
        for name, w, c, x in rows:
            f.write(f"| {name} | {w:.1f} | {c:.1f} | {x:.0f} | {x / w:.0f}x |\n")
    print(open(os.path.join(REPO, "bench", "LUT_RESULTS.md")).read())


if __name__ == "__main__":
    main()
