"""The only code that writes the site: build aside, then swap it in atomically.

The new site is written to a temporary folder next to the output folder and
exchanged with the old one in a single `renameat2(RENAME_EXCHANGE)` call where
the kernel offers it, so a reader (or a killed build) sees either the complete
old site or the complete new one. Every site carries the marker file that lists
the files the build wrote, so that a later build recognises the folder as its own
and as holding nothing else (`paths.check_site_folder` decides that).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dsgvo_gen import libc
from dsgvo_gen.paths import (
    CREATE,
    SITE_MARKER,
    SITE_MARKER_TEXT,
    UnsafePath,
    absolute,
    is_site_folder,
    listed_files,
    read_regular_file_inside,
    refuse_link,
    refuse_links_below,
    site_marker,
)

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


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _left_by_a_build(folder: Path, out: Path) -> bool:
    """A staging folder (`new`: a site, maybe empty) or the old site set aside (`old`)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    inside = list(folder.iterdir())
    if not inside or is_site_folder(folder):
        return True
    return len(inside) == 1 and inside[0].name == out.name and is_site_folder(inside[0])


def _remove_orphans(out: Path) -> None:
    """Staging folders of builds that were killed: their process is gone, so are they.
    Only folders a build left are removed; a name alone proves nothing in a clone."""
    prefix = f".{out.name}."
    for sibling in out.parent.iterdir():
        if not sibling.name.startswith(prefix):
            continue
        kind, _, rest = sibling.name.removeprefix(prefix).partition("-")
        pid = rest.split("-", 1)[0]
        left = kind in ("new", "old") and pid.isdigit() and not alive(int(pid))
        if left and _left_by_a_build(sibling, out):
            shutil.rmtree(sibling, ignore_errors=True)


def _create(path: Path, content: bytes) -> None:
    """A new file; never opens an existing one, nor follows a link."""
    with os.fdopen(os.open(path, CREATE, 0o644), "wb") as handle:
        os.fchmod(handle.fileno(), 0o644)  # readable by the web server, whatever the umask
        handle.write(content)


class Staging:
    """A new site, written aside and swapped in by `commit()`; dropped if never committed."""

    def __init__(self, out: Path) -> None:
        # Links in the parent folders are resolved, never the folder's own name: a `site`
        # that is a link must be refused (`paths.check_site_folder`), not followed.
        self.out = absolute(out)
        self.folder: Path | None = None
        self.written: list[str] = []  # site-relative, for the marker

    @property
    def files(self) -> int:
        return len(self.written)

    def __enter__(self) -> Staging:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            _remove_orphans(self.out)
            self.folder = Path(
                tempfile.mkdtemp(prefix=f".{self.out.name}.new-{os.getpid()}-", dir=self.out.parent)
            )
            # Without its list yet: a killed build's folder is recognised by its file names.
            _create(self.folder / SITE_MARKER, SITE_MARKER_TEXT)
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
            _create(target, content)
        except OSError as err:
            raise WriteError(f"cannot write the site to {self.out}: {err.strerror or err}") from err
        self.written.append(relative)

    def commit(self) -> None:
        """Swap the new site in; the old one is gone afterwards."""
        staging, out = self.folder, self.out
        assert staging is not None, "use Staging as a context manager"
        try:
            refuse_link(out)  # checked before the build; a link made since is not replaced
            (staging / SITE_MARKER).unlink()
            _create(staging / SITE_MARKER, site_marker(self.written))
            staging.chmod(0o755)
            if out.exists() and _exchange(staging, out):
                shutil.rmtree(staging)  # now holds the old site
            elif out.exists():  # no atomic exchange here: the short window between two renames
                _replace_by_renames(staging, out)
            else:
                staging.rename(out)
        except (OSError, UnsafePath) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else err
            raise WriteError(f"cannot write the site to {out}: {reason}") from err
        self.folder = None

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def mark_site(folder: Path) -> None:
    """Make `folder` a site where it does not exist yet (`pdf` into a site not built yet),
    so that the next build recognises it as its own."""
    if folder.exists() or folder.is_symlink():
        return
    try:
        folder.mkdir(parents=True)
        _create(folder / SITE_MARKER, site_marker(()))
    except OSError as err:
        raise WriteError(f"cannot write {folder}: {err.strerror or err}") from err


def add_to_site(folder: Path, files: list[str]) -> None:
    """Add `files` (site-relative paths that `pdf` wrote into the site) to the site's list
    of its files, so that the next build still finds nothing in it but its own."""
    try:
        listed = listed_files(read_regular_file_inside(folder, SITE_MARKER))
    except (OSError, UnsafePath):
        return  # no site of ours: nothing to add to
    if listed is not None and not listed.issuperset(files):  # a marker without a list needs none
        try:
            write_file(folder / SITE_MARKER, site_marker(listed.union(files)), inside=folder)
        except UnsafePath as err:  # the marker became a link since it was read
            raise WriteError(str(err)) from None


def replace_folder(staging: Path, out: Path) -> None:
    """Put `staging` in the place of `out` (the history record) in one step where the kernel
    can; afterwards `staging` holds the old folder, or is gone. Raises OSError."""
    staging.chmod(0o755)
    refuse_link(out)
    if out.exists() and _exchange(staging, out):
        return
    if out.exists():
        _replace_by_renames(staging, out)
    else:
        staging.rename(out)


def _replace_by_renames(staging: Path, out: Path) -> None:
    """Move the old site aside, the new one in, then delete the old one; on failure put
    the old one back and leave nothing else behind."""
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    try:
        out.rename(old / out.name)
    except OSError:
        old.rmdir()
        raise
    try:
        staging.rename(out)
    except OSError:
        (old / out.name).rename(out)
        old.rmdir()
        raise
    shutil.rmtree(old)


def write_file(path: Path, content: bytes, *, inside: Path | None = None) -> None:
    """Replace one file atomically (`pdf`, `export --out`).

    Raises UnsafePath, writing nothing, where `path` is a link or not a regular file,
    or where a folder between `inside` and it is a link.
    """
    if inside is not None:
        refuse_links_below(inside, path)
    refuse_link(path)
    if path.exists() and not path.is_file():
        raise UnsafePath(f"refusing to replace {path}: it is not a regular file")
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
