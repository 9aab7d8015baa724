"""The numpy T5 reference, file formats and library parity, checked against
the spec (cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h, the kWp table
of RecoTracker/LSTCore/interface/alpaka/Common.h, and docs/formats/t5_model.md)."""
import math

import numpy as np
import pytest

import checkout_paths
import make_t5_golden
import t5_reference as ref
import trigml
from t5_event_file import read_events, write_events
from t5_model_file import read_model

GOLDEN = checkout_paths.ROOT / "Tests" / "golden"
F32 = np.float32


def one_t5(x, y, z, eta, phi, layer=(1, 2, 3, 4, 5), r=None, inner_radius=100.0, outer_radius=200.0):
    """A batch holding a single T5 over five MDs given column by column."""
    x, y = np.array(x, F32), np.array(y, F32)
    return {"n_md": 5, "md_x": x, "md_y": y, "md_z": np.array(z, F32),
            "md_r": np.array(r, F32) if r is not None else np.hypot(x, y).astype(F32),
            "md_eta": np.array(eta, F32), "md_phi": np.array(phi, F32), "md_layer": np.array(layer, np.uint8),
            "n_t3": 2, "t3_md": np.array([[0, 1, 2], [2, 3, 4]], np.uint32),
            "t3_radius": np.array([inner_radius, outer_radius], F32),
            "n_t5": 1, "t5_t3": np.array([[0, 1]], np.uint32)}


# Five float32-exact points on the circle of radius 300 cm about (0, -300) (Pythagorean triples).
CIRCLE_300 = ([0.0, 84.0, 180.0, 240.0, 288.0], [0.0, -12.0, -60.0, -120.0, -216.0])


def on_circle(cx, cy, radius, angles):
    return [cx + radius * math.cos(a) for a in angles], [cy + radius * math.sin(a) for a in angles]


# ---------------------------------------------------------------- features

def test_delta_phi_wraps_into_minus_pi_pi():
    assert ref.delta_phi(-3.0, 3.0) == pytest.approx(2 * math.pi - 6.0)
    assert ref.delta_phi(3.0, -3.0) == pytest.approx(6.0 - 2 * math.pi)
    assert ref.delta_phi(0.5, 0.2) == pytest.approx(0.3)
    rng = np.random.default_rng(1)
    d = ref.delta_phi(rng.uniform(-math.pi, math.pi, 1000), rng.uniform(-math.pi, math.pi, 1000))
    assert np.all(np.abs(d) <= math.pi)


def test_lst_v2_features_follow_the_table():
    """|eta|/2.5, |phi|/pi, |z|/kZ_max, r/kR_max of md1; differences of consecutive
    anchors (|eta|, wrapped phi, |z|, r); log10 of the inner, bridge, outer radii."""
    xs, ys = CIRCLE_300
    eta = [-0.5, -0.6, -0.7, -0.8, -0.9]
    phi = [3.1, -3.1, -3.0, 3.0, 2.9]  # crosses +-pi between md1/md2 and md3/md4
    z = [-10.0, -20.0, -30.0, -40.0, -50.0]
    b = one_t5(xs, ys, z, eta, phi)
    got = ref.features(b, "lst-v2")[0].astype(np.float64)
    e, p, zz, r = (np.abs(np.array(eta, F32)).astype(float), np.array(phi, F32).astype(float),
                   np.abs(np.array(z, F32)).astype(float), b["md_r"].astype(float))
    want = [e[0] / 2.5, abs(p[0]) / math.pi, zz[0] / 267.2349854, r[0] / 110.1099396]
    for k in range(1, 5):
        dphi = p[k] - p[k - 1]
        dphi -= 2 * math.pi * round(dphi / (2 * math.pi))
        want += [e[k] - e[k - 1], dphi / math.pi, (zz[k] - zz[k - 1]) / 267.2349854, (r[k] - r[k - 1]) / 110.1099396]
    want += [2.0, math.log10(300.0), math.log10(200.0)]
    np.testing.assert_allclose(got, np.array(want, F32), rtol=1e-6, atol=1e-6)
    assert got[5] == pytest.approx((2 * math.pi - 6.2) / math.pi, abs=1e-6)  # 3.1 -> -3.1 is +0.083 rad


