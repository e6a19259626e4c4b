"""Recording the versions a build publishes, and the rows of the history pages.

`build` hands each document version it renders to a Recorder (through the renderer's
`on_version`) and each PDF it makes. A version not in the record yet is new: its text,
its PDF and a snapshot of its model are kept for the record. A version recorded
without a PDF (built with --no-pdf) gets its PDF added when a later build makes one;
its text, date and content stay as they were.

The new record is written next to history/ and swapped in as a whole, right before
the site is (`writer.replace_folder`): a killed build leaves the old record or the new
one, never half of one. Unchanged files are hard links into the new folder, not
copies. `serve` and `preview` use a Recorder that never writes: their history pages
show what a build would record.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from dsgvo_gen.findings import display_path
from dsgvo_gen.history import (
    HISTORY_DIR,
    MAX_ARCHIVE_BYTES,
    STAGING_MARK,
    History,
    Key,
    Record,
    Version,
    pack,
    sha256,
    text_sha256,
)
from dsgvo_gen.model import Provider
from dsgvo_gen.paths import UnsafePath, read_regular_file_inside
from dsgvo_gen.publish import UsageError
from dsgvo_gen.snapshot import Change, changes, snapshot
from dsgvo_gen.writer import WriteError, alive, replace_folder
from dsgvo_gen.yamlout import WriteBackError

_STAGING = f".{HISTORY_DIR}.new-"


class DatedBeforeRecord(UsageError):  # noqa: N818 - a usage error, named for the user
    """The build's date is before a publication already recorded: the record would contradict
    itself (a version published before the one it replaces)."""


def _before(history: History, record: Record, today: date) -> DatedBeforeRecord:
    index = display_path(history.folder / record.index, Path.cwd())
    day, last, _ = record.events()[-1]
    return DatedBeforeRecord(
        f"{index} records {last.version} as published on {day}, later than "
        f"this build's date {today} (--today or the system clock); a new version cannot be "
        f"recorded before it: build with --today {day} or later"
    )


@dataclass(frozen=True)
class Row:
    """One version of a document as its history page lists it."""

    version: str
    published_on: date
    current: bool
    pdf: str | None  # site-relative path of its PDF, None where none is kept
    changes: tuple[Change, ...]
    previous: str | None  # the version the changes are counted from; None for the first
    again: bool = False  # published before, and now once more (a change undone)


@dataclass
class _New:
    version: Version
    text: bytes


@dataclass
class Recorder:
    history: History
    today: date
    pdf: bool  # this build makes PDFs
    record: bool = True  # False for serve and preview: nothing is ever written
    new: dict[Key, _New] = field(default_factory=dict)
    current: dict[Key, str] = field(default_factory=dict)
    pdfs: dict[Key, str] = field(default_factory=dict)  # SHA-256 of the PDFs for the record
    #: Earlier versions published again by this build: the record says from when.
    again: set[Key] = field(default_factory=set)
    staging: Path | None = None

    def seen(self, p: Provider, kind: str, lang: str, version: str, text: str) -> None:
        """A document version the build renders (the renderer's `on_version`)."""
        key = (p.id, kind, lang)
        self.current[key] = version
        recorded = self.history.record(*key)
        last = recorded.last_published
        latest = recorded.on(last) if last is not None else None
        is_latest = latest is not None and latest.version == version
        if self.record and last is not None and last > self.today and not is_latest:
            raise _before(self.history, recorded, self.today)
        if recorded.find(version) is not None:
            # Current already, or an earlier text back again (a change undone): then the
            # record must say so, or it would answer "what was current when" wrongly. The
            # record counts in days: back on the day of the last publication, it stays as is.
            if not is_latest and last is not None and self.today > last:
                self.again.add(key)
            return
        record = Record(*key)
        archived = text.encode("utf-8")
        self.new[key] = _New(
            Version(
                version,
                self.today,
                f"{record.folder}/{version}.txt",
                text_sha256(archived),
                None,
                None,
                pack(snapshot(p, kind, lang)),
            ),
            archived,
        )

    def wants_pdf(self, key: Key) -> bool:
        """Whether the PDF of this document goes into the record: a new version's, or that
        of a version recorded by a build without PDFs."""
        if key in self.new:
            return True
        recorded = self.history.record(*key).find(self.current.get(key, ""))
        return recorded is not None and recorded.pdf is None

    def pdf_made(self, key: Key, pdf: bytes) -> None:
        """A PDF the build made; kept in the new record (on disk, not in memory) if wanted."""
        if not self.record or not self.wants_pdf(key):
            return
        folder = Record(*key).folder
        self._write(f"{folder}/{self.current[key]}.pdf", pdf)
        self.pdfs[key] = sha256(pdf)

    def records(self) -> dict[Key, Record]:
        """The record as it is after this build."""
        records = dict(self.history.records)
        for key in sorted({*self.new, *self.pdfs, *self.again}):
            old = self.history.record(*key)
            versions = [self._again(key, self._with_pdf(key, v)) for v in old.versions]
            if key in self.new:
                versions.append(self._with_pdf(key, self.new[key].version))
            records[key] = Record(*key, versions)
        return records

    def _with_pdf(self, key: Key, v: Version) -> Version:
        if key not in self.pdfs or self.current.get(key) != v.version or v.pdf is not None:
            return v
        folder = v.text.rsplit("/", 1)[0]
        return replace(v, pdf=f"{folder}/{v.version}.pdf", pdf_sha256=self.pdfs[key])

    def _again(self, key: Key, v: Version) -> Version:
        if key not in self.again or self.current.get(key) != v.version:
            return v
        return replace(v, republished_on=(*v.republished_on, self.today))

    @property
    def changed(self) -> bool:
        return bool(self.new or self.pdfs or self.again)

    @property
    def written(self) -> tuple[int, int]:
        """What this build records: new versions (or earlier ones published again), and
        PDFs added to earlier ones."""
        if not self.record:
            return 0, 0
        return len(self.new) + len(self.again), len(set(self.pdfs) - set(self.new))

    # --- the history pages -------------------------------------------------------------

    def rows(self, provider: str, kind: str, lang: str) -> list[Row]:
        """The versions of one document, newest first, as the history page lists them."""
        key = (provider, kind, lang)
        events = self.history.record(*key).events()
        if key in self.new:
            events.append((self.today, self.new[key].version, False))
        current = self.current.get(key)
        if key in self.again and current is not None:
            again = self.history.record(*key).find(current)
            assert again is not None
            events.append((self.today, again, True))
        rows = []
        for number, (day, v, published_before) in enumerate(events):
            before = events[number - 1][1] if number else None
            found = changes(before.content, v.content) if before else []
            pdf = self._published_pdf(key, v, current)
            last = number == len(events) - 1
            rows.append(
                Row(
                    v.version,
                    day,
                    last and v.version == current,
                    pdf,
                    tuple(found),
                    before.version if before else None,
                    published_before,
                )
            )
        return rows[::-1]

    def _published_pdf(self, key: Key, v: Version, current: str | None) -> str | None:
        provider, kind, lang = key
        if v.version == current and self.pdf:
            return f"pdf/{lang}/{provider}-{kind}.pdf"  # the PDF the site publishes anyway
        return archive_path(key, v.version) if v.pdf else None

    def site_files(self) -> Iterator[tuple[str, bytes]]:
        """The archived PDFs of earlier versions, which the history pages link to, read one
        at a time: the archive of years need not sit in memory at once."""
        for key in sorted(self.current):
            for row in self.rows(*key):
                if row.pdf and row.pdf.startswith(f"{key[2]}/history/"):
                    v = self.history.record(*key).find(row.version)
                    assert v is not None and v.pdf is not None
                    folder = self.history.folder
                    yield row.pdf, read_regular_file_inside(folder, v.pdf, limit=MAX_ARCHIVE_BYTES)

    # --- writing ------------------------------------------------------------------------

    def _stage(self) -> Path:
        """The folder the new record is written into, made when first needed."""
        if self.staging is None:
            folder = self.history.folder
            try:
                folder.parent.mkdir(parents=True, exist_ok=True)
                remove_orphans(folder)
                self.staging = Path(
                    tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=folder.parent)
                )
                (self.staging / STAGING_MARK).touch()
            except OSError as err:
                raise WriteError(f"cannot record the history in {folder}: {err.strerror}") from err
        return self.staging

    def _write(self, relative: str, content: bytes) -> None:
        target = self._stage() / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # a hard link to the old index: never written into
            target.write_bytes(content)
        except OSError as err:
            raise WriteError(f"cannot record the history: {err.strerror}") from err

    def write(self) -> None:
        """Swap the new record in; nothing happens where the build recorded nothing."""
        if not self.record or not self.changed:
            return
        staging = self._stage()
        folder = self.history.folder
        try:
            for relative in sorted(self.history.files):  # what was recorded: linked, not copied
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(folder / relative, target, follow_symlinks=False)
                except OSError:
                    shutil.copyfile(folder / relative, target, follow_symlinks=False)
            records = self.records()
            for key in sorted({*self.new, *self.pdfs, *self.again}):
                self._write(records[key].index, _index_text(records[key]))
                if key in self.new:
                    self._write(self.new[key].version.text, self.new[key].text)
            replace_folder(staging, folder)
            (folder / STAGING_MARK).unlink(missing_ok=True)  # kept until now: see remove_orphans
        except (OSError, UnsafePath) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else err
            raise WriteError(f"cannot record the history in {folder}: {reason}") from err
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop the new record (the build failed, or it is written)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _index_text(record: Record) -> bytes:
    try:
        return record.text().encode("utf-8")
    except WriteBackError as err:  # too large to be read back: refused, never half-written
        raise WriteError(f"cannot record {HISTORY_DIR}/{record.index}: {err}") from err


def archive_path(key: Key, version: str) -> str:
    """Where the site publishes an archived PDF, next to the history page."""
    provider, kind, lang = key
    return f"{lang}/history/{provider}-{kind}-{version}.pdf"


def remove_orphans(folder: Path) -> None:
    """Staging folders of killed builds (their process is gone, their mark still there)."""
    for sibling in folder.parent.iterdir():
        name = sibling.name
        if not name.startswith(_STAGING) or sibling.is_symlink() or not sibling.is_dir():
            continue
        pid = name.removeprefix(_STAGING).split("-", 1)[0]
        if pid.isdigit() and not alive(int(pid)) and (sibling / STAGING_MARK).is_file():
            shutil.rmtree(sibling, ignore_errors=True)
