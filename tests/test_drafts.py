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
from tests.conftest import ROOT, TODAY, tree

DRAFT = ROOT / "providers" / "drafts" / "rooms-chat.yaml"


@pytest.fixture
def with_draft(project2: Path) -> Path:
    """The format 2 fixture project plus an unfinished descriptor: the shipped rooms.chat
    draft (its entry is a draft too, and it lacks the controller's DPA record)."""
    shutil.copy(DRAFT, project2 / "providers")
    return project2


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_a_draft_is_reported_and_does_not_stop_the_others(with_draft: Path) -> None:
    report = check(with_draft, today=TODAY)
    drafted = {f.code for f in report.findings if f.path.endswith("rooms-chat.yaml")}
    assert {"DG126", "DG403"} <= drafted
    assert report.errors == 0 and report.exit_code() == 0 and report.exit_code(strict=True) == 1

    result = build(with_draft, today=TODAY, pdf=False)
    assert result.written
    site = with_draft / "site"
    assert (site / "de" / "providers" / "full-video.html").is_file()
    assert not list(site.rglob("rooms-chat*"))
    assert "rooms.chat" not in (site / "de" / "index.html").read_text()
    assert not build(with_draft, today=TODAY, pdf=False, strict=True).written

    code, out = run("--project", str(with_draft), "build", "--no-pdf", "--today", "2026-11-21")
    assert code == 0 and "warning[DG403] (draft)" in out and "wrote 18 pages" in out


def test_export_and_pdf_leave_drafts_out(with_draft: Path) -> None:
    exported = export(with_draft, "ropa-json", today=TODAY)
    assert exported.content is not None
    ids = {a["provider_id"] for a in json.loads(exported.content)["activities"]}
    assert ids == {"full-video"}
    with pytest.raises(UnknownSelection, match="rooms-chat: a draft"):
        make_pdfs(with_draft, ["rooms-chat"], today=TODAY)


def test_preview_shows_drafts_marked_with_their_open_findings(with_draft: Path) -> None:
    result = preview(with_draft, today=TODAY)
    assert result.written and result.out == with_draft / "preview"
    page = (with_draft / "preview" / "de" / "providers" / "rooms-chat.html").read_text()
    assert 'class="preview-mark"' in page and "Entwurf \u2013 nicht veröffentlicht." in page
    assert "DG403" in page and "DG126" in page  # the open findings, listed
    english = (with_draft / "preview" / "en" / "providers" / "rooms-chat.html").read_text()
    assert "Draft \u2013 not published." in english
    overview = (with_draft / "preview" / "de" / "index.html").read_text()
    assert "Rooms (rooms.chat)" in overview and "Entwurf" in overview
    finished = (with_draft / "preview" / "de" / "providers" / "full-video.html").read_text()
    assert "preview-mark" not in finished
    assert not (with_draft / "site").exists()


@pytest.mark.parametrize("out", ["site", "site/x", "./site/x/y", "site/../site/x", "site/."])
def test_preview_never_writes_into_the_site(with_draft: Path, out: str) -> None:
    with pytest.raises(ValueError, match="never published"):
        preview(with_draft, with_draft / out, today=TODAY)
    code, text = run("--project", str(with_draft), "preview", "--out", str(with_draft / out))
    assert code == 2 and "never published" in text
    assert not (with_draft / "site").exists()
    assert build(with_draft, today=TODAY, pdf=False).written  # so the site is the site
    before = tree(with_draft / "site")
    code, text = run("--project", str(with_draft), "preview", "--out", str(with_draft / out))
    assert code == 2 and tree(with_draft / "site") == before
    code, text = run("--project", str(with_draft), "preview", "--today", "2026-11-21")
    assert code == 0 and "wrote" in text and (with_draft / "preview" / "index.html").is_file()


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
    page = (with_draft / "preview" / "en" / "providers" / "rooms-chat.html").read_text()
    assert "Draft \u2013 not published." in page
    assert not (with_draft / "site").exists()


