"""Where catalogue entries live, and which one a descriptor's `uses:` finds.

Entries come from three kinds of folder, searched in this order; the first entry
with an id wins, and `check` notes every entry it hides (DG125):

1. the project's own `catalogue/`;
2. the folders the config names under `catalogue:`, in the order named (paths
   relative to the project, e.g. a federation's shared `../verband-katalog`);
3. the catalogue bundled with dsgvo-gen.

A folder that is the same as one before it counts once, in its first place; the
bundled catalogue counts as bundled even where it is also the project's folder (in
dsgvo-gen's own source tree). Entries are read with the same safe loader as
descriptors; a file that is a symbolic link is refused (DG116), and so is the
project's own `catalogue/` when it is a link, and a config folder reached through
a link inside the project (a clone could point either anywhere). A config folder
outside the project is read, as a federation's shared one must be, and named in a
note (DG128): the config decides which folders dsgvo-gen reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding, display_path, escape_control, quote, safe_json
from dsgvo_gen.loader import Document, load_file
from dsgvo_gen.paths import UnsafePath, refuse_links_in_project
from dsgvo_gen.resources import bundled_dir
from dsgvo_gen.schema import validate

CATALOGUE_DIR = "catalogue"


@dataclass(frozen=True)
class Folder:
    path: Path
    origin: str  # "project" | "config" | "bundled"
    label: str  # how a user recognises it: "catalogue/", "../verband-katalog", "bundled"


@dataclass(frozen=True)
class Found:
    """The entry file a catalogue id leads to, and the files with the same id it hides."""

    id: str
    path: Path
    folder: Folder
    hidden: tuple[tuple[Path, Folder], ...]


def config_folder_problem(root: Path, name: str) -> tuple[str, str] | None:
    """Why the folder the config names as `name` is not read (code and message), or None.

    Not read: a folder reached through a link inside the project (DG116; `./catalogue`
    is the project's own, link or not), one that is not there, and a name the system
    cannot look up (DG110): never a traceback, whatever the config holds.
    """
    try:
        refuse_links_in_project(root / name, root, quote(name), action="read")
        if (root / name).is_dir():
            return None
    except UnsafePath as err:
        return "DG116", str(err)
    except (OSError, ValueError) as err:  # a NUL byte, a name too long for the system
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        return "DG110", f"catalogue folder {quote(name)} cannot be read: {reason}"
    return "DG110", f"no catalogue folder {quote(name)} (relative to the project)"


def _outside(root: Path, folder: Path) -> bool:
    return not folder.resolve().is_relative_to(root.resolve())


def folders(root: Path, config: Config | None) -> list[Folder]:
    """The catalogue folders of a project, highest precedence first, each once."""
    bundled = Folder(bundled_dir(CATALOGUE_DIR), "bundled", "bundled")
    own = root / CATALOGUE_DIR
    candidates = [] if own.is_symlink() else [Folder(own, "project", f"{CATALOGUE_DIR}/")]
    for name in config.catalogue if config else ():
        if config_folder_problem(root, name) is None:
            # Normalised, so that a finding names ../verband-katalog/x.yaml, not project/../...
            candidates.append(Folder(Path(os.path.normpath(root / name)), "config", name))
    seen = {bundled.path.resolve()}
    result = []
    for folder in candidates:
        key = folder.path.resolve()
        if key not in seen and folder.path.is_dir():
            seen.add(key)
            result.append(folder)
    return [*result, bundled]


def folder_findings(root: Path) -> list[Finding]:
    """DG116 for a project catalogue/ that is a symbolic link: it is not read."""
    own = root / CATALOGUE_DIR
    if not own.is_symlink():
        return []
    shown = display_path(own, Path.cwd())
    message = f"{shown} is a symbolic link; dsgvo-gen reads no folder through a link"
    return [Finding(shown, 1, 1, "DG116", message)]


def config_folder_findings(root: Path, config: Config, config_doc: Document) -> list[Finding]:
    """For each folder the config names: why it is not read (DG116, DG110), or a note that
    it lies outside the project (DG128), once per folder."""
    findings, noted = [], set()
    for index, name in enumerate(config.catalogue):
        at = ("catalogue", index)
        if problem := config_folder_problem(root, name):
            findings.append(config_doc.finding(at, *problem))
        elif _outside(root, root / name) and (key := (root / name).resolve()) not in noted:
            noted.add(key)
            findings.append(config_doc.finding(at, "DG128", (
                f"the catalogue folder {quote(name)} ({quote(key, 200)}) lies outside the "
                "project: its entries are read and published like the project's own, so "
                "keep it one you trust")))  # fmt: skip
    return findings


class Catalogue:
    """The entries a project can use, found by id in its folders' order of precedence."""

    def __init__(self, search: list[Folder]) -> None:
        self.folders = tuple(search)

    @cached_property
    def _index(self) -> dict[str, list[tuple[Path, Folder]]]:
        index: dict[str, list[tuple[Path, Folder]]] = {}
        for folder in self.folders:
            for path in sorted(folder.path.glob("*.yaml")):
                index.setdefault(path.stem, []).append((path, folder))
        return index

    def find(self, entry_id: str) -> Found | None:
        places = self._index.get(entry_id)
        if not places:
            return None
        (path, folder), *hidden = places
        return Found(entry_id, path, folder, tuple(hidden))

    def all(self) -> list[Found]:
        return [found for entry_id in sorted(self._index) if (found := self.find(entry_id))]

    def own(self) -> list[Found]:
        """The entries of the project's own catalogue/, which check reads even when unused."""
        return [found for found in self.all() if found.folder.origin == "project"]

    @cached_property
    def _resolved(self) -> frozenset[Path]:
        return frozenset(folder.path.resolve() for folder in self.folders)

    def holds(self, path: Path) -> bool:
        """Whether `path` is a file in one of the catalogue folders (an entry, not a descriptor)."""
        return path.resolve().parent in self._resolved


def project_catalogue(root: Path, config: Config | None) -> Catalogue:
    return Catalogue(folders(root, config))


def load_entry_file(path: Path) -> tuple[Document | None, list[Finding]]:
    """Read a catalogue file with the descriptors' safe loader, which refuses a symbolic
    link (DG116), whose target could be any file on the machine."""
    return load_file(path, display_path(path, Path.cwd()))


@dataclass(frozen=True)
class Listed:
    """One available entry, as `dsgvo-gen catalogue` lists it."""

    id: str
    name: str
    category: str
    status: str  # published | draft | invalid (schema errors) | unreadable
    reviewed_on: str
    origin: str  # the folder's label
    path: str
    hides: tuple[str, ...]  # the entries with the same id it wins over

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "category": self.category,
                "status": self.status, "reviewed_on": self.reviewed_on, "origin": self.origin,
                "path": self.path, "hides": list(self.hides)}  # fmt: skip


