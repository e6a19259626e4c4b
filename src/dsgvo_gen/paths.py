"""Where dsgvo-gen may read and write: regular files in known folders, never through a link.

Projects arrive as clones and pull requests, so any name in them may be a symbolic
link (a `site` that points at a user's home folder, a template that points at a
private key), and users point `--out` at folders of their own. Reads of project
files and every output path go through this module:

- `read_regular_file_inside(root, relative)` reads a file below `root` when no part
  of the way is a link and the file is a regular file;
- `open_inside(root, relative)` opens a file or folder the same way (for `serve`);
- `check_site_folder` says whether a build may replace a folder (one that holds only
  what a build wrote, or an empty or new one), `check_output_folder` and
  `check_output_file` whether files may be written into a folder or replace one file.

Each refusal is an `UnsafePath` whose message is one line for the user.
"""

from __future__ import annotations

import errno
import os
import pwd
import re
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

#: Written into every site a build makes, with the list of the files it wrote: a folder
#: without it, or with a file the list does not name, is never replaced. The marker
#: alone proves nothing (it travels along when a site is copied into a web root).
SITE_MARKER = ".dsgvo-gen-site"
SITE_MARKER_TEXT = (  # all that versions before the list wrote
    b"This folder is a website built by dsgvo-gen. Every build replaces it as a whole;\n"
    b"do not keep your own files here.\n"
)
_LIST_HEADING = b"\nThe files the build wrote; a folder with any other file is not replaced:\n"
_MAX_MARKER_BYTES = 64 * 1024 * 1024
#: What belongs to a project's sources (config.CONFIG_NAME included): never an output.
PROJECT_SOURCES = ("dsgvo-gen.yaml", "providers", "templates", "catalogue", "schema",
                   "history", ".git")  # fmt: skip
#: Where a marker lists no files (a site of an older version, the staging folder of a
#: killed build), every file and folder must have a name a build gives them.
_SITE_FILES = re.compile(
    r"index\.html|assets/[a-z0-9-]+\.(?:css|png|jpg|gif|webp)|pdf/[a-z]{2}/[a-z0-9-]+\.pdf"
    r"|[a-z]{2}/(?:index|notice)\.html|[a-z]{2}/(?:providers|consent|embed|history)/[a-z0-9-]+\.html"
    r"|[a-z]{2}/history/[a-z0-9-]+\.pdf"  # the archived PDFs of earlier versions
)
_SITE_FOLDERS = re.compile(
    r"assets|pdf|(?:pdf/)?[a-z]{2}|[a-z]{2}/(?:providers|consent|embed|history)"
)
#: A site built before the marker existed has the landing page of the bundled templates.
_LEGACY_SIGNATURE = (
    b"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self';"
)


class UnsafePath(ValueError):  # noqa: N818 - reads as what it is, like UnknownSelection
    """dsgvo-gen refuses to read or write this path; the message says which and why, and
    `path`, where known, is the file or folder refused (a finding points at it)."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


def refuse_link(path: Path, shown: str | Path | None = None) -> None:
    """Raise UnsafePath if `path` itself is a symbolic link."""
    if path.is_symlink():
        raise UnsafePath(
            f"{shown or path} is a symbolic link; dsgvo-gen never reads or writes through a link",
            path,
        )


def refuse_links_below(root: Path, path: Path) -> None:
    """Raise UnsafePath if any part of `path` below `root` is a link (`root` is the caller's)."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        refuse_link(current)


def _parts(root: Path, relative: str) -> tuple[str, ...]:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        raise UnsafePath(f"{relative} is not a path inside {root}")
    return pure.parts


# O_NOFOLLOW: a link is never followed, not even one put there after a check; O_NONBLOCK:
# a pipe planted under the name does not hang the open; O_NOCTTY: a terminal stays ours.
_OPEN = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
         | getattr(os, "O_CLOEXEC", 0))  # fmt: skip


