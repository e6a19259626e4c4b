"""A project's own templates: read only as regular files inside templates/, rendered in
Jinja2's sandbox, with label texts that fill in plain placeholders only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dsgvo_gen.builder import build
from dsgvo_gen.resources import bundled_dir
from tests.conftest import TODAY, own_templates, problems, tree

CANARY = "canary-7f3a9c"  # an environment variable a template must not be able to read


def site_text(project: Path) -> str:
    return "".join(content.decode("latin-1") for content in tree(project / "site").values())


def test_own_templates_render_like_the_bundled_ones(project: Path) -> None:
    assert build(project, project / "bundled", today=TODAY, pdf=False).written
    shutil.copytree(bundled_dir("templates"), project / "templates")
    result = build(project, today=TODAY, pdf=False)
    assert result.written, result.report.sorted()
    assert tree(project / "site") == tree(project / "bundled")


@pytest.mark.parametrize(
    "what", ["style.css", "assets", "notice.html", "labels", "templates"], ids=str
)
def test_a_template_or_asset_that_is_a_link_is_refused_unread(
    project: Path, tmp_path: Path, what: str
) -> None:
    templates = own_templates(project)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY----- SECRET-KEY-MATERIAL")
    target = {
        "style.css": templates / "assets" / "style.css",
        "assets": templates / "assets",
        "notice.html": templates / "notice.html",
        "labels": templates / "labels" / "de.yaml",
        "templates": templates,
    }[what]
    moved = tmp_path / "moved"
    target.rename(moved)
    if what == "assets":
        (secret / "style.css").symlink_to(secret / "id_rsa")
        target.symlink_to(secret)
    elif what == "templates":
        target.symlink_to(moved)
    else:
        target.symlink_to(secret / "id_rsa")
    for pdf in (False, True):
        result = build(project, today=TODAY, pdf=pdf)
        assert not result.written, what
        assert "DG116" in {f.code for f in result.report.findings}, result.report.sorted()
        assert not (project / "site").exists()
        assert "SECRET" not in repr(result.report.findings)


def test_the_pdf_fetcher_reads_no_asset_through_a_link(project: Path, tmp_path: Path) -> None:
    """WeasyPrint asks for `assets/...` itself; a linked assets folder or file is refused."""
    from dsgvo_gen.checker import check_project
    from dsgvo_gen.pdf import render_pdf
    from dsgvo_gen.render import Renderer

    templates = own_templates(project)
    elsewhere = tmp_path / "elsewhere"
    (templates / "assets").rename(elsewhere)
    (templates / "assets").symlink_to(elsewhere)  # every file there would be "in assets/"
    checked = check_project(project, today=TODAY)
    assert checked.config is not None
    renderer = Renderer(checked.config, checked.providers, templates, checked.reference)
    source = next(renderer.pdf_sources())
    rendered = render_pdf(source, templates)
    refused = [p.message for p in rendered.problems if p.code == "DG113"]
    assert any("style.css" in message for message in refused), rendered.problems
    (templates / "assets").unlink()
    (templates / "assets").mkdir()
    (templates / "assets" / "style.css").symlink_to(elsewhere / "style.css")  # a linked file
    rendered = render_pdf(source, templates)
    assert any("style.css" in p.message for p in rendered.problems if p.code == "DG113")


def test_templates_run_in_the_sandbox(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSGVO_GEN_TEST_SECRET", CANARY)
    own_templates(project, "{{ cycler.__init__.__globals__.os.environ }}"
                           "{{ ''.__class__.__mro__[1].__subclasses__() }}")  # fmt: skip
    result = build(project, today=TODAY, pdf=False)
    assert not result.written
    assert [f.code for f in problems(result.report)] == ["DG111"]
    assert "unsafe" in problems(result.report)[0].message
    assert not (project / "site").exists()


def test_label_texts_fill_in_plain_placeholders_only(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DSGVO_GEN_TEST_SECRET", CANARY)
    # str.format would read attributes and items: from a passed-in object to os.environ.
    templates = own_templates(project, "{{ L.text('stand', date=cycler) }}")
    labels = templates / "labels" / "en.yaml"
    text = labels.read_text()
    stand = 'stand: "Last reviewed: {date}"'
    assert stand in text
    labels.write_text(
        text.replace(
            stand, 'stand: "Last reviewed: {date} {date.__init__.__globals__[os].environ}"'
        )
    )
    result = build(project, today=TODAY, pdf=False)
    assert CANARY not in site_text(project) if result.written else True
    assert CANARY not in repr(result.report.findings)
    assert CANARY in os.environ["DSGVO_GEN_TEST_SECRET"]


@pytest.mark.parametrize(
    "expression", ["{{ 1 // 0 }}", "{{ 'a' + 1 }}", "{{ L.duration(p.reviewed_on) }}"]
)
def test_errors_in_own_templates_are_findings_not_tracebacks(
    project: Path, expression: str
) -> None:
    own_templates(project, expression)
    result = build(project, today=TODAY, pdf=False)
    assert not result.written
    assert [f.code for f in problems(result.report)] == ["DG111"]
    assert "notice.html" in problems(result.report)[0].message
