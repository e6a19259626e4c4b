"""PDFs, read back with pypdf: content, form fields, metadata, reproducibility, and the fetcher."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dsgvo_gen.builder import build, make_pdfs
from dsgvo_gen.cache import cache_folder
from dsgvo_gen.checker import check_project
from dsgvo_gen.cli import main
from dsgvo_gen.i18n import labels
from dsgvo_gen.pdf import render_pdf
from dsgvo_gen.reference import reference
from dsgvo_gen.render import Renderer
from dsgvo_gen.resources import bundled_dir
from tests.conftest import TODAY, problems

SECRET = "root:x:0:0"  # the first line of /etc/passwd on every Debian machine


def text_of(pdf: Path | bytes) -> str:
    reader = PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def built(project: Path) -> Path:
    result = build(project, today=TODAY)
    assert result.written and result.pdfs == 4 and not problems(result.report)
    return project / "site" / "pdf"


def test_notice_text_metadata_and_tags(project: Path, built: Path) -> None:
    checked = check_project(project, today=TODAY)
    assert checked.config is not None
    p = checked.providers[0]
    authority = reference().authorities[checked.config.jurisdiction]
    for lang in ("de", "en"):
        words = labels(bundled_dir("templates"), lang)
        path = built / lang / "full-video-notice.pdf"
        reader = PdfReader(path)
        text = text_of(path)
        for needle in (
            checked.config.controller.name,
            authority.name.get(lang),
            *(purpose.text.get(lang) for purpose in p.processing.purposes),
            words.text("stand", date=words.date(p.reviewed_on)),  # in the page margin
            f"{words['pdf.page']} 1 {words['pdf.of']} {len(reader.pages)}",
        ):
            assert needle in text, f"{lang}: {needle!r} missing"
        assert reader.metadata is not None
        assert str(reader.metadata.title).startswith(words.text("notice_title", provider="Beisp"))
        assert reader.metadata.author == checked.config.controller.name
        assert str(reader.metadata["/CreationDate"]) == "D:20261001"  # the review date, no clock
        catalog: Any = reader.trailer["/Root"]
        assert catalog["/Lang"] == lang
        assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]  # tagged
        assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()  # PDF/UA-1
        assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_paper_prints_link_addresses_and_field_tooltips_in_words(
    project: Path, built: Path
) -> None:
    """Paper cannot be clicked: a link's address follows its label (issue 14, item 13); a
    viewer's tooltip on a consent box shows the item's words, not its field id."""
    checked = check_project(project, today=TODAY)
    p = checked.providers[0]
    assert p.operator.privacy_policy_url and p.consent
    for lang in ("de", "en"):
        words = labels(bundled_dir("templates"), lang)
        text = text_of(built / lang / "full-video-notice.pdf").replace(" ", "")
        label = words["operator_privacy_policy"].replace(" ", "")
        assert f"{label}({p.operator.privacy_policy_url})" in text
        fields = PdfReader(built / lang / "full-video-consent.pdf").get_fields()
        assert fields is not None
        for item in p.consent.items:
            tooltip = str(fields[f"consent-{item.id}"].get("/TU", ""))
            assert tooltip == item.text.get(lang), tooltip


def test_consent_form_is_fillable_with_every_box_unticked(project: Path, built: Path) -> None:
    checked = check_project(project, today=TODAY)
    form = checked.providers[0].consent
    assert form is not None
    for lang in ("de", "en"):
        reader = PdfReader(built / lang / "full-video-consent.pdf")
        fields = reader.get_fields()
        assert fields is not None
        boxes = {f"consent-{item.id}" for item in form.items}
        texts = {"signer-name", "signer-place", "signer-date"}
        assert set(fields) == boxes | texts
        for name in boxes:
            assert fields[name]["/FT"] == "/Btn"
            assert fields[name].get("/V", "/Off") == "/Off"
        for name in texts:
            assert fields[name]["/FT"] == "/Tx" and not fields[name].get("/V")
        text = text_of(built / lang / "full-video-consent.pdf")
        assert form.items[0].text.get(lang).split()[0] in text
        assert len(reader.pages) == 1


def test_same_bytes_across_builds_processes_and_jobs(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    build(project, tmp_path / "one", today=TODAY, jobs=1, cache=False)
    exe = Path(sys.executable).parent / "dsgvo-gen"
    subprocess.run(
        [exe, "--project", other, "build", "--jobs", "2", "--out", tmp_path / "two",
         "--today", "2026-11-21"],
        check=True, capture_output=True,
    )  # fmt: skip
    one = sorted((tmp_path / "one" / "pdf").rglob("*.pdf"))
    two = sorted((tmp_path / "two" / "pdf").rglob("*.pdf"))
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 4
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_source_date_epoch_is_honoured(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = make_pdfs(project, ["full-video"], langs=["de"], today=TODAY, cache=False)
    assert result.pdfs == 2
    reader = PdfReader(project / "site" / "pdf" / "de" / "full-video-notice.pdf")
    assert reader.metadata is not None
    assert str(reader.metadata["/CreationDate"]) == "D:20231114221320+00'00"


def test_cache_serves_unchanged_pdfs_and_renders_changed_ones(project: Path) -> None:
    twin = (project / "providers" / "full-video.yaml").read_text()
    (project / "providers" / "twin-video.yaml").write_text(
        twin.replace("id: full-video", "id: twin-video")
    )
    first = build(project, today=TODAY)
    assert (first.pdfs, first.rendered) == (8, 8)
    before = {p: p.read_bytes() for p in (project / "site" / "pdf").rglob("*.pdf")}
    again = build(project, today=TODAY)
    assert (again.pdfs, again.rendered) == (8, 0)
    assert {p: p.read_bytes() for p in (project / "site" / "pdf").rglob("*.pdf")} == before
    descriptor = project / "providers" / "twin-video.yaml"
    descriptor.write_text(descriptor.read_text().replace("Beispiel Video", "Zwilling Video"))
    changed = build(project, today=TODAY)
    assert (changed.pdfs, changed.rendered) == (8, 4)  # notice and consent, in de and en
    cache = cache_folder(project)
    assert cache is not None
    assert len(list(cache.glob("*.pdf"))) == 8  # the replaced entries were pruned
    for entry in cache.glob("*.pdf"):  # a truncated entry (killed build) is not served
        entry.write_bytes(entry.read_bytes()[:100])
    healed = build(project, today=TODAY)
    assert (healed.pdfs, healed.rendered) == (8, 8)


def test_progress_reaches_the_total(project: Path) -> None:
    seen: list[tuple[int, int]] = []
    build(project, today=TODAY, cache=False, progress=lambda *step: seen.append(step))
    assert seen == [(n, 4) for n in range(1, 5)]


class _Recorder(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # a redirect to a local file, should anything ever ask
        _Recorder.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_templates(project: Path, listener: str) -> Path:
    """The project's own templates, asking WeasyPrint for local files and the network."""
    templates = project / "templates"
    shutil.copytree(bundled_dir("templates"), templates)
    (templates / "assets" / "leak.css").symlink_to("/etc/passwd")
    (templates / "assets" / "huge.png").write_bytes(b"\0" * (6 * 1024 * 1024))
    base = templates / "base.html"
    base.write_text(base.read_text().replace("</head>", f"""
<link rel="attachment" href="file:///etc/passwd">
<link rel="attachment" href="../../../../../../../../etc/passwd">
<link rel="stylesheet" href="{listener}/style.css">
<link rel="stylesheet" href="../../assets/leak.css">
<link rel="attachment" href="https://169.254.169.254/latest/meta-data/">
</head>""").replace("<body>", f"""<body>
<img src="file:///etc/passwd" alt="">
<img src="{listener}/pixel.png" alt="">
<img src="../../assets/huge.png" alt="">
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='4'/%3E" alt="">
"""))  # fmt: skip
    return templates


