"""Findings: what `check` reports, collected first and formatted once at the end."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from dsgvo_gen.codes import CODES

#: What a terminal or a CI log would obey rather than show: every control character (line
#: breaks too: a message is one line), line separators and the bidirectional marks.
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
#: The same, less what JSON escapes itself (C0 controls); its line breaks are its layout.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_MESSAGE = 400


def escape_control(text: str) -> str:
    """`text` with what a terminal would obey (_CONTROL) written as \\x1b, \\u202e: for
    every value from a project that dsgvo-gen prints (findings, lists, file names)."""

    def escaped(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escaped, text)


def quote(value: object, limit: int = 60) -> str:
    """A user-supplied value for a message: quoted, control characters escaped, shortened."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return "'" + escape_control(text) + "'"


def printable(message: str) -> str:
    """A message as one safe line: user input must not start a new line (or CI command)."""
    message = escape_control(message)
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # information for the user; never fails a run, not even with --strict


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file, at the line and column of the offending value.

    A finding in a draft (a catalogue entry or descriptor with `status: draft`, or a
    descriptor that uses a draft entry) is reported as a warning even where its code
    is an error: drafts are never published, so their gaps do not stop the others.
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    draft: bool = False

    @property
    def severity(self) -> Severity:
        severity = Severity(CODES[self.code].severity)
        return Severity.WARNING if self.draft and severity is Severity.ERROR else severity

    def in_draft(self) -> Finding:
        """The finding as it stands in a draft: an error becomes a warning, marked as such."""
        return replace(self, draft=True) if CODES[self.code].severity == "error" else self

    @property
    def article(self) -> str:
        return CODES[self.code].article

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "article": self.article,
            "draft": self.draft,
        }


@dataclass
class Report:
    """Every finding of one run, in a stable order."""

    findings: list[Finding] = field(default_factory=list)
    #: What the user should know about the run itself, e.g. checks that could not run yet.
    notes: list[str] = field(default_factory=list)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def sorted(self) -> list[Finding]:
        return sorted(set(self.findings))

    @property
    def errors(self) -> int:
        return sum(1 for f in set(self.findings) if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in set(self.findings) if f.severity is Severity.WARNING)

    @property
    def note_count(self) -> int:
        return sum(1 for f in set(self.findings) if f.severity is Severity.NOTE)

    def problems(self) -> Report:
        """The errors and warnings, without the findings that are notes (what build, pdf and
        export show); the notes about the run itself stay."""
        problems = [f for f in self.findings if f.severity is not Severity.NOTE]
        return Report(problems, list(self.notes))

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def exit_code(self, *, strict: bool = False) -> int:
        return 1 if self.failed(strict=strict) else 0


@lru_cache(maxsize=256)
def _real(folder: Path) -> Path:
    return folder.resolve()


def display_path(path: Path, base: Path) -> str:
    """A path as the user wants to read it: relative to the project when inside it.

    Folders are resolved once each (a check of a thousand files shows a thousand paths);
    the file's own name is kept, so a link is shown as the link.
    """
    if not path.is_absolute() and ".." not in path.parts and base == Path.cwd():
        return path.as_posix()  # relative to the working folder already: no need to ask the OS
    try:
        return (_real(path.parent) / path.name).relative_to(_real(base)).as_posix()
    except ValueError:
        return path.as_posix()


def format_text(report: Report, *, summary: bool = True) -> str:
    """One line per finding; with `summary`, the notes and the counts after them."""
    lines = []
    for f in report.sorted():
        article = f" ({f.article})" if f.article else ""
        draft = "(draft) " if f.draft else ""
        lines.append(
            f"{printable(f.path)}:{f.line}:{f.column}: {f.severity.value}[{f.code}] "
            f"{draft}{printable(f.message)}{article}"
        )
    if not summary:
        return "\n".join(lines)
    counts = f"{report.errors} error(s), {report.warnings} warning(s)"
    if report.note_count:
        counts += f", {report.note_count} note(s)"
    notes = [f"note: {printable(note)}" for note in report.notes]
    return "\n".join([*lines, *notes, counts if lines else f"no findings: {counts}"])


def format_json(report: Report) -> str:
    payload = {
        "findings": [f.as_dict() for f in report.sorted()],
        "errors": report.errors,
        "warnings": report.warnings,
        "notes": report.notes,
    }
    return safe_json(payload)


def safe_json(payload: object) -> str:
    """Readable JSON (umlauts stay), with C1 controls and direction marks escaped as JSON
    escapes them (only strings can hold them): a terminal that shows it must not obey them."""
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _github_escape(value: str, *, in_property: bool = False) -> str:
    # GitHub's workflow-command syntax: %, CR and LF always; ':' and ',' inside properties.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


#: GitHub's workflow commands call a note a notice.
_GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def format_github(report: Report) -> str:
    lines = []
    for f in report.sorted():
        props = ",".join(
            [
                f"file={_github_escape(printable(f.path), in_property=True)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_github_escape(f.code, in_property=True)}",
            ]
        )
        article = f" ({f.article})" if f.article else ""
        draft = "(draft) " if f.draft else ""
        message = _github_escape(draft + printable(f.message) + article)
        lines.append(f"::{_GITHUB_LEVELS[f.severity]} {props}::{message}")
    lines.extend(f"::notice::{_github_escape(printable(note))}" for note in report.notes)
    return "\n".join(lines)


#: GitLab's Code Quality severities for ours: an error blocks a build, a warning does not,
#: a note is information.
_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def format_gitlab(report: Report) -> str:
    """A GitLab Code Quality report (a JSON list; the CodeClimate subset GitLab reads).

    The fingerprint names a finding by file, code and message, not by line, so that
    GitLab still knows it when lines above it move; a repeat in the same file counts on.
    """
    seen: Counter[str] = Counter()
    issues = []
    for f in report.sorted():
        identity = f"{f.path}\0{f.code}\0{f.message}"
        seen[identity] += 1
        digest = hashlib.sha256(f"{identity}\0{seen[identity]}".encode()).hexdigest()
        article = f" ({f.article})" if f.article else ""
        issues.append({
            "description": f"{f.code} {printable(f.message)}{article}",
            "check_name": f.code,
            "fingerprint": digest,
            "severity": _GITLAB_SEVERITY[f.severity],
            "location": {"path": f.path, "lines": {"begin": f.line}},
        })  # fmt: skip
    return safe_json(issues)


FORMATTERS = {
    "text": format_text, "json": format_json, "github": format_github, "gitlab": format_gitlab,
}  # fmt: skip
