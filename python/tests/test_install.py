"""`pip install .` into a fresh virtual environment, then `import trigml`
from another directory with no TRIGML_* variables: the default T5 model
scores, an XGBoost model predicts bit for bit as XGBoost, a DDT map builds
and applies, a mode-15 address decodes with names,
and the library used is the one inside the installed package.

The venv sees the system site-packages (numpy, xgboost, scikit-build-core); the
build runs without isolation so it reuses the repository's SwiftPM .build/."""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

CHECK = textwrap.dedent("""
    import pathlib, sys, numpy as np, trigml
    assert pathlib.Path(trigml.__file__).parent == pathlib.Path(trigml.library_path()).parent, trigml.library_path()
    assert "site-packages" in str(trigml.library_path())
    # Installed into this venv, not into the system site-packages it also sees.
    assert pathlib.Path(trigml.__file__).resolve().is_relative_to(pathlib.Path(sys.prefix).resolve()), trigml.__file__
    batch = dict(md_x=np.array([30, 60, 90, 120, 150], np.float32), md_y=np.array([1, 3, 6, 10, 15], np.float32),
                 md_z=np.array([5, 10, 15, 20, 25], np.float32), md_layer=np.array([1, 2, 3, 4, 5], np.uint8),
                 t3_md=np.array([[0, 1, 2], [2, 3, 4]]), t3_radius=np.array([800, 900], np.float32),
                 t5_t3=np.array([[0, 1]]))
    batch["md_r"] = np.hypot(batch["md_x"], batch["md_y"])
    batch["md_eta"] = np.arcsinh(batch["md_z"] / batch["md_r"])
    batch["md_phi"] = np.arctan2(batch["md_y"], batch["md_x"])
    score, passed = trigml.T5Model.default().score(batch)
    assert score.shape == (1,) and 0 <= score[0] <= 1, score
    rng = np.random.default_rng(1)
    pt = rng.uniform(300, 900, 5000).astype(np.float32)
    mass = (pt * np.exp(rng.uniform(-3, -1, 5000))).astype(np.float32)
    ddt = trigml.DDTMap.build(rng.uniform(size=5000), mass, pt, background_efficiency=0.1)
    assert np.isfinite(ddt.apply(rng.uniform(size=5000), mass, pt)).all()
    import xgboost as xgb
    X = rng.normal(size=(2000, 6)).astype(np.float32)
    booster = xgb.train({"max_depth": 4, "eta": 0.3, "base_score": 0.5}, xgb.DMatrix(X, label=X[:, 0] > X[:, 1]), 20)
    booster.save_model("xgb.json")
    margin = booster.predict(xgb.DMatrix(X), output_margin=True)
    assert np.array_equal(trigml.Forest.load("xgb.json").predict(X).view(np.uint32), margin.astype(np.float32).view(np.uint32))
    scheme = trigml.LUTScheme.preset("emtf2017-mode15")
    assert dict(zip(scheme.feature_names, scheme.decode([scheme.first_address])[0]))
    print("installed trigml", trigml.__version__, "OK")
""")


def test_pip_install_into_a_fresh_venv(tmp_path):
    pytest.importorskip("scikit_build_core")  # installed by tools/ensure_deps.sh (TRIGML_DEPS=tests)
    venv = tmp_path / "venv"
    # No pip of its own (ensurepip takes seconds): the system pip, seen
    # through the system site-packages, installs into the venv it runs from.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {key: value for key, value in os.environ.items() if not key.startswith("TRIGML_")}
    env.pop("PYTHONPATH", None)
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--no-build-isolation", str(ROOT)], env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([str(python), "-c", CHECK], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr
