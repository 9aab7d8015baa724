"""Fast end-to-end check of the T5 training side (seconds, no large samples).

generator -> table (numpy reference features) -> a few epochs of training ->
export in the model file format -> working points -> byte-identical rerun ->
library parity on freshly generated toy events (through the C ABI, with the
trigml package). The full-size run is `python3 tools/t5/make_t5_models.py`
(a few minutes).
"""
import filecmp

import numpy as np

import make_t5_models as driver
import t5_reference as ref
from lst_toy import event, sample
from t5_event_file import read_events, write_events
from t5_model_file import read_model

TINY = dict(train=6, wp=4, check=4, pileup=5, max_epochs=3, patience=2)


def _quiet(_msg):
    pass


def test_event_is_reproducible_and_well_formed():
    a, xa = event.make_event(11, 3, pileup=5)
    b, _ = event.make_event(11, 3, pileup=5)
    for k in sample.BATCH_KEYS:
        np.testing.assert_array_equal(np.asarray(a[k]), np.asarray(b[k]), err_msg=k)
    assert a["n_t5"] > 0 and a["t5_is_true"].sum() > 0 and (a["t5_is_true"] == 0).sum() > 0
    md = ref.anchor_indices(a)  # raises on a broken T3 chain
    assert set(np.unique(a["md_layer"])) <= set(range(1, 12))
    # true T5: five anchors on five different, outward layers of one particle
    true = a["t5_is_true"] > 0
    assert np.all(np.diff(np.hypot(a["md_x"], a["md_y"])[md[true]] + np.abs(a["md_z"])[md[true]], axis=1) > 0)
    assert np.all(np.isfinite(a["t5_sim_pt"][true])) and np.all(np.isnan(a["t5_sim_pt"][~true]))
    np.testing.assert_allclose(a["t3_radius"], ref.circle_radius(*[a[c][a["t3_md"][:, k]] for k in range(3)
                                                                    for c in ("md_x", "md_y")]), rtol=1e-5)


def test_event_file_round_trip(tmp_path):
    b, _ = event.make_event(5, 0, pileup=3)
    write_events(tmp_path / "e.bin", [b], with_truth=True)
    (c,) = read_events(tmp_path / "e.bin")
    for k in sample.BATCH_KEYS:
        np.testing.assert_array_equal(np.asarray(b[k]), np.asarray(c[k]), err_msg=k)


def test_tiny_loop_train_export_reproducible(tmp_path):
    tabs = driver.build_tables(7, TINY, 1, tmp_path, _quiet)
    assert tabs["train"]["x_v2"].shape[1] == 23 and tabs["train"]["x_v1"].shape[1] == 38
    paths, wp_path, summary = driver.train_models(tabs, 7, TINY, tmp_path, _quiet)
    for fs, path in paths.items():
        feature_set, layers, wp, provenance = read_model(path)
        assert feature_set == fs and "make_t5_models.py" in provenance
        assert [w.shape for w, _ in layers] == [(ref.INPUT_COUNT[fs], 32), (32, 32), (32, 1)]
    assert read_model(paths["lst-v2"])[2]["kind"] == "pt_eta_table"
    assert read_model(paths["lst-v1"])[2]["kind"] == "single"
    cuts = np.array(summary["models"]["lst-v2"]["table98"]["working_point"]["cuts"])
    assert cuts.shape == (2, 10) and np.all((cuts >= 0) & (cuts <= 1))
    # same seed, fresh data and training: byte-identical model and working-point files
    again = tmp_path / "again"
    again.mkdir()
    tabs2 = driver.build_tables(7, TINY, 2, again, _quiet)  # 2 processes: must not matter
    paths2, wp_path2, _ = driver.train_models(tabs2, 7, TINY, again, _quiet)
    for fs in paths:
        assert filecmp.cmp(paths[fs], paths2[fs], shallow=False), fs
    assert filecmp.cmp(wp_path, wp_path2, shallow=False)


def test_working_point_helpers():
    import train_t5

    rng = np.random.default_rng(3)
    n = 20000
    score = rng.random(n)
    r_inner = np.where(rng.random(n) < 0.5, 100.0, 1000.0).astype(np.float32)  # 1.1 and 11 GeV
    eta1 = rng.uniform(-3, 3, n).astype(np.float32)
    true = np.ones(n, np.uint8)
    cuts, counts = train_t5.derive_table(score, true, r_inner, eta1, 98.0)
    rates, _, overall = train_t5.retention_table(score, true, r_inner, eta1, train_t5.table_wp(cuts))
    assert abs(overall - 0.98) < 1e-3 and np.nanmax(np.abs(np.array(rates) - 0.98)) < 2e-3
    cut = train_t5.matched_cut(score, 0.25)
    assert abs((score > cut).mean() - 0.25) < 1e-3


def test_library_parity_on_fresh_toy_events(tmp_path):
    import t5_parity

    tabs = driver.build_tables(9, TINY, 1, tmp_path, _quiet)
    paths, _, _ = driver.train_models(tabs, 9, TINY, tmp_path, _quiet)
    batches = [event.make_event(99, i, pileup=10)[0] for i in range(2)]
    for fs, path in paths.items():
        assert t5_parity.compare(path, path, batches, f"tiny {fs}")
