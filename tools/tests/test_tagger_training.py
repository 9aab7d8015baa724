"""The training side's pieces that the study relies on: the DisCo penalty
and its gradient, the MLP export (library == numpy on the exported file),
the parametric generator's documented structure, the DDT score (the
tagger's logit), the Pythia jets' FastJet pipeline on a synthetic event
record, the committed Pythia sample, and the committed models and maps
meeting issue 5's 10x and flatness requirements on its held-out part."""
import json

import numpy as np
import pytest

import checkout_paths
import jets_parametric as jp
import tagger_metrics as tm
import tagger_model_file as tmf
import tagger_reference as ref
import tagger_train as tt
import trigml


def test_disco_value_matches_the_metric_helper():
    rng = np.random.default_rng(1)
    m = rng.uniform(size=200)
    y = 0.5 * m + 0.2 * rng.uniform(size=200)
    value, _ = tt.disco_gradient(m, y)
    assert value == pytest.approx(tm.distance_correlation_squared(m, y), rel=1e-10)
    assert tt.disco_gradient(m, rng.uniform(size=200))[0] < 0.05 < value


def test_disco_gradient_is_the_derivative():
    rng = np.random.default_rng(2)
    m = rng.uniform(size=60)
    y = np.tanh(m + 0.3 * rng.normal(size=60))
    _, g = tt.disco_gradient(m, y)
    for k in (0, 7, 33):
        h = 1e-6
        up, down = y.copy(), y.copy()
        up[k] += h
        down[k] -= h
        numeric = (tt.disco_gradient(m, up)[0] - tt.disco_gradient(m, down)[0]) / (2 * h)
        assert g[k] == pytest.approx(numeric, rel=1e-4, abs=1e-9)


def test_weighted_disco_value_and_derivative():
    rng = np.random.default_rng(3)
    m = rng.uniform(size=70)
    y = np.tanh(m + 0.3 * rng.normal(size=70))
    w = rng.uniform(0.2, 3.0, size=70)
    value, g = tt.disco_gradient(m, y, w)
    assert value == pytest.approx(tm.distance_correlation_squared(m, y, w), rel=1e-10)
    for k in (0, 9, 41):
        h = 1e-6
        up, down = y.copy(), y.copy()
        up[k] += h
        down[k] -= h
        numeric = (tt.disco_gradient(m, up, w)[0] - tt.disco_gradient(m, down, w)[0]) / (2 * h)
        assert g[k] == pytest.approx(numeric, rel=1e-4, abs=1e-9)
    # unit weights are the unweighted statistic
    assert tt.disco_gradient(m, y, np.full(70, 2.5))[0] == pytest.approx(tt.disco_gradient(m, y)[0], rel=1e-12)


def test_flat_mass_weights_flatten_the_mass_histogram():
    rng = np.random.default_rng(5)
    mass = rng.exponential(40.0, size=20000)
    w = tt.flat_mass_weights(mass)
    assert w.mean() == pytest.approx(1.0, rel=1e-12)
    k = np.clip((mass / 10).astype(int), 0, 29)
    counts = np.bincount(k, minlength=30)
    weighted = np.bincount(k, weights=w, minlength=30)
    capped = np.isclose(np.bincount(k, weights=(w == w.max()), minlength=30), counts) & (counts > 0)
    free = (counts > 0) & ~capped
    assert capped.any() and free.sum() >= 10
    # uncapped bins carry equal weight; the cap only lowers the sparsest bins
    assert np.ptp(weighted[free]) <= 1e-9 * weighted[free].mean()
    assert np.all(weighted[capped] < weighted[free].min())


