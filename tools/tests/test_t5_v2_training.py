"""The version-2 training loop on a tiny sample: deterministic bytes, class
truth and host columns of the displaced toy, and the prompt-only toy left as it was."""
import subprocess
import sys

import numpy as np
import pytest

import checkout_paths
import t5_host_columns as host
from lst_toy import event as toy_event
from t5_event_file import read_events

ROOT = checkout_paths.ROOT
SCRIPT = checkout_paths.TOOLS / "t5" / "make_t5_v2_models.py"
OUTPUTS = ("t5_v2_3class.json", "t5_v2_embed.json", "t5_v2_results.json", "t5_events_v2.bin",
           "t5_golden_v2_3class.bin", "t5_golden_v2_embed.bin")


def _run(work):
    subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-install", "--no-plots", "--work", str(work)],
                   check=True, stdout=subprocess.DEVNULL)
    return {name: (work / name).read_bytes() for name in OUTPUTS}


def test_quick_pipeline_is_byte_identical(tmp_path):
    first, second = _run(tmp_path / "a"), _run(tmp_path / "b")
    assert first == second


def test_displaced_toy_has_three_classes_and_host_columns():
    batch, extra = toy_event.make_event(7, 0, pileup=10, displaced=10.0)
    classes = np.bincount(batch["t5_class"], minlength=3)
    assert classes.min() > 0, f"fake/prompt/displaced T5s: {classes}"
    fake = batch["t5_class"] == 0
    assert np.array_equal(fake, batch["t5_is_true"] == 0)
    assert np.all(np.isnan(batch["t5_sim_d0"][fake])) and np.all(batch["t5_sim_d0"][~fake] >= 0)
    displaced = batch["t5_class"] == 2
    assert np.nanmax(batch["t5_sim_d0"][displaced]) > 1.0, "displaced T5s reach d0 of cm"
    dca = host.t5_columns(batch)[:, 0]
    assert np.nanmedian(dca[displaced]) > np.nanmedian(dca[batch["t5_class"] == 1])
    assert np.nanmax(dca) <= np.float32(host.LOG_DCA_MAX)


def test_circle_fit_dca_of_a_known_circle():
    angle = np.linspace(0.1, 0.9, 5)[None, :]
    radius, centre = 500.0, np.array([0.0, 503.0])  # misses the origin by 3 cm
    x, y = centre[0] + radius * np.cos(angle - np.pi / 2), centre[1] + radius * np.sin(angle - np.pi / 2)
    assert host.circle_fit_dca(x, y)[0] == pytest.approx(3.0, abs=1e-6)


def test_prompt_toy_is_unchanged(tmp_path):
    """The prompt-only sample (displaced = 0) draws no new random numbers: the
    committed demo event file, made from it, comes out again byte for byte."""
    import make_t5_models
    demo = ROOT / "examples-c" / "data" / "t5_demo_events.bin"  # committed
    out = tmp_path / "demo.bin"
    make_t5_models.write_demo_events(make_t5_models.DEFAULT_SEED, out)
    assert out.read_bytes() == demo.read_bytes()
    assert read_events(out)[0]["n_t5"] > 0