def _name(value: object, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or next(iter(value.values()), ""))
    return str(value or "")


def list_entries(root: Path, config: Config | None) -> list[Listed]:
    """Every entry a descriptor of the project can use, by id; the one that wins per id.

    Only a valid entry shows its name, category and date: a file that is not an entry
    (any YAML file in a folder the config names) shows none of what it holds.
    """
    language = config.default_language if config else "de"
    cwd, listed = Path.cwd(), []
    for found in project_catalogue(root, config).all():
        doc, _ = load_entry_file(found.path)
        raw: dict[str, Any]
        if doc is None:
            raw, status = {}, "unreadable"
        elif validate(doc, "catalogue"):
            raw, status = {}, "invalid"
        else:
            raw, status = doc.data, doc.data["status"]
        listed.append(Listed(
            found.id, _name(raw.get("name"), language), str(raw.get("category", "")), str(status),
            str(raw.get("reviewed_on", "")), found.folder.label,
            display_path(found.path, cwd),
            tuple(f"{display_path(path, cwd)} ({folder.label})" for path, folder in found.hidden),
        ))  # fmt: skip
    return listed


_HEADER = ("id", "name", "category", "status", "reviewed", "from")


def format_entries_text(entries: list[Listed]) -> str:
    """The entries as a table, and the entries each hides; every cell escaped as findings
    are (file names and values from a clone must not steer the terminal)."""
    cells = [_HEADER, *((e.id, e.name, e.category, e.status, e.reviewed_on, e.origin)
                        for e in entries)]  # fmt: skip
    rows = [[escape_control(cell) for cell in row] for row in cells]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.extend(escape_control(f"{e.id}: {e.path} wins over {hidden}")
                 for e in entries for hidden in e.hides)  # fmt: skip
    return "\n".join(lines)


def format_entries_json(entries: list[Listed]) -> str:
    return safe_json([e.as_dict() for e in entries])
