"""`trigml lut`: help and version, interrupts, verify finding one flipped
word, decode, the physics summary's warnings on a toy forest whose target
does not match the conversion, and input names checked against the scheme."""
import json
import os
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

import checkout_paths
import lut_reference as ref
import trigml

CLI = str(checkout_paths.TOOLS / "trigml")
MODE12 = "emtf2017-mode12"
MODE12_FIRST = 7 << 23


def run(args, cwd, check=False):
    r = subprocess.run([CLI] + args, capture_output=True, text=True, cwd=cwd)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.mark.parametrize("command", ["generate", "verify", "lookup", "decode"])
def test_help_of_every_command(tmp_path, command):
    r = run(["lut", command, "--help"], tmp_path, check=True)
    assert r.stdout.startswith(f"trigml lut {command}:") and "--help" in r.stdout
    top = run(["--help"], tmp_path, check=True).stdout
    assert r.stdout in top  # trigml --help documents every command's options


def test_version_and_usage(tmp_path):
    r = run(["--version"], tmp_path, check=True)
    assert r.stdout.startswith(f"trigml {trigml.library_version()} (C ABI 1, CPU path ")
    r = run([], tmp_path)
    assert r.returncode == 2 and "usage: trigml lut <command>" in r.stderr
    assert run(["lut", "--help"], tmp_path, check=True).stdout == run(["--help"], tmp_path).stdout


