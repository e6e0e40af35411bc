"""Keep `None`, `True` and `False` alive under PySide6 6.12 on Python 3.11.

PySide6 6.12's bindings return `None` (and some `bool`s) from C++ without taking a reference,
which is harmless from Python 3.12 on, where these objects are immortal (PEP 683), but on 3.11
every call such as `label.setText(...)` drops one reference the binding never took. A client
that polls every few seconds runs out within minutes and CPython aborts with "deallocating
None". Until the binding is fixed or the project moves to Python 3.12, we give the three
singletons a reference count no run can use up, which is what 3.12 does for them anyway.
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 40
"""References added to each singleton: a billion calls a second would need 12 days."""
_applied = False


def keep_singletons_alive() -> bool:
    """Apply once, on CPython before 3.12; whether it was applied by this call."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (release builds).
        ctypes.c_ssize_t.from_address(id(singleton)).value += HEADROOM
    _applied = True
    return True
