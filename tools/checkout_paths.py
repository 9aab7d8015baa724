"""Import paths for the tools and their tests: puts this checkout's root
(the `trigml` package) and every tools/ subfolder at the front of sys.path,
so a script in one folder imports a module of another by its plain name
(`import t5_reference`) and always uses this checkout's package. A script
imports it first:

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
    import checkout_paths  # noqa: F401,E402
"""
import pathlib
import sys

TOOLS = pathlib.Path(__file__).resolve().parent
ROOT = TOOLS.parent
FOLDERS = ("reference", "formats", "t5", "lut", "taggers", "plots")

for _path in reversed([ROOT] + [TOOLS / folder for folder in FOLDERS]):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
