"""The sandbox a project's own templates run in: Jinja2's, with bounds on memory.

Jinja2's SandboxedEnvironment keeps a template away from Python's internals, and
range() to 100,000 items, but it lets `"x" * 1500000000` through: 8.8 GB from one
line, and with `10**11` the kernel picks which process dies. Here, repetition,
concatenation (`+`), powers and %-formatting are checked before they run; anything
else that grows (a filter, a method, a loop that doubles a string) meets a bound on
the process's address space while a project's template renders. A template can
still loop for a long time: the page size bound (`limits.MAX_PAGE_BYTES`) stops a
loop that writes, nothing stops one that only counts.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

#: Characters of a string, or items of a list (counting what the items hold), that one
#: operation of a template may make; a notice page holds about 60,000 characters.
MAX_VALUE = 1_000_000
#: Bits of an integer a power may make (a 20,000-digit number).
MAX_POWER_BITS = 65_536
#: Memory a project's template may take beyond what dsgvo-gen holds when it starts.
MAX_TEMPLATE_MEMORY = 1024 * 1024 * 1024
# A %-format's width or precision: "%2000000000s" pads to two billion characters.
_WIDTHS = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


class BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, refusing operations that would make a value over MAX_VALUE."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if (problem := _too_large(operator, left, right)) is not None:
            raise SecurityError(f"the template {problem}; a template may make at most "
                                f"{MAX_VALUE:,} characters or items in one step")  # fmt: skip
        return super().call_binop(context, operator, left, right)


def _size(value: Any, depth: int = 0) -> int:
    """About how many characters `value` prints as: a list counts what its items hold."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, list | tuple) and depth < 4:
        return len(value) + sum(_size(item, depth + 1) for item in value)
    return 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _too_large(operator: str, left: Any, right: Any) -> str | None:
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            sized = isinstance(sequence, str | bytes | list | tuple)
            if sized and _is_int(times) and _size(sequence) * max(times, 0) > MAX_VALUE:
                return f"repeats a value of {_size(sequence):,} characters {times:,} times"
    elif operator == "+":
        sized = all(isinstance(v, str | bytes | list | tuple) for v in (left, right))
        if sized and _size(left) + _size(right) > MAX_VALUE:
            return f"joins values of {_size(left) + _size(right):,} characters"
    elif operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1 and right > 0:
        if right * math.log2(abs(left)) > MAX_POWER_BITS:
            return f"raises {left} to the power {right:,}"
    elif operator == "%" and isinstance(left, str):
        arguments = right if isinstance(right, tuple) else (right,)
        widths = [int(w) for spec in _WIDTHS.findall(left) for w in spec if w.isdigit()]
        if any("*" in spec for spec in _WIDTHS.findall(left)):
            widths += [a for a in arguments if _is_int(a)]
        if widths and max(widths) > MAX_VALUE:
            return f"formats a value {max(widths):,} characters wide"
    return None


def _used_address_space() -> int | None:
    try:
        pages = Path("/proc/self/statm").read_bytes().split()[0]
        return int(pages) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def memory_bound(extra: int = MAX_TEMPLATE_MEMORY) -> Iterator[None]:
    """While a project's template renders, this process may use `extra` bytes more address
    space than now: beyond that an allocation fails with a MemoryError (reported as a
    finding) instead of exhausting the machine. Where the limit cannot be read, no bound."""
    used = _used_address_space()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    bound = None if used is None else used + extra
    if hard != resource.RLIM_INFINITY and bound is not None:
        bound = min(bound, hard)
    if bound is None or (soft != resource.RLIM_INFINITY and soft <= bound):
        yield  # no way to tell, or bounded more tightly already
        return
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