def test_sigterm_removes_the_temporary_files(tmp_path):
    shutil.copy(ref.golden_forest_path(20), tmp_path / "f.json")
    before = sorted(os.listdir(tmp_path))
    p = subprocess.Popen([CLI, "lut", "generate", "--scheme", "emtf2017-mode15", "--forest", "f.json",
                          "--count", str(1 << 27), "--threads", "1", "--out", "o.bin"], cwd=tmp_path,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and not any(".tmp-" in n for n in os.listdir(tmp_path)):
        time.sleep(0.005)
    assert any(".tmp-" in n for n in os.listdir(tmp_path)), "no temporary file appeared"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=60) == -signal.SIGTERM
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("fmt", ["u16", "emtf64"])
def test_verify_full_finds_one_flipped_word(tmp_path, fmt):
    shutil.copy(ref.golden_forest_path(10), tmp_path / "f.json")
    run(["lut", "generate", "--scheme", MODE12, "--forest", "f.json", "--first", str(MODE12_FIRST + 8192),
         "--count", str(1 << 18), "--format", fmt, "--out", "t.bin"], tmp_path, check=True)
    r = run(["lut", "verify", "--scheme", MODE12, "--forest", "f.json", "--in", "t.bin", "--full"], tmp_path, check=True)
    assert f"all {1 << 18} addresses" in r.stdout and ": 0 differ" in r.stdout
    data = bytearray((tmp_path / "t.bin").read_bytes())
    flipped = 12345
    data[2 * flipped if fmt == "u16" else 8 * (flipped // 4) + 4] ^= 1  # word 12345 (emtf64: bit 32, the third word of the uint64)
    (tmp_path / "t.bin").write_bytes(bytes(data))
    r = run(["lut", "verify", "--scheme", MODE12, "--forest", "f.json", "--in", "t.bin", "--full"], tmp_path)
    assert r.returncode == 1 and ": 1 differ" in r.stdout, r.stdout + r.stderr
    address = MODE12_FIRST + 8192 + (flipped if fmt == "u16" else 4 * (flipped // 4) + 2)
    assert f"first difference: address {address} " in r.stdout, r.stdout
    if fmt == "emtf64":  # a bit outside the four 9-bit fields makes the uint64's four words differ
        data[8 * 100 + 3] ^= 0x80  # bit 31
        (tmp_path / "t.bin").write_bytes(bytes(data))
        r = run(["lut", "verify", "--scheme", MODE12, "--forest", "f.json", "--in", "t.bin", "--full"], tmp_path)
        assert r.returncode == 1 and ": 5 differ" in r.stdout and "bits outside the four 9-bit fields" in r.stdout


def test_verify_all_modes_full(tmp_path):
    forests = tmp_path / "forests"
    forests.mkdir()
    for mode in ref.MODES:
        nf = {15: 20, 14: 12, 13: 12, 11: 12, 7: 10}.get(mode, 10 if mode in (12, 10, 9) else 9)
        shutil.copy(ref.golden_forest_path(nf), forests / f"mode{mode}.json")
    first = (2 << 23) - 4096  # the unused region, then mode 3
    run(["lut", "generate", "--all-modes", "--forests", "forests", "--first", str(first), "--count", str(1 << 16),
         "--out", "t.bin"], tmp_path, check=True)
    r = run(["lut", "verify", "--all-modes", "--forests", "forests", "--in", "t.bin", "--full"], tmp_path, check=True)
    assert ": 0 differ" in r.stdout
    w = np.fromfile(tmp_path / "t.bin", dtype=np.uint16)
    w[10] += 1  # an unused address
    w.tofile(tmp_path / "t.bin")
    r = run(["lut", "verify", "--all-modes", "--forests", "forests", "--in", "t.bin", "--full"], tmp_path)
    assert r.returncode == 1 and f"address {first + 10} (no scheme): file 2, expected 1" in r.stdout, r.stdout


@pytest.mark.parametrize("fmt", ["csv", "npy"])
def test_decode_writes_named_inputs(tmp_path, fmt):
    scheme = trigml.LUTScheme.preset("emtf2017-mode15")
    addresses = np.array([scheme.first_address + 5, scheme.first_address + 123456789, (1 << 30) - 1], dtype=np.uint64)
    np.save(tmp_path / "a.npy", addresses)
    (tmp_path / "a.txt").write_text("# addresses\n%d\n0x%x\n\n%d\n" % tuple(addresses))
    expected = scheme.decode(addresses)
    for source in (["--addresses", "a.npy"], ["--addresses", "a.txt"]):
        run(["lut", "decode", "--scheme", "emtf2017-mode15", "--format", fmt, "--out", "d." + fmt] + source,
            tmp_path, check=True)
        if fmt == "npy":
            d = np.load(tmp_path / "d.npy")
            assert d.dtype.names == ("address",) + scheme.feature_names
            got = np.stack([d[n] for n in scheme.feature_names], axis=1)
            addr = d["address"]
        else:
            lines = (tmp_path / "d.csv").read_text().splitlines()
            assert lines[0].split(",") == ["address"] + list(scheme.feature_names)
            table = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
            got, addr = table[:, 1:], table[:, 0].astype(np.uint64)
        assert np.array_equal(addr, addresses)
        assert np.array_equal(got.astype(np.float32), expected)
    r = run(["lut", "decode", "--scheme", "emtf2017-mode15", "--first", str(scheme.first_address), "--count", "3"],
            tmp_path, check=True)
    assert r.stdout.splitlines()[0].startswith("address,theta,st1_ring2,dphi12")
    (tmp_path / "bad.txt").write_text("5\n")
    r = run(["lut", "decode", "--scheme", "emtf2017-mode15", "--addresses", "bad.txt"], tmp_path)
    assert r.returncode == 2 and "address 0 (5) is outside scheme 'emtf2017-mode15'" in r.stderr


@pytest.fixture(scope="module")
def toy_forests(tmp_path_factory):
    """Mode-12 toy forests (tools/lut/lut_toy.py events) trained on 1/pT
    and on log2 pT."""
    xgb = pytest.importorskip("xgboost")
    import lut_toy
    d = tmp_path_factory.mktemp("toy")
    _, x, _, w, t = lut_toy.dataset(12, 60000, 7)
    pt = np.minimum(t["pt"], 128.0)
    for name, target in (("inv_pt", 1.0 / pt), ("log2_pt", np.log2(pt))):
        dm = xgb.DMatrix(x, label=target.astype(np.float32), weight=w)
        b = xgb.train({"objective": "reg:squarederror", "max_depth": 4, "eta": 0.2, "nthread": 2, "seed": 1,
                       "base_score": float(np.average(target, weights=w))}, dm, num_boost_round=40)
        b.save_model(str(d / f"{name}.json"))
    return d


@pytest.mark.parametrize("target, conversion, warns", [
    ("log2_pt", ["--conversion", "emtf2017"], True),  # log2 target read as 1/pT: the case
    ("inv_pt", ["--conversion", "emtf2022"], True),
    ("log2_pt", ["--conversion", "emtf2022"], False),
    ("inv_pt", ["--conversion", "emtf2017"], False),
    ("log2_pt", ["--conversion", "emtf2017", "--target", "log2_pt", "--output-floor", "0"], False),
])
def test_physics_summary_warns_on_a_mismatched_conversion(tmp_path, toy_forests, target, conversion, warns):
    r = run(["lut", "generate", "--scheme", MODE12, "--forest", str(toy_forests / f"{target}.json"), "--out", "t.bin"]
            + conversion, tmp_path, check=True)
    assert "word histogram:" in r.stdout and "median word by |dphi_ab|" in r.stdout
    assert ("WARNING" in r.stderr) == warns, r.stdout + r.stderr
    summary = json.load(open(tmp_path / "t.bin.json"))["summary"]
    assert any(line.startswith("WARNING") for line in summary) == warns
    if warns and target == "log2_pt":
        assert "of the words sit at the floor word 1" in r.stderr
        assert "the median word rises with |dphi_ab|" in r.stderr


def test_conversion_file(tmp_path, toy_forests):
    f = str(toy_forests / "log2_pt.json")
    run(["lut", "generate", "--scheme", MODE12, "--forest", f, "--conversion", "emtf2022", "--count", "65536",
         "--out", "a.bin"], tmp_path, check=True)
    side = json.load(open(tmp_path / "a.bin.json"))
    (tmp_path / "c.json").write_text(json.dumps(side["conversion"]))
    run(["lut", "generate", "--scheme", MODE12, "--forest", f, "--conversion-file", "c.json", "--count", "65536",
         "--out", "b.bin"], tmp_path, check=True)
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()
    (tmp_path / "bad.json").write_text('{"preset": "emtf2017", "word_mx": 1023}')
    r = run(["lut", "generate", "--scheme", MODE12, "--forest", f, "--conversion-file", "bad.json", "--count", "4",
             "--out", "b.bin"], tmp_path)
    assert r.returncode == 2 and "bad.json: word_mx is not a known key; did you mean 'word_max'?" in r.stderr
    r = run(["lut", "generate", "--scheme", MODE12, "--forest", f, "--conversion-file", "c.json", "--count", "4",
             "--out", "c.json"], tmp_path)
    assert r.returncode == 2 and "is the conversion file" in r.stderr


def named_toy(tmp_path, names):
    model = json.load(open(os.path.join(ref.GOLDEN_DIR, "xgb_mode7_toy.json")))
    model["learner"]["feature_names"] = names
    model["learner"]["feature_types"] = ["float"] * len(names)
    path = tmp_path / "named.json"
    path.write_text(json.dumps(model))
    return str(path)


def test_feature_names_must_match_the_scheme(tmp_path):
    scheme = trigml.LUTScheme.preset("emtf2017-mode7")
    names = list(scheme.feature_names)
    forest = trigml.Forest.load(named_toy(tmp_path, names))
    unnamed = trigml.Forest.load(os.path.join(ref.GOLDEN_DIR, "xgb_mode7_toy.json"))
    first = scheme.first_address
    assert np.array_equal(trigml.generate_lut(scheme, forest, "emtf2017", first, 4096),
                          trigml.generate_lut(scheme, unnamed, "emtf2017", first, 4096))
    names[2], names[3] = names[3], names[2]
    swapped = trigml.Forest.load(named_toy(tmp_path, names))
    expected = f"forest input 2 is named '{names[2]}' but scheme 'emtf2017-mode7' decodes '{names[3]}' there"
    for call in (lambda: trigml.generate_lut(scheme, swapped, "emtf2017", first, 16),
                 lambda: trigml.evaluate_lut(scheme, swapped, "emtf2017", np.array([first], dtype=np.uint64))):
        with pytest.raises(trigml.TrigMLError) as e:
            call()
        assert e.value.status == 4 and expected in e.value.message  # TML_ERR_SHAPE
    before = open(tmp_path / "named.json", "rb").read()
    r = run(["lut", "generate", "--scheme", "emtf2017-mode7", "--forest", "named.json", "--count", "16",
             "--out", "t.bin"], tmp_path)
    assert r.returncode == 2 and expected in r.stderr
    assert sorted(os.listdir(tmp_path)) == ["named.json"] and open(tmp_path / "named.json", "rb").read() == before
