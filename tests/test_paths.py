"""Output folders and files: dsgvo-gen replaces only folders it made and never writes
through a link. Each refusal is one line, exit code 1, and leaves every file as it was."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsgvo_gen.cli import main
from tests.conftest import TODAY, must_finish_within, tree

DG = str(Path(sys.executable).parent / "dsgvo-gen")
BUILD = ("build", "--no-pdf", "--today", TODAY.isoformat())


def dg(project: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--project", str(project), *args])


def refused(result: Any, *words: str) -> str:
    """The one line of a refusal: exit code 1, no traceback, naming what was refused."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for word in words:
        assert word in lines[0], lines[0]
    return str(lines[0])


def victim_folder(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "mine.txt").write_text("mine")
    return victim


def test_a_site_that_is_a_link_is_refused_and_its_target_untouched(
    project: Path, tmp_path: Path
) -> None:
    victim = victim_folder(tmp_path)
    (project / "site").symlink_to(victim)
    refused(dg(project, *BUILD), "symbolic link", "site")
    refused(dg(project, "pdf", "--today", TODAY.isoformat()), "symbolic link")
    with must_finish_within(60):  # serve refuses it at once, it does not serve the target
        refused(dg(project, "serve", "--port", "0", "--no-pdf"), "symbolic link")
    assert tree(victim) == {"mine.txt": b"mine"}
    assert (project / "site").is_symlink()


@pytest.mark.parametrize(
    "where",
    ["dot", "project", "parent", "own-files", "providers", "templates", "git", "foreign-marker"],
)
def test_build_never_replaces_a_folder_it_did_not_make(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    (project / "templates").mkdir()
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    website = tmp_path / "mywebsite"
    website.mkdir()
    (website / "index.html").write_text("<h1>my own site</h1>")
    (website / ".dsgvo-gen-site").write_text("made by me")  # a marker must be the real one
    monkeypatch.chdir(project)
    out = {
        "dot": ".",
        "project": str(project),
        "parent": str(tmp_path),
        "own-files": str(website),
        "providers": "providers/site",
        "templates": str(project / "templates" / "site"),
        "git": ".git",
        "foreign-marker": str(website),
    }[where]
    if where == "own-files":
        (website / ".dsgvo-gen-site").unlink()
    before = tree(tmp_path)
    line = refused(dg(project, *BUILD, "--out", out))
    assert "refus" in line or "not" in line
    assert tree(tmp_path) == before
    assert not [p for p in tmp_path.rglob(".*.new-*")]  # no staging folder left either


def test_build_makes_new_and_empty_folders_and_replaces_its_own(
    project: Path, tmp_path: Path
) -> None:
    new, empty = tmp_path / "new" / "site", tmp_path / "empty"
    empty.mkdir()
    for out in (new, empty, new):  # the third build replaces a site made by the first
        result = dg(project, *BUILD, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert (out / ".dsgvo-gen-site").is_file()
        assert (out / "de" / "index.html").is_file()
    # A site made before dsgvo-gen wrote its marker is recognised by its pages.
    (new / ".dsgvo-gen-site").unlink()
    result = dg(project, *BUILD, "--out", str(new))
    assert result.exit_code == 0, result.output
    assert (new / ".dsgvo-gen-site").is_file()


def test_a_mount_point_is_refused_and_leaves_nothing_behind(project: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:  # mounting needs root, which CI has
        disk = tmp_path / "disk"
        disk.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], check=True)
        try:
            refused(dg(project, *BUILD, "--out", str(disk)), "mount point")
            assert {p.name for p in tmp_path.iterdir()} == {"disk", "project"}  # no .disk.*
            assert list(disk.iterdir()) == []
        finally:
            subprocess.run(["umount", str(disk)], check=True)
    # /proc is a mount point everywhere; it is refused before anything is tried.
    refused(dg(project, *BUILD, "--out", "/proc"), "mount point")


def test_pdf_out_never_writes_through_links(project: Path, tmp_path: Path) -> None:
    victim = victim_folder(tmp_path)
    (victim / "keep.pdf").write_bytes(b"keep")
    args = ("pdf", "full-video", "--lang", "de", "--today", TODAY.isoformat(), "--out")
    (tmp_path / "linked").symlink_to(victim)
    refused(dg(project, *args, str(tmp_path / "linked")), "symbolic link")
    out = tmp_path / "out"
    out.mkdir()
    (out / "de").symlink_to(victim)  # a language folder that is a link
    refused(dg(project, *args, str(out)), "symbolic link")
    (out / "de").unlink()
    (out / "de").mkdir()
    (out / "de" / "full-video-notice.pdf").symlink_to(victim / "keep.pdf")  # a file that is one
    result = dg(project, *args, str(out))
    assert result.exit_code == 1 and "symbolic link" in result.output, result.output
    assert tree(victim) == {"mine.txt": b"mine", "keep.pdf": b"keep"}
    assert (out / "de" / "full-video-notice.pdf").is_symlink()
    assert (out / "de" / "full-video-consent.pdf").is_file()  # the other file was written
    refused(dg(project, *args, str(project / "providers")), "providers")


def test_export_out_refuses_links_special_files_and_project_sources(
    project: Path, tmp_path: Path
) -> None:
    victim = victim_folder(tmp_path)
    args = ("export", "--format", "ropa-csv", "--today", TODAY.isoformat(), "--out")
    link = tmp_path / "record.csv"
    link.symlink_to(victim / "mine.txt")
    refused(dg(project, *args, str(link)), "symbolic link")
    assert link.is_symlink() and tree(victim) == {"mine.txt": b"mine"}
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(dg(project, *args, str(fifo)), "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    if os.geteuid() == 0:  # a device node, as /dev/full is one (making one needs root)
        device = tmp_path / "null"
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        refused(dg(project, *args, str(device)), "not a regular file")
        assert stat.S_ISCHR(device.lstat().st_mode)
    before = tree(project)
    refused(dg(project, *args, str(project / "providers" / "full-video.yaml")), "providers")
    refused(dg(project, *args, str(project / "dsgvo-gen.yaml")), "dsgvo-gen.yaml")
    assert tree(project) == before


def test_export_to_a_full_disk_is_a_message_not_a_traceback(project: Path, tmp_path: Path) -> None:
    command = [DG, "--project", str(project), "export", "--format", "ropa-json",
               "--today", TODAY.isoformat()]  # fmt: skip
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 1
    assert "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([*command, "--out", str(out / "record.json")], capture_output=True,
                          text=True, check=False, preexec_fn=limit)  # fmt: skip
    assert done.returncode == 1 and "export failed" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert list(out.iterdir()) == []  # no temporary file left
