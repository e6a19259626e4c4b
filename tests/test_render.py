"""A project's own templates: read only as regular files inside templates/, rendered in
Jinja2's sandbox, with label texts that fill in plain placeholders only."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dsgvo_gen.builder import build
from dsgvo_gen.resources import bundled_dir
from tests.conftest import TODAY, must_finish_within, own_templates, problems, tree

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


@pytest.mark.parametrize("link", ["absolute", "relative"])
def test_a_labels_folder_that_is_a_link_is_refused_unread(
    project: Path, tmp_path: Path, link: str
) -> None:
    """templates/labels as a link to a folder (another project's, say): neither its texts
    nor its keys reach a page or a finding."""
    secret = tmp_path / "secretlabels"
    secret.mkdir()
    (secret / "de.yaml").write_text('overview_title: "SECRET hunter2"\naws_secret_key: "AKIA"\n')
    (project / "templates").mkdir()
    labels = project / "templates" / "labels"
    labels.symlink_to(secret if link == "absolute" else os.path.relpath(secret, labels.parent))
    for content in ('overview_title: "SECRET hunter2"\naws_secret_key: "AKIA"\n',
                    'overview_title: "SECRET hunter2"\n'):  # fmt: skip
        (secret / "de.yaml").write_text(content)
        result = build(project, today=TODAY, pdf=False)
        assert not result.written and not (project / "site").exists()
        assert [f.code for f in problems(result.report)] == ["DG116"], result.report.sorted()
        assert "labels is a symbolic link" in problems(result.report)[0].message
        assert "hunter2" not in repr(result.report.findings)
        assert "aws_secret_key" not in repr(result.report.findings)


def test_a_template_that_is_a_folder_is_named_plainly(project: Path) -> None:
    (project / "templates" / "base.html").mkdir(parents=True)
    result = build(project, today=TODAY, pdf=False)
    assert not result.written
    (finding,) = problems(result.report)
    assert finding.code == "DG116" and "base.html is not a regular file" in finding.message
    assert "Errno" not in finding.message


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


GREEDY = {
    "repeat": ('{% set big = "x" * 1500000000 %}{{ big|length }}', "1,000,000"),
    "repeat-list": ('{{ (["x" * 1000000] * 1000)|length }}', "1,000,000"),
    "concatenate": ('{% set a = "x" * 1000000 %}{{ (a + a)|length }}', "1,000,000"),
    "power": ("{{ (7 ** 1000000000) % 10 }}", "power"),
    "format": ('{{ ("%2000000000s" % "x")|length }}', "wide"),
    "doubling-loop": (
        '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
        "{% endfor %}{{ ns.s|length }}",
        "memory",
    ),
    "filter": ('{{ ["x" * 999000]|join("")|center(2000000000)|length }}', "memory"),
}


@pytest.mark.parametrize("greedy", sorted(GREEDY))
def test_a_template_cannot_take_the_machines_memory(project: Path, greedy: str) -> None:
    """One line of a project's template made 8.8 GB: each of these is a DG111 finding,
    found fast, with the process far below the bound (a child under 3 GiB, so that a
    failure of the bound cannot hurt the machine)."""
    line, said = GREEDY[greedy]
    own_templates(project, line)

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    command = [sys.executable, "-m", "dsgvo_gen", "--project", str(project), "build",
               "--no-pdf", "--today", TODAY.isoformat()]  # fmt: skip
    with must_finish_within(120):
        done = subprocess.run(command, capture_output=True, text=True, preexec_fn=limit,
                              check=False)  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "error[DG111]" in output and said in output, output
    assert "Traceback" not in output
    assert peak < 1.5 * 1024**3
    assert not (project / "site").exists()


def test_a_template_that_writes_without_end_stops_at_the_page_bound(project: Path) -> None:
    own_templates(project, "{% for i in range(100000) %}{% for j in range(100000) %}"
                           "xxxxxxxxxxxxxxxx{% endfor %}{% endfor %}")  # fmt: skip
    with must_finish_within(60):
        result = build(project, today=TODAY, pdf=False)
    assert not result.written
    assert [f.code for f in problems(result.report)] == ["DG121"]


#: Ways a project's own templates break, each as (file, text to replace, replacement).
BREAKAGES = {
    "syntax": ("base.html", "{% endfor %}\n</head>", "{% endfro %}\n</head>"),
    "attribute": ("base.html", "{{ config.controller.name }}</strong>",
                  "{{ config.firma }}</strong>"),
    "label-key": ("base.html", "L['site_overview']", "L['site_overveiw']"),
    "label-call": ("notice.html", "{% block main %}", "{% block main %}{{ L.text('nope') }}"),
    "include": ("notice.html", "{% block main %}", "{% block main %}{% include 'foot.html' %}"),
    "division": ("notice.html", "{% block main %}", "{% block main %}{{ 1 // 0 }}"),
    "print-only": ("base.html", "<meta name=\"author\"", "{{ config.firma }}<meta name=\"author\""),
    "catalogue-key": ("labels/de.yaml", None, 'overveiw_title: "Werkzeuge"\n'),
    "catalogue-placeholder": ("labels/en.yaml", None, 'notice_title: "Privacy at {service}"\n'),
}  # fmt: skip


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_check_fails_where_build_would_refuse_at_the_same_line(
    project: Path, breakage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check is the CI gate: a project's own template or label catalogue that build
    refuses fails check with the same finding, at the template's file and line."""
    from dsgvo_gen.checker import check

    name, old, new = BREAKAGES[breakage]
    target = project / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if old is None:
        target.write_text(new)
    else:
        text = (bundled_dir("templates") / name).read_text()
        assert text.count(old) == 1, old
        target.write_text(text.replace(old, new))
    monkeypatch.chdir(project)
    result = build(".", today=TODAY)
    assert not result.written
    refused = problems(result.report)
    assert [f.code for f in refused] == ["DG111"], refused
    assert refused[0].path == f"templates/{name}"
    assert refused[0].line > 1 or name.endswith(".yaml")  # a template's own line
    assert problems(check(".", today=TODAY)) == refused
    assert "dsgvo_gen" not in refused[0].message and "object" not in refused[0].message


def test_check_renders_own_templates_only_once_the_descriptors_are_clean(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dsgvo_gen.checker import check

    own_templates(project, "{{ config.firma }}")
    descriptor = project / "providers" / "full-video.yaml"
    descriptor.write_text(descriptor.read_text().replace("[art6-1-f]", "[]", 1))
    monkeypatch.chdir(project)
    report = check(".", today=TODAY)
    assert "DG111" not in {f.code for f in report.findings}
    assert "the templates in templates are rendered once the errors are fixed" in report.notes
    assert check(".", ["providers"], today=TODAY).notes == []  # PATHs: templates not checked


def test_check_refuses_a_linked_asset_of_a_project_like_build(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dsgvo_gen.checker import check

    (tmp_path / "secret.css").write_text("/* not for the web */")
    (project / "templates" / "assets").mkdir(parents=True)
    (project / "templates" / "assets" / "embed.css").symlink_to(tmp_path / "secret.css")
    monkeypatch.chdir(project)
    assert [f.code for f in problems(check(".", today=TODAY))] == ["DG116"]
    assert not build(".", today=TODAY, pdf=False).written