def test_bridge_radius_is_the_circle_through_anchors_2_3_4():
    for cx, cy, radius in ((0.0, 0.0, 50.0), (10.0, -20.0, 437.0), (-3e4, 4e4, 5e4)):
        xs, ys = on_circle(cx, cy, radius, [0.1, 0.35, 0.6])
        assert ref.circle_radius(*[v for pair in zip(xs, ys) for v in pair]) == pytest.approx(radius, rel=1e-12)
    xs, ys = on_circle(5.0, 5.0, 80.0, [0.0, 0.3, 0.5, 0.7, 1.5])
    xs[0], ys[0] = 999.0, -999.0  # md1 and md5 do not enter the bridge
    xs[4], ys[4] = -7.0, 3.0
    b = one_t5(xs, ys, [1.0] * 5, [0.1] * 5, [0.1] * 5)
    # LST's float Circle.h formula: the circle through anchors 2-4, a few 1e-6 off the exact 80 cm.
    x32, y32 = np.array(xs, F32), np.array(ys, F32)
    bridge = ref.lst_circle_radius(x32[1], y32[1], x32[2], y32[2], x32[3], y32[3])
    assert ref.features(b, "lst-v2")[0, 21] == ref.log10f(bridge)
    assert float(bridge) == pytest.approx(80.0, rel=1e-4)


def test_lst_circle_radius_is_the_float_centre_formula_with_its_sentinel():
    assert ref.lst_circle_radius(0, 0, 84, -12, 180, -60) == F32(300)  # float-exact Pythagorean points
    assert ref.lst_circle_radius(0, 0, 1, 1, 2, 2) == F32(-1)  # collinear: LST's -1
    # A 57 GeV bridge (R = 1e4 cm, points 20-60 cm out): close to the exact radius.
    angles = [-math.pi / 2 + s / 1e4 for s in (20.0, 40.0, 60.0)]
    xs, ys = on_circle(0.0, 1e4, 1e4, angles)
    got = float(ref.lst_circle_radius(*[F32(v) for pair in zip(xs, ys) for v in pair]))
    assert got == pytest.approx(1e4, rel=1e-5)


def test_reduce_phi_range_keeps_plus_minus_pi_f_and_rounds_halves_away():
    pi_f = F32(math.pi)
    assert ref.delta_phi(pi_f, F32(0)) == pi_f and ref.delta_phi(-pi_f, F32(0)) == -pi_f
    beyond = np.nextafter(pi_f, F32(4))
    assert ref.delta_phi(beyond, F32(0)) < 0


def test_collinear_bridge_gives_lsts_sentinel_and_nan_score():
    b = one_t5([20, 30, 40, 50, 60], [0.0] * 5, [1.0] * 5, [0.1] * 5, [0.0] * 5)
    x = ref.features(b, "lst-v2")
    assert np.isnan(x[0, 21])  # log10f(-1): Circle.h's sentinel for D == 0
    layers = read_model(GOLDEN / "t5_model_lst_v2.json")[1]
    assert np.isnan(ref.score(x, layers)[0])


@pytest.mark.parametrize("radius, feature", [(0.0, -np.inf), (-5.0, np.nan)])
def test_radius_at_or_below_zero_is_non_finite(radius, feature):
    b = one_t5([20, 30, 40, 50, 60], [1, 3, 6, 10, 15], [1.0] * 5, [0.1] * 5, [0.0] * 5, inner_radius=radius)
    np.testing.assert_equal(ref.features(b, "lst-v2")[0, 20], F32(feature))


