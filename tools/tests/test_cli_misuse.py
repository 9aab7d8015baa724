"""`trigml` misuse table (issue 13): every case exits non-zero with a message
naming the problem, leaves every input file byte-identical, and leaves no
output file behind."""
import json
import os
import shutil
import subprocess
import tempfile

import pytest

import checkout_paths
import lut_reference as ref

CLI = str(checkout_paths.TOOLS / "trigml")
MODE12_FIRST = 7 << 23  # emtf2017-mode12: [7 * 2^23, 8 * 2^23)


def run(args, cwd):
    return subprocess.run([CLI] + args, capture_output=True, text=True, cwd=cwd)


def snapshot(directory):
    files = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, directory)] = f.read()
    return files


@pytest.fixture
def work(tmp_path):
    """forest.json and mode12.json (the same 10-input forest), t.bin: a
    sub-range of mode 12 with its sidecar, u.bin: the same without one,
    short.bin: t.bin less its last word, other.json: forest.json with one
    leaf changed, forests/: three of the eleven mode files."""
    shutil.copy(ref.golden_forest_path(10), tmp_path / "forest.json")
    shutil.copy(ref.golden_forest_path(10), tmp_path / "mode12.json")
    first = MODE12_FIRST + 4096
    r = run(["lut", "generate", "--scheme", "emtf2017-mode12", "--forest", "forest.json", "--first", str(first),
             "--count", "8192", "--out", "t.bin"], tmp_path)
    assert r.returncode == 0, r.stderr
    shutil.copy(tmp_path / "t.bin", tmp_path / "u.bin")  # the same table without a sidecar
    (tmp_path / "short.bin").write_bytes((tmp_path / "t.bin").read_bytes()[:-2])
    other = json.load(open(tmp_path / "forest.json"))
    other["trees"][3]["value"][-1] += 0.25  # same shape, one leaf changed
    json.dump(other, open(tmp_path / "other.json", "w"))
    forests = tmp_path / "forests"
    forests.mkdir()
    for mode in (15, 14, 12):
        nf = {15: 20, 14: 12, 12: 10}[mode]
        shutil.copy(ref.golden_forest_path(nf), forests / f"mode{mode}.json")
    return tmp_path


G = ["lut", "generate", "--scheme", "emtf2017-mode12", "--forest", "forest.json", "--count", "4096"]
V = ["lut", "verify", "--scheme", "emtf2017-mode12", "--in", "t.bin"]

