"""Drafts: checked and reported, never published; the others are built; preview shows them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.builder import UnknownSelection, build, make_pdfs, preview
from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.export import export
from dsgvo_gen.serve import PreviewServer
from tests.conftest import ROOT, TODAY

DRAFT = ROOT / "providers" / "drafts" / "red-connect.yaml"


@pytest.fixture
def with_draft(project2: Path) -> Path:
    """The format 2 fixture project plus an unfinished descriptor: the shipped RED connect
    draft (its entry is a draft too, and it lacks the controller's DPA record)."""
    shutil.copy(DRAFT, project2 / "providers")
    return project2


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_a_draft_is_reported_and_does_not_stop_the_others(with_draft: Path) -> None:
    report = check(with_draft, today=TODAY)
    drafted = {f.code for f in report.findings if f.path.endswith("red-connect.yaml")}
    assert {"DG126", "DG403"} <= drafted
    assert report.errors == 0 and report.exit_code() == 0 and report.exit_code(strict=True) == 1

    result = build(with_draft, today=TODAY, pdf=False)
    assert result.written
    site = with_draft / "site"
    assert (site / "de" / "providers" / "full-video.html").is_file()
    assert not list(site.rglob("red-connect*"))
    assert "RED connect" not in (site / "de" / "index.html").read_text()
    assert not build(with_draft, today=TODAY, pdf=False, strict=True).written

    code, out = run("--project", str(with_draft), "build", "--no-pdf", "--today", "2026-11-21")
    assert code == 0 and "warning[DG403] (draft)" in out and "wrote 18 pages" in out


def test_export_and_pdf_leave_drafts_out(with_draft: Path) -> None:
    exported = export(with_draft, "ropa-json", today=TODAY)
    assert exported.content is not None
    ids = {a["provider_id"] for a in json.loads(exported.content)["activities"]}
    assert ids == {"full-video"}
    with pytest.raises(UnknownSelection, match="red-connect: a draft"):
        make_pdfs(with_draft, ["red-connect"], today=TODAY)


def test_preview_shows_drafts_marked_with_their_open_findings(with_draft: Path) -> None:
    result = preview(with_draft, today=TODAY)
    assert result.written and result.out == with_draft / "preview"
    page = (with_draft / "preview" / "de" / "providers" / "red-connect.html").read_text()
    assert 'class="preview-mark"' in page and "Entwurf \u2013 nicht veröffentlicht." in page
    assert "DG403" in page and "DG126" in page  # the open findings, listed
    english = (with_draft / "preview" / "en" / "consent" / "red-connect.html").read_text()
    assert "Draft \u2013 not published." in english
    overview = (with_draft / "preview" / "de" / "index.html").read_text()
    assert "RED connect" in overview and "Entwurf" in overview
    finished = (with_draft / "preview" / "de" / "providers" / "full-video.html").read_text()
    assert "preview-mark" not in finished
    assert not (with_draft / "site").exists()


def test_preview_never_writes_into_the_site(with_draft: Path) -> None:
    with pytest.raises(ValueError, match="never published"):
        preview(with_draft, with_draft / "site", today=TODAY)
    code, out = run("--project", str(with_draft), "preview", "--out", str(with_draft / "site"))
    assert code == 2 and "never published" in out
    assert not (with_draft / "site").exists()
    code, out = run("--project", str(with_draft), "preview", "--today", "2026-11-21")
    assert code == 0 and "wrote" in out and (with_draft / "preview" / "index.html").is_file()


def test_preview_replaces_no_folder_it_did_not_make(with_draft: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    code, out = run("--project", str(with_draft), "preview", "--out", str(mine))
    assert code == 1 and "refusing to replace" in out and "Traceback" not in out
    assert (mine / "notes.txt").read_text() == "mine" and len(list(mine.iterdir())) == 1


def test_serve_drafts_serves_the_preview(with_draft: Path) -> None:
    server = PreviewServer(with_draft, port=0, drafts=True, today=TODAY)
    try:
        rebuild = server.build()
    finally:
        server.close()
    assert rebuild.result.written and server.site == with_draft / "preview"
    page = (with_draft / "preview" / "en" / "providers" / "red-connect.html").read_text()
    assert "Draft \u2013 not published." in page
    assert not (with_draft / "site").exists()
