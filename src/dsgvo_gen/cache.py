"""A content-hash cache of PDFs, so that a rebuild renders only what changed.

The key covers everything a PDF's bytes depend on: its print HTML, the files of
the assets folder (CSS, fonts, images), the WeasyPrint options, and the versions
of dsgvo-gen and WeasyPrint. The HTML already holds the review date or
SOURCE_DATE_EPOCH, so no clock enters the key.

The key can be computed by anyone who has the project, so the cache must live
where a repository cannot put files: in the user's cache folder
(`$XDG_CACHE_HOME/dsgvo-gen/`, else `~/.cache/dsgvo-gen/`), one folder per
project. A `.dsgvo-gen-cache/` inside a project (where versions before 0.2 kept
it) is never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from importlib.metadata import version
from pathlib import Path

from dsgvo_gen import __version__
from dsgvo_gen.paths import UnsafePath, read_regular_file_inside, refuse_links_below
from dsgvo_gen.pdf import OPTIONS
from dsgvo_gen.render import PdfSource
from dsgvo_gen.resources import Templates

#: The names of the files the cache writes: entries, and entries still being written.
_ENTRY = re.compile(r"[0-9a-f]{64}\.pdf")
_PARTIAL = re.compile(r"\.entry-[0-9a-z_]+\.tmp")


def cache_home() -> Path | None:
    """The user's cache folder (XDG Base Directory), or None where there is no home."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    try:
        return Path.home() / ".cache"
    except RuntimeError:  # no HOME and no entry in the password database
        return None


def cache_folder(root: Path) -> Path | None:
    """Where the PDF cache of the project at `root` lives: a folder of the user's cache,
    named by a hash of the project's resolved path."""
    home = cache_home()
    if home is None:
        return None
    project = hashlib.sha256(os.fsencode(Path(root).resolve())).hexdigest()[:32]
    return home / "dsgvo-gen" / project / "pdf"


def _assets_digest(assets: Path) -> str:
    """A hash of the regular files in `assets` (links are refused when rendering)."""
    digest = hashlib.sha256()
    if assets.is_symlink() or not assets.is_dir():
        return digest.hexdigest()
    files = []
    for folder, dirs, names in os.walk(assets):  # does not descend into linked folders
        dirs.sort()
        for name in names:
            path = Path(folder) / name
            if stat.S_ISREG(path.lstat().st_mode):
                files.append(path.relative_to(assets).as_posix())
    for relative in sorted(files):
        digest.update(relative.encode() + b"\0")
        digest.update(hashlib.sha256(read_regular_file_inside(assets, relative)).digest())
    return digest.hexdigest()


class PdfCache:
    """PDF bytes by content hash, as `<folder>/<key>.pdf`; unreadable entries are misses.

    A cache is only ever a saving of time: where its folder cannot be used (it is a
    link, or cannot be written), every document is a miss.
    """

    def __init__(self, folder: Path, templates: Templates | Path) -> None:
        self.folder = folder
        dirs = templates.dirs if isinstance(templates, Templates) else (templates,)
        salt = {
            "dsgvo-gen": __version__,
            "weasyprint": version("weasyprint"),  # without importing it (0.5 s)
            "options": {kind: sorted(map(str, o.items())) for kind, o in OPTIONS.items()},
            "assets": [_assets_digest(layer / "assets") for layer in dirs],
        }
        self._salt = json.dumps(salt, sort_keys=True).encode()
        self.used: set[str] = set()
        home = cache_home()
        self.usable = self._no_links(home)

    def _no_links(self, home: Path | None) -> bool:
        # The cache home itself may be a link the user made; below it every folder is ours.
        try:
            if home is not None and self.folder.is_relative_to(home):
                refuse_links_below(home, self.folder)
            else:
                refuse_links_below(self.folder.parent, self.folder)
        except UnsafePath:
            return False
        return True

    def key(self, source: PdfSource) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(source.kind.encode() + b"\0" + source.page.encode() + b"\0")
        digest.update(source.html)
        return digest.hexdigest()

    def get(self, source: PdfSource) -> bytes | None:
        key = self.key(source)
        self.used.add(key)
        if not self.usable:
            return None
        try:
            data = read_regular_file_inside(self.folder, f"{key}.pdf")
        except (OSError, UnsafePath):
            return None
        # A truncated entry (a killed build) must not be served: a PDF ends with %%EOF.
        return data if data.rstrip().endswith(b"%%EOF") else None

    def put(self, source: PdfSource, pdf: bytes) -> None:
        """Store best-effort: a cache that cannot be written only costs time."""
        key = self.key(source)
        self.used.add(key)
        if not self.usable:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not self._no_links(cache_home()):
                self.usable = False
                return
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".entry-", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(pdf)
            Path(tmp).replace(self.folder / f"{key}.pdf")
        except OSError:
            return

    def prune(self) -> None:
        """Forget entries this build did not use, so the cache does not grow without end.

        Only regular files named as the cache names its entries are removed; links,
        folders and other files stay, and nothing is ever followed.
        """
        if not self.usable:
            return
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            stale = _ENTRY.fullmatch(entry.name) and entry.name[:-4] not in self.used
            if (stale or _PARTIAL.fullmatch(entry.name)) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
