"""`status`: every provider at a glance, and what falls due when.

A review (`reviewed_on`) and each DPF check (`dpf_checked_on`) fall due
`review_max_age` after they were done, the same rule by which `check` warns
(DG502, DG503) once the day has passed. The table also counts each provider's
open findings, so that one command answers "what needs my attention?".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dsgvo_gen.checker import PROVIDERS_DIR, check_project
from dsgvo_gen.durations import Duration
from dsgvo_gen.evidence import DPF_MECHANISMS
from dsgvo_gen.findings import Report, Severity, safe_json
from dsgvo_gen.model import Provider

PUBLISHED, DRAFT, INVALID = "published", "draft", "invalid"


@dataclass(frozen=True)
class DpfCheck:
    recipient: str
    checked_on: date
    due_on: date


@dataclass(frozen=True)
class ProviderStatus:
    id: str
    path: str
    status: str  # published | draft | invalid (does not pass the schema: no dates known)
    reviewed_on: date | None
    review_due_on: date | None
    dpf_checks: tuple[DpfCheck, ...]
    errors: int
    warnings: int

    @property
    def due_on(self) -> date | None:
        """The first day by which something must be checked again."""
        days = [d for d in (self.review_due_on, *(c.due_on for c in self.dpf_checks)) if d]
        return min(days, default=None)

    def as_dict(self, today: date) -> dict[str, object]:
        return {
            "id": self.id, "path": self.path, "status": self.status,
            "reviewed_on": _iso(self.reviewed_on), "review_due_on": _iso(self.review_due_on),
            "dpf_checks": [{"recipient": c.recipient, "checked_on": c.checked_on.isoformat(),
                            "due_on": c.due_on.isoformat()} for c in self.dpf_checks],
            "due_on": _iso(self.due_on),
            "overdue": self.due_on is not None and self.due_on < today,
            "errors": self.errors, "warnings": self.warnings,
        }  # fmt: skip


@dataclass
class StatusReport:
    today: date
    review_max_age: Duration | None
    due_within: Duration | None
    providers: list[ProviderStatus] = field(default_factory=list)
    report: Report = field(default_factory=Report)

    @property
    def horizon(self) -> date | None:
        return self.due_within.after(self.today) if self.due_within else None

    def needs_attention(self, row: ProviderStatus) -> bool:
        """Due within the horizon (overdue included); without one, everything is listed."""
        if self.horizon is None:
            return True
        return row.due_on is not None and row.due_on <= self.horizon

    @property
    def listed(self) -> list[ProviderStatus]:
        return [row for row in self.providers if self.needs_attention(row)]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def publication_status(provider: Provider) -> str:
    """Published or draft: a draft descriptor, or one that uses a draft catalogue entry."""
    return DRAFT if provider.is_draft else PUBLISHED


def project_status(
    root: Path | str = ".", *, today: date | None = None, due_within: Duration | None = None
) -> StatusReport:
    """The status of every provider of the project: the Python API behind `status`."""
    today = today or date.today()
    project = check_project(Path(root), today=today)
    config = project.config
    max_age = config.review_max_age if config else None
    result = StatusReport(today, max_age, due_within, report=project.report)
    counts: Counter[tuple[str, Severity]] = Counter(
        (f.path, f.severity) for f in set(project.report.findings)
    )

    def due(day: date) -> date | None:
        return max_age.last_day_within(day) if max_age else None

    seen: set[str] = set()
    for p in project.providers:
        seen.add(p.path)
        checks = tuple(
            DpfCheck(t.recipient, t.dpf_checked_on, max_age.last_day_within(t.dpf_checked_on))
            for t in p.processing.transfers
            if t.mechanism in DPF_MECHANISMS and t.dpf_checked_on is not None and max_age
        )
        result.providers.append(ProviderStatus(
            p.id, p.path, publication_status(p), p.reviewed_on, due(p.reviewed_on), checks,
            counts[(p.path, Severity.ERROR)], counts[(p.path, Severity.WARNING)],
        ))  # fmt: skip
    # Descriptors that did not pass the schema have no model; they are listed all the same.
    for path in sorted({f.path for f in project.report.findings} - seen):
        if Path(path).parent.name == PROVIDERS_DIR and path.endswith(".yaml"):
            result.providers.append(ProviderStatus(
                Path(path).stem, path, INVALID, None, None, (),
                counts[(path, Severity.ERROR)], counts[(path, Severity.WARNING)],
            ))  # fmt: skip
    result.providers.sort(key=lambda row: (row.due_on or date.max, row.id))
    return result


def _open(row: ProviderStatus) -> str:
    parts = [f"{row.errors} error(s)"] if row.errors else []
    parts += [f"{row.warnings} warning(s)"] if row.warnings else []
    return ", ".join(parts) or "-"


def _dpf(row: ProviderStatus) -> tuple[str, str]:
    if not row.dpf_checks:
        return "-", "-"
    first = min(row.dpf_checks, key=lambda c: c.due_on)
    more = f" (+{len(row.dpf_checks) - 1})" if len(row.dpf_checks) > 1 else ""
    return f"{first.checked_on.isoformat()}{more}", first.due_on.isoformat()


def format_status_text(status: StatusReport) -> str:
    header = ("  provider", "status", "reviewed", "review due", "DPF checked", "DPF due", "open")
    rows = [header]
    for row in status.listed:
        overdue = row.due_on is not None and row.due_on < status.today
        rows.append((
            ("! " if overdue else "  ") + row.id, row.status, _iso(row.reviewed_on) or "-",
            _iso(row.review_due_on) or "-", *_dpf(row), _open(row),
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(r[:-1], widths, strict=True))
        + "  "
        + r[-1]
        for r in rows
    ]
    late = sum(1 for r in status.providers if r.due_on is not None and r.due_on < status.today)
    summary = f"{len(status.providers)} provider(s), {late} overdue (!)"
    if status.horizon is not None:
        summary += f", {len(status.listed)} due by {status.horizon.isoformat()}"
    if status.review_max_age is None:
        summary += "; no due dates: the project config is not valid (dsgvo-gen check)"
    return "\n".join([*(line.rstrip() for line in lines), summary])


def format_status_json(status: StatusReport) -> str:
    payload = {
        "today": status.today.isoformat(),
        "due_by": _iso(status.horizon),
        "providers": [row.as_dict(status.today) for row in status.listed],
    }
    return safe_json(payload)
