"""The history record: build records each new version, the history page and `history` read it."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from dsgvo_gen.builder import build, preview
from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.history import read_history
from dsgvo_gen.versions import find_versions
from tests.conftest import TODAY, problems, tree

LATER = date(2026, 12, 1)


def retention(project: Path, old: str, new: str) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text()
    assert f"period: {old}\n" in text
    descriptor.write_text(text.replace(f"period: {old}\n", f"period: {new}\n", 1))


def run(project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project), *args], catch_exceptions=False)
    return result.exit_code, result.output


def index(project: Path, kind: str, lang: str) -> str:
    return (project / "history" / "full-video" / f"{kind}-{lang}.yaml").read_text()


def test_a_retention_change_is_recorded_listed_and_answered(project: Path) -> None:
    assert build(project, today=TODAY).written
    first_pdf = (project / "site" / "pdf" / "de" / "full-video-notice.pdf").read_bytes()
    first = find_versions((project / "site" / "de" / "providers" / "full-video.html").read_text())
    retention(project, "P90D", "P6M")
    assert build(project, today=LATER).written
    second = find_versions((project / "site" / "de" / "providers" / "full-video.html").read_text())
    assert first != second

    record = read_history(project)
    assert record.findings == []
    versions = record.records[("full-video", "notice", "de")].versions
    assert [(v.version, v.published_on) for v in versions] == [(first[0], TODAY),
                                                               (second[0], LATER)]  # fmt: skip
    # The consent form names the notice's version (Art. 7(1)): a new text, but no new scope,
    # so no one is asked for consent again.
    assert len(record.records[("full-video", "consent", "de")].versions) == 2
    assert not any(f.code == "DG550" for f in check(project, today=LATER).findings)

    page = (project / "site" / "de" / "history" / "full-video.html").read_text()
    assert first[0] in page and second[0] in page
    assert "Speicherdauer geändert \u2013 IP-Adresse: bisher 90 Tage, jetzt 6 Monate" in page
    english = (project / "site" / "en" / "history" / "full-video.html").read_text()
    assert "Retention period changed \u2013 IP address: before 90 days, now 6 months" in english
    # The earlier version's PDF is published next to the page, as it was archived.
    archived = project / "site" / "de" / "history" / f"full-video-notice-{first[0]}.pdf"
    assert f'href="full-video-notice-{first[0]}.pdf"' in page
    assert archived.read_bytes() == first_pdf

    code, output = run(project, "history", "full-video", "--on", "2026-11-25")
    assert code == 0
    line = next(x for x in output.splitlines() if x.startswith("full-video notice de:"))
    assert first[0] in line and second[0] not in line
    pdf = Path(line.rsplit(", ", 1)[1])
    assert (pdf if pdf.is_absolute() else Path.cwd() / pdf).read_bytes() == first_pdf

    code, output = run(project, "history", "--changed-since", "2026-11-25", "--format", "json")
    changed = json.loads(output)["changed"]
    assert code == 0 and {(c["document"], c["language"]) for c in changed} == {
        ("notice", "de"),
        ("notice", "en"),
        ("consent", "de"),
        ("consent", "en"),
    }
    (notice,) = [c for c in changed if (c["document"], c["language"]) == ("notice", "de")]
    assert notice["changes"] == ["Speicherdauer geändert \u2013 IP-Adresse: bisher 90 Tage, "
                                 "jetzt 6 Monate"]  # fmt: skip
    assert all(c["ask_consent_again"] == [] for c in changed)


def test_a_rebuild_without_changes_records_nothing_and_writes_the_same_bytes(
    project: Path,
) -> None:
    assert build(project, today=TODAY).written
    before = tree(project)
    assert build(project, today=LATER).written  # another day: still nothing new to record
    assert tree(project) == before


def test_the_pdf_comes_into_the_record_with_the_first_build_that_makes_one(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    assert "pdf:" not in index(project, "notice", "de")
    text_only = index(project, "notice", "de")
    code, output = run(project, "history", "full-video")
    assert code == 0
    assert "text only: built with --no-pdf" in output
    assert build(project, today=LATER).written
    record = read_history(project)
    assert record.findings == []
    (v,) = record.records[("full-video", "notice", "de")].versions
    assert v.published_on == TODAY and v.pdf is not None  # the date of the first publication
    assert (project / "history" / v.pdf).read_bytes() == (
        project / "site" / "pdf" / "de" / "full-video-notice.pdf"
    ).read_bytes()
    assert index(project, "notice", "de") != text_only


def test_serve_and_preview_never_record(project: Path) -> None:
    assert preview(project, today=TODAY).written
    assert build(project, today=TODAY, pdf=False, record=False).written
    assert not (project / "history").exists()
    # Their history pages show what a build would record.
    assert "full-video" in (project / "site" / "de" / "history" / "full-video.html").read_text()


def test_a_scanned_consent_form_is_matched_back_by_its_printed_identifier(
    project: Path, tmp_path: Path
) -> None:
    assert build(project, today=TODAY).written
    pdf = project / "site" / "pdf" / "de" / "full-video-consent.pdf"
    reader = pypdf.PdfReader(pdf)
    assert reader.metadata is not None
    recorded = read_history(project).records[("full-video", "consent", "de")].versions
    assert [v.version for v in recorded] == [str(reader.metadata["/documentversion"])]
    # The "scan": the printed page as an image, nothing of the PDF's text layer.
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "scan")], check=True)  # fmt: skip
    (scan,) = tmp_path.glob("scan*.png")
    read = subprocess.run(["tesseract", str(scan), "-", "--psm", "3"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    assert recorded[0].version in find_versions(read)
    code, output = run(project, "history", find_versions(read)[-1])
    assert code == 0 and output.startswith("full-video consent de: ")
    assert output.strip().endswith(f"history/full-video/consent-de/{recorded[0].version}.pdf")


def _add_recording_consent(project: Path) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text()
    text = text.replace(
        "    - id: security\n",
        "    - id: recording\n      text: {de: Aufzeichnung der Beratung, en: Recording of the"
        " session}\n      legal_basis: [art6-1-a]\n      legitimate_interest: null\n"
        "    - id: security\n",
        1,
    )
    text = text.replace(
        "  withdrawal:\n",
        "    - id: recording\n      text: {de: Ich willige in die Aufzeichnung ein., en: I consent"
        " to the recording.}\n      purposes: [recording]\n      data: [connection]\n"
        "  withdrawal:\n",
        1,
    )
    descriptor.write_text(text)


def test_a_consent_form_that_asks_for_more_warns_naming_the_earlier_versions(
    project: Path,
) -> None:
    assert build(project, today=TODAY).written
    earlier = [v.version for _, v in read_history(project).versions() if "consent" in v.text]
    wording = project / "providers" / "full-video.yaml"
    wording.write_text(wording.read_text().replace("Scan per E-Mail", "Scan oder Foto per E-Mail"))
    assert [f.code for f in problems(check(project, today=TODAY))] == []  # wording only
    _add_recording_consent(project)
    (finding,) = [f for f in problems(check(project, today=TODAY)) if f.code == "DG550"]
    assert finding.path.endswith("full-video.yaml") and finding.line > 1
    assert all(version in finding.message for version in earlier)
    assert "Ich willige in die Aufzeichnung ein." in finding.message
    assert build(project, today=LATER).written  # a warning: published, and still said
    assert [f.code for f in problems(check(project, today=LATER))] == ["DG550"]
    code, output = run(project, "history", "--changed-since", "2026-11-25")
    assert code == 0
    assert "Einwilligungspunkt hinzugekommen: Ich willige in die Aufzeichnung ein." in output
    assert "ask for consent again" in output
    # After review_max_age (P12M in the fixture) the re-collection was due: no more warning.
    later = problems(check(project, today=date(2027, 12, 2)))
    assert later and all(f.code != "DG550" for f in later)  # DG502 etc. are still there


DAMAGE = {
    "edited-entry": ("notice-de.yaml", "published_on: 2026-11-21", "published_on: 2026-11-01",
                     "DG154"),
    "edited-content": ("notice-de.yaml", "period: P90D", "period: P30D", "DG154"),
    "broken-yaml": ("notice-de.yaml", "versions:", "versions: [", "DG102"),
    "wrong-document": ("notice-de.yaml", "document: notice", "document: consent", "DG151"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_record_is_a_finding_with_its_line(project: Path, case: str) -> None:
    assert build(project, today=TODAY, pdf=False).written
    name, old, new, code = DAMAGE[case]
    path = project / "history" / "full-video" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    line = text[: text.index(old)].count("\n") + 1
    entry = text[: text.index(old)].rfind("  - version:")
    entry_line = text[:entry].count("\n") + 1 if entry >= 0 else line
    found = [f for f in problems(check(project, today=TODAY)) if f.code == code]
    assert found and found[0].path.endswith(name)
    # The value itself (YAML: or just after it), or the version entry that holds it.
    assert found[0].line in (line, line + 1, entry_line)
    before = tree(project / "site")
    result = build(project, today=TODAY, pdf=False)
    assert not result.written and tree(project / "site") == before
    code_, output = run(project, "history", "full-video")
    assert code_ == 1 and "Traceback" not in output


def test_a_changed_archived_file_and_a_stray_one_are_findings(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    folder = project / "history" / "full-video" / "notice-de"
    (archived,) = folder.glob("*.txt")
    archived.write_text(archived.read_text().replace("90 Tagen", "30 Tagen"))
    (folder / "notes.md").write_text("mine\n")
    codes = sorted(f.code for f in problems(check(project, today=TODAY)))
    assert codes == ["DG150", "DG153"]
    archived.unlink()
    assert "DG152" in {f.code for f in problems(check(project, today=TODAY))}


def test_the_record_is_never_read_or_written_through_a_link(project: Path, tmp_path: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "history", elsewhere)
    (project / "history").symlink_to(elsewhere)
    assert [f.code for f in problems(check(project, today=TODAY))] == ["DG150"]
    retention(project, "P90D", "P6M")
    assert not build(project, today=LATER, pdf=False).written
    assert (project / "history").is_symlink()
    (project / "history").unlink()
    shutil.move(elsewhere, project / "history")
    index_file = project / "history" / "full-video" / "notice-de.yaml"
    (tmp_path / "outside.yaml").write_bytes(index_file.read_bytes())
    index_file.unlink()
    index_file.symlink_to(tmp_path / "outside.yaml")
    assert "DG150" in {f.code for f in problems(check(project, today=TODAY))}


def test_a_version_recorded_twice_is_a_finding(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    path = project / "history" / "full-video" / "notice-de.yaml"
    text = path.read_text()
    entry = text[text.index("  - version:") :]
    path.write_text(text + entry)  # each copy with its own valid digest
    found = [f for f in problems(check(project, today=TODAY)) if f.code == "DG155"]
    assert found and found[0].line == text.count("\n") + 1
