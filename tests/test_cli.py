from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.cli import main
from tests.conftest import DATA, FIXTURE_PROJECT, ROOT

INVALID = DATA / "providers" / "invalid"


def run(*args: str, project: Path | None = None) -> tuple[int, str]:
    prefix = ["--project", str(project)] if project else []
    result = CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_clean_project_exits_0(project: Path) -> None:
    code, out = run("check", "--today", "2026-11-21", project=project)
    assert code == 0
    note, summary = out.strip().splitlines()  # format 1: the suggestion to migrate, once
    assert "note[DG124]" in note and "dsgvo-gen migrate" in note
    assert summary == "0 error(s), 0 warning(s), 1 note(s)"
    code, out = run("check", "--today", "2026-11-21", project=ROOT)  # format 2: no note
    # DG312: the example; DG530, DG532: facts published attributed or marked unconfirmed;
    # DG537: TeamViewer's sub-processors, to be taken from the agreement
    assert code == 0 and out.splitlines()[-1].startswith("0 error(s), ")
    assert set(re.findall(r"\[(DG\d+)\]", out)) == {"DG312", "DG530", "DG532", "DG537"}
    assert "note" not in out


def test_errors_exit_1_with_location_code_and_article(project: Path) -> None:
    case = INVALID / "dg303-no-basis.yaml"
    code, out = run("check", "--today", "2026-11-21", str(case), project=project)
    assert code == 1
    first = next(line for line in out.splitlines() if "DG303" in line)
    assert first.endswith(
        "dg303-no-basis.yaml:58:20: error[DG303] purpose 'security' has no legal basis "
        "(Art. 13(1)(c) GDPR)"
    )
    assert out.splitlines()[-1] == "1 error(s), 0 warning(s), 1 note(s)"


def test_warnings_pass_unless_strict(project: Path) -> None:
    case = INVALID / "dg502-stale.yaml"
    assert run("check", "--today", "2026-11-21", str(case), project=project)[0] == 0
    assert run("check", "--strict", "--today", "2026-11-21", str(case), project=project)[0] == 1


def test_today_decides_staleness(project: Path) -> None:
    assert run("check", "--strict", "--today", "2026-11-21", project=project)[0] == 0
    code, out = run("check", "--strict", "--today", "2028-01-01", project=project)
    assert code == 1 and "DG502" in out and "DG503" in out


def test_json_format(project: Path) -> None:
    case = INVALID / "dg201-unknown-key.yaml"
    code, out = run(
        "check", "--format", "json", "--today", "2026-11-21", str(case), project=project
    )
    payload = json.loads(out)
    assert code == 1
    assert payload["errors"] == 2 and payload["warnings"] == 0
    unknown = next(f for f in payload["findings"] if f["code"] == "DG201")
    assert unknown["line"] == 91 and unknown["column"] == 3
    assert unknown["severity"] == "error"
    assert "did you mean 'retention'?" in unknown["message"]
    assert set(unknown) == {"path", "line", "column", "severity", "code", "message", "article",
                            "draft"}  # fmt: skip
    assert unknown["draft"] is False
    (note,) = payload["notes"]  # the rules wait for the schema error
    assert note.endswith("dg201-unknown-key.yaml once its schema errors are fixed")


def test_github_format(project: Path) -> None:
    case = INVALID / "dg306-no-transfer.yaml"
    code, out = run(
        "check", "--format", "github", "--today", "2026-11-21", str(case), project=project
    )
    lines = out.splitlines()
    assert code == 1
    assert any(
        line.startswith("::error file=")
        and ",line=81,col=16,title=DG306::" in line
        and "Example CDN%2C Inc." not in line.split("::")[2]  # commas escaped only in properties
        for line in lines
    )
    assert any(line.startswith("::warning ") and "title=DG506" in line for line in lines)


def test_quiet_drops_the_summary(project: Path) -> None:
    code, out = run("-q", "check", "--today", "2026-11-21", project=project)
    assert code == 0 and out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "xml"],
        ["check", "--today", "21.11.2026"],
        ["check", "no/such/file.yaml"],
        ["--project", "no/such/folder", "check"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_config_is_a_finding(tmp_path: Path) -> None:
    code, out = run("check", project=tmp_path)
    assert code == 1
    assert "dsgvo-gen.yaml:1:1: error[DG110]" in out


def test_every_invalid_case_exits_1_without_traceback(project: Path) -> None:
    for case in sorted(INVALID.glob("*.yaml")):
        code, out = run("check", "--strict", "--today", "2026-11-21", str(case), project=project)
        assert code == 1, case.name
        assert "Traceback" not in out


def test_version() -> None:
    code, out = run("--version")
    assert code == 0 and out.startswith("dsgvo-gen, version ")


def test_console_script_runs_check_without_weasyprint() -> None:
    """`check` must not pay for WeasyPrint's import (start-up bar of DESIGN §10)."""
    probe = (
        "import sys; from click.testing import CliRunner; from dsgvo_gen.cli import main; "
        "r = CliRunner().invoke(main, ['check', '--today', '2026-11-21']); "
        "print(r.exit_code, 'weasyprint' in sys.modules, 'jinja2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1:] == ["False", "False"]


def test_a_file_named_twice_is_checked_once(project: Path) -> None:
    descriptor = str(project / "providers" / "full-video.yaml")
    result = CliRunner().invoke(
        main,
        ["--project", str(project), "check", descriptor, descriptor, str(project / "providers")],
    )
    assert result.exit_code == 0 and "DG420" not in result.output


def test_project_without_providers_folder_is_a_finding(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", tmp_path / "dsgvo-gen.yaml")
    result = CliRunner().invoke(main, ["--project", str(tmp_path), "check"])
    assert result.exit_code == 1 and "DG110" in result.output and "dsgvo-gen add" in result.output


@pytest.mark.parametrize("command", ["check", "build", "export"])
def test_project_may_follow_the_command(project: Path, tmp_path: Path, command: str) -> None:
    args = {
        "check": ["check", "--project", str(project), "--today", "2026-11-21"],
        "build": ["build", "--no-pdf", "--today", "2026-11-21", "--project", str(project)],
        "export": ["export", "--format", "ropa-json", "--project", str(project)],
    }[command]
    result = CliRunner().invoke(main, ["--project", str(tmp_path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if command == "build":
        assert (project / "site" / "index.html").is_file()
        assert not (tmp_path / "site").exists()


def test_help_lists_commands_in_workflow_order() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()]
    assert listed[:4] == ["init", "add", "new", "check"]
    assert listed.index("catalogue") < listed.index("serve") < listed.index("preview")
    assert listed.index("preview") < listed.index("build") < listed.index("pdf")
    assert listed[-3:] == ["export", "history", "migrate"]


def test_ctrl_c_exits_130_and_keeps_the_site(project: Path) -> None:
    """Ctrl-C (SIGINT) in a PDF build: exit code 130 as shells expect, no traceback."""
    env = {**os.environ, "XDG_CACHE_HOME": str(project / "cache")}
    command = [
        *(sys.executable, "-c", "from dsgvo_gen.cli import main; main()"),
        *("--project", str(project), "build", "--jobs", "1", "--today", "2026-11-21"),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as build:
        # Inside the build: its staging folder is there (a fixed sleep raced a fast machine).
        deadline = time.monotonic() + 60
        while not [p for p in project.iterdir() if p.name.startswith(".site.new-")]:
            assert time.monotonic() < deadline and build.poll() is None, "no build started"
            time.sleep(0.02)
        build.send_signal(signal.SIGINT)
        out, err = build.communicate(timeout=60)
    assert build.returncode == 130, (out, err)
    assert "Traceback" not in err and "interrupted" in err
    assert not (project / "site").exists()
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def test_a_command_in_a_subfolder_finds_the_project_upwards(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like git: `dsgvo-gen check` typed in providers/ checks the project above it."""
    (project / "providers" / "full-video.yaml").write_text(
        (project / "providers" / "full-video.yaml")
        .read_text()
        .replace("country: DE", "country: Germany", 1)
    )
    monkeypatch.chdir(project / "providers")
    code, out = run("check", "--today", "2026-11-21")
    assert code == 1, out
    assert out.splitlines()[0].startswith("full-video.yaml:21:12: error[DG205] 'Germany'")
    assert "dsgvo-gen init" not in out
    monkeypatch.chdir(project / "providers")
    code, out = run("new", "acme-meet")
    assert code == 0 and (project / "providers" / "acme-meet.yaml").is_file(), out


def test_without_a_project_anywhere_check_advises_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deeper").mkdir()
    monkeypatch.chdir(tmp_path / "deeper")
    code, out = run("check")
    assert code == 1 and "error[DG110]" in out and "dsgvo-gen init" in out


def test_init_inside_a_project_needs_a_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "providers")
    code, out = run("init")
    assert code == 1 and "inside the project" in out and "dsgvo-gen init DIRECTORY" in out
    assert sorted(p.name for p in (project / "providers").iterdir()) == ["full-video.yaml"]
    code, out = run("init", "../../elsewhere")
    assert code == 0 and (project.parent / "elsewhere" / "dsgvo-gen.yaml").is_file(), out


def test_init_without_a_directory_makes_the_current_folder_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("init")
    assert code == 0 and (tmp_path / "dsgvo-gen.yaml").is_file(), out


def test_the_shipped_example_builds_with_a_warning_that_strict_refuses(tmp_path: Path) -> None:
    """The README's first command builds the invented example; --strict (CI) refuses it."""
    args = ["--project", str(ROOT), "build", "--no-pdf", "--today", "2026-11-21"]
    code, out = run(*args, "--out", str(tmp_path / "site"))
    assert code == 0, out
    assert "dsgvo-gen.yaml:15:3: warning[DG312] the controller is the invented example" in out
    page = (tmp_path / "site" / "de" / "providers" / "zoom.html").read_text()
    assert 'class="example-warning' in page  # and every page says so
    code, out = run(*args, "--strict", "--out", str(tmp_path / "strict"))
    assert code == 1 and "DG312" in out and not (tmp_path / "strict").exists()


def test_gitlab_code_quality_report(project: Path) -> None:
    """The shape GitLab reads (docs.gitlab.com, "Code Quality report format")."""
    cases = [str(INVALID / "dg306-no-transfer.yaml"), str(INVALID / "dg408-vague.yaml")]
    code, out = run("check", "--format", "gitlab", "--today", "2026-11-21", *cases,
                    project=project)  # fmt: skip
    assert code == 1
    issues = json.loads(out)
    assert isinstance(issues, list) and len(issues) >= 3
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["check_name"].startswith("DG") and issue["description"]
        assert set(issue["location"]) == {"path", "lines"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert len(issue["fingerprint"]) == 64
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    vague = [i for i in issues if i["check_name"] == "DG408"]
    assert [i["location"]["lines"]["begin"] for i in vague] == [100, 101]
    # Errors, DG506 warnings, and the note that format 1 can be migrated (DG124).
    assert {i["severity"] for i in issues} == {"major", "minor", "info"}
    again = json.loads(run("check", "--format", "gitlab", "--today", "2026-11-21", *cases,
                           project=project)[1])  # fmt: skip
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def test_shell_completion(project: Path) -> None:
    env = {**os.environ, "_DSGVO_GEN_COMPLETE": "bash_source"}
    command = [sys.executable, "-m", "dsgvo_gen"]
    script = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert "complete -o nosort -F _dsgvo_gen_completion dsgvo-gen" in script.stdout
    env = {**os.environ, "_DSGVO_GEN_COMPLETE": "bash_complete", "COMP_WORDS": "dsgvo-gen sta",
           "COMP_CWORD": "1"}  # fmt: skip
    words = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert words.stdout.split() == ["plain,status"]


def test_quiet_after_the_command_as_before_it(tmp_path: Path) -> None:
    project = tmp_path / "p"
    assert CliRunner().invoke(main, ["init", str(project)]).exit_code == 0
    before = CliRunner().invoke(main, ["-q", "--project", str(project), "check"])
    after = CliRunner().invoke(main, ["check", "-q", "--project", str(project)])
    assert after.exit_code == before.exit_code
    assert after.output == before.output and "warning(s)" not in after.output
