"""Loading, versions and the one error class."""
import os
import subprocess
import sys

import pytest

import trigml
from trigml import _library


def test_versions():
    assert trigml.abi_version() == 1
    assert trigml.library_version() == trigml.__version__
    assert trigml.library_path().name.startswith("libtrigml.so")


def test_error_carries_status_and_library_message(tmp_path):
    with pytest.raises(trigml.TrigMLError) as info:
        trigml.T5Model.load(tmp_path / "absent.json")
    error = info.value
    assert isinstance(error, Exception)
    assert error.status == trigml.TML_ERR_IO
    assert "absent.json" in error.message and error.message in str(error)
    assert "TML_ERR_IO" in str(error)


def test_one_error_class_for_every_capability(tmp_path):
    for load in (trigml.T5Model.load, trigml.Forest.load, trigml.LUTScheme.load, trigml.Tagger.load,
                 trigml.DDTMap.load):
        with pytest.raises(trigml.TrigMLError):
            load(tmp_path / "absent.json")


def _load_in_subprocess(env):
    code = "import trigml; print(trigml.library_path())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=str(_library.PACKAGE_DIR.parent))


def test_trigml_lib_overrides(tmp_path):
    env = dict(os.environ, TRIGML_LIB=str(trigml.library_path()))
    done = _load_in_subprocess(env)
    assert done.returncode == 0 and done.stdout.strip() == str(trigml.library_path())
    env["TRIGML_LIB"] = str(tmp_path / "libnothing.so")
    done = subprocess.run([sys.executable, "-c", "import trigml; trigml.abi_version()"], env=env,
                          capture_output=True, text=True, cwd=str(_library.PACKAGE_DIR.parent))
    assert done.returncode != 0 and "TRIGML_LIB" in done.stderr and "libnothing.so" in done.stderr


def test_lookup_order_in_a_checkout(monkeypatch):
    monkeypatch.delenv("TRIGML_LIB", raising=False)
    paths = _library.candidate_paths()
    assert paths[0] == _library.PACKAGE_DIR / "libtrigml.so"
    root = _library.PACKAGE_DIR.parent
    assert paths[1:] == [root / ".build" / "release" / "libtrigml.so"], "one build, no per-CPU copy"


def test_cpu_path_and_trigml_isa():
    """The library reports its kernel path; TRIGML_ISA forces a supported one
    and a bad value is refused with a message naming TRIGML_ISA."""
    import trigml
    assert trigml.cpu_path() in ("baseline", "avx2", "avx512")
    code = "import trigml; print(trigml.cpu_path())"
    env = dict(os.environ, TRIGML_ISA="baseline")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=str(_library.PACKAGE_DIR.parent))
    assert done.returncode == 0 and done.stdout.strip() == "baseline", done.stderr
    env["TRIGML_ISA"] = "avx9"
    code = "import trigml\ntry:\n    trigml.cpu_path()\nexcept trigml.TrigMLError as e:\n    print(e.status, e.message)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=str(_library.PACKAGE_DIR.parent))
    assert done.stdout.startswith("1 ") and "TRIGML_ISA = 'avx9'" in done.stdout, done.stdout + done.stderr


def test_missing_library_lists_where_it_looked(monkeypatch, tmp_path):
    monkeypatch.delenv("TRIGML_LIB", raising=False)
    monkeypatch.setattr(_library, "candidate_paths", lambda: [tmp_path / "a.so", tmp_path / "b.so"])
    with pytest.raises(OSError) as info:
        _library._open()
    assert str(tmp_path / "a.so") in str(info.value) and str(tmp_path / "b.so") in str(info.value)
    assert "TRIGML_LIB" in str(info.value)


def test_closed_handles_are_refused_not_passed_as_null():
    model = trigml.T5Model.default()
    model.close()
    model.close()  # twice is fine
    with pytest.raises(ValueError, match="closed"):
        model.input_count
    with trigml.T5Model.default() as model:
        assert model.input_count == 23
    assert model.closed
