"""What reaches a terminal or a CI log: control and direction characters never arrive raw,
neither from file names nor from descriptor texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.findings import (
    Finding,
    Report,
    format_github,
    format_gitlab,
    format_json,
    format_text,
)
from tests.conftest import TODAY, problems

#: ESC and OSC (a terminal title, a hyperlink), BEL, C1 CSI, and bidi overrides/isolates.
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\u2066\u200f"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\u200f")


def test_formatters_escape_control_and_bidi_characters_in_paths_and_messages() -> None:
    report = Report([Finding(f"providers/{HOSTILE}.yaml", 1, 1, "DG102", f"bad {HOSTILE}")])
    formats = (format_text, format_github, format_json, format_gitlab)
    for output in (fmt(report) for fmt in formats):
        assert not any(char in output for char in RAW), repr(output)
    github = format_github(report)
    assert github.startswith("::error file=providers/\\x1b[2J\\x1b]0;owned\\x07")
    assert json.loads(format_json(report))["findings"][0]["path"] == f"providers/{HOSTILE}.yaml"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("name: Beispiel Video", 'name: "Beispiel\\e]8;;https://evil.example\\aVideo"'),
        ("de: Videoberatung", 'de: "Video\\u202Eberatung"'),
        ("en: Video counselling", 'en: "Video\\tcounselling\\x85"'),
        ("legal_name: Beispiel Video GmbH", 'legal_name: "Beispiel\\u2067 Video GmbH"'),
        ("en: Operational security", "en: Operational \u202esecurity"),  # raw, not escaped
    ],
)
def test_control_and_bidi_characters_in_descriptor_texts_are_findings(
    project: Path, where: str, value: str
) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text()
    assert where in text
    descriptor.write_text(text.replace(where, value, 1))
    line = 1 + text.splitlines().index(next(li for li in text.splitlines() if where in li))
    report = check(project, today=TODAY)
    assert [(f.code, f.line) for f in problems(report)] == [("DG117", line)], report.sorted()
    for fmt in ("ropa-csv", "ropa-json", "fides"):  # nothing reaches standard output raw
        result = CliRunner().invoke(main, ["--project", str(project), "export", "--format", fmt,
                                           "--today", TODAY.isoformat()])  # fmt: skip
        assert result.exit_code == 1
        assert not any(char in result.output for char in (*RAW, "\x85")), repr(result.output)


def test_control_characters_in_the_config_are_findings(project: Path) -> None:
    config = project / "dsgvo-gen.yaml"
    text = config.read_text()
    name = 'name: "Test-Support GmbH"'
    assert name in text
    config.write_text(text.replace(name, 'name: "Test-Support\\e[8m GmbH"'))
    report = check(project, today=TODAY)
    assert [(Path(f.path).name, f.code) for f in problems(report)] == [("dsgvo-gen.yaml", "DG117")]


def test_line_breaks_and_tabs_in_texts_stay_allowed(project: Path) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text()
    descriptor.write_text(text.replace("de: Videoberatung", 'de: "Video-\\nberatung\\tim Netz"'))
    assert problems(check(project, today=TODAY)) == []


def test_control_characters_in_a_projects_labels_never_reach_standard_output(
    project: Path,
) -> None:
    from tests.conftest import own_templates

    labels = own_templates(project) / "labels" / "de.yaml"
    text = labels.read_text()
    labels.write_text(text.replace('"Verantwortlicher"', '"Verantwortlicher\\e]0;owned\\a"', 1))
    assert text != labels.read_text()
    result = CliRunner().invoke(main, ["--project", str(project), "export", "--format",
                                       "ropa-csv", "--today", TODAY.isoformat()])  # fmt: skip
    assert result.exit_code == 1 and "de.yaml:23:15: error[DG117]" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
