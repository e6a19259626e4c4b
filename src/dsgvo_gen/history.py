"""The history record: every version of every document that `build` published, in `history/`.

The record is evidence (Art. 5(2), Art. 7(1) GDPR): what a client was told, and what
a client signed, and since when. It is plain files that the user commits:

    history/<provider>/<kind>-<lang>.yaml        one index per document (kind: notice, consent)
    history/<provider>/<kind>-<lang>/<version>.txt   the text of each version
    history/<provider>/<kind>-<lang>/<version>.pdf   its PDF, where a build made PDFs

Each version in an index carries the SHA-256 of its archived files and a digest of the
entry itself, so that a damaged file or an entry edited by hand is a finding (DG150-
DG155, with file and line), never a traceback and never silently believed. Reading
goes through `paths` (no link is followed); writing is `recorder.py`'s.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from dsgvo_gen.findings import Finding, display_path
from dsgvo_gen.loader import Document, Limits, load_file
from dsgvo_gen.paths import UnsafePath, read_regular_file_inside
from dsgvo_gen.snapshot import Snapshot, shape_problems
from dsgvo_gen.versions import VERSION, text_hash

HISTORY_DIR = "history"
RECORD_FORMAT = 1
KINDS = ("notice", "consent")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_INDEX = re.compile(rf"(?P<kind>{'|'.join(KINDS)})-(?P<lang>[a-z]{{2}})\.yaml")
_ARCHIVE = re.compile(rf"(?P<version>{VERSION.pattern})\.(?P<ext>txt|pdf)")
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
#: An index grows by a version (and its content snapshot, a few KB) with every change
#: published: far beyond a descriptor's limits, but bounded all the same.
INDEX_LIMITS = Limits(bytes=64 * 1024 * 1024, nodes=4_000_000)
#: Marks a record being written (`recorder`); left in history/ only by a build killed in
#: the instant after the swap, and then of no meaning.
STAGING_MARK = ".dsgvo-gen-history-staging"
HEADER = (
    "# The published versions of one document, recorded by 'dsgvo-gen build'.\n"
    "# Commit this folder with the project and do not edit it: 'dsgvo-gen check' reports\n"
    "# an entry or an archived file that changed since it was recorded.\n"
)

Key = tuple[str, str, str]  # provider id, kind, language


@dataclass(frozen=True)
class Version:
    """One recorded version of one document."""

    version: str
    published_on: date
    text: str  # the archived text, relative to history/
    text_sha256: str
    pdf: str | None  # the archived PDF, relative to history/; None when built with --no-pdf
    pdf_sha256: str | None
    #: What the version says (`snapshot`), as canonical JSON: one string instead of a tree
    #: of small objects, because a build holds every version of every document at once.
    packed: str
    #: The days a build published this version again after another one (a change undone).
    republished_on: tuple[date, ...] = ()

    @property
    def content(self) -> Snapshot:
        return cast("Snapshot", json.loads(self.packed))

    def entry(self) -> dict[str, Any]:
        """The version as it stands in its index, digest included."""
        entry: dict[str, Any] = {
            "version": self.version,
            "published_on": self.published_on.isoformat(),
        }
        if self.republished_on:
            entry["republished_on"] = [day.isoformat() for day in self.republished_on]
        entry |= {
            "text": self.text,
            "text_sha256": self.text_sha256,
        }
        if self.pdf is not None:
            entry |= {"pdf": self.pdf, "pdf_sha256": self.pdf_sha256}
        entry["content"] = self.content
        return entry | {"digest": digest(entry)}


@dataclass
class Record:
    """The versions of one document, oldest first."""

    provider: str
    kind: str
    lang: str
    versions: list[Version] = field(default_factory=list)

    @property
    def index(self) -> str:
        """The index file, relative to history/."""
        return f"{self.provider}/{self.kind}-{self.lang}.yaml"

    @property
    def folder(self) -> str:
        return f"{self.provider}/{self.kind}-{self.lang}"

    def find(self, version: str) -> Version | None:
        return next((v for v in self.versions if v.version == version), None)

    def events(self) -> list[tuple[date, Version, bool]]:
        """Every publication, oldest first: (day, version, whether it was published before).
        A version published again (a change undone) is current again from that day."""
        found = [(day, v, again) for v in self.versions
                 for again, day in enumerate((v.published_on, *v.republished_on))]  # fmt: skip
        return [(day, v, bool(again)) for day, v, again in sorted(found, key=lambda e: e[0])]

    def on(self, day: date) -> Version | None:
        """The version current on `day`: the last one published on or before it."""
        current = None
        for published, v, _ in self.events():
            if published <= day:
                current = v
        return current

    @property
    def last_published(self) -> date | None:
        events = self.events()
        return events[-1][0] if events else None

    def text(self) -> str:
        data = {
            "format": RECORD_FORMAT,
            "provider": self.provider,
            "document": self.kind,
            "language": self.lang,
            "versions": [v.entry() for v in self.versions],
        }
        from dsgvo_gen.yamlout import dump

        return dump(data, HEADER, INDEX_LIMITS)


@dataclass
class History:
    """Every record of a project, and what is wrong with them."""

    root: Path  # the project folder
    records: dict[Key, Record] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # every file below history/, relative

    @property
    def folder(self) -> Path:
        return self.root / HISTORY_DIR

    def record(self, provider: str, kind: str, lang: str) -> Record:
        return self.records.get((provider, kind, lang)) or Record(provider, kind, lang)

    def versions(self) -> Iterator[tuple[Record, Version]]:
        for key in sorted(self.records):
            record = self.records[key]
            for v in record.versions:
                yield record, v


def pack(value: Any) -> str:
    """A JSON value as one string, its keys in their order (the index is written from it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def canonical(value: Any) -> str:
    """A JSON value as one string, the same for the same value (keys sorted, no spaces)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(entry: dict[str, Any]) -> str:
    """The SHA-256 of an entry (without its digest) as canonical JSON."""
    plain = {k: v for k, v in entry.items() if k != "digest"}
    return hashlib.sha256(canonical(plain).encode("utf-8")).hexdigest()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def text_sha256(content: bytes) -> str:
    """The SHA-256 of an archived text with its line ends as written (LF): a checkout that
    turns them into CRLF (Git for Windows' core.autocrlf) holds the same text."""
    return sha256(content.replace(b"\r\n", b"\n"))


def read_history(root: Path) -> History:
    """The project's history record; a missing history/ is an empty one."""
    history = History(root)
    folder = history.folder
    if not folder.exists() and not folder.is_symlink():
        return history
    shown = display_path(folder, Path.cwd())
    if folder.is_symlink() or not folder.is_dir():
        history.findings.append(
            Finding(
                shown,
                1,
                1,
                "DG150",
                f"{shown} is a symbolic link or "
                "not a folder; dsgvo-gen reads no record through a link",
            )
        )
        return history
    archives: set[str] = set()
    for relative, kind in _walk(folder):
        if relative == STAGING_MARK:
            continue
        path = folder / relative
        parts = relative.split("/")
        index = _INDEX.fullmatch(parts[-1]) if len(parts) == 2 else None
        archive = len(parts) == 3 and _ARCHIVE.fullmatch(parts[2]) is not None
        if kind != "file" or not _ID.fullmatch(parts[0]) or not (index or archive):
            history.findings.append(_foreign(path, relative, kind))
            continue
        history.files.add(relative)
        if index:
            _read_index(history, parts[0], index["kind"], index["lang"], path)
        else:
            archives.add(relative)
    named = {f for r in history.records.values() for v in r.versions for f in (v.text, v.pdf) if f}
    for relative in sorted(archives - named):
        document = relative.rsplit("/", 1)[0]
        if f"{document}.yaml" in history.files and not any(
            r.folder == document for r in history.records.values()
        ):
            continue  # its index is damaged, which is reported already
        message = f"{relative} is in no record of history/; remove it or restore its record"
        shown = display_path(folder / relative, Path.cwd())
        history.findings.append(Finding(shown, 1, 1, "DG150", message))
    return history


#: history/<provider>/<kind>-<lang>/<file>: a folder deeper than this holds nothing of the
#: record, so it is reported, not entered (a clone may bring a folder 10,000 levels deep).
_DEPTH = 2


def _walk(folder: Path, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every entry below `folder` (never into a link), as (relative path, kind)."""
    try:
        entries = sorted(os.scandir(folder / prefix), key=lambda e: e.name)
    except OSError:
        yield prefix.rstrip("/") or ".", "unreadable"
        return
    for entry in entries:
        relative = prefix + entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode) and relative.count("/") < _DEPTH:
            yield from _walk(folder, relative + "/")
        elif stat.S_ISDIR(mode):
            yield relative, "folder"
        else:
            yield relative, "file" if stat.S_ISREG(mode) else "link or special file"


def _foreign(path: Path, relative: str, kind: str) -> Finding:
    shown = display_path(path, Path.cwd())
    what = "not a file a build writes" if kind == "file" else f"a {kind}"
    message = (
        f"{relative} in history/ is {what}; the record holds only what build wrote "
        "(move it elsewhere)"
    )
    return Finding(shown, 1, 1, "DG150", message)


def _read_index(history: History, provider: str, kind: str, lang: str, path: Path) -> None:
    shown = display_path(path, Path.cwd())
    doc, findings = load_file(path, shown, inside=history.folder, limits=INDEX_LIMITS)
    history.findings.extend(findings)
    if doc is None:
        return
    record = Record(provider, kind, lang)
    problems = _index_problems(doc, record)
    if problems:
        history.findings.extend(problems)
        return
    for number, entry in enumerate(doc.data["versions"]):
        version, problems = _version(doc, number, entry, record, history)
        history.findings.extend(problems)
        if version is None:
            return  # later versions are compared with this one: the record stops here
        record.versions.append(version)
    history.records[(provider, kind, lang)] = record


def _at(doc: Document, at: tuple[str | int, ...], code: str, message: str) -> Finding:
    pos = doc.locate(at)
    return Finding(doc.display, pos.line, pos.column, code, message)


def _index_problems(doc: Document, record: Record) -> list[Finding]:
    expected = {
        "format": RECORD_FORMAT,
        "provider": record.provider,
        "document": record.kind,
        "language": record.lang,
    }
    problems = [
        _at(doc, (key,), "DG151", f"'{key}' must be {value!r} here (the file's place says so)")
        for key, value in expected.items()
        if doc.data.get(key) != value
    ]
    if not isinstance(doc.data.get("versions"), list):
        problems.append(_at(doc, ("versions",), "DG151", "'versions' must be a list"))
    return problems


_ENTRY_KEYS = {
    "version",
    "published_on",
    "republished_on",
    "text",
    "text_sha256",
    "pdf",
    "pdf_sha256",
    "content",
    "digest",
}


def _version(
    doc: Document, number: int, entry: Any, record: Record, history: History
) -> tuple[Version | None, list[Finding]]:
    at: tuple[str | int, ...] = ("versions", number)
    if not isinstance(entry, dict) or set(entry) - _ENTRY_KEYS:
        return None, [
            _at(
                doc,
                at,
                "DG151",
                "a version entry has exactly the keys build writes: "
                + ", ".join(sorted(_ENTRY_KEYS)),
            )
        ]
    name = entry.get("version")
    if not isinstance(name, str) or not VERSION.fullmatch(name):
        return None, [_at(doc, (*at, "version"), "DG151", "not a version identifier")]
    try:
        published = date.fromisoformat(str(entry.get("published_on")))
    except ValueError:
        return None, [_at(doc, (*at, "published_on"), "DG151", "not a date (YYYY-MM-DD)")]
    again = _republished(entry.get("republished_on", []), published)
    if again is None:
        return None, [_at(doc, (*at, "republished_on"), "DG151", "not a list of later dates")]
    folder = record.folder
    files = {"text": f"{folder}/{name}.txt", "pdf": f"{folder}/{name}.pdf"}
    for key in ("text", "pdf"):
        if key in entry and entry[key] != files[key]:
            return None, [_at(doc, (*at, key), "DG151", f"must be {files[key]}")]
    if "text" not in entry or not isinstance(entry.get("content"), dict) or "digest" not in entry:
        return None, [_at(doc, at, "DG151", "a version needs text, content and digest")]
    if entry["digest"] != digest(entry):
        return None, [
            _at(
                doc,
                (*at, "version"),
                "DG154",
                f"the entry of {name} was changed "
                "since build recorded it; restore it from git (git checkout)",
            )
        ]
    shapes = [
        _at(doc, (*at, "content", *where), "DG151", f"{name}: {message}")
        for where, message in shape_problems(entry["content"], record.kind)
    ]
    if shapes:
        return None, shapes
    previous = record.versions[-1] if record.versions else None
    if record.find(name) or (previous and previous.published_on > published):
        return None, [
            _at(
                doc,
                at,
                "DG155",
                f"{name} is recorded twice or before the version "
                "above it; restore the file from git",
            )
        ]
    version = Version(
        name,
        published,
        entry["text"],
        str(entry.get("text_sha256")),
        entry.get("pdf"),
        entry.get("pdf_sha256"),
        pack(entry["content"]),
        again,
    )
    return version, _archive_problems(doc, at, version, history)


def _republished(days: Any, published: date) -> tuple[date, ...] | None:
    """The days of a version's later publications, each after the one before; else None."""
    if not isinstance(days, list):
        return None
    try:
        parsed = tuple(date.fromisoformat(str(day)) for day in days)
    except ValueError:
        return None
    ordered = all(a < b for a, b in zip((published, *parsed), parsed, strict=False))
    return parsed if ordered else None


def _archive_problems(
    doc: Document, at: tuple[str | int, ...], v: Version, history: History
) -> list[Finding]:
    problems = []
    for key, relative, expected in (("text", v.text, v.text_sha256), ("pdf", v.pdf, v.pdf_sha256)):
        if relative is None:
            continue
        try:
            content = read_regular_file_inside(history.folder, relative, limit=MAX_ARCHIVE_BYTES)
        except FileNotFoundError:
            problems.append(
                _at(doc, (*at, key), "DG152", f"{relative} is missing; restore it from git")
            )
            continue
        except (OSError, UnsafePath) as err:
            problems.append(_at(doc, (*at, key), "DG152", f"{relative} cannot be read: {err}"))
            continue
        changed = (text_sha256 if key == "text" else sha256)(content) != expected
        if key == "text" and not changed:
            # The identifier is the text's own: a text and entry changed together still fail.
            changed = text_hash(content.decode("utf-8", "replace")) != v.version[-8:]
        if changed:
            problems.append(
                _at(
                    doc,
                    (*at, key),
                    "DG153",
                    f"{relative} is not the file that "
                    f"was recorded for {v.version}; restore it from git",
                )
            )
    return problems
