"""The package tests run against this checkout's trigml/ and read the
repository's golden files."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
import checkout_paths  # noqa: F401,E402  (the golden-file readers in tools/formats)

GOLDEN = ROOT / "Tests" / "golden"
