"""The Python entry points under address-space limits (issue 12).

Each (limit, work) pair runs in a subprocess that sets RLIMIT_AS, imports
numpy and trigml, loads the library and makes its inputs (loading the T5
model, forest or tagger whose shape the inputs need; a TrigMLError there
counts like one after READY), prints READY, and only then does the work. It must end with success (exit 0) or with a
trigml.TrigMLError carrying TML_ERR_OUT_OF_MEMORY (exit 6), never a signal.
A subprocess that dies or fails before READY "could not start" (the
interpreter and numpy need address space too): allowed below the
comfortable limit and reported as such, never counted as a pass of the
library. At the comfortable limit (2.5 GiB) every work succeeds, including
2^24 mode-15 LUT words.

The LUT work uses a 100-tree depth-5 forest over the mode-15 inputs. Below
1500 MiB it generates the smallest range the library tabulates (split bit
18: 2^18 + 2^12 words) rather than 2^24: where the tabulation does not fit
the library evaluates one address at a time (docs/reliability.md), which
for 2^24 words would take many minutes. The words are compared with the
same range generated here without a limit.
"""
import json
import os
import resource
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import trigml
from conftest import GOLDEN, ROOT

LIMITS_MIB = [200, 300, 450, 700, 1000, 1500, 2560]
COMFORTABLE_MIB = 2560
LUT_FIRST = 805306368  # 2^29 + 2^28: inside mode 15
LUT_FULL_COUNT = 1 << 24
LUT_SMALL_COUNT = (1 << 18) + (1 << 12)
LUT_FULL_FROM_MIB = 1500
COULD_NOT_START = 100

CHILD = textwrap.dedent("""
    import sys
    work, forest_path, out_path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    try:
        import numpy as np
        import trigml
        trigml.cpu_path()  # loads the library
        rng = np.random.default_rng(12)
        if work == "t5":
            from t5_event_file import read_events
            batch = read_events(sys.argv[5])[0]
            model = trigml.T5Model.load(sys.argv[6])
        elif work == "forest":
            forest = trigml.Forest.load(sys.argv[5])
            rows = rng.normal(size=(1 << 20, forest.feature_count)).astype(np.float32)
        elif work == "lut":
            scheme = trigml.LUTScheme.preset("emtf2017-mode15")
        elif work == "tagger":
            tagger = trigml.Tagger.load(sys.argv[5])
            n_jets, per_jet = 100000, 30
            jets = rng.uniform(1, 100, size=(n_jets, tagger.jet_feature_count)).astype(np.float32)
            offsets = np.arange(n_jets + 1, dtype=np.uint64) * per_jet
            constituents = rng.uniform(0, 1, size=(n_jets * per_jet, tagger.constituent_feature_count))
            constituents = constituents.astype(np.float32)
        elif work == "ddt":
            n = 2_000_000
            score = rng.uniform(0, 1, n).astype(np.float32)
            mass = rng.uniform(40, 250, n).astype(np.float32)
            pt = rng.uniform(220, 990, n).astype(np.float32)
    except BaseException as e:
        if "trigml" in sys.modules and isinstance(e, sys.modules["trigml"].TrigMLError):
            print("READY", flush=True)  # a load failed in the library: its status counts
            print(e, file=sys.stderr)
            sys.exit(6 if e.status == sys.modules["trigml"].TML_ERR_OUT_OF_MEMORY else 7)
        # MemoryError or anything else before the library did any work.
        print(f"could not start: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(100)
    print("READY", flush=True)
    try:
        if work == "t5":
            score, passed = model.score(batch)
            assert np.isfinite(score).all()
        elif work == "forest":
            assert np.isfinite(forest.predict(rows)).all()
        elif work == "lut":
            with trigml.Forest.load(forest_path) as forest:
                words = trigml.generate_lut(scheme, forest, "emtf2017", LUT_FIRST, count, threads=2)
            np.save(out_path, words)
        elif work == "tagger":
            assert tagger.score(jets, offsets, constituents).shape[0] == n_jets
        elif work == "ddt":
            with trigml.DDTMap.build(score, mass, pt, background_efficiency=0.05) as ddt:
                assert np.isfinite(ddt.apply(score[:1000], mass[:1000], pt[:1000])).all()
    except trigml.TrigMLError as e:
        print(e, file=sys.stderr)
        sys.exit(6 if e.status == trigml.TML_ERR_OUT_OF_MEMORY else 7)
    except MemoryError as e:  # numpy's own output arrays, before or after the call
        print(f"python MemoryError after READY: {e}", file=sys.stderr)
        sys.exit(8)
""").replace("LUT_FIRST", str(LUT_FIRST))