CASES = {
    "misspelled option": (G + ["--frist", "0", "--out", "o.bin"],
                          ["unknown option '--frist'", "did you mean '--first'?"]),
    "misspelled subcommand": (["lut", "generat"] + G[2:] + ["--out", "o.bin"],
                              ["unknown subcommand 'generat'", "did you mean 'generate'?"]),
    "misspelled command": (["lutt", "generate"], ["unknown command 'lutt'", "did you mean 'lut'?"]),
    "out equal to the forest": (G + ["--out", "forest.json"],
                                ["--out forest.json is the forest file forest.json", "refusing to overwrite"]),
    "out equal to the forest by another path": (G + ["--out", "./forests/../forest.json"],
                                                ["is the forest file forest.json", "refusing to overwrite"]),
    "sidecar equal to the forest": (["lut", "generate", "--scheme", "emtf2017-mode12", "--forest", "mode12.json",
                                     "--count", "4096", "--out", "mode12"],
                                    ["the sidecar of --out mode12.json is the forest file mode12.json"]),
    "verify with another forest": (V + ["--forest", "other.json"],
                                   ["this file was made with forest SHA-256", "other.json has SHA-256"]),
    "verify with another scheme": (["lut", "verify", "--scheme", "emtf2017-mode14", "--forest", "forests/mode14.json",
                                    "--in", "t.bin"], ["this file was made with scheme preset 'emtf2017-mode12'"]),
    "verify of a sub-range without --first": (
        ["lut", "verify", "--scheme", "emtf2017-mode12", "--forest", "forest.json", "--in", "u.bin"],
        ["u.bin is 16384 bytes but the range", "no sidecar u.bin.json"]),
    "verify with a --first the sidecar contradicts": (
        V + ["--forest", "forest.json", "--first", str(MODE12_FIRST)],
        [f"--first {MODE12_FIRST} differs from the {MODE12_FIRST + 4096} that t.bin.json records"]),
    "verify with another format": (V + ["--forest", "forest.json", "--format", "emtf64"],
                                   ["--format emtf64 differs from the u16 that t.bin.json records"]),
    "verify with another conversion": (V + ["--forest", "forest.json", "--conversion", "emtf2022"],
                                       ["the conversion given (target log2_pt", "differs from the one t.bin.json records"]),
    "verify of a range that leaves the scheme": (
        ["lut", "verify", "--scheme", "emtf2017-mode12", "--forest", "forest.json", "--in", "u.bin",
         "--first", str(MODE12_FIRST + (1 << 23) - 4096), "--count", "8192"],
        ["leaves scheme 'emtf2017-mode12'"]),
    "verify of a truncated file": (
        ["lut", "verify", "--scheme", "emtf2017-mode12", "--forest", "forest.json", "--in", "short.bin", "--sidecar",
         "t.bin.json"], ["short.bin is 16382 bytes but the range"]),
    "missing mode": (["lut", "generate", "--all-modes", "--forests", "forests", "--count", "4096", "--out", "o.bin"],
                     ["missing mode forest files", "forests/mode13.json", "--allow-missing-modes"]),
    "range outside the scheme": (G[:6] + ["--first", str(MODE12_FIRST - 4), "--count", "8", "--out", "o.bin"],
                                 [f"range [{MODE12_FIRST - 4}, {MODE12_FIRST - 4} + 8) leaves scheme 'emtf2017-mode12'"]),
    "forest with the wrong input count": (["lut", "generate", "--scheme", "emtf2017-mode15", "--forest", "forest.json",
                                           "--count", "4", "--out", "o.bin"],
                                          ["decodes 20 inputs but the forest", "takes 10"]),
    "conflicting schemes": (G + ["--scheme-file", "x.json", "--out", "o.bin"],
                            ["--scheme and --scheme-file cannot be combined"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_misuse(work, case):
    args, expected = CASES[case]
    before = snapshot(work)
    r = run(args, work)
    assert r.returncode != 0, r.stdout
    for text in expected:
        assert text in r.stderr, (text, r.stderr)
    assert snapshot(work) == before  # inputs byte-identical, nothing written


def test_verify_of_a_sub_range_without_first(work):
    """With its sidecar the sub-range verifies without --first; without it
    the length does not match the scheme's range and verify says so."""
    r = run(V + ["--forest", "forest.json", "--full"], work)
    assert r.returncode == 0 and "all 8192 addresses" in r.stdout and "0 differ" in r.stdout, r.stdout + r.stderr
    os.rename(work / "t.bin.json", work / "kept.json")
    before = snapshot(work)
    r = run(V + ["--forest", "forest.json"], work)
    assert r.returncode == 2
    assert "t.bin is 16384 bytes but the range" in r.stderr and "no sidecar t.bin.json" in r.stderr, r.stderr
    assert snapshot(work) == before
    r = run(V + ["--forest", "forest.json", "--first", str(MODE12_FIRST + 4096), "--count", "8192"], work)
    assert r.returncode == 0, r.stderr


def test_missing_mode_allowed(work):
    r = run(["lut", "generate", "--all-modes", "--forests", "forests", "--allow-missing-modes", "--first",
             str(MODE12_FIRST - 4096), "--count", "8192", "--out", "o.bin"], work)
    assert r.returncode == 0, r.stderr
    side = json.load(open(work / "o.bin.json"))
    assert "emtf2017-mode13" in side["missing_modes"] and [f["scheme"] for f in side["forests"]] == [
        "emtf2017-mode15", "emtf2017-mode14", "emtf2017-mode12"]
    r = run(["lut", "verify", "--all-modes", "--forests", "forests", "--allow-missing-modes", "--in", "o.bin", "--full"],
            work)
    assert r.returncode == 0 and "0 differ" in r.stdout, r.stdout + r.stderr


def can_mount_tmpfs():
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    d = tempfile.mkdtemp()
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", d], capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", d], check=True)
        return ok
    finally:
        os.rmdir(d)


@pytest.mark.skipif(not can_mount_tmpfs(), reason="needs root and mount -t tmpfs to make a 256 KiB file system")
def test_full_disk_leaves_no_file(work):
    disk = work / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], check=True)
    try:
        before = snapshot(work)
        # 2^20 words = 2 MiB: the disk fills during the table
        r = run(G[:6] + ["--count", str(1 << 20), "--out", "disk/o.bin"], work)
        assert r.returncode == 2, r.stdout
        assert "cannot write disk/o.bin: No space left on device" in r.stderr, r.stderr
        assert os.listdir(disk) == []
        assert snapshot(work) == before
        # and a table that fits is written whole
        r = run(G[:6] + ["--count", "4096", "--out", "disk/o.bin"], work)
        assert r.returncode == 0, r.stderr
        assert sorted(os.listdir(disk)) == ["o.bin", "o.bin.json"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)
