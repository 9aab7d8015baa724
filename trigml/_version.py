"""The package version: the library's semantic version (tml_version()).
pyproject.toml reads it from here, and python/tests/test_library.py checks
that the loaded library reports the same."""
__version__ = "0.1.0"
