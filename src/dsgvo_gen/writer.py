"""The only code that writes the site: build aside, then swap it in atomically.

The new site is written to a temporary folder next to the output folder and
exchanged with the old one in a single `renameat2(RENAME_EXCHANGE)` call where
the kernel offers it, so a reader (or a killed build) sees either the complete
old site or the complete new one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dsgvo_gen import libc

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class WriteError(Exception):
    """The output folder cannot be written; the message says why, for the user."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where that is not available."""
    renameat2 = libc.function("renameat2")
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _remove_orphans(out: Path) -> None:
    """Staging folders of builds that were killed: their process is gone, so are they."""
    prefix = f".{out.name}."
    for sibling in out.parent.iterdir():
        if not sibling.name.startswith(prefix):
            continue
        kind, _, rest = sibling.name.removeprefix(prefix).partition("-")
        pid = rest.split("-", 1)[0]
        if kind in ("new", "old") and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(sibling, ignore_errors=True)


class Staging:
    """A new site, written aside and swapped in by `commit()`; dropped if never committed."""

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.folder: Path | None = None
        self.files = 0

    def __enter__(self) -> Staging:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            _remove_orphans(self.out)
            self.folder = Path(
                tempfile.mkdtemp(prefix=f".{self.out.name}.new-{os.getpid()}-", dir=self.out.parent)
            )
        except OSError as err:
            raise WriteError(
                f"cannot create the output folder next to {self.out}: {err.strerror}"
            ) from err
        return self

    def write(self, relative: str, content: bytes) -> None:
        assert self.folder is not None, "use Staging as a context manager"
        target = self.folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            target.chmod(0o644)
        except OSError as err:
            raise WriteError(f"cannot write the site to {self.out}: {err.strerror or err}") from err
        self.files += 1

    def commit(self) -> None:
        """Swap the new site in; the old one is gone afterwards."""
        staging, out = self.folder, self.out
        assert staging is not None, "use Staging as a context manager"
        try:
            staging.chmod(0o755)
            if out.exists() and _exchange(staging, out):
                shutil.rmtree(staging)  # now holds the old site
            elif out.exists():  # no atomic exchange here: the short window between two renames
                old = Path(
                    tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent)
                )
                out.rename(old / out.name)
                staging.rename(out)
                shutil.rmtree(old)
            else:
                staging.rename(out)
        except OSError as err:
            raise WriteError(f"cannot write the site to {out}: {err.strerror or err}") from err
        self.folder = None

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Replace the folder `out` by exactly `files` (site-relative path -> bytes)."""
    with Staging(out) as stage:
        for relative, content in files.items():
            stage.write(relative, content)
        stage.commit()


def write_file(path: Path, content: bytes) -> None:
    """Replace one file atomically (for `dsgvo-gen pdf`, which updates single documents)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as err:
        raise WriteError(f"cannot write {path}: {err.strerror or err}") from err
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"cannot write {path}: {err.strerror or err}") from err
