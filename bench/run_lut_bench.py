"""LUT generation benchmark: full mode-15 range (2^29) and the full 2^30 table
(all eleven EMTF modes) with 400-tree depth-5 XGBoost forests trained on the
toy (tools/lut/lut_toy.py), vs XGBoost itself evaluating the same addresses.

    python3 tools/lut/lut_toy.py --mode all --out /tmp/forests     # once, about 10 min on 2 cores
    python3 bench/run_lut_bench.py --forests /tmp/forests [--threads 2] [--skip-full]
    python3 bench/run_lut_bench.py --forests /tmp/forests --verify   # only the verify --full section

Writes bench/LUT_RESULTS.md. One run; wall and CPU seconds of the trigml
CLI (`trigml lut generate`, which includes loading forests and writing the
file) and XGBoost's inplace_predict rate on 1M decoded addresses,
extrapolated to the same address counts. `--verify` instead times
`trigml lut generate` and `trigml lut verify --full` (the independent
batched check) on the same 2^22-address mode-15 range, a few runs each,
and rewrites only that section of the file.
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


VERIFY_SECTION = "## verify --full"


def write_section(path, heading, body):
    """Replaces (or appends) the section that starts with `heading`."""
    text = open(path).read() if os.path.exists(path) else ""
    if heading in text:
        text = text[:text.index(heading)]
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n\n" + heading + "\n\n" + body)


def verify_benchmark(a):
    forest = os.path.join(a.forests, "mode15.json")
    first, count = (1 << 29) + (1 << 28), 1 << 22
    out = os.path.join(a.out_dir, "lut_verify_bench.bin")
    gen, ver = [], []
    for _ in range(a.repeats):
        gen.append(run([CLI, "lut", "generate", "--scheme", "emtf2017-mode15", "--forest", forest, "--first", str(first),
                        "--count", str(count), "--threads", str(a.threads), "--out", out]))
        ver.append(run([CLI, "lut", "verify", "--scheme", "emtf2017-mode15", "--forest", forest, "--in", out, "--full",
                        "--threads", str(a.threads)]))
    os.remove(out)
    os.remove(out + ".json")
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    gw, gc = median([w for w, _ in gen]), median([c for _, c in gen])
    vw, vc = median([w for w, _ in ver]), median([c for _, c in ver])
    body = (f"`python3 bench/run_lut_bench.py --forests DIR --verify`: mode 15, addresses [2^29 + 2^28, + 2^22), "
            f"400-tree depth-5 toy forest, {a.threads} threads, median of {a.repeats} runs each, whole commands "
            f"(load, hash, write or read); machine shared with other jobs (load average {os.getloadavg()[0]:.1f} "
            "at the end).\n\n"
            "| command | wall s | CPU s |\n|---|---|---|\n"
            f"| `trigml lut generate` (tabulated) | {gw:.1f} | {gc:.1f} |\n"
            f"| `trigml lut verify --full` (decode, forest evaluator leaves, exact sum) | {vw:.1f} | {vc:.1f} |\n"
            f"| ratio verify / generate | {vw / gw:.1f}x | {vc / gc:.1f}x |\n")
    path = os.path.join(REPO, "bench", "LUT_RESULTS.md")
    write_section(path, VERIFY_SECTION, body)
    print(open(path).read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--forests", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default="/tmp")
    ap.add_argument("--skip-full", action="store_true")
    ap.add_argument("--verify", action="store_true", help="only the verify --full timing (its own section)")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if a.verify:
        verify_benchmark(a)
        return
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
    path = os.path.join(REPO, "bench", "LUT_RESULTS.md")
    kept = open(path).read() if os.path.exists(path) else ""
    kept = kept[kept.index(VERIFY_SECTION):] if VERIFY_SECTION in kept else ""
    with open(path, "w") as f:
        f.write("# LUT generation (one run)\n\n")
        f.write(f"400-tree depth-5 XGBoost forests per mode (tools/lut/lut_toy.py), {a.threads} threads, "
                f"machine shared with other jobs (load average {os.getloadavg()[0]:.1f} at the end).\n\n")
        f.write("| table | trigml wall s | trigml CPU s | XGBoost inplace_predict, same addresses (extrapolated from 1M rows) s | ratio |\n|---|---|---|---|---|\n")
        for name, w, c, x in rows:
            f.write(f"| {name} | {w:.1f} | {c:.1f} | {x:.0f} | {x / w:.0f}x |\n")
        if kept:
            f.write("\n" + kept)
    print(open(os.path.join(REPO, "bench", "LUT_RESULTS.md")).read())


if __name__ == "__main__":
    main()