def test_fetcher_refuses_files_network_and_large_resources(project: Path, listener: str) -> None:
    templates = hostile_templates(project, listener)
    checked = check_project(project, today=TODAY)
    assert checked.config is not None
    renderer = Renderer(checked.config, checked.providers, templates, checked.reference)
    sources = renderer.pdf_sources()
    for source in sources:
        rendered = render_pdf(source, templates)
        assert rendered.pdf is not None
        reader = PdfReader(io.BytesIO(rendered.pdf))
        assert not reader.attachments
        assert SECRET not in text_of(rendered.pdf) and SECRET.encode() not in rendered.pdf
        refused = " ".join(p.message for p in rendered.problems if p.code == "DG113")
        for url in ("file:///etc/passwd", f"{listener}/style.css", f"{listener}/pixel.png",
                    "leak.css", "huge.png", "169.254.169.254"):  # fmt: skip
            assert url in refused, (source.path, url)
        assert "svg" not in refused  # data: URLs are served
    assert _Recorder.hits == []  # no request ever reached the listener

    result = build(project, today=TODAY)  # refusals are errors: the build keeps the old site
    assert not result.written and not (project / "site").exists()
    codes = {f.code for f in problems(result.report)}
    assert "DG113" in codes and codes <= {"DG113", "DG114"}  # DG114: WeasyPrint's PDF/UA notes
    assert all(f.path.endswith(".html") for f in problems(result.report))


