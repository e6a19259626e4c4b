"""Bounded output: what one descriptor or template can expand to is a finding, not a 24 MB
page or a PDF build that runs for minutes; many providers make a short combined notice."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from dsgvo_gen.builder import build, make_pdfs
from dsgvo_gen.checker import check
from tests.conftest import TODAY, must_finish_within, own_templates, problems


def expanding_descriptor(project: Path) -> int:
    """A descriptor under 1 MiB whose retention entries each repeat every data category:
    about 45 million characters of retention text on its notice. Returns the retention line."""
    path = project / "providers" / "full-video.yaml"
    data = yaml.safe_load(path.read_text())
    long = "Verbindungsdaten " * 90  # 1,530 characters
    data["processing"]["data"] = [
        {"id": f"d{n}", "text": {"de": long, "en": long}, "origin": {"de": "x", "en": "x"},
         "special_category": n == 0, "required": True}
        for n in range(100)
    ]  # fmt: skip
    ids = [f"d{n}" for n in range(100)]
    retention = data["processing"]["retention"][0]
    data["processing"]["retention"] = [{**retention, "data": list(ids)} for _ in range(300)]
    data["consent"]["items"][0]["data"] = ["d0"]
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    assert len(text.encode()) < 1024 * 1024
    path.write_text(text)
    return 1 + text.splitlines().index("  retention:")


def test_a_descriptor_that_expands_too_far_is_a_finding(project: Path) -> None:
    line = expanding_descriptor(project)
    with must_finish_within(60):
        report = check(project, today=TODAY)
        assert [(f.code, f.line) for f in problems(report)] == [("DG121", line + 1)]
        assert "characters" in problems(report)[0].message
        result = build(project, today=TODAY)
    assert not result.written and not (project / "site").exists()


def test_a_page_larger_than_the_limit_is_a_finding(project: Path) -> None:
    own_templates(project, "{% for i in range(90000) %}{{ 'x' * 100 }}{% endfor %}")  # 9 MB
    with must_finish_within(60):
        result = build(project, today=TODAY)
    assert not result.written
    assert [f.code for f in problems(result.report)] == ["DG121"]
    assert "providers/full-video.html" in problems(result.report)[0].message


def test_print_html_and_pdf_pages_are_bounded(project: Path) -> None:
    own_templates(
        project,
        "{% if medium == 'print' and lang == 'de' %}{% for i in range(50000) %}"
        "{{ 'x' * 100 }}{% endfor %}{% endif %}"  # 5 MB of print HTML, for paper only
        "{% if medium == 'print' and lang == 'en' %}{% for i in range(260) %}"
        "<p style='break-after: page'>{{ i }}</p>{% endfor %}{% endif %}",  # 260 pages
    )
    with must_finish_within(120):
        result = make_pdfs(project, ["full-video"], today=TODAY)
    found = sorted((f.code, f.message.split(":")[0]) for f in problems(result.report))
    assert found == [("DG121", "pdf/de/full-video-notice.pdf"),
                     ("DG121", "pdf/en/full-video-notice.pdf")]  # fmt: skip
    messages = " ".join(f.message for f in problems(result.report))
    assert "MiB" in messages and "pages" in messages
    assert result.pdfs == 2  # the consent forms; the notices were not written
    assert not (project / "site" / "pdf" / "de" / "full-video-notice.pdf").exists()


def test_many_providers_make_a_combined_notice_that_links_instead_of_inlining(
    project: Path,
) -> None:
    from dsgvo_gen.limits import COMBINED_MAX_PROVIDERS

    original = (project / "providers" / "full-video.yaml").read_text()
    count = COMBINED_MAX_PROVIDERS + 1
    for n in range(1, count):
        twin = original.replace("id: full-video", f"id: twin-{n:04d}")
        (project / "providers" / f"twin-{n:04d}.yaml").write_text(twin)
    result = build(project, today=TODAY, pdf=False)
    assert result.written, result.report.sorted()
    combined = (project / "site" / "de" / "notice.html").read_text()
    links = re.findall(r'href="providers/([a-z0-9-]+)\.html"', combined)
    assert len(set(links)) == count
    assert "Widerspruchsrecht" not in combined  # no notice is inlined
    assert len(combined) < 100 * count + 20_000
    single = (project / "site" / "de" / "providers" / "twin-0001.html").read_text()
    assert "Widerspruchsrecht" in single
    # At or below the limit, the combined notice holds every notice in full.
    twins = sorted((project / "providers").glob("twin-*.yaml"))
    for extra in twins[: count - COMBINED_MAX_PROVIDERS]:
        extra.unlink()
    assert build(project, today=TODAY, pdf=False).written
    combined = (project / "site" / "de" / "notice.html").read_text()
    assert combined.count("Widerspruchsrecht") >= COMBINED_MAX_PROVIDERS


def purpose_text(project: Path, value: str) -> int:
    """The first purpose's text, the same in both languages; returns the line of its `de:`."""
    path = project / "providers" / "full-video.yaml"
    data = yaml.safe_load(path.read_text())
    data["processing"]["purposes"][0]["text"] = {"de": value, "en": value}
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9)
    path.write_text(text)
    return 1 + next(n for n, line in enumerate(text.splitlines()) if value[:20] in line)


def test_one_text_cannot_make_a_build_run_for_minutes(project: Path) -> None:
    """The review's descriptor: a purpose of 120,000 `[` (79 s for build --no-pdf, 543 s
    with PDFs). Now a finding at the text, found in a moment."""
    line = purpose_text(project, "[" * 120_000)
    with must_finish_within(30):
        result = build(project, today=TODAY)
    assert not result.written
    messages = [f.message for f in result.report.findings if f.code == "DG121"]
    assert any("120,000 characters, more than the 10,000" in m for m in messages), messages
    assert line in {f.line for f in result.report.findings if "120,000 characters" in f.message}


def test_a_word_wider_than_a_line_is_a_finding_a_long_link_address_is_not(
    project: Path,
) -> None:
    purpose_text(project, "Siehe " + "a" * 81 + " dort.")
    findings = problems(check(project, today=TODAY))
    assert len(findings) == 2  # de and en
    assert all(f.code == "DG121" and "a word of 81 characters" in f.message for f in findings)
    address = "https://www.videodienst.de/" + "rechtliches/datenschutz-hinweise/" * 6
    purpose_text(project, f"Siehe [die Erklärung des Anbieters]({address}) und <{address[:60]}>.")
    assert problems(check(project, today=TODAY)) == []


def test_a_long_word_is_found_at_every_place_of_a_text(project: Path) -> None:
    """The whole descriptor is searched first, starting at spaces: a word at the very start
    of a value or after other words must not slip through that test."""
    long = "b" * 81
    for text in (long, f"{long} am Anfang", f"Ende: {long}"):
        purpose_text(project, text)
        findings = problems(check(project, today=TODAY))
        assert [f.code for f in findings] == ["DG121", "DG121"], text
    purpose_text(project, "a" * 80 + " " + "a" * 80)
    assert problems(check(project, today=TODAY)) == []
