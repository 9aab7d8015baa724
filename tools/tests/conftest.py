"""The parity tests import the tools modules and this checkout's `trigml`
package (python/) by their plain names."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402
