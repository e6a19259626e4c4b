"""The C library's Linux calls Python does not wrap (renameat2, prctl, malloc_trim)."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def function(name: str) -> Callable[..., Any] | None:
    """A libc function by name; None where this system's C library lacks it."""
    libc = _libc()
    return getattr(libc, name, None) if libc is not None else None
