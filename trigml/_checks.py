"""Argument checks done before any library call: each failure names the
argument (TypeError for a wrong kind of value, ValueError for a wrong
shape, length or range), so no input reaches the C side in a form that
could make it read past an array."""
import ctypes
import numbers
import os

import numpy as np

_REAL_KINDS = "fiub"    # float, signed, unsigned, bool: convertible to float32 without surprise
_INTEGER_KINDS = "iu"


def _as_numpy(name, value):
    if value is None:
        raise TypeError(f"{name} must be an array, not None")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{name} cannot be converted to a numpy array: {error}") from None
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (ValueError, TypeError):
            raise TypeError(f"{name} has dtype object whose entries are not numbers") from None
    return array


def _check_ndim(name, array, ndim):
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got {array.ndim}-D with shape {array.shape}")


def real_array(name, value, ndim, contiguous=True):
    """value as float32 with ndim dimensions (C-contiguous unless
    contiguous=False, then any layout numpy gives)."""
    array = _as_numpy(name, value)
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} has dtype {array.dtype}, which does not convert to float32")
    _check_ndim(name, array, ndim)
    if contiguous:
        return np.ascontiguousarray(array, dtype=np.float32)
    return array if array.dtype == np.float32 else array.astype(np.float32, order="K")


def index_array(name, value, ndim, dtype):
    """value as the unsigned integer dtype (uint8/uint32/uint64) with ndim
    dimensions; every entry must fit it (a negative index would wrap)."""
    array = _as_numpy(name, value)
    if array.dtype.kind not in _INTEGER_KINDS:
        raise TypeError(f"{name} has dtype {array.dtype}; it needs integers")
    _check_ndim(name, array, ndim)
    if array.size:
        top = np.iinfo(dtype).max
        low, high = int(array.min()), int(array.max())
        if low < 0 or high > top:
            raise ValueError(f"{name} has entries outside [0, {top}] (min {low}, max {high})")
    return np.ascontiguousarray(array, dtype=dtype)


def flag_array(name, value):
    """value as a 1-D uint8 of 0/1: bools, integers, or floats that are 0 or 1."""
    array = _as_numpy(name, value)
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{name} has dtype {array.dtype}; it needs booleans or 0/1")
    _check_ndim(name, array, 1)
    if array.dtype.kind == "f" and not np.isin(array, (0.0, 1.0)).all():
        raise ValueError(f"{name} holds values other than 0 and 1")
    return np.ascontiguousarray(array != 0, dtype=np.uint8)


def same_length(**arrays):
    """All arrays (None entries skipped) have the first one's length."""
    named = [(name, array) for name, array in arrays.items() if array is not None]
    first_name, first = named[0]
    for name, array in named[1:]:
        if len(array) != len(first):
            raise ValueError(f"{name} has {len(array)} entries but {first_name} has {len(first)}")
    return len(first)


def integer(name, value, low, high):
    """value as a Python int in [low, high] (bools refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} = {value} is outside [{low}, {high}]")
    return value


def real(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


def path(name, value):
    """A file path (str, bytes or os.PathLike) as bytes for the C side."""
    try:
        encoded = os.fsencode(value)
    except TypeError:
        raise TypeError(f"{name} must be a path (str, bytes or os.PathLike), got {type(value).__name__}") from None
    if b"\0" in encoded:
        raise ValueError(f"{name} contains a NUL byte")
    return encoded


def text(name, value):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name} contains a NUL byte")
    return value.encode()


def instance(name, value, cls):
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {cls.__name__}, got {type(value).__name__}")
    return value


def pointer(array, ctype):
    """A ctypes pointer to a numpy array's data, NULL for None."""
    return None if array is None else array.ctypes.data_as(ctypes.POINTER(ctype))


INT32_MAX = 2**31 - 1
UINT64_MAX = 2**64 - 1
