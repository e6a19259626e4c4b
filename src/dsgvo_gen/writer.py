"""The only code that writes the site: build aside, then swap it in atomically.

The new site is written to a temporary folder next to the output folder and
exchanged with the old one in a single `renameat2(RENAME_EXCHANGE)` call where
the kernel offers it, so a reader (or a killed build) sees either the complete
old site or the complete new one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class WriteError(Exception):
    """The output folder cannot be written; the message says why, for the user."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where that is not available."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Replace the folder `out` by exactly `files` (site-relative path -> bytes)."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as err:
        raise WriteError(f"cannot create the output folder next to {out}: {err.strerror}") from err
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            target.chmod(0o644)
        staging.chmod(0o755)
        if out.exists() and _exchange(staging, out):
            shutil.rmtree(staging)  # now holds the old site
            return
        if out.exists():  # no atomic exchange here: the short window between two renames
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            out.rename(old / out.name)
            staging.rename(out)
            shutil.rmtree(old)
        else:
            staging.rename(out)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"cannot write the site to {out}: {err.strerror or err}") from err
