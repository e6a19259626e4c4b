"""A history record from a clone or an older dsgvo-gen: findings, never tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dsgvo_gen.builder import build
from dsgvo_gen.checker import check
from dsgvo_gen.history import HEADER, INDEX_LIMITS, digest, sha256
from dsgvo_gen.loader import MAX_BYTES, Limits, load_file
from dsgvo_gen.versions import text_hash
from dsgvo_gen.yamlout import dump
from tests.conftest import TODAY, problems, tree
from tests.test_history import LATER, retention, run

DG = str(Path(sys.executable).parent / "dsgvo-gen")


def forge(project: Path, name: str, number: int, edit: Callable[[dict[str, Any]], None]) -> int:
    """Rewrite entry `number` of an index with its digest recomputed, as anyone can (the
    digest is unkeyed); returns the line where the entry's content starts."""
    path = project / "history" / "full-video" / name
    doc, findings = load_file(path, name)
    assert doc is not None and not findings
    entry = doc.data["versions"][number]
    edit(entry["content"])
    entry["digest"] = digest(entry)
    path.write_text(dump(doc.data, HEADER))
    return doc.locate(("versions", number, "content")).line


BAD_CONTENT = {
    "unhashable-purposes": (
        "consent-de.yaml",
        lambda c: c["items"][0].__setitem__("purposes", [{"a": 1}, {"b": 2}]),
    ),
    "number-as-period": ("notice-de.yaml", lambda c: c["retention"][0].__setitem__("period", 5)),
    "text-as-list": ("notice-de.yaml", lambda c: c.__setitem__("data", "IP-Adresse")),
    "foreign-area": ("notice-de.yaml", lambda c: c.__setitem__("items", [])),
}


@pytest.mark.parametrize("case", sorted(BAD_CONTENT))
def test_a_forged_content_snapshot_is_a_finding_at_its_line(project: Path, case: str) -> None:
    assert build(project, today=TODAY, pdf=False).written
    name, edit = BAD_CONTENT[case]
    start = forge(project, name, 0, edit)
    retention(project, "P90D", "P6M")  # a change: what build would compare with the record
    found = [f for f in problems(check(project, today=TODAY)) if f.code == "DG151"]
    assert found and found[0].path.endswith(name) and found[0].line >= start
    before = tree(project / "site")
    assert not build(project, today=LATER, pdf=False).written
    assert tree(project / "site") == before
    for args in (["history", "full-video"], ["history", "--changed-since", "2026-11-01"]):
        code, output = run(project, *args)
        assert code == 1 and "DG151" in output


def _old_codes(content: dict[str, Any]) -> None:
    content["purposes"][0]["legal_basis"] = ["art99-old"]
    content["recipients"][0]["role"] = "old-role"
    content["transfers"][0]["mechanism"] = "old-mechanism"


def test_codes_the_labels_no_longer_know_are_shown_as_the_code(project: Path) -> None:
    """An older dsgvo-gen's record naming a code renamed since: worded as the code itself."""
    assert build(project, today=TODAY, pdf=False).written
    forge(project, "notice-de.yaml", 0, _old_codes)
    assert problems(check(project, today=TODAY)) == []
    retention(project, "P90D", "P6M")
    assert build(project, today=LATER, pdf=False).written
    page = (project / "site" / "de" / "history" / "full-video.html").read_text()
    code, output = run(project, "history", "--changed-since", "2026-11-25")
    assert code == 0 and "Traceback" not in output
    for said in (page, output):
        assert "bisher art99-old, jetzt" in said
        assert "old-role" in said and "old-mechanism" in said


def _fill(project: Path, count: int, pdf_bytes: int = 0) -> None:
    """Put `count` valid earlier versions (each with the first one's content, and a PDF of
    `pdf_bytes` where not 0) before the recorded one, as years of builds would have."""
    path = project / "history" / "full-video" / "notice-de.yaml"
    doc, findings = load_file(path, path.name, limits=INDEX_LIMITS)
    assert doc is not None and not findings
    fillers = []
    for number in range(count):
        text = f"Version {number} of the notice.\n"
        version = f"1990-01-01-{text_hash(text)}"
        archived = f"full-video/notice-de/{version}.txt"
        (project / "history" / archived).write_text(text)
        entry = {"version": version, "published_on": f"{1990 + number // 365}-01-01",
                 "text": archived, "text_sha256": sha256(text.encode()),
                 "content": doc.data["versions"][0]["content"]}  # fmt: skip
        if pdf_bytes:
            pdf = b"%PDF-1.7\n%" + version.encode() + bytes(pdf_bytes)
            (project / "history" / archived).with_suffix(".pdf").write_bytes(pdf)
            entry |= {"pdf": archived.removesuffix(".txt") + ".pdf", "pdf_sha256": sha256(pdf)}
            entry["content"] = entry.pop("content")  # in the order build writes
        fillers.append(entry | {"digest": digest(entry)})
    fillers.sort(key=lambda e: str(e["published_on"]))
    doc.data["versions"][:0] = fillers
    path.write_text(dump(doc.data, HEADER, INDEX_LIMITS))


