"""`status`: when each review and DPF check falls due, and what needs attention soon."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from dsgvo_gen.cli import main
from dsgvo_gen.durations import Duration
from dsgvo_gen.status import project_status


def status(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["--project", str(project), "status", *args], catch_exceptions=False
    )
    return result.exit_code, result.output


def test_the_table_shows_dates_due_days_and_open_findings(project: Path) -> None:
    code, out = status(project, "--today", "2026-11-21")
    assert code == 0
    assert out.splitlines() == [
        "  provider    status     reviewed    review due  DPF checked  DPF due     open",
        "  full-video  published  2026-10-01  2027-10-01  2026-10-01   2027-10-01  -",
        "1 provider(s), 0 overdue (!)",
    ]


def test_an_overdue_provider_is_marked_with_its_warnings(project: Path) -> None:
    code, out = status(project, "--today", "2027-10-02")
    assert code == 0
    row = out.splitlines()[1]
    assert row.startswith("! full-video") and row.endswith("2 warning(s)")  # DG502, DG503
    assert out.splitlines()[-1] == "1 provider(s), 1 overdue (!)"


def test_due_within_lists_what_needs_attention_soon(project: Path) -> None:
    code, out = status(project, "--today", "2027-09-15", "--due-within", "P30D")
    assert code == 1 and "full-video" in out
    assert out.splitlines()[-1] == "1 provider(s), 0 overdue (!), 1 due by 2027-10-15"
    code, out = status(project, "--today", "2027-08-15", "--due-within", "P30D")
    assert code == 0 and "full-video" not in out
    assert out.splitlines()[-1] == "1 provider(s), 0 overdue (!), 0 due by 2027-09-14"


def test_json_for_scripts(project: Path) -> None:
    code, out = status(project, "--today", "2027-10-02", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["today"] == "2027-10-02" and payload["due_by"] is None
    (row,) = payload["providers"]
    assert row == {
        "id": "full-video", "path": str(project / "providers" / "full-video.yaml"),
        "status": "published", "reviewed_on": "2026-10-01", "review_due_on": "2027-10-01",
        "dpf_checks": [{"recipient": "Example CDN, Inc.", "checked_on": "2026-10-01",
                        "due_on": "2027-10-01"}],
        "due_on": "2027-10-01", "overdue": True, "errors": 0, "warnings": 2,
    }  # fmt: skip


def test_a_descriptor_that_fails_the_schema_is_listed_as_invalid(
    project: Path, monkeypatch: object
) -> None:
    broken = project / "providers" / "broken.yaml"
    broken.write_text("format: 1\nid: broken\n")
    result = project_status(project, today=date(2026, 11, 21))
    rows = {row.id: row for row in result.providers}
    assert rows["broken"].status == "invalid" and rows["broken"].errors > 0
    assert rows["broken"].due_on is None and rows["full-video"].status == "published"


def test_a_bad_duration_is_a_usage_error(project: Path) -> None:
    code, out = status(project, "--due-within", "30 days")
    assert code == 2 and "is not an ISO 8601 duration" in out


def test_due_day_agrees_with_the_staleness_warning() -> None:
    """A check done on day d is due on last_day_within(d): fresh until then, stale the
    day after, exactly when check starts warning (before(today) > d)."""
    for age in (Duration.parse("P12M"), Duration.parse("P1M"), Duration.parse("P1Y2M10D")):
        day = date(2024, 1, 1)
        while day < date(2026, 1, 1):
            due = age.last_day_within(day)
            assert not day < age.before(due), (age, day)
            assert day < age.before(due + timedelta(days=1)), (age, day)
            day += timedelta(days=5)
    assert Duration.parse("P1M").last_day_within(date(2026, 1, 31)) == date(2026, 2, 28)
    assert Duration.parse("P1M").last_day_within(date(2026, 4, 30)) == date(2026, 5, 31)
