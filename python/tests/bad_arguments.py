"""One helper for the bad-argument tests of every binding."""
import pytest


def raises_naming(exception, argument, call, *args, **kwargs):
    """call(*args, **kwargs) raises `exception` whose message names `argument`."""
    with pytest.raises(exception) as info:
        call(*args, **kwargs)
    assert argument in str(info.value), f"{argument!r} not named in {info.value!r}"
    return info.value
