"""``emit(signal, *args)``: emit a Qt signal from Python without PySide6 6.12.0's refcount leak.

PySide6 6.12.0's ``SignalInstance.emit`` returns ``True`` without taking a reference to it, so each
call from Python takes one reference from ``True``. On Python 3.11 (where ``True`` is not
immortal) the count reaches zero after a few thousand emits and the interpreter aborts with
"bool_dealloc: deallocating True or False" -- during the final garbage collection at best, at any
moment at worst. The camera worker emits several times a second, so the app hit it within a minute
with the live view open. Emissions by Qt itself (timers, buttons) are not affected.

``emit`` measures the leak once (ten emits of a private signal) and gives back exactly the
reference each emit takes, only if the running PySide6 has the bug.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_leaks: bool | None = None


class _Probe(QObject):
    ping = Signal()


def emit_leaks() -> bool:
    """Whether ``SignalInstance.emit`` takes a reference from ``True`` here (measured once)."""
    global _leaks
    if _leaks is None:
        probe = _Probe()
        before = sys.getrefcount(True)
        for _ in range(10):
            probe.ping.emit()
        lost = before - sys.getrefcount(True)
        _leaks = lost >= 10
        if _leaks:
            for _ in range(lost):  # repair what the probe itself took
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return _leaks


def emit(signal: Any, *args: object) -> None:
    """``signal.emit(*args)``, giving back the reference a buggy PySide6 takes from ``True``."""
    result = signal.emit(*args)
    if result is True and emit_leaks():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