def open_inside(root: Path, relative: str, *, root_may_be_link: bool = True) -> int:
    """A file descriptor of `root/relative`, a file or a folder, opened one name at a time
    so that no link below `root` is followed (`root` itself is the caller's, and followed
    unless `root_may_be_link` is False). The caller closes it.

    Raises UnsafePath for a link, FileNotFoundError or NotADirectoryError (OSErrors)
    where the path is not there.
    """
    parts = _parts(root, relative)
    try:
        fd = os.open(root, _OPEN if not root_may_be_link else _OPEN & ~os.O_NOFOLLOW)
    except OSError as err:
        if err.errno == errno.ELOOP:
            message = f"{root} is a symbolic link; dsgvo-gen never reads through a link"
            raise UnsafePath(message, root) from None
        raise
    try:
        # The path so far is made only for a message: a build opens thousands of files.
        for depth, part in enumerate(parts):
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                raise NotADirectoryError(
                    errno.ENOTDIR, "Not a directory", str(root.joinpath(*parts[:depth]))
                )
            try:
                opened = os.open(part, _OPEN, dir_fd=fd)
            except OSError as err:
                if err.errno == errno.ELOOP:
                    current = root.joinpath(*parts[: depth + 1])
                    message = f"{current} is a symbolic link; dsgvo-gen never reads through a link"
                    raise UnsafePath(message, current) from None
                raise
            os.close(fd)
            fd = opened
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_file_inside(root: Path, relative: str, *, limit: int | None = None) -> bytes:
    """The bytes of `root/relative`: a regular file, reached without any link below `root`.

    Raises UnsafePath for a link, a folder, a device, a pipe or a file over `limit`
    bytes, and FileNotFoundError (an OSError) for a file that is not there.
    """
    fd = open_inside(root, relative)
    try:  # checked on the open file, before anything is read from it
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            path = root / relative
            message = f"{path} is not a regular file; dsgvo-gen reads only regular files"
            raise UnsafePath(message, path)
        if limit is not None and info.st_size > limit:
            raise UnsafePath(f"{root / relative} is larger than {limit:,} bytes", root / relative)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        data = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(data) > limit:  # grew since the check
        raise UnsafePath(f"{root / relative} is larger than {limit:,} bytes", root / relative)
    return data


#: A new file: never an existing one, never through a link put in its place.
CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def create_inside(root: Path, relative: str, content: bytes) -> None:
    """Create the new file `root/relative`, and the folders on the way that are missing,
    one name at a time, so that no link below `root` is followed, not even one made
    after a check (`root` itself is the caller's).

    Raises FileExistsError where the name is taken (by a file, folder or link), UnsafePath
    for a link on the way, and other OSErrors where the file cannot be written.
    """
    *folders, name = _parts(root, relative)
    for depth, folder in enumerate(folders):
        fd = open_inside(root, "/".join(folders[:depth]) or ".")
        try:
            os.mkdir(folder, dir_fd=fd)
        except FileExistsError:
            pass  # a folder already, or a link that opening it refuses below
        finally:
            os.close(fd)
    fd = open_inside(root, "/".join(folders) or ".")
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(root / relative))
        created = os.open(name, CREATE, 0o666, dir_fd=fd)
    finally:
        os.close(fd)
    with os.fdopen(created, "wb") as handle:
        handle.write(content)


def absolute(path: Path) -> Path:
    """`path` made absolute, with links in its parent folders resolved and its own name
    kept as it is: a link stays a link, so that it can be refused."""
    if path.name in ("", ".", ".."):
        return path.resolve()
    return path.parent.resolve() / path.name


def refuse_links_in_project(
    path: Path, project: Path, shown: str | Path | None = None, *, action: str = "write to"
) -> None:
    """Raise UnsafePath where the way to `path` passes a link that lies inside the project.

    A clone can bring any link (`site` -> the user's home folder), and `--out site/web`
    would write through it (or a config's `catalogue: [kat]` read through it: `action`
    says which, for the message). Links elsewhere are the user's own and are followed,
    also one that leads into the project; the way on from there is checked all the same.
    """
    inside = Path(os.path.realpath(project))
    parts = (Path.cwd() / path).parts
    current = Path(parts[0])  # with links resolved so far: where the way really goes
    for part in parts[1:]:
        if part == "..":
            current = current.parent
            continue
        step = current / part
        if step.is_symlink():
            if current.is_relative_to(inside):
                raise UnsafePath(
                    f"refusing to {action} {shown or path}: {step} is a symbolic link in the "
                    "project; dsgvo-gen never reads or writes through a link",
                    step,
                )
            step = Path(os.path.realpath(step))
        current = step


def not_own_folder(folder: Path, file: Path) -> str | None:
    """Why a project found above the current folder is not the user's to build, or None:
    its folder or `file` (the config) belongs to another user, or everyone may write to
    the folder, as to /tmp (anyone could have put the config there)."""
    me = os.geteuid()
    for path in (folder, file):
        owner = path.lstat().st_uid
        if owner != me:
            try:
                name = pwd.getpwuid(owner).pw_name
            except KeyError:
                name = f"user id {owner}"
            return f"{path} belongs to {name}, not to you"
    if folder.lstat().st_mode & stat.S_IWOTH:
        return f"everyone may write to {folder}"
    return None


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


