"""Output folders and files: dsgvo-gen replaces only folders it made and never writes
through a link. Each refusal is one line, exit code 1, and leaves every file as it was."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsgvo_gen.cli import main
from dsgvo_gen.paths import SITE_MARKER_TEXT
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


def test_a_published_copy_of_the_site_with_files_of_ones_own_is_not_replaced(
    project: Path, tmp_path: Path
) -> None:
    """The marker travels along when a site is copied into a web root: the web root's own
    files make it a folder the build did not write, and it is refused, naming them."""
    site = tmp_path / "site"
    assert dg(project, *BUILD, "--out", str(site)).exit_code == 0
    www = tmp_path / "www"
    (www / "blog").mkdir(parents=True)
    (www / "home.html").write_text("home")
    (www / "blog" / "p1.html").write_text("p")
    shutil.copytree(site, www, dirs_exist_ok=True)
    before = tree(www)
    line = refused(dg(project, *BUILD, "--out", str(www)), "refusing to replace", "home.html")
    assert "blog" in line
    assert tree(www) == before
    # A file of one's own inside a language folder counts as much as one at the top.
    (www / "home.html").unlink()
    shutil.rmtree(www / "blog")
    (www / "de" / "mine.html").write_text("mine")
    refused(dg(project, *BUILD, "--out", str(www)), "de/mine.html")
    assert (www / "de" / "mine.html").read_text() == "mine"
    (www / "de" / "mine.html").unlink()
    (www / "de" / "notes").symlink_to(tmp_path)  # a link is not a file the build wrote either
    refused(dg(project, *BUILD, "--out", str(www)), "de/notes")
    (www / "de" / "notes").unlink()
    assert dg(project, *BUILD, "--out", str(www)).exit_code == 0  # nothing foreign: replaced


def test_a_site_of_an_older_version_is_replaced_only_if_it_holds_the_site_layout(
    project: Path, tmp_path: Path
) -> None:
    """Sites written before the marker listed its files carry the marker alone: they are
    replaced only when every file has a name a build gives its files."""
    site = tmp_path / "site"
    assert dg(project, *BUILD, "--out", str(site)).exit_code == 0
    (site / ".dsgvo-gen-site").write_bytes(SITE_MARKER_TEXT)  # as versions before wrote it
    (site / "pdf" / "de").mkdir(parents=True)
    (site / "pdf" / "de" / "full-video-notice.pdf").write_bytes(b"%PDF")
    assert dg(project, *BUILD, "--out", str(site)).exit_code == 0
    (site / ".dsgvo-gen-site").write_bytes(SITE_MARKER_TEXT)
    (site / "wp-config.php").write_text("<?php")
    refused(dg(project, *BUILD, "--out", str(site)), "wp-config.php")
    assert (site / "wp-config.php").is_file()


def test_pdfs_made_into_the_site_belong_to_it(project: Path) -> None:
    """`pdf` writes into site/pdf/ of a site that build made (or that it marks itself): the
    next build still recognises every file as its own."""
    assert dg(project, *BUILD).exit_code == 0
    pdf = ("pdf", "full-video", "--lang", "de", "--today", TODAY.isoformat())
    assert dg(project, *pdf).exit_code == 0
    assert dg(project, *BUILD).exit_code == 0, "the build refused the PDFs of pdf"
    shutil.rmtree(project / "site")
    assert dg(project, *pdf).exit_code == 0  # into a site that does not exist yet
    assert dg(project, *BUILD).exit_code == 0


@pytest.mark.parametrize("command", ["build", "pdf", "export"])
@pytest.mark.parametrize("way", ["site", "deeper", "alias"])
def test_no_output_is_written_through_a_link_inside_the_project(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, way: str
) -> None:
    """`site` as a link, then `--out site/...` typed out: refused for every command, also
    where the link is deeper down or the project is reached through a link of one's own."""
    victim = victim_folder(tmp_path)
    if way == "deeper":
        (project / "out").mkdir()
        (project / "out" / "site").symlink_to(victim)
        base = "out/site"
    else:
        (project / "site").symlink_to(victim)
        base = "site"
    if way == "alias":  # a link outside the project, the user's own, leads into it
        (tmp_path / "alias").symlink_to(project)
        base = str(tmp_path / "alias" / "site")
    monkeypatch.chdir(project)
    args = {
        "build": (*BUILD, "--out", f"{base}/web"),
        "pdf": ("pdf", "--today", TODAY.isoformat(), "--out", f"{base}/pdf"),
        "export": ("export", "--format", "ropa-csv", "--today", TODAY.isoformat(),
                   "--out", f"{base}/ropa.csv"),
    }[command]  # fmt: skip
    refused(dg(project, *args), "symbolic link")
    assert tree(victim) == {"mine.txt": b"mine"}
    assert sorted(p.name for p in victim.iterdir()) == ["mine.txt"]


def test_an_output_through_a_link_of_ones_own_outside_the_project_is_written(
    project: Path, tmp_path: Path
) -> None:
    (tmp_path / "real-www").mkdir()
    (tmp_path / "www").symlink_to(tmp_path / "real-www")
    result = dg(project, *BUILD, "--out", str(tmp_path / "www" / "privacy"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "real-www" / "privacy" / "de" / "index.html").is_file()


@pytest.mark.parametrize("planted", ["world-writable", "owned-by-nobody"])
def test_a_project_of_someone_else_above_the_current_folder_is_not_used(
    project: Path, tmp_path: Path, planted: str
) -> None:
    """Running in /tmp/shared/work must not build a dsgvo-gen.yaml that another user put
    into /tmp/shared (git refuses such a repository too): one line, exit 1, nothing
    written. In the folder itself, or named with --project, it is the user's choice."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(project / "dsgvo-gen.yaml", shared / "dsgvo-gen.yaml")
    shutil.copytree(project / "providers", shared / "providers")
    (shared / "work").mkdir()
    if planted == "world-writable":
        shared.chmod(0o1777)  # like /tmp
    elif os.geteuid() == 0:  # making a file another user's needs root, which CI has
        os.chown(shared / "dsgvo-gen.yaml", 65534, 65534)
    else:
        shared.chmod(0o1777)
    before = tree(shared)
    command = [DG, "build", "--no-pdf", "--today", TODAY.isoformat()]
    done = subprocess.run(command, cwd=shared / "work", capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert str(shared) in line and "--project" in line and "Traceback" not in line
    assert tree(shared) == before and not (shared / "site").exists()
    done = subprocess.run([*command, "--project", str(shared)], cwd=shared / "work",
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_create_inside_makes_only_new_files_and_follows_no_link(tmp_path: Path) -> None:
    from dsgvo_gen.paths import UnsafePath, create_inside

    root, victim = tmp_path / "project", tmp_path / "victim"
    root.mkdir()
    victim.mkdir()
    create_inside(root, "catalogue/new/x.yaml", b"made\n")
    assert (root / "catalogue" / "new" / "x.yaml").read_bytes() == b"made\n"
    with pytest.raises(FileExistsError):  # never replaced
        create_inside(root, "catalogue/new/x.yaml", b"again\n")
    (root / "catalogue" / "dangling.yaml").symlink_to(victim / "planted.yaml")
    with pytest.raises(FileExistsError):  # a link in the name's place is not followed
        create_inside(root, "catalogue/dangling.yaml", b"x\n")
    (root / "linked").symlink_to(victim)
    for relative in ("linked/x.yaml", "linked/deeper/x.yaml"):
        with pytest.raises(UnsafePath, match="symbolic link"):
            create_inside(root, relative, b"x\n")
    assert list(victim.iterdir()) == []
