"""The catalogue: where entries come from, which wins, and how facts reach the notices."""

from __future__ import annotations

import json
import re
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
from tests.conftest import DATA, FIXTURE_PROJECT, FORMAT_2, TODAY, problems, tree

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
    # warnings of their own, DG532, and its DPF claim rests on Zoom's own statement, DG530.)
    assert not report.failed() and {f.code for f in report.findings} <= {
        "DG125",
        "DG128",
        "DG530",
        "DG532",
    }
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
    # DG532: the shipped Zoom entry marks facts its sources do not confirm; DG530: its DPF
    # claim rests on Zoom's own statement.
    assert {f.code for f in problems(report)} == {"DG508", "DG530", "DG532"}


def _private_entry(tmp_path: Path, project2: Path) -> Path:
    """The fixture entry, named PRIVATE-NAME, in a folder outside the project."""
    private = tmp_path / "outer" / "private"
    private.mkdir(parents=True)
    entry = project2 / "catalogue" / "full-video.yaml"
    (private / entry.name).write_text(entry.read_text().replace("Beispiel Video", "PRIVATE-NAME"))
    shutil.rmtree(project2 / "catalogue")
    return private


def _name_catalogue(project2: Path, *names: str) -> None:
    config = project2 / "dsgvo-gen.yaml"
    config.write_text(config.read_text() + f"catalogue: {json.dumps(list(names))}\n")


# (the link made in the project, the folder the config names)
LINKED_FOLDERS = [
    ("kat", "outer/private", "kat"),
    ("kat", "outer/private", "./kat"),
    ("kat", "outer/private", "kat/."),
    ("sub", "outer", "sub/private"),
    ("catalogue", "outer/private", "./catalogue"),
    ("catalogue", "outer/private", "catalogue/../catalogue"),
]


@pytest.mark.parametrize(("link", "target", "named"), LINKED_FOLDERS)
def test_a_config_folder_reached_through_a_link_in_the_project_is_not_read(
    project2: Path, tmp_path: Path, link: str, target: str, named: str
) -> None:
    _private_entry(tmp_path, project2)
    (project2 / link).symlink_to(tmp_path / target)
    _name_catalogue(project2, named)
    report = check(project2, today=TODAY)
    linked = [f for f in report.findings if f.code == "DG116" and f.path.endswith("dsgvo-gen.yaml")]
    assert len(linked) == 1 and "symbolic link" in linked[0].message, report.sorted()
    assert any(f.code == "DG423" for f in report.findings)  # its entry is not found
    code, out = run("--project", str(project2), "catalogue", "--format", "json")
    assert code == 0 and "PRIVATE-NAME" not in out and "outer" not in out
    assert not build(project2, today=TODAY, pdf=False).written


def test_a_config_folder_outside_the_project_is_read_and_named_once(
    project2: Path, tmp_path: Path
) -> None:
    private = _private_entry(tmp_path, project2)
    _name_catalogue(project2, "../outer/private", str(private), "../outer/private/.")
    report = check(project2, today=TODAY)
    (outside,) = [f for f in report.findings if f.code == "DG128"]
    assert outside.path.endswith("dsgvo-gen.yaml") and outside.severity.value == "note"
    assert "'../outer/private'" in outside.message and str(private) in outside.message
    assert not report.failed(strict=True)
    result = build(project2, today=TODAY, pdf=False)
    notice = project2 / "site" / "de" / "providers" / "full-video.html"
    assert result.written and "PRIVATE-NAME" in notice.read_text()


SECRETS = ("hunter2", "SECRET-NAME", "SECRET-CAT", "db-host")