def site_marker(files: Iterable[str]) -> bytes:
    """The marker of a site whose files (site-relative paths) a build wrote."""
    return SITE_MARKER_TEXT + _LIST_HEADING + b"".join(f"{f}\n".encode() for f in sorted(files))


def listed_files(marker: bytes) -> set[str] | None:
    """The files a marker lists; None for a marker without a list (or no marker)."""
    head, heading, rest = marker.partition(_LIST_HEADING)
    if not heading or head != SITE_MARKER_TEXT:
        return None
    return set(rest.decode("utf-8", "replace").splitlines())


def _parents(files: Iterable[str]) -> set[str]:
    """Every folder the site-relative `files` lie in: pdf/de/a.pdf lies in pdf and pdf/de."""
    return {f.rsplit("/", n)[0] for f in files for n in range(1, f.count("/") + 1)}


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_dir(follow_symlinks=False):
        return "folder"
    return "file" if entry.is_file(follow_symlinks=False) else "other"  # a link: other


def foreign_files(folder: Path) -> list[str] | None:
    """What in `folder` a build did not write (a folder named once, with a final /); an
    empty list for a site a build may replace; None where `folder` is not a site at all."""
    try:
        marker: bytes | None = read_regular_file_inside(
            folder, SITE_MARKER, limit=_MAX_MARKER_BYTES
        )
    except FileNotFoundError:
        marker = None
    except (OSError, UnsafePath):
        return None
    listed = listed_files(marker) if marker is not None else None
    if marker is None and not _legacy_landing(folder):
        return None
    if marker is not None and listed is None and marker != SITE_MARKER_TEXT:
        return None  # not a marker dsgvo-gen wrote
    folders = _parents(listed or ())

    def ours(name: str, kind: str) -> bool:
        if name.startswith(SITE_MARKER):  # the marker, or the marker being rewritten
            return kind == "file"
        if listed is None:  # no list: the names a build gives its files
            layout = {"file": _SITE_FILES, "folder": _SITE_FOLDERS}.get(kind)
            return layout is not None and layout.fullmatch(name) is not None
        return name in listed if kind == "file" else kind == "folder" and name in folders

    foreign, pending = [], [""]
    try:
        while pending:  # never into a link, nor into a folder that is foreign as a whole
            prefix = pending.pop()
            with os.scandir(folder / prefix) as entries:
                for entry in entries:
                    name, kind = prefix + entry.name, _kind(entry)
                    if not ours(name, kind):
                        foreign.append(name + "/" if kind == "folder" else name)
                    elif kind == "folder":
                        pending.append(name + "/")
    except OSError:
        return None
    return sorted(foreign)


def _legacy_landing(folder: Path) -> bool:
    try:
        landing = read_regular_file_inside(folder, "index.html", limit=1024 * 1024)
    except (OSError, UnsafePath):
        return False
    return _LEGACY_SIGNATURE in landing


def is_site_folder(folder: Path) -> bool:
    """A folder a build may replace: it holds the marker and nothing but the files the
    marker lists (or, made by an older version, files with the names a build gives)."""
    return foreign_files(folder) == []


def check_site_folder(out: Path, project: Path) -> Path:
    """The absolute path of the folder a build may replace as a whole, or UnsafePath.

    Allowed: a folder that does not exist yet, an empty one, or a site dsgvo-gen built.
    Refused: a link, a mount point, the project folder, a folder that contains it or
    lies in its sources, and every other folder with files in it.
    """
    refuse_links_in_project(out, project)
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
    foreign = [] if empty else foreign_files(target)
    if foreign == []:
        return target
    if foreign is None:
        raise UnsafePath(
            f"refusing to replace {out}: it is not empty and not a site dsgvo-gen built "
            f"(it has no {SITE_MARKER} file); choose a new or an empty folder, or delete this "
            "one yourself if an older dsgvo-gen made it"
        )
    more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
    raise UnsafePath(
        f"refusing to replace {out}: it holds files a build did not write "
        f"({', '.join(foreign[:5])}{more}), which a build would delete; move them "
        "elsewhere, or choose a new or an empty folder"
    )


def check_output_folder(out: Path, project: Path) -> Path:
    """The absolute path of a folder files may be written into (`pdf --out`), or UnsafePath."""
    refuse_links_in_project(out, project)
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
    refuse_links_in_project(path, project)
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