@pytest.mark.parametrize(
    "text", ["[" * 20_000, "a" * 200, " ".join(["[" * 79] * 200)], ids=["chars", "word", "words"]
)
def test_preview_leaves_out_a_provider_over_the_size_bounds(with_draft: Path, text: str) -> None:
    """A build refuses it in a second (DG121); rendering it would take the preview, and
    serve --drafts on every save, minutes for each such provider."""
    descriptor = (with_draft / "providers" / "full-video.yaml").read_text()
    (with_draft / "providers" / "huge.yaml").write_text(
        descriptor.replace("id: full-video", "id: huge", 1).replace(
            "de: Videoberatung", f"de: '{text}'", 1
        )
    )
    result = preview(with_draft, today=TODAY)
    assert result.written and any(f.code == "DG121" for f in result.report.findings)
    assert any("left out of the preview" in note and "huge" in note for note in result.report.notes)
    pages = with_draft / "preview" / "de" / "providers"
    assert (pages / "full-video.html").is_file() and (pages / "rooms-chat.html").is_file()
    assert not list((with_draft / "preview").rglob("huge*"))
    assert "[[[[" not in (with_draft / "preview" / "de" / "notice.html").read_text()


def _draft_entries() -> list[str]:
    return sorted(p.stem for p in (ROOT / "catalogue").glob("*.yaml")
                  if "\nstatus: draft\n" in p.read_text())  # fmt: skip


def test_the_shipped_drafts_are_the_three_that_cannot_be_confirmed() -> None:
    assert _draft_entries() == ["jitsi-brave-talk", "jitsi-meet-jit-si", "rooms-chat"]


@pytest.mark.parametrize("entry_id", _draft_entries())
def test_check_names_exactly_the_missing_facts_of_a_draft(entry_id: str) -> None:
    """Each missing fact once, at its first field, with where to look it up; nothing else
    about the fields waiting for it (no DG413, DG507 or DG520 there)."""
    import yaml

    entry = yaml.safe_load((ROOT / "catalogue" / f"{entry_id}.yaml").read_text())
    report = check(ROOT, [ROOT / "providers" / "drafts" / f"{entry_id}.yaml"], today=TODAY)
    in_entry = [f for f in report.sorted() if f.path.endswith(f"catalogue/{entry_id}.yaml")]
    gaps = [f for f in in_entry if f.code == "DG540"]
    assert len(gaps) == len(entry["missing"])
    by_what = sorted(entry["missing"], key=lambda m: "missing fact: " + m["what"])
    for gap, missing in zip(sorted(gaps, key=lambda f: f.message), by_what, strict=True):
        assert gap.message.startswith(f"missing fact: {missing['what']}; look it up at ")
        assert missing["where"] in gap.message and missing.get("url", "") in gap.message
    # Besides: DG530, a DPF claim worded as the provider's own (published entries get it too).
    assert {f.code for f in in_entry} - {"DG530"} == {"DG126", "DG540"}, in_entry
    code, out = run("--project", str(ROOT), "check", "--format", "json", "--today", "2026-11-21",
                    str(ROOT / "providers" / "drafts" / f"{entry_id}.yaml"))  # fmt: skip
    found = json.loads(out)["findings"]
    assert code == 0 and sum(f["code"] == "DG540" for f in found) == len(entry["missing"])


def test_a_missing_fact_naming_a_field_the_entry_lacks_is_reported(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "providers" / "drafts", project / "providers")
    shutil.copy(ROOT / "dsgvo-gen.yaml", project)
    (project / "catalogue").mkdir()
    entry = (ROOT / "catalogue" / "rooms-chat.yaml").read_text()
    (project / "catalogue" / "rooms-chat.yaml").write_text(
        entry.replace("fields: [operator.privacy_policy_url,", "fields: [operator.privacy_url,")
    )
    report = check(project, [project / "providers" / "rooms-chat.yaml"], today=TODAY)
    assert any(f.code == "DG407" and "operator.privacy_url" in f.message for f in report.findings)


def test_preview_of_the_shipped_example_shows_the_drafts_kept_aside(tmp_path: Path) -> None:
    """preview renders the descriptors in providers/drafts/ too, with their gaps listed and
    their unknown features shown as unknown; build never publishes them."""
    result = preview(ROOT, tmp_path / "preview", today=TODAY)
    assert result.written
    shown = {p.stem for p in (tmp_path / "preview" / "de" / "providers").glob("*.html")}
    published = {p.stem for p in (ROOT / "providers").glob("*.yaml")}
    assert shown == published | set(_draft_entries())
    page = (tmp_path / "preview" / "de" / "providers" / "rooms-chat.html").read_text()
    assert 'class="preview-gaps"' in page and "Impressum of rooms.chat" in page
    assert page.count("<li>") >= 4 and "unbekannt" in page