def write_lut_forest(path):
    """100 depth-5 trees over the 20 mode-15 inputs: thresholds half way
    between decoded values of random addresses (as the C oom_sweep and
    tools/reference/lut_reference.py write_golden_forests do), fixed leaves."""
    rng = np.random.default_rng(20261207)
    with trigml.LUTScheme.preset("emtf2017-mode15") as scheme:
        nf = len(scheme.feature_names)
        addresses = LUT_FIRST + rng.integers(0, 1 << 28, 4096, dtype=np.uint64)
        decoded = scheme.decode(addresses)
    trees = []
    for _ in range(100):
        feature = [int(f) for f in rng.integers(0, nf, 31)] + [0] * 32
        threshold = [float(decoded[rng.integers(0, 4096), f]) + 0.5 for f in feature[:31]] + [0.0] * 32
        value = [0.0] * 31 + [float(v) for v in (rng.integers(0, 2001, 32) - 1000) * 8e-6]
        trees.append({"left": [2 * n + 1 for n in range(31)] + [-1] * 32,
                      "right": [2 * n + 2 for n in range(31)] + [-1] * 32,
                      "feature": feature, "threshold": threshold, "value": value})
    path.write_text(json.dumps({"format": "trigml.forest", "format_version": 1, "feature_count": nf,
                                "base_score": 0.03, "trees": trees}))


def run_child(work, limit_mib, tmp_path, forest_path):
    count = LUT_FULL_COUNT if limit_mib >= LUT_FULL_FROM_MIB else LUT_SMALL_COUNT
    extra = {"t5": [str(GOLDEN / "t5_events.bin"), str(GOLDEN / "t5_model_lst_v2.json")],
             "forest": [str(GOLDEN / "forests" / "xgb_reg_squarederror.json")],
             "tagger": [str(GOLDEN / "taggers" / "deepsets_sigmoid.json")]}.get(work, [])
    out_path = tmp_path / f"lut_{limit_mib}.npy"

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_mib << 20, limit_mib << 20))

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tools" / "formats")]))
    proc = subprocess.run([sys.executable, "-c", CHILD, work, str(forest_path), str(out_path), str(count), *extra],
                          preexec_fn=limit, env=env, capture_output=True, text=True, timeout=900)
    return proc, count, out_path


@pytest.fixture(scope="module")
def lut_forest(tmp_path_factory):
    path = tmp_path_factory.mktemp("oom") / "forest_100x5.json"
    write_lut_forest(path)
    return path


@pytest.fixture(scope="module")
def reference_words(lut_forest):
    """The LUT words of both ranges generated here, without a limit."""
    with trigml.LUTScheme.preset("emtf2017-mode15") as scheme, trigml.Forest.load(lut_forest) as forest:
        return {count: trigml.generate_lut(scheme, forest, "emtf2017", LUT_FIRST, count, threads=2)
                for count in (LUT_SMALL_COUNT, LUT_FULL_COUNT)}


@pytest.mark.parametrize("work", ["t5", "forest", "lut", "tagger", "ddt"])
def test_memory_limits_end_in_a_status(work, tmp_path, lut_forest, reference_words):
    outcomes = {}
    for limit_mib in LIMITS_MIB:
        proc, count, out_path = run_child(work, limit_mib, tmp_path, lut_forest)
        ready = "READY" in proc.stdout
        where = f"{work} at {limit_mib} MiB (exit {proc.returncode}): {proc.stderr.strip()[-600:]}"
        if not ready:
            # The interpreter, numpy or the inputs did not fit (Python may
            # even abort then): the library was never called.
            assert limit_mib < COMFORTABLE_MIB, "could not start at the comfortable limit: " + where
            outcomes[limit_mib] = "could not start"
            continue
        assert proc.returncode >= 0, "ended with a signal after the library was called: " + where
        assert proc.returncode in (0, 6), "neither success nor TML_ERR_OUT_OF_MEMORY: " + where
        if proc.returncode == 6:
            assert "TML_ERR_OUT_OF_MEMORY" in proc.stderr and "out of memory" in proc.stderr, where
            assert limit_mib < COMFORTABLE_MIB, "OUT_OF_MEMORY at the comfortable limit: " + where
        outcomes[limit_mib] = "ok" if proc.returncode == 0 else "OUT_OF_MEMORY"
        if work == "lut" and proc.returncode == 0:
            np.testing.assert_array_equal(np.load(out_path), reference_words[count], err_msg=where)
    print(f"{work}: " + ", ".join(f"{limit} MiB {outcome}" for limit, outcome in outcomes.items()))
    assert outcomes[COMFORTABLE_MIB] == "ok"
    # The sweep must reach the library at some limits, or it tests nothing.
    assert sum(outcome != "could not start" for outcome in outcomes.values()) >= 3, outcomes
