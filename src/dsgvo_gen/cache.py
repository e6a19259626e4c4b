"""A content-hash cache of PDFs, so that a rebuild renders only what changed.

The key covers everything a PDF's bytes depend on: its print HTML, the files of
the assets folder (CSS, fonts, images), the WeasyPrint options, and the versions
of dsgvo-gen and WeasyPrint. The HTML already holds the review date or
SOURCE_DATE_EPOCH, so no clock enters the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from dsgvo_gen import __version__
from dsgvo_gen.pdf import OPTIONS
from dsgvo_gen.render import PdfSource
from dsgvo_gen.resources import Templates

CACHE_DIR = ".dsgvo-gen-cache"


def _assets_digest(assets: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in assets.rglob("*") if p.is_file()) if assets.is_dir() else []
    for path in files:
        digest.update(path.relative_to(assets).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class PdfCache:
    """PDF bytes by content hash, in `<folder>/pdf/<key>.pdf`; unreadable entries are misses."""

    def __init__(self, folder: Path, templates: Templates) -> None:
        self.folder = folder / "pdf"
        salt = {
            "dsgvo-gen": __version__,
            "weasyprint": version("weasyprint"),  # without importing it (0.5 s)
            "options": {kind: sorted(map(str, o.items())) for kind, o in OPTIONS.items()},
            "assets": [_assets_digest(folder / "assets") for folder in templates.dirs],
        }
        self._salt = json.dumps(salt, sort_keys=True).encode()
        self.used: set[str] = set()

    def key(self, source: PdfSource) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(source.kind.encode() + b"\0" + source.page.encode() + b"\0")
        digest.update(source.html)
        return digest.hexdigest()

    def get(self, source: PdfSource) -> bytes | None:
        key = self.key(source)
        self.used.add(key)
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
        except OSError:
            return None
        # A truncated entry (a killed build) must not be served: a PDF ends with %%EOF.
        return data if data.rstrip().endswith(b"%%EOF") else None

    def put(self, source: PdfSource, pdf: bytes) -> None:
        """Store best-effort: a cache that cannot be written only costs time."""
        key = self.key(source)
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(pdf)
            Path(tmp).replace(self.folder / f"{key}.pdf")
        except OSError:
            return

    def prune(self) -> None:
        """Forget entries this build did not use, so the cache does not grow without end."""
        if not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.stem not in self.used:
                entry.unlink(missing_ok=True)