def test_hostile_descriptor_text_stays_text_in_pdfs(project: Path, listener: str) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    payload = f'<img src=\\"file:///etc/passwd\\"> [x](file:///etc/passwd) ![y]({listener}/y.png)'
    descriptor.write_text(descriptor.read_text().replace(
        "text: {de: Videoberatung, en: Video counselling}", f'text: {{de: "{payload}", en: x}}'
    ))  # fmt: skip
    result = build(project, today=TODAY)
    assert result.written, result.report.sorted()
    pdf = project / "site" / "pdf" / "de" / "full-video-notice.pdf"
    text = text_of(pdf)
    assert '<img src="file:///etc/passwd">' in text and SECRET not in text
    assert _Recorder.hits == []


def test_weasyprint_warnings_become_findings(project: Path) -> None:
    shutil.copytree(bundled_dir("templates"), project / "templates")
    css = project / "templates" / "assets" / "style.css"
    css.write_text(css.read_text() + "\n.broken { colr: red; }\n")
    result = build(project, today=TODAY)
    assert result.written
    warnings = [f for f in problems(result.report) if f.code == "DG114"]
    assert warnings and all("colr" in f.message for f in warnings)
    strict = build(project, project / "strict-site", today=TODAY, strict=True)
    assert not strict.written and not (project / "strict-site").exists()


def test_cli_pdf_command(project: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--project", str(project), "pdf", "--today", "2026-11-21"]
    ok = runner.invoke(main, [*base, "full-video", "--lang", "en", "--out", str(tmp_path / "o")],
                       catch_exceptions=False)  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "wrote 2 PDFs" in ok.output
    assert sorted(
        p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*") if p.is_file()
    ) == ["en/full-video-consent.pdf", "en/full-video-notice.pdf"]
    unknown = runner.invoke(main, [*base, "no-such-id"])
    assert unknown.exit_code == 2 and "no provider no-such-id" in unknown.output
    bad_lang = runner.invoke(main, [*base, "--lang", "fr"])
    assert bad_lang.exit_code == 2 and "no language fr" in bad_lang.output
    (project / "providers" / "full-video.yaml").write_text("id: [\n")
    refused = runner.invoke(main, base)
    assert refused.exit_code == 1 and "DG102" in refused.output
    assert "Traceback" not in refused.output


def test_a_document_weasyprint_cannot_render_is_a_finding(project: Path) -> None:
    checked = check_project(project, today=TODAY)
    assert checked.config is not None
    renderer = Renderer(checked.config, checked.providers, None, checked.reference)
    source = next(renderer.pdf_sources())
    broken = dataclasses.replace(source, html=b"<p>\xff\xfe</p>")
    rendered = render_pdf(broken, bundled_dir("templates"))
    assert rendered.pdf is None
    assert [p.code for p in rendered.problems] == ["DG115"]
    assert "UnicodeDecodeError" in rendered.problems[0].message


def test_a_refused_resource_is_reported_where_the_project_asks_for_it(project: Path) -> None:
    """Only base.html is the project's own: the finding names it and the line, not the
    bundled notice.html that extends it."""
    (project / "templates").mkdir()
    base = (bundled_dir("templates") / "base.html").read_text().splitlines()
    head = base.index("<head>")
    base.insert(head + 1, '<link rel="stylesheet" href="file:///etc/passwd">')
    (project / "templates" / "base.html").write_text("\n".join(base) + "\n")
    result = build(project, today=TODAY)
    refused = [f for f in result.report.findings if f.code == "DG113"]
    assert refused and not result.written
    for finding in refused:
        assert finding.path.endswith("templates/base.html"), finding
        assert Path(finding.path).resolve() == (project / "templates" / "base.html").resolve()
        assert finding.line == head + 2
