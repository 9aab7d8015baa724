"""Sharding: N range shards run as separate processes (tools/lut/batch/lut_shard.sh,
the script the HTCondor and Slurm descriptions run), merged with lut_merge.sh,
equal one run byte for byte; the CLI's sidecar carries the forest SHA-256."""
import hashlib
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import checkout_paths
import lut_reference as ref

# tools/trigml finds the CLI ($TRIGML_CLI or the builds run-tests.sh and
# demo.sh make) and says where it looked when it is missing.
CLI = str(checkout_paths.TOOLS / "trigml")
BATCH = str(checkout_paths.TOOLS / "lut" / "batch")


def forests_dir(tmp_path):
    d = tmp_path / "forests"
    d.mkdir()
    for mode in ref.MODES:
        nf = {15: 20, 14: 12, 13: 12, 11: 12, 7: 10, 12: 10, 10: 10, 9: 10, 6: 9, 5: 9, 3: 9}[mode]
        shutil.copy(ref.golden_forest_path(nf), d / f"mode{mode}.json")
    return d


@pytest.mark.parametrize("fmt", ["u16", "emtf64"])
def test_shards_as_processes_equal_one_run(tmp_path, fmt):
    forests = forests_dir(tmp_path)
    # a range crossing the unused region, mode 3 and mode 5 (2-station prefixes 2 and 3)
    first, count = (2 << 23) - 4096, (1 << 23) + 8192 + 400
    opts = ["--all-modes", "--forests", str(forests), "--format", fmt, "--threads", "1"]
    n = 3
    procs = [subprocess.Popen([os.path.join(BATCH, "lut_shard.sh"), str(i), str(n), str(tmp_path / "shards"),
                               str(first), str(count), "--"] + opts, stdout=subprocess.DEVNULL)
             for i in range(n)]
    assert all(p.wait() == 0 for p in procs)
    merged = tmp_path / "merged.bin"
    subprocess.run([os.path.join(BATCH, "lut_merge.sh"), str(n), str(tmp_path / "shards"), str(merged)], check=True,
                   stdout=subprocess.DEVNULL)
    single = tmp_path / "single.bin"
    subprocess.run([CLI, "lut", "generate"] + opts + ["--first", str(first), "--count", str(count), "--out", str(single)],
                   check=True, stdout=subprocess.DEVNULL)
    assert merged.read_bytes() == single.read_bytes()
    side = json.load(open(str(single) + ".json"))
    assert side["first_address"] == first and side["count"] == count
    for f in side["forests"]:
        assert f["sha256"] == hashlib.sha256(open(f["path"], "rb").read()).hexdigest()
    # the words: unused region stores the pt-0 word (1), mode 3 the LUT
    words = np.fromfile(single, dtype=np.uint16) if fmt == "u16" else None
    if words is not None:
        assert np.all(words[:4096] == 1)
    r = subprocess.run([CLI, "lut", "verify"] + opts[:3] + ["--format", fmt, "--in", str(single), "--first", str(first),
                        "--sample", "20000"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_verify_detects_a_change(tmp_path):
    f = ref.golden_forest_path(10)
    out = tmp_path / "m12.bin"
    subprocess.run([CLI, "lut", "generate", "--scheme", "emtf2017-mode12", "--forest", f, "--count", "65536",
                    "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    w = np.fromfile(out, dtype=np.uint16)
    w[777] ^= 1
    w.tofile(out)
    r = subprocess.run([CLI, "lut", "verify", "--scheme", "emtf2017-mode12", "--forest", f, "--in", str(out), "--full"],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "1 differ" in r.stdout


def test_cli_lookup(tmp_path):
    r = subprocess.run([CLI, "lut", "lookup", "--scheme", "emtf2017-mode15", "--forest", ref.golden_forest_path(20),
                        "--address", str((1 << 29) + 12345)], capture_output=True, text=True, check=True)
    assert "input dphi_sum4a" in r.stdout and "word" in r.stdout


def test_grouping_limits_do_not_change_a_bit(tmp_path):
    """The tabulation's grouping limits and block size change only speed: the
    exact sum makes every grouping give the same words (fresh processes,
    since the limits are read once per process)."""
    args = [CLI, "lut", "generate", "--scheme", "emtf2017-mode15", "--forest", ref.golden_forest_path(20),
            "--first", str((1 << 29) + 777), "--count", str(1 << 20), "--threads", "2"]
    outs = []
    for i, env in enumerate([{}, {"TRIGML_LUT_MAX_CLASSES": "16", "TRIGML_LUT_MAX_CELLS": "256", "TRIGML_LUT_BLOCK": "1000"},
                             {"TRIGML_LUT_MAX_CLASSES": "60000", "TRIGML_LUT_MAX_CELLS": "4194304", "TRIGML_LUT_NO_SORT": "1"}]):
        out = tmp_path / f"g{i}.bin"
        subprocess.run(args + ["--out", str(out)], check=True, stdout=subprocess.DEVNULL, env={**os.environ, **env})
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