def test_lst_v1_features_follow_the_table():
    """log10 pT(R_in); eta, phi, z, sqrt(x^2+y^2), layer of md1..md3; log10 pT(R_out);
    the same for md3..md5; log10((R_in+R_out) k2Rinv1GeVf); T5 eta, phi; log10 radii."""
    xs, ys = CIRCLE_300
    eta, phi, z = [-0.5, -0.6, -0.7, -0.8, -0.9], [0.1, 0.2, 0.3, 0.4, 0.5], [-10, -20, -30, -40, -50]
    k = (2.99792458e-3 * 3.8) / 2
    # md2's eta/phi when md1's module has layers() == 1: barrel layer 1 or endcap disk 1 (md_layer 7)
    for md1_layer, t5_md in ((1, 1), (2, 0), (7, 1), (8, 0)):
        layers = (md1_layer, md1_layer + 1, md1_layer + 2, md1_layer + 3, md1_layer + 4)
        b = one_t5(xs, ys, z, eta, phi, layer=layers, r=[1.0] * 5)  # v1 ignores md_r
        got = ref.features(b, "lst-v1")[0].astype(np.float64)
        x32, y32 = b["md_x"].astype(float), b["md_y"].astype(float)

        def hit(i):
            return [float(F32(eta[i])), float(F32(phi[i])), z[i], math.hypot(x32[i], y32[i]), layers[i]]

        want = ([math.log10(2 * k * 100.0)] + hit(0) + hit(1) + hit(2) + [math.log10(2 * k * 200.0)]
                + hit(2) + hit(3) + hit(4) + [math.log10(300.0 * k), float(F32(eta[t5_md])), float(F32(phi[t5_md]))]
                + [2.0, math.log10(300.0), math.log10(200.0)])
        np.testing.assert_allclose(got, np.array(want, F32), rtol=1e-6)


def test_features_are_rounded_to_float32_once():
    b = one_t5([20, 30, 40, 50, 60], [1, 3, 6, 10, 15], [1.0, 2, 3, 4, 5], [0.1] * 5, [0.3] * 5)
    x = ref.features(b, "lst-v2")
    assert x.dtype == np.float32
    assert x[0, 3] == F32(np.float64(b["md_r"][0]) / 110.1099396)


def test_broken_index_chain_is_rejected():
    b = one_t5([20, 30, 40, 50, 60], [1, 3, 6, 10, 15], [1.0] * 5, [0.1] * 5, [0.3] * 5)
    b["t3_md"] = np.array([[0, 1, 2], [3, 2, 4]], np.uint32)
    with pytest.raises(ValueError, match="outer T3's first MD"):
        ref.features(b, "lst-v2")


# ---------------------------------------------------------------- score

def test_sigmoid_saturates_without_nan():
    assert ref.sigmoid(100.0) == 1.0
    assert 0.0 <= ref.sigmoid(-100.0) < 1e-40
    assert ref.sigmoid(1000.0) == 1.0 and ref.sigmoid(-1000.0) == 0.0
    assert ref.sigmoid(0.0) == 0.5


def test_score_is_relu_network_with_sigmoid_head():
    w1 = np.array([[1.0, -1.0]], F32)  # 1 input -> 2 hidden
    w2 = np.array([[100.0], [-100.0]], F32)
    layers = [(w1, np.zeros(2, F32)), (w2, np.array([0.5], F32))]
    x = np.array([[2.0], [-2.0], [0.0], [np.nan]], F32)
    # hidden ReLU: x>0 -> (x, 0), x<0 -> (0, -x); logit = 0.5 + 100 relu(x) - 100 relu(-x)
    # float32: expf(200.5) overflows (LST: NaN; here 1), expf(-199.5) underflows to 0.
    want = [1.0, 0.0, 1 / (1 + math.exp(-0.5)), math.nan]
    got = ref.score(x, layers)
    assert got.dtype == np.float32 and got[0] == 1.0 and got[1] == 0.0
    np.testing.assert_allclose(got, want, rtol=1e-7)


# ---------------------------------------------------------------- working points

def test_eta_column_edges():
    width, bins = 0.25, 10
    eta = [0.0, float(np.nextafter(F32(0.25), F32(0))), 0.25, 0.5, float(np.nextafter(F32(2.25), F32(0))),
           2.25, 2.4999, 2.5, 3.0, 100.0]
    np.testing.assert_array_equal(ref.eta_column(eta, width, bins), [0, 0, 1, 2, 8, 9, 9, 9, 9, 9])


def test_pt_row_edge_at_exactly_5_gev():
    """Row 1 needs pT strictly above the 5 GeV edge (LST: 2 k2Rinv1GeVf R_inner > 5)."""
    pt = [4.0, 5.0, np.nextafter(F32(5.0), F32(6.0)), 50.0]
    np.testing.assert_array_equal(ref.pt_row(pt, [5.0]), [0, 0, 1, 1])
    assert ref.pt_from_radius(438.9) == pytest.approx(5.0, rel=1e-3)  # pT = 2 k2Rinv1GeVf R (NeuralNetwork.h): 5 GeV at R ~ 439 cm


