"""The catalogue: where entries come from, which wins, and how facts reach the notices."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen import rules
from dsgvo_gen.builder import build
from dsgvo_gen.checker import check, check_project
from dsgvo_gen.cli import main
from dsgvo_gen.entry import Entry
from dsgvo_gen.findings import Finding
from dsgvo_gen.resources import bundled_dir
from dsgvo_gen.rules import Context, Where
from tests.conftest import DATA, FIXTURE_PROJECT, FORMAT_2, TODAY, problems

GOLDEN = DATA / "golden"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_format_2_builds_the_same_pages_as_format_1(project2: Path, tmp_path: Path) -> None:
    """The joined model is what templates read: the golden pages of the format 1 fixture."""
    site = tmp_path / "site"
    result = build(project2, site, today=TODAY)
    assert result.written and not problems(result.report), result.report.sorted()
    built = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*.html")}
    assert built == golden


def federation(tmp_path: Path, *projects: str) -> Path:
    """A shared catalogue folder and projects that name it in their config."""
    shared = tmp_path / "verband-katalog"
    shared.mkdir()
    shutil.copy(FORMAT_2 / "catalogue" / "full-video.yaml", shared)
    config = (FIXTURE_PROJECT / "dsgvo-gen.yaml").read_text() + "catalogue: [../verband-katalog]\n"
    for name in projects:
        (tmp_path / name / "providers").mkdir(parents=True)
        (tmp_path / name / "dsgvo-gen.yaml").write_text(config)
        shutil.copy(FORMAT_2 / "providers" / "full-video.yaml", tmp_path / name / "providers")
    return shared


def test_a_fact_changed_in_a_shared_folder_changes_both_projects(tmp_path: Path) -> None:
    shared = federation(tmp_path, "beratung-nord", "beratung-sued")
    entry = shared / "full-video.yaml"
    for name in ("beratung-nord", "beratung-sued"):
        assert build(tmp_path / name, today=TODAY, pdf=False).written
        notice = (tmp_path / name / "site" / "de" / "providers" / "full-video.html").read_text()
        assert "Beispielweg 2, 10115 Berlin" in notice
    entry.write_text(
        entry.read_text().replace("Beispielweg 2, 10115 Berlin", "Neue Allee 7, 10117 Berlin")
    )
    for name in ("beratung-nord", "beratung-sued"):
        assert build(tmp_path / name, today=TODAY, pdf=False).written
        notice = (tmp_path / name / "site" / "de" / "providers" / "full-video.html").read_text()
        assert "Neue Allee 7, 10117 Berlin" in notice and "Beispielweg 2" not in notice


def test_precedence_project_then_config_folders_then_bundled(tmp_path: Path) -> None:
    shared = federation(tmp_path, "project")
    project = tmp_path / "project"
    second = tmp_path / "second"
    second.mkdir()
    (project / "dsgvo-gen.yaml").write_text(
        (project / "dsgvo-gen.yaml")
        .read_text()
        .replace("[../verband-katalog]", "[../verband-katalog, ../second]")
    )
    shutil.copy(shared / "full-video.yaml", second)  # hidden by the first folder
    zoom = bundled_dir("catalogue") / "zoom.yaml"
    (project / "catalogue").mkdir()
    shutil.copy(zoom, project / "catalogue")  # the project's own wins over the bundled
    shutil.copy(zoom, shared)  # and over the shared folder's
    report = check(project, today=TODAY)
    overrides = sorted(
        (Path(f.path).relative_to(tmp_path).as_posix(), f.message)
        for f in report.findings
        if f.code == "DG125"
    )
    assert [path for path, _ in overrides] == [
        "project/catalogue/zoom.yaml", "project/catalogue/zoom.yaml",
        "verband-katalog/full-video.yaml",
    ]  # fmt: skip
    assert "second/full-video.yaml (../second)" in overrides[2][1]
    assert "(bundled)" in overrides[0][1] + overrides[1][1]
    assert "(../verband-katalog)" in overrides[0][1] + overrides[1][1]
    # Overriding is deliberate: a note. (The shipped Zoom entry's unconfirmed facts are
    # warnings of their own, DG532.)
    assert not report.failed() and {f.code for f in report.findings} <= {"DG125", "DG532"}
    code, out = run("--project", str(project), "catalogue", "--format", "json")
    listed = {e["id"]: e for e in json.loads(out)}
    assert code == 0 and listed["zoom"]["origin"] == "catalogue/"
    assert listed["full-video"]["origin"] == "../verband-katalog"
    assert len(listed["zoom"]["hides"]) == 2 and listed["teamviewer-quicksupport"]["origin"] == (
        "bundled"
    )
    code, out = run("--project", str(project), "catalogue")
    assert code == 0 and "zoom" in out and "wins over" in out and "bundled" in out


def test_a_symlinked_entry_is_refused(project2: Path, tmp_path: Path) -> None:
    entry = project2 / "catalogue" / "full-video.yaml"
    target = tmp_path / "elsewhere.yaml"
    shutil.move(entry, target)
    entry.symlink_to(target)
    report = check(project2, today=TODAY)
    assert any(f.code == "DG116" and "symbolic link" in f.message for f in report.findings)
    assert report.failed()


def test_a_linked_catalogue_folder_is_not_read(project2: Path, tmp_path: Path) -> None:
    folder = project2 / "catalogue"
    shutil.move(folder, tmp_path / "elsewhere")
    folder.symlink_to(tmp_path / "elsewhere")
    report = check(project2, today=TODAY)
    (linked,) = [f for f in report.findings if f.code == "DG116"]
    assert linked.path.endswith("catalogue") and "symbolic link" in linked.message
    assert any(f.code == "DG423" for f in report.findings)  # its entry is not found
    assert report.failed()


def test_a_config_folder_that_is_not_there_is_a_finding(project2: Path) -> None:
    config = project2 / "dsgvo-gen.yaml"
    config.write_text(config.read_text() + "catalogue: [../nowhere]\n")
    (finding,) = [f for f in check(project2, today=TODAY).findings if f.code == "DG110"]
    assert finding.path.endswith("dsgvo-gen.yaml") and "../nowhere" in finding.message


def test_findings_point_at_the_file_where_the_problem_lies(project2: Path) -> None:
    entry = project2 / "catalogue" / "full-video.yaml"
    entry.write_text(entry.read_text().replace("  country: DE\n", "  country: US\n", 1))
    descriptor = project2 / "providers" / "full-video.yaml"
    descriptor.write_text(
        descriptor.read_text().replace("legal_basis: [art6-1-f]", "legal_basis: []")
    )
    found = {(f.code, f.path.rsplit("/", 2)[-2]) for f in problems(check(project2, today=TODAY))}
    # The operator moved to the US: a fact of the entry. No legal basis: a decision.
    assert ("DG306", "catalogue") in found and ("DG303", "providers") in found
    entry_lines = entry.read_text().splitlines()
    (dg306,) = [f for f in check(project2, today=TODAY).findings if f.code == "DG306"]
    assert entry_lines[dg306.line - 1].strip() == "country: US"


def test_fact_rules_run_once_per_entry(project2: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for twin in ("twin-a", "twin-b"):
        text = (project2 / "providers" / "full-video.yaml").read_text()
        (project2 / "providers" / f"{twin}.yaml").write_text(
            text.replace("id: full-video", f"id: {twin}")
        )
    seen: list[str] = []

    def counting(e: Entry, where: Where, ctx: Context) -> list[Finding]:
        seen.append(e.id)
        return []

    monkeypatch.setitem(rules.FACT_RULES, "tests.counting", counting)
    project = check_project(project2, today=TODAY)
    assert len(project.providers) == 3 and seen == ["full-video"]


def test_a_descriptor_may_name_its_own_id_for_an_entry(project2: Path) -> None:
    code, out = run("--project", str(project2), "add", "zoom", "--as", "zoom-kunden",
                    "--today", TODAY.isoformat())  # fmt: skip
    assert code == 0 and "zoom-kunden.yaml" in out
    text = (project2 / "providers" / "zoom-kunden.yaml").read_text()
    assert "id: zoom-kunden\nuses: zoom\n" in text
    report = check(project2, today=TODAY)
    # DG532: the shipped Zoom entry marks facts its sources do not confirm.
    assert {f.code for f in problems(report)} == {"DG508", "DG532"}
