"""Finds and loads libtrigml.so, and turns a failed call into TrigMLError.

Where the library is looked for, first match wins:
  1. $TRIGML_LIB (a path to the .so);
  2. libtrigml.so inside this package (what `pip install .` puts there);
  3. in a source checkout, the build ./run-tests.sh and ./demo.sh make:
     .build/release/libtrigml.so (one library for every CPU: it picks its
     kernel path at load, see cpu_path()).
Only tml_* symbols are looked up, so it works whatever else the library
exports.
"""
import ctypes
import os
import pathlib
import threading

from . import _abi

PACKAGE_DIR = pathlib.Path(__file__).resolve().parent
LIBRARY_NAME = "libtrigml.so"


class TrigMLError(Exception):
    """A library call failed: `.status` is the tml_status code, `.message`
    the library's own description (tml_last_error), `.call` the entry point."""

    def __init__(self, call, status, message):
        self.call, self.status, self.message = call, status, message
        super().__init__(f"{_abi.STATUS_NAMES.get(status, status)} ({status}) from {call}: {message}")


def _checkout_root():
    """The repository root when this package runs from trigml/ in a source
    checkout, else None."""
    root = PACKAGE_DIR.parent
    return root if (root / "Package.swift").is_file() and (root / "include" / "trigml.h").is_file() else None


def candidate_paths():
    """Where the library is looked for, in order (see the module docstring)."""
    env = os.environ.get("TRIGML_LIB")
    if env:
        return [pathlib.Path(env)]
    paths = [PACKAGE_DIR / LIBRARY_NAME]
    root = _checkout_root()
    if root is not None:
        paths.append(root / ".build" / "release" / LIBRARY_NAME)
    return paths


def _declare(lib, path):
    for name, (restype, argtypes) in _abi.SIGNATURES.items():
        try:
            function = getattr(lib, name)
        except AttributeError:
            raise OSError(f"{path} lacks {name}: it is not a libtrigml.so of ABI {_abi.ABI_VERSION} "
                          "(rebuild it, or point TRIGML_LIB at a current build)") from None
        function.restype, function.argtypes = restype, argtypes
    return lib


def _open():
    paths = candidate_paths()
    for path in paths:
        if not path.is_file():
            if "TRIGML_LIB" in os.environ:
                raise OSError(f"TRIGML_LIB={path}: no such file")
            continue
        lib = _declare(ctypes.CDLL(str(path)), path)
        abi = lib.tml_abi_version()
        if abi != _abi.ABI_VERSION:
            raise OSError(f"{path} implements ABI {abi}, this package needs ABI {_abi.ABI_VERSION}")
        return lib, path
    looked = "\n  ".join(str(p) for p in paths)
    raise OSError("libtrigml.so not found; looked in:\n  " + looked +
                  "\nInstall the package with `pip install .` at the repository root, build the library with "
                  "`swift build -c release -Xswiftc -static-stdlib`, or set TRIGML_LIB to its path.")


_lock = threading.Lock()
_loaded = None


def library():
    """The loaded library (ctypes.CDLL with every tml_* signature declared),
    opened on first use."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _open()
        return _loaded[0]


def library_path():
    """The path of the loaded library."""
    library()
    return _loaded[1]


def last_error():
    return library().tml_last_error().decode("utf-8", "replace")


def call(name, *args):
    """Calls the entry point `name`; raises TrigMLError when it fails."""
    status = getattr(library(), name)(*args)
    if status != _abi.TML_OK:
        raise TrigMLError(name, status, last_error())


def abi_version():
    """The ABI version the loaded library implements (TML_ABI_VERSION)."""
    return int(library().tml_abi_version())


def library_version():
    """The loaded library's semantic version (tml_version())."""
    return library().tml_version().decode()


def cpu_path():
    """The kernel path every call runs (tml_cpu_path()): "baseline", "avx2"
    or "avx512", the fastest this CPU supports unless the environment
    variable TRIGML_ISA (read by the library at its first call) forces one.
    Every path gives bit-identical results. Raises TrigMLError when the
    library refused TRIGML_ISA (not a path, or one this CPU cannot run)."""
    path = library().tml_cpu_path()
    if path is None:
        # Every entry point now fails with the refusal before looking at its
        # arguments; one cheap call gives the library's message.
        status = library().tml_ddt_config_init(None, 0.5)
        raise TrigMLError("tml_cpu_path", status, last_error())
    return path.decode()