def test_pass_uses_inner_radius_and_first_anchor_eta():
    wp = {"kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25, "eta_bins": 10,
          "cuts": [[0.1 * c for c in range(10)], [0.01 + 0.1 * c for c in range(10)]]}
    eta = [-0.26, 0.1, 0.1, 0.1, 0.1]  # |eta1| = 0.26 -> column 1 whatever the others
    b = one_t5([20, 30, 40, 50, 60], [1, 3, 6, 10, 15], [1.0] * 5, eta, [0.3] * 5, inner_radius=500.0)
    assert ref.candidate_cuts(b, wp)[0] == pytest.approx(0.11)  # 500 cm -> 5.7 GeV: row 1
    np.testing.assert_array_equal(ref.pass_flags([0.12], b, wp), [1])
    np.testing.assert_array_equal(ref.pass_flags([0.11], b, wp), [0])  # strictly above the cut
    np.testing.assert_array_equal(ref.pass_flags([np.nan], b, wp), [0])
    assert ref.candidate_cuts(b, {"kind": "single", "cut": 0.6177366})[0] == 0.6177366


# ---------------------------------------------------------------- files

def sample_batches():
    return [ev.batch() for ev in make_t5_golden.build_events()]


def test_event_file_round_trip(tmp_path):
    batches = sample_batches()
    for truth in (False, True):
        path = tmp_path / f"events_{truth}.bin"
        write_events(path, batches, with_truth=truth)
        back = read_events(path)
        assert len(back) == len(batches)
        for a, b in zip(batches, back):
            for key, value in b.items():
                np.testing.assert_array_equal(value, a[key], err_msg=key)
            assert ("t5_is_true" in b) == truth


def test_truncated_event_file_is_rejected(tmp_path):
    path = tmp_path / "events.bin"
    write_events(path, sample_batches()[:1])
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match="truncated"):
        read_events(path)


def test_golden_files_reproduce_from_the_reference(tmp_path):
    builders = make_t5_golden.build_events()
    batches = [ev.batch() for ev in builders]
    write_events(tmp_path / "events.bin", batches, with_truth=True)
    assert (tmp_path / "events.bin").read_bytes() == make_t5_golden.EVENTS_PATH.read_bytes()
    for name, model in make_t5_golden.MODELS.items():
        committed = (GOLDEN / f"t5_golden_{name}.bin").read_bytes()
        assert make_t5_golden.golden_bytes(batches, model) == committed, name


def test_golden_set_covers_the_edge_cases():
    builders = make_t5_golden.build_events()
    assert 2000 <= sum(len(ev.t5_t3) for ev in builders) <= 4000
    labels = " | ".join(label for ev in builders for label in ev.labels)
    for case in ("phi wraps", "|eta1| on 2.25", "R(5 GeV)", "very high pT", "NaN", "Inf", "radius 0.0",
                 "radius -50.0", "collinear bridge", "md1 on barrel layer 1", "md1 on barrel layer 2", "endcap"):
        assert case in labels, case
    assert sum(p.stat().st_size for p in GOLDEN.glob("*.bin")) < 1_000_000


# ---------------------------------------------------------------- library parity

@pytest.mark.parametrize("lib_model, ref_model", [
    ("default", "t5_model_lst_v2.json"),
    ("t5_model_lst_v2.json", "t5_model_lst_v2.json"),
    ("t5_model_lst_v1.json", "t5_model_lst_v1.json"),
])
def test_library_matches_reference(lib_model, ref_model, tmp_path):
    import t5_parity
    batches = read_events(GOLDEN / "t5_events.bin")
    lib_path = lib_model if lib_model == "default" else GOLDEN / lib_model
    assert t5_parity.compare(lib_path, GOLDEN / ref_model, batches, f"{lib_model} vs {ref_model}")
    probe = t5_parity.probe_model(GOLDEN / ref_model, tmp_path)  # checkerboard table: exposes the WP cell
    assert t5_parity.compare(probe, probe, batches, f"probe of {ref_model}")


def test_library_lst_v2_needs_no_layer_column():
    batch = dict(read_events(GOLDEN / "t5_events.bin")[0], md_layer=None)
    with trigml.T5Model.default() as model:
        score, _ = model.score(batch)
    want = ref.evaluate(batch, GOLDEN / "t5_model_lst_v2.json")[1]
    np.testing.assert_allclose(score, want, atol=1e-6)
