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
    # DG532: the shipped Zoom and TeamViewer entries mark facts their sources do not confirm;
    # DG530: Zoom's DPF claim rests on its own statement.
    assert {f.code for f in problems(report)} == {"DG312", "DG403", "DG508", "DG530", "DG532"}


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


def _without_marks(node: object) -> object:
    if isinstance(node, dict):
        return {k: _without_marks(v) for k, v in node.items() if k != "decide"}
    if isinstance(node, list):
        return [_without_marks(v) for v in node]
    return node


def test_deleting_each_decide_line_as_told_leaves_exactly_the_decisions(
    tmp_path: Path, project2: Path
) -> None:
    """check says 'delete this decide: line': a user who does that, line by line, gets
    the descriptor without its marks, nothing of a mark left behind in a text above it."""
    from dsgvo_gen.loader import load_file
    from dsgvo_gen.resources import bundled_dir

    shutil.copy(project2 / "catalogue" / "full-video.yaml", project2 / "catalogue" / "own.yaml")
    entry = project2 / "catalogue" / "own.yaml"
    entry.write_text(entry.read_text().replace("id: full-video", "id: own"))
    ids = [*sorted(p.stem for p in bundled_dir("catalogue").glob("*.yaml")), "own"]
    for entry_id in ids:
        code, out = run("--project", str(project2), "add", entry_id, "--as", f"t-{entry_id}")
        assert code == 0, out
        written = project2 / "providers" / f"t-{entry_id}.yaml"
        text = written.read_text()
        assert "decide:" in text, entry_id
        written.write_text("".join(line for line in text.splitlines(keepends=True)
                                   if not line.lstrip().startswith("decide:")))  # fmt: skip
        marked, _ = load_file(project2 / "providers" / f"t-{entry_id}.yaml", "x")
        before = Path(tmp_path / f"{entry_id}.yaml")
        before.write_text(text)
        original, _ = load_file(before, "y")
        assert marked is not None and original is not None, entry_id
        assert marked.data == _without_marks(original.data), entry_id


def test_add_suggests_the_closest_entry_and_says_when_it_is_a_draft(tmp_path: Path) -> None:
    target = tmp_path / "p"
    assert run("init", str(target))[0] == 0
    code, out = run("--project", str(target), "add", "zom")
    assert code == 2 and "did you mean 'zoom'?" in out
    code, out = run("--project", str(target), "add", "rooms-chat")
    assert code == 0 and "is a draft" in out and "does not publish" in out
    code, out = run("--project", str(target), "add", "zoom")
    assert code == 0 and "draft" not in out