def test_exported_mlp_scores_equal_numpy(tmp_path):
    jets = jp.sample(300, 300, seed=9)
    # trained on multiplicity / 50, as train_models does; the file takes the raw jets
    x = tmf.normalise(jets["jet_features"], jp.JET_FEATURES, jp.JET_INPUT_DIVIDE_BY).astype(np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    params = tt.train((x - mean) / std, jets["label"].astype(np.float64), jets["mass"].astype(np.float64),
                      lam=10.0, seed=1, epochs=1, batch=128)
    doc = tt.export(params, mean, std, tmp_path / "m.json", "test")
    with trigml.Tagger.load(tmp_path / "m.json") as t:
        got = t.score(jets["jet_features"])
    assert np.max(np.abs(got - ref.score(ref.parse_model(doc), jets["jet_features"]))) <= 1e-6
    assert doc["format_version"] == 2 and doc["jet_features"][6] == {
        "name": "multiplicity", "divide_by": 50.0, "offset": float(mean[6]), "scale": float(1 / std[6])}


def test_generator_structure():
    sig = jp.generate(2000, True, seed=3)
    bkg = jp.generate(2000, False, seed=4)
    # signal: a W/Z mass peak; QCD: mostly light jets
    assert 75 < np.median(sig["mass"]) < 95
    assert np.median(bkg["mass"]) < 60
    # two-prong signal has lower tau21 than QCD
    assert np.median(sig["jet_features"][:, 0]) < np.median(bkg["jet_features"][:, 0])
    counts = np.diff(sig["offsets"].astype(np.int64))
    assert counts.min() >= 1 and counts.max() <= jp.MAX_CONSTITUENTS
    assert len(sig["constituent_features"]) == int(sig["offsets"][-1])
    assert np.all(np.isfinite(sig["jet_features"])) and np.all(np.isfinite(bkg["constituent_features"]))


# ------------------------------------------------------------ DDT score

def test_ddt_score_is_the_logit_in_double():
    p = np.array([0.5, 0.25, 0.9, 1e-3], np.float32)
    want = np.log(p.astype(np.float64) / (1 - p.astype(np.float64)))
    assert np.allclose(tt.ddt_score(p), want, rtol=1e-12, atol=0)
    assert tt.ddt_score(np.float32(0.5)) == 0.0


def test_ddt_score_is_finite_for_saturated_probabilities():
    """The library rounds p to float32: a confident jet has p = 1.0f exactly
    (or 0.0f), whose logit must stay finite and keep the order."""
    p = np.array([0.0, np.float32(2.0 ** -149), 0.5, np.float32(1 - 2.0 ** -24), 1.0, np.nan], np.float32)
    z = tt.ddt_score(p)
    assert np.all(np.isfinite(z[:5])) and np.isnan(z[5])
    assert np.all(np.diff(z[:5]) >= 0)
    assert z[4] == pytest.approx(16.6355, abs=1e-4) and z[0] == pytest.approx(-103.2789, abs=1e-4)


# ------------------------------------------------------------ Pythia jets

def _event_record(rng, prongs, boson):
    """A nextBatch-like event: the system entry, a W (daughters 2, 3: two
    quarks) and final-state particles of collimated prongs plus a soft
    underlying event."""
    pt, eta, phi = [], [], []
    for c_eta, c_phi, ptot, n in prongs:
        share = rng.dirichlet(np.full(n, 0.7)) * ptot
        pt += list(share)
        eta += list(c_eta + 0.02 * rng.normal(size=n))
        phi += list(c_phi + 0.02 * rng.normal(size=n))
    ue = 200
    pt += list(rng.exponential(0.8, ue))
    eta += list(rng.uniform(-3, 3, ue))
    phi += list(rng.uniform(-np.pi, np.pi, ue))
    pt, eta, phi = map(np.array, (pt, eta, phi))

    def vec(pt_, eta_, phi_, m=0.0):
        return dict(px=pt_ * np.cos(phi_), py=pt_ * np.sin(phi_), pz=pt_ * np.sinh(eta_),
                    e=np.sqrt((pt_ * np.cosh(eta_)) ** 2 + m * m))
    (e1, f1, p1), (e2, f2, p2) = boson
    head = [dict(id=90, status=-11, daughter1=0, daughter2=0, p=dict(px=0.0, py=0.0, pz=0.0, e=13000.0)),
            dict(id=24, status=-22, daughter1=2, daughter2=3, p=vec((p1 + p2), (e1 + e2) / 2, (f1 + f2) / 2, 80.4)),
            dict(id=1, status=-23, daughter1=0, daughter2=0, p=vec(p1, e1, f1)),
            dict(id=-2, status=-23, daughter1=0, daughter2=0, p=vec(p2, e2, f2))]
    ids = rng.choice([211, -211, 22, 130], len(pt))
    ids[::37] = 12   # neutrinos are invisible
    final = [dict(id=int(i), status=91, daughter1=0, daughter2=0, p=vec(a, b, c)) for i, a, b, c in zip(ids, pt, eta, phi)]
    return {"prt": head + final}


def test_pythia_jet_pipeline_on_a_synthetic_event_record():
    """jets_pythia's FastJet part on nextBatch-shaped records (no Pythia
    needed): a two-prong jet keeps its mass after soft drop and has the
    lower tau21; a hard core with a 4% prong is groomed to a light jet; only
    the two-prong jet matches the W."""
    ak = pytest.importorskip("awkward")
    pytest.importorskip("fastjet")
    import jets_pythia as jpy
    rng = np.random.default_rng(4)
    two_prong = [(0.30, 0.50, 270, 25), (0.55, 0.60, 180, 25)]
    groomed = [(-0.6, 3.60, 480, 30), (-0.2, 3.40, 20, 8)]
    events = ak.Array([_event_record(rng, two_prong + groomed, ((0.30, 0.50, 270), (0.55, 0.60, 180)))])
    qcd = jpy.jets_from_batch("qcd", events)
    assert len(qcd["pt"]) == 2
    w, light = (0, 1) if qcd["mass"][0] > qcd["mass"][1] else (1, 0)
    assert 50 < qcd["mass"][w] and qcd["mass"][light] < 20 < qcd["mass_ungroomed"][light]
    assert qcd["tau2"][w] / qcd["tau1"][w] < qcd["tau2"][light] / qcd["tau1"][light]
    assert np.all(np.isfinite(jpy.jet_features(dict(qcd, label=np.zeros(2, np.uint8)))))
    counts = np.diff(qcd["offsets"].astype(np.int64))
    assert np.all(counts == np.minimum(qcd["multiplicity"], 60)) and counts.sum() == len(qcd["constituent_features"])
    sig = jpy.jets_from_batch("wprime", events)
    assert len(sig["pt"]) == 1 and sig["mass"][0] == qcd["mass"][w]


# ------------------------------------------------------------ the committed sample and study

def _sample_or_skip():
    import jets_pythia as jpy
    if not jpy.SAMPLE.exists():
        pytest.skip("no committed Pythia sample")
    return jpy


def test_committed_pythia_sample_structure():
    jpy = _sample_or_skip()
    assert jpy.SAMPLE.stat().st_size < 6e6
    parts = {p: jpy.load(jpy.SAMPLE, p) for p in jpy.PARTS}
    for name, jets in parts.items():
        assert np.all(np.isfinite(jets["jet_features"])), name
        assert np.all((jets["pt"] >= 299.5) & (jets["pt"] <= 1000.5)), name
        assert np.all(jets["mass"] >= 0), name
    assert np.all(parts["map"]["label"] == 0)
    for name in ("train", "test"):
        sig, bkg = (parts[name]["label"] == 1), (parts[name]["label"] == 0)
        # W/Z jets: a groomed-mass peak at 80-91 GeV, two-prong (low tau21, low D2)
        assert 70 < np.median(parts[name]["mass"][sig]) < 95
        assert np.median(parts[name]["mass"][bkg]) < 60
        for k in (0, 2):
            assert np.median(parts[name]["jet_features"][sig, k]) < np.median(parts[name]["jet_features"][bkg, k])
    cj = jpy.load_constituent_jets(jpy.SAMPLE)
    counts = np.diff(cj["offsets"].astype(np.int64))
    assert counts.min() >= 1 and counts.max() <= 60 and counts.sum() == len(cj["constituent_features"])
    assert set(np.unique(cj["label"])) == {0, 1}


def test_committed_study_meets_issue_5():
    """The committed models and DDT maps on the committed held-out jets,
    through the library: every decorrelated method has >= 10x the raw 1/JSD
    and every map passes the flatness rule at its design quantile."""
    jpy = _sample_or_skip()
    models = checkout_paths.ROOT / "models" / "taggers"
    test = jpy.load(jpy.SAMPLE, "test")
    bkg = test["label"] == 0
    inverse_jsd = {}
    for name in ("raw", "disco"):
        with trigml.Tagger.load(models / f"mlp_{name}.json") as t:
            p = t.score(test["jet_features"])[:, 0]
        inverse_jsd[name] = trigml.r50_jsd(p, test["label"], test["mass"])[1]
        for q in tt.WORKING_POINTS:
            path = models / f"ddt_{name}_q{int(q * 100):02d}.json"
            assert json.loads(path.read_text())["score_transform"] == "logit"
            with trigml.DDTMap.load(path) as m:
                d = m.apply(p, test["mass"], test["pt"])  # the map takes the logit itself
            inverse_jsd[(name, q)] = trigml.r50_jsd(d, test["label"], test["mass"])[1]
            rows = tt.flatness(d[bkg] > 0, test["mass"][bkg], q)
            assert len(rows) >= 10 and all(r[4] for r in rows), (name, q)
    raw = inverse_jsd.pop("raw")
    assert all(j >= 10 * raw for j in inverse_jsd.values()), (raw, inverse_jsd)