def test_an_index_larger_than_a_descriptor_may_be_still_builds(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    _fill(project, 800)
    index = project / "history" / "full-video" / "notice-de.yaml"
    assert index.stat().st_size > MAX_BYTES
    assert problems(check(project, today=TODAY)) == []
    retention(project, "P90D", "P6M")
    assert build(project, today=LATER, pdf=False).written
    code, output = run(project, "history", "full-video", "--on", str(LATER))
    assert code == 0 and "published 2026-12-01" in output


def test_a_record_that_cannot_be_written_is_a_finding(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build(project, today=TODAY, pdf=False).written
    history = project / "history"
    size = (history / "full-video" / "notice-de.yaml").stat().st_size
    # The limit reached: the index as it is reads, one more version would not.
    monkeypatch.setattr("dsgvo_gen.history.INDEX_LIMITS", Limits(bytes=size + 100))
    before = tree(history), tree(project / "site")
    retention(project, "P90D", "P6M")
    result = build(project, today=LATER, pdf=False)
    assert not result.written
    (finding,) = [f for f in result.report.sorted() if f.code == "DG112"]
    assert re.search(r"history/full-video/(notice|consent)-de\.yaml", finding.message)
    assert "MiB" in finding.message
    assert (tree(history), tree(project / "site")) == before


def test_a_build_dated_before_the_last_recorded_publication_is_refused(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    retention(project, "P90D", "P6M")
    assert build(project, today=LATER, pdf=False).written
    before = tree(project)
    # Nothing new to record: the date is only the staleness rules' "now".
    code, _ = run(project, "build", "--no-pdf", "--today", "2026-11-25")
    assert code == 0 and tree(project) == before
    retention(project, "P6M", "P1M")
    changed = tree(project)
    code, output = run(project, "build", "--no-pdf", "--today", "2026-11-25")
    assert code == 2 and "Traceback" not in output
    assert "history/full-video/notice-de.yaml" in output and str(LATER) in output
    assert "--today" in output and "2026-11-25" in output
    assert tree(project) == changed
    assert problems(check(project, today=LATER)) == []
    code, _ = run(project, "build", "--no-pdf", "--today", str(LATER))
    assert code == 0 and problems(check(project, today=LATER)) == []


def test_a_deeply_nested_folder_in_history_is_a_finding(project: Path) -> None:
    assert build(project, today=TODAY, pdf=False).written
    top = project / "history" / "full-video" / "notice-de" / "a"
    deep = top
    deep.mkdir()
    for _ in range(1199):  # deeper than Python's recursion limit (makedirs recurses)
        deep /= "a"
        deep.mkdir()
    (deep / "f").write_text("x")
    try:
        found = problems(check(project, today=TODAY))
        assert [f.code for f in found] == ["DG150"]
        assert found[0].path.endswith("history/full-video/notice-de/a")
        code, output = run(project, "history", "full-video")
        assert code == 1 and "DG150" in output
        assert not build(project, today=LATER, pdf=False).written
    finally:  # shutil.rmtree (and so pytest's clean-up) recurses too
        (deep / "f").unlink()
        while deep != top.parent:
            deep.rmdir()
            deep = deep.parent


def test_build_says_what_it_recorded_and_that_history_is_to_be_committed(
    project: Path,
) -> None:
    code, output = run(project, "build", "--no-pdf", "--today", str(TODAY))
    assert code == 0
    recorded = [line for line in output.splitlines() if line.startswith("recorded ")]
    assert recorded == [f"recorded 4 new versions in {project / 'history'}/ (commit it)"]
    code, output = run(project, "build", "--no-pdf", "--today", str(TODAY))
    assert code == 0 and "recorded" not in output  # nothing new: nothing said
    retention(project, "P90D", "P6M")
    code, output = run(project, "build", "--no-pdf", "--today", str(LATER))
    # The notices, and the consent forms, which name their notice's version.
    assert "recorded 4 new versions in" in output
    code, output = run(project, "build", "--today", str(LATER))
    assert "recorded the PDFs of 4 versions recorded earlier in" in output


def _peak_kib(project: Path) -> int:
    """The largest resident size of a `build --no-pdf` of the project, in KiB."""
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", DG, "--project", str(project), "build",
                            "--no-pdf", "--today", str(LATER)], capture_output=True, text=True,
                           check=True)  # fmt: skip
    return int(timed.stderr.strip().splitlines()[-1])


def test_archived_pdfs_are_published_one_at_a_time(project: Path) -> None:
    """Memory does not grow with the archive: 8 earlier PDFs of 24 MiB each take no more
    than about one of them (they were all held at once)."""
    assert build(project, today=TODAY, pdf=False).written
    retention(project, "P90D", "P6M")  # one more version: the build has pages to write
    baseline = _peak_kib(project)
    retention(project, "P6M", "P1M")
    _fill(project, 8, pdf_bytes=24 * 1024 * 1024)
    grown = _peak_kib(project) - baseline
    archive = sorted((project / "site" / "de" / "history").glob("full-video-notice-1990-*.pdf"))
    assert len(archive) == 8 and archive[0].stat().st_size > 24 * 1024 * 1024
    assert grown < 100 * 1024, f"{grown} KiB more for 192 MiB of archived PDFs"


def test_archived_texts_with_crlf_line_ends_are_the_recorded_ones(project: Path) -> None:
    """A checkout with core.autocrlf=true (Git for Windows) turns LF into CRLF."""
    assert build(project, today=TODAY, pdf=False).written
    texts = sorted((project / "history").glob("*/*/*.txt"))
    assert len(texts) == 4
    for text in texts:
        lf = text.read_bytes()
        assert b"\n" in lf and b"\r" not in lf
        text.write_bytes(lf.replace(b"\n", b"\r\n"))
    assert problems(check(project, today=TODAY)) == []
    retention(project, "P90D", "P6M")
    assert build(project, today=LATER, pdf=False).written
    assert problems(check(project, today=LATER)) == []
    # A changed text is still one.
    texts[0].write_bytes(texts[0].read_bytes().replace(b"\r\n", b" \r\n", 1) + b"x")
    assert [f.code for f in problems(check(project, today=LATER))] == ["DG153"]


def test_a_change_undone_is_recorded_as_the_earlier_version_published_again(
    project: Path,
) -> None:
    """Review H1: after a change is taken back, the earlier text is current again; the
    record, `history --on`, `--changed-since` and the page must say so."""
    from datetime import date

    from dsgvo_gen.history import read_history

    undone = date(2026, 12, 10)
    assert build(project, today=TODAY, pdf=False).written
    retention(project, "P90D", "P6M")
    assert build(project, today=LATER, pdf=False).written
    retention(project, "P6M", "P90D")
    assert build(project, today=undone, pdf=False).written
    record = read_history(project).records[("full-video", "notice", "de")]
    first, second = record.versions
    assert first.republished_on == (undone,) and second.republished_on == ()
    assert record.on(date(2026, 12, 5)) == second and record.on(undone) == first
    assert problems(check(project, today=undone)) == []
    code, output = run(project, "history", "full-video", "--on", "2026-12-11")
    line = next(x for x in output.splitlines() if x.startswith("full-video notice de:"))
    assert code == 0 and first.version in line and "published again 2026-12-10" in line
    code, output = run(project, "history", "--changed-since", "2026-12-05")
    assert code == 0
    assert f"changed: {second.version} -> {first.version} (published 2026-12-10)" in output
    assert "Speicherdauer geändert \u2013 IP-Adresse: bisher 6 Monate, jetzt 90 Tage" in output
    page = (project / "site" / "de" / "history" / "full-video.html").read_text()
    assert "erneut veröffentlicht am 10. Dezember 2026" in page
    assert page.index("erneut veröffentlicht") < page.index(second.version)  # newest first
    # Once recorded, building the same text again records nothing more.
    before = tree(project)
    assert build(project, today=date(2026, 12, 12), pdf=False).written
    assert tree(project) == before
