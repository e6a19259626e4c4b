"""The PDF cache lives in the user's cache folder, where a clone cannot plant entries, and
pruning removes only the regular files the cache itself wrote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dsgvo_gen.builder import build
from dsgvo_gen.cache import PdfCache
from dsgvo_gen.checker import check_project
from dsgvo_gen.render import Renderer
from dsgvo_gen.resources import bundled_dir
from tests.conftest import TODAY, must_finish_within, tree

FORGED = b"%PDF-1.7\n% a notice the repository planted\n%%EOF\n"


def test_a_cache_that_comes_with_the_project_is_never_read(project: Path) -> None:
    # What an attacker can do offline: compute the key of the first notice and commit a
    # forged PDF under it, where earlier versions kept their cache.
    checked = check_project(project, today=TODAY)
    assert checked.config is not None
    templates = bundled_dir("templates")
    renderer = Renderer(checked.config, checked.providers, templates, checked.reference)
    source = next(renderer.pdf_sources())
    planted = project / ".dsgvo-gen-cache" / "pdf"
    planted.mkdir(parents=True)
    key = PdfCache(project / ".dsgvo-gen-cache", templates).key(source)
    (planted / f"{key}.pdf").write_bytes(FORGED)
    result = build(project, today=TODAY)
    assert result.written and result.rendered == result.pdfs == 4
    published = (project / "site" / source.path).read_bytes()
    assert published != FORGED and published.startswith(b"%PDF-")
    assert (planted / f"{key}.pdf").read_bytes() == FORGED  # ignored, and not deleted either


def test_pruning_never_follows_a_link_or_removes_what_the_cache_did_not_write(
    project: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "mine.txt").write_text("mine")
    (victim / ("0" * 64 + ".pdf")).write_bytes(b"looks like an entry")
    # The place earlier versions used, as a clone could bring it: a link to a user's folder.
    (project / ".dsgvo-gen-cache").mkdir()
    (project / ".dsgvo-gen-cache" / "pdf").symlink_to(victim)
    before = tree(victim)
    assert build(project, today=TODAY).written
    assert tree(victim) == before and (victim / "sub").is_dir()

    from dsgvo_gen.cache import cache_folder

    folder = cache_folder(project)
    assert folder is not None and folder.is_dir() and not folder.is_relative_to(project)
    entries = sorted(folder.glob("*.pdf"))
    assert len(entries) == 4
    (folder / "notes.txt").write_text("not an entry")
    (folder / "sub").mkdir()
    (folder / ("f" * 64 + ".pdf")).symlink_to(victim / "mine.txt")  # a link named like one
    (folder / ("e" * 64 + ".pdf")).write_bytes(b"%PDF stale\n%%EOF")  # a real stale entry
    descriptor = project / "providers" / "full-video.yaml"
    descriptor.write_text(descriptor.read_text().replace("Beispiel Video", "Zweites Video"))
    assert build(project, today=TODAY).written
    names = {p.name for p in folder.iterdir()}
    assert {"notes.txt", "sub"} <= names
    assert ("e" * 64 + ".pdf") not in names  # stale, written like an entry: pruned
    assert (folder / ("f" * 64 + ".pdf")).is_symlink()  # not a regular file: left alone
    assert tree(victim) == before

    # A cache folder that is itself a link is not used at all: no reading, writing or pruning.
    for entry in folder.iterdir():
        entry.rmdir() if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    folder.rmdir()
    folder.symlink_to(victim)
    result = build(project, today=TODAY)
    assert result.written and result.rendered == 4
    assert tree(victim) == before


def test_a_build_without_pdfs_keeps_the_pdf_cache(project: Path) -> None:
    assert build(project, today=TODAY).rendered == 4
    assert build(project, today=TODAY, pdf=False).written
    again = build(project, today=TODAY)
    assert (again.pdfs, again.rendered) == (4, 0)


def test_each_project_has_its_own_cache_in_the_user_cache_folder(
    project: Path, tmp_path: Path, own_cache_home: Path
) -> None:
    from dsgvo_gen.cache import cache_folder

    other = tmp_path / "other"
    other.mkdir()
    folder = cache_folder(project)
    assert folder is not None and folder.is_relative_to(own_cache_home / "dsgvo-gen")
    assert folder != cache_folder(other)
    assert folder == cache_folder(project / "providers" / "..")


def test_a_huge_asset_is_not_read_to_compute_the_cache_key(project: Path, tmp_path: Path) -> None:
    """A sparse 2 GiB file in templates/assets (92 KB in a tarball): the key is computed
    under a 512 MiB memory limit, and it changes with the files the fetcher can serve."""
    assets = project / "templates" / "assets"
    assets.mkdir(parents=True)
    (assets / "style.css").write_text("body { color: black }")
    with (assets / "big.bin").open("wb") as big:
        big.truncate(2 * 1024**3)
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from dsgvo_gen.cache import PdfCache\n"
        "from dsgvo_gen.resources import templates_for\n"
        "resource.setrlimit(resource.RLIMIT_AS, (512 * 1024**2, 512 * 1024**2))\n"
        "cache = PdfCache(Path(sys.argv[2]), templates_for(Path(sys.argv[1])))\n"
        "print(cache._salt.decode())\n"
    )
    command = [sys.executable, "-c", script, str(project), str(tmp_path / "cache")]
    with must_finish_within(120):
        first = subprocess.run(command, capture_output=True, text=True, check=False)
        assert first.returncode == 0, first.stderr[-2000:]
        (assets / "style.css").write_text("body { color: red }")
        second = subprocess.run(command, capture_output=True, text=True, check=False)
    assert second.returncode == 0 and second.stdout != first.stdout
