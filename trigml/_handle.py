"""The one owner of a library handle: freed exactly once, by close(), at the
end of a `with` block, or when the object is garbage collected."""
import ctypes

from . import _library


def handle_property(entry_point, doc=None):
    """A read-only property answered by `entry_point(handle)` (the
    tml_*_count / tml_*_address getters), as a Python int."""
    def get(self):
        return int(getattr(_library.library(), entry_point)(self.handle))
    return property(get, doc=doc)


class Handle:
    _free = None  # name of the tml_*_free entry point

    def __init__(self, handle):
        self._handle = handle

    @classmethod
    def _from_call(cls, name, *args):
        """A new object owning the handle that entry point `name` makes."""
        out = ctypes.c_void_p()
        _library.call(name, *args, ctypes.byref(out))
        return cls(out)

    @property
    def handle(self):
        """The raw C handle; ValueError once closed."""
        handle = getattr(self, "_handle", None)
        if not handle:
            raise ValueError(f"this {type(self).__name__} is closed")
        return handle

    @property
    def closed(self):
        return not getattr(self, "_handle", None)

    def close(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle:
            getattr(_library.library(), self._free)(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass
