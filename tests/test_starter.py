"""`add` and `init --with`: descriptors that use a catalogue entry, every choice marked."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.findings import Severity
from tests.conftest import FORMAT_2, TODAY, problems


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_init_with_adds_a_descriptor_for_each_entry(tmp_path: Path) -> None:
    target = tmp_path / "beratung"
    code, out = run("init", str(target), "--with", "zoom,teamviewer-quicksupport")
    assert code == 0, out
    for entry_id in ("zoom", "teamviewer-quicksupport"):
        text = (target / "providers" / f"{entry_id}.yaml").read_text()
        assert f"\nuses: {entry_id}\n" in text and "decide:" in text
        assert text.startswith("# yaml-language-server: $schema=../schema/descriptor.schema.json")
    report = check(target)  # add dates its review today, so today's date it is
    # DG532: the shipped Zoom and TeamViewer entries mark facts their sources do not confirm.
    assert {f.code for f in problems(report)} == {"DG312", "DG403", "DG508", "DG532"}


def test_init_with_an_unknown_entry_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "beratung"
    code, out = run("init", str(target), "--with", "zoom,no-such-service")
    assert code == 2 and "no catalogue entry 'no-such-service'" in out
    assert not target.exists()


def test_add_refuses_unknown_entries_and_never_overwrites(project2: Path) -> None:
    code, out = run("--project", str(project2), "add", "no-such-service")
    assert code == 2 and "dsgvo-gen catalogue" in out
    code, out = run("--project", str(project2), "add", "full-video")
    assert code == 1 and "already exists" in out
    assert (project2 / "providers" / "full-video.yaml").read_text() == (
        FORMAT_2 / "providers" / "full-video.yaml"
    ).read_text()
    code, out = run("--project", str(project2), "add", "zoom", "--as", "Zoom")
    assert code == 2 and "is not a provider id" in out


def test_an_entry_without_a_shipped_descriptor_gets_a_starter_with_todos(project2: Path) -> None:
    """An entry of the project's own catalogue: the starter comes from the entry itself."""
    shutil.copy(project2 / "catalogue" / "full-video.yaml", project2 / "catalogue" / "own.yaml")
    entry = project2 / "catalogue" / "own.yaml"
    entry.write_text(entry.read_text().replace("id: full-video", "id: own"))
    code, out = run("--project", str(project2), "add", "own", "--as", "ours",
                    "--today", TODAY.isoformat())  # fmt: skip
    assert code == 0, out
    report = check(project2, [project2 / "providers" / "ours.yaml"], today=TODAY)
    codes = {f.code for f in problems(report)}
    assert not any(code.startswith(("DG1", "DG2")) for code in codes)  # a valid file
    assert {"DG303", "DG507", "DG508"} <= codes  # the basis, the TODO texts, the choices
    assert not [f for f in report.findings if f.severity is Severity.NOTE]


def test_a_self_run_service_asks_for_your_own_address(tmp_path: Path) -> None:
    target = tmp_path / "p"
    assert run("init", str(target))[0] == 0
    (target / "providers" / "jitsi-self-hosted.yaml").unlink()
    assert run("--project", str(target), "add", "jitsi-self-hosted")[0] == 0
    text = (target / "providers" / "jitsi-self-hosted.yaml").read_text()
    assert "service_url: https://todo.invalid/" in text  # the example's own server is not yours
    findings = check(target, today=TODAY).findings
    assert any(f.code == "DG507" and f.path.endswith("jitsi-self-hosted.yaml") for f in findings)


def test_catalogue_lists_the_bundled_entries_as_text(tmp_path: Path) -> None:
    code, out = run("--project", str(tmp_path), "catalogue")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["id", "name", "category", "status", "reviewed", "from"]
    by_id = {row.split()[0]: row for row in rows}
    assert "draft" in by_id["rooms-chat"] and "published" in by_id["zoom"]
    assert all(row.endswith("bundled") for row in rows)