def test_a_file_that_is_no_entry_shows_nothing_of_its_values(project2: Path) -> None:
    """Any YAML file in a catalogue folder is listed and checked; of one that is not a valid
    entry, output names at most a key that is wrong, never a value it holds."""
    (project2 / "catalogue" / "deploy.yaml").write_text(
        "id: deploy\nname: SECRET-NAME\ncategory: video-conference\nstatus: published\n"
        "reviewed_on: 2026-01-01\nservice_url: {db_password: hunter2, host: db-host}\n"
        "api_key: hunter2\nretention: [[hunter2]]\nnotes: SECRET-CAT\n"
    )
    outputs = [
        run("--project", str(project2), "catalogue", *f)[1] for f in ((), ("--format", "json"))
    ]
    outputs += [
        run("--project", str(project2), "check", "--format", f)[1]
        for f in ("text", "json", "gitlab", "github")
    ]
    assert "deploy" in outputs[0] and "invalid" in outputs[0]
    assert "'api_key'" in outputs[2]  # the key that is wrong may be named
    for out in outputs:
        assert not [s for s in SECRETS if s in out], out


#: What a terminal obeys: set the window title, clear the screen, colour, reverse the text.
OBEYED = ("\x1b", "\x07", "\u202e")


def test_the_list_of_entries_escapes_what_a_terminal_would_obey(project2: Path) -> None:
    entry = project2 / "catalogue" / "full-video.yaml"
    entry.write_text(
        entry.read_text().replace(
            "name: Beispiel Video", 'name: "\\e]0;PWNED\\a\\e[2JRED\\u202eabc"', 1
        )
    )
    (project2 / "catalogue" / "e\x1b[31mvil.yaml").write_text("id: x\n")
    folder = project2 / "k\x1b]0;x\x07at"
    folder.mkdir()
    (folder / "other.yaml").write_text("id: other\n")
    _name_catalogue(project2, folder.name)
    for args in ((), ("--format", "json")):
        code, out = run("--project", str(project2), "catalogue", *args)
        assert code == 0 and "PWNED" in out and "vil" in out and "other" in out
        assert not [c for c in OBEYED if c in out], repr(out)
        assert "\\u202e" in out and ("\\x1b" in out or "\\u001b" in out)


#: Catalogue entries that `add` must refuse before it uses them: (file text, code expected).
MALFORMED_ENTRIES = {
    "no-operator": ("id: no-operator\nname: x\n", "DG202"),
    "wrong-types": ("id: wrong-types\noperator: [1]\nservice_url: null\n", "DG203"),
    "not-yaml": ("id: not-yaml\nname: [x\n", "DG102"),
    "escape-id": (None, "DG205"),  # the fixture entry, a service data id with ESC in it
}


@pytest.mark.parametrize("entry_id", sorted(MALFORMED_ENTRIES))
def test_add_refuses_an_entry_that_is_not_valid(project2: Path, entry_id: str) -> None:
    text, code = MALFORMED_ENTRIES[entry_id]
    if text is None:
        text = (project2 / "catalogue" / "full-video.yaml").read_text()
        text = text.replace("id: full-video", f"id: {entry_id}", 1)
        text = text.replace("  - id: connection", '  - id: "\\e]0;pwned\\a"', 1)
    (project2 / "catalogue" / f"{entry_id}.yaml").write_text(text)
    before = tree(project2)
    result = CliRunner().invoke(main, ["--project", str(project2), "add", entry_id])
    assert result.exit_code == 1 and not isinstance(result.exception, Exception), result.output
    assert f"catalogue/{entry_id}.yaml:" in result.output and f"[{code}]" in result.output
    assert result.output.strip().splitlines()[-1].endswith("nothing was written")
    assert tree(project2) == before


COMMANDS = [
    ("check",), ("build", "--no-pdf"), ("preview",), ("status",),
    ("export", "--format", "ropa-csv"), ("add", "zoom"), ("catalogue",),
]  # fmt: skip


@pytest.mark.parametrize("folder", ["\0x", "a" * 300, "x/" * 3000])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_config_folder_the_system_cannot_look_up_is_never_a_traceback(
    project2: Path, folder: str, command: tuple[str, ...]
) -> None:
    _name_catalogue(project2, folder)
    result = CliRunner().invoke(main, ["--project", str(project2), *command])
    assert not isinstance(result.exception, Exception), result.exception
    assert result.exit_code in (0, 1), result.output
    if command == ("check",):
        assert result.exit_code == 1
        assert re.search(r"dsgvo-gen\.yaml:\d+:\d+: error\[DG110\] ", result.output)
