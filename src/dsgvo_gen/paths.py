"""Where dsgvo-gen may read and write: regular files in known folders, never through a link.

Projects arrive as clones and pull requests, so any name in them may be a symbolic
link (a `site` that points at a user's home folder, a template that points at a
private key), and users point `--out` at folders of their own. Reads of project
files and every output path go through this module:

- `read_regular_file_inside(root, relative)` reads a file below `root` when no part
  of the way is a link and the file is a regular file;
- `check_site_folder` says whether a build may replace a folder (one it made, or an
  empty or new one), `check_output_folder` and `check_output_file` whether files
  may be written into a folder or replace one file.

Each refusal is an `UnsafePath` whose message is one line for the user.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path, PurePosixPath

#: Written into every site a build makes; a folder without it is never replaced.
SITE_MARKER = ".dsgvo-gen-site"
SITE_MARKER_TEXT = (
    b"This folder is a website built by dsgvo-gen. Every build replaces it as a whole;\n"
    b"do not keep your own files here.\n"
)
#: What belongs to a project's sources (config.CONFIG_NAME included): never an output.
PROJECT_SOURCES = ("dsgvo-gen.yaml", "providers", "templates", "catalogue", "schema",
                   "history", ".git")  # fmt: skip
#: A site built before the marker existed holds only these names at its top.
_SITE_LAYOUT = re.compile(r"index\.html|assets|pdf|[a-z]{2}")
#: ... and its landing page carries the Content-Security-Policy of the bundled templates.
_LEGACY_SIGNATURE = (
    b"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self';"
)


class UnsafePath(ValueError):  # noqa: N818 - reads as what it is, like UnknownSelection
    """dsgvo-gen refuses to read or write this path; the message says which and why."""


def refuse_link(path: Path, shown: str | Path | None = None) -> None:
    """Raise UnsafePath if `path` itself is a symbolic link."""
    if path.is_symlink():
        raise UnsafePath(
            f"{shown or path} is a symbolic link; dsgvo-gen never reads or writes through a link"
        )


def refuse_links_below(root: Path, path: Path) -> None:
    """Raise UnsafePath if any part of `path` below `root` is a link (`root` is the caller's)."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        refuse_link(current)


def _inside(root: Path, relative: str) -> Path:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or ".." in pure.parts:
        raise UnsafePath(f"{relative} is not a path inside {root}")
    return root.joinpath(*pure.parts)


def read_regular_file_inside(root: Path, relative: str, *, limit: int | None = None) -> bytes:
    """The bytes of `root/relative`: a regular file, reached without any link below `root`.

    Raises UnsafePath for a link, a device, a pipe or a file over `limit` bytes, and
    FileNotFoundError (an OSError) for a file that is not there.
    """
    path = _inside(root, relative)
    refuse_links_below(root, path)
    # O_NOFOLLOW: a link put there after the check is not followed; O_NONBLOCK: a pipe
    # planted under the name does not hang the open.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:  # became a link after the check above
            message = f"{path} is a symbolic link; dsgvo-gen never reads through a link"
            raise UnsafePath(message) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise UnsafePath(f"{path} is not a regular file; dsgvo-gen reads only regular files")
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise UnsafePath(f"{path} is larger than {limit:,} bytes")
    return data


def absolute(path: Path) -> Path:
    """`path` made absolute, with links in its parent folders resolved and its own name
    kept as it is: a link stays a link, so that it can be refused."""
    if path.name in ("", ".", ".."):
        return path.resolve()
    return path.parent.resolve() / path.name


def _project_problem(target: Path, project: Path) -> str | None:
    project = project.resolve()
    if target == project:
        return "is the project folder"
    if project.is_relative_to(target):
        return "contains the project folder"
    for name in PROJECT_SOURCES:
        if target.is_relative_to(project / name):
            return f"is part of the project's sources ({name})"
    return None


def is_site_folder(folder: Path) -> bool:
    """A folder dsgvo-gen built: it holds the marker (or, made by a version before the
    marker, nothing but the site's layout, with the landing page of the bundled templates)."""
    try:
        return read_regular_file_inside(folder, SITE_MARKER, limit=4096) == SITE_MARKER_TEXT
    except FileNotFoundError:
        pass
    except (OSError, UnsafePath):
        return False
    try:
        names = [entry.name for entry in folder.iterdir()]
        landing = read_regular_file_inside(folder, "index.html", limit=1024 * 1024)
    except (OSError, UnsafePath):
        return False
    return all(_SITE_LAYOUT.fullmatch(name) for name in names) and _LEGACY_SIGNATURE in landing


def check_site_folder(out: Path, project: Path) -> Path:
    """The absolute path of the folder a build may replace as a whole, or UnsafePath.

    Allowed: a folder that does not exist yet, an empty one, or a site dsgvo-gen built.
    Refused: a link, a mount point, the project folder, a folder that contains it or
    lies in its sources, and every other folder with files in it.
    """
    target = absolute(out)
    refuse_link(target, out)
    if problem := _project_problem(target, project):
        raise UnsafePath(f"refusing to build into {out}: it {problem}")
    if not target.exists():
        return target
    if not target.is_dir():
        raise UnsafePath(f"refusing to build into {out}: it is not a folder")
    if os.path.ismount(target):
        raise UnsafePath(
            f"refusing to build into {out}: it is a mount point, which cannot be replaced "
            "as a whole; build into a folder inside it"
        )
    try:
        empty = next(target.iterdir(), None) is None
    except OSError as err:
        raise UnsafePath(f"cannot look into {out}: {err.strerror or err}") from None
    if empty or is_site_folder(target):
        return target
    raise UnsafePath(
        f"refusing to replace {out}: it is not empty and not a site dsgvo-gen built "
        f"(it has no {SITE_MARKER} file); choose a new or an empty folder, or delete this "
        "one yourself if an older dsgvo-gen made it"
    )


def check_output_folder(out: Path, project: Path) -> Path:
    """The absolute path of a folder files may be written into (`pdf --out`), or UnsafePath."""
    target = absolute(out)
    refuse_link(target, out)
    if problem := _project_problem(target, project):
        raise UnsafePath(f"refusing to write into {out}: it {problem}")
    if target.exists() and not target.is_dir():
        raise UnsafePath(f"refusing to write into {out}: it is not a folder")
    return target


def check_output_file(path: Path, project: Path) -> Path:
    """The absolute path of a file that may be replaced (`export --out`), or UnsafePath:
    never a link, a device, a pipe or a folder, and never one of the project's sources."""
    target = absolute(path)
    refuse_link(target, path)
    if problem := _project_problem(target, project):
        raise UnsafePath(f"refusing to write {path}: it {problem}")
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return target
    except OSError as err:
        raise UnsafePath(f"cannot look at {path}: {err.strerror or err}") from None
    if not stat.S_ISREG(mode):
        raise UnsafePath(
            f"refusing to replace {path}: it is not a regular file (a device, pipe or folder)"
        )
    return target
