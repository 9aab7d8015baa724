"""The package tests run against this checkout's python/trigml and read
the repository's golden files."""
import pathlib
import sys

PYTHON_DIR = pathlib.Path(__file__).resolve().parents[1]
ROOT = PYTHON_DIR.parent
sys.path.insert(0, str(PYTHON_DIR))
sys.path.insert(0, str(ROOT / "tools"))
import checkout_paths  # noqa: F401,E402  (the golden-file readers in tools/formats)

GOLDEN = ROOT / "Tests" / "golden"
