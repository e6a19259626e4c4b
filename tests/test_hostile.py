"""Hostile descriptors (tests/data/hostile/): a clear finding, bounded time and memory,
nothing written; and hostile text that is valid YAML stays inert text in pages and PDFs."""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from dsgvo_gen.builder import build
from dsgvo_gen.loader import load_file
from tests.conftest import DATA, FIXTURE_PROJECT, TODAY

HOSTILE = DATA / "hostile"
CASES = sorted(HOSTILE.glob("*.yaml"))
DG = str(Path(sys.executable).parent / "dsgvo-gen")
MEMORY_LIMIT = 1024 * 2**20  # a run that needs more than 1 GiB fails with MemoryError


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def limited() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DG, "--project", str(project), *args], capture_output=True, text=True, check=False,
        cwd=project, timeout=120, preexec_fn=limited,
    )  # fmt: skip


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture config with every hostile file, plus generated huge ones, as descriptors."""
    project = tmp_path_factory.mktemp("hostile")
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", project)
    providers = project / "providers"
    providers.mkdir()
    for case in CASES:
        shutil.copy(case, providers / case.name)
    (providers / "huge-file.yaml").write_text("format: 1\nnotes: '" + "x" * (1100 * 1024) + "'\n")
    (providers / "huge-string.yaml").write_text("format: 1\nname: '" + "ü" * 400_000 + "'\n")
    (providers / "huge-list.yaml").write_text("format: 1\nsources:\n" + "- 1\n" * 200_000)
    return project


EXPECTED_GENERATED = {"huge-file": ["DG106"], "huge-string": ["DG202"], "huge-list": ["DG108"]}


def expected(name: str) -> list[str]:
    if name in EXPECTED_GENERATED:
        return EXPECTED_GENERATED[name]
    return (HOSTILE / f"{name}.expected").read_text().split()


def test_every_hostile_file_gets_a_located_finding_and_nothing_is_written(
    hostile_project: Path,
) -> None:
    before = tree(hostile_project)
    checked = run(hostile_project, "check")
    assert checked.returncode == 1, checked.stderr
    assert "Traceback" not in checked.stdout + checked.stderr
    names = [p.stem for p in (hostile_project / "providers").glob("*.yaml")]
    assert len(names) == len(CASES) + 3
    for name in names:
        for code in expected(name):
            pattern = rf"^providers/{re.escape(name)}\.yaml:\d+:\d+: error\[{code}\] "
            assert re.search(pattern, checked.stdout, re.MULTILINE), f"{name}: no {code}"
    built = run(hostile_project, "build")
    assert built.returncode == 1 and "build refused" in built.stderr
    assert "Traceback" not in built.stdout + built.stderr
    assert tree(hostile_project) == before  # no site, no cache, no file made by a YAML tag


PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "[j](javascript:alert(3)) [d](data:text/html;base64,PHNjcmlwdD4=) [f](file:///etc/passwd)",
    "</style><style>body{background:url(http://127.0.0.1:9/x)}</style>",
    "{{ config }} {% raw %} ${7*7}",
    "<link rel=attachment href=file:///etc/passwd>",
]


FORBIDDEN = ("<script", "<img", "<style", "<link rel=attachment", " style=", "onerror=alert(2)>",
             'href="javascript:', 'href="data:', 'href="file:')  # fmt: skip


def poisoned(node: Any, counter: list[int]) -> Any:
    """Every localized text (and the name) replaced by a payload, in turn."""
    if isinstance(node, dict):
        if node and set(node) <= {"de", "en"} and all(isinstance(v, str) for v in node.values()):
            counter[0] += 1
            return {lang: PAYLOADS[counter[0] % len(PAYLOADS)] for lang in node}
        return {k: poisoned(v, counter) for k, v in node.items()}
    if isinstance(node, list):
        return [poisoned(v, counter) for v in node]
    return node


def test_html_and_js_in_every_text_field_stay_text(project: Path) -> None:
    path = project / "providers" / "full-video.yaml"
    doc, _ = load_file(path, path.name)
    assert doc is not None
    counter = [0]
    data = poisoned(doc.data, counter)
    data["name"] = PAYLOADS[0]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert counter[0] >= 18  # the payloads reached every localized text of the fixture
    result = build(project, today=TODAY)
    assert result.written, result.report.sorted()
    site = project / "site"
    for page in site.rglob("*.html"):
        # The one data: address the templates write themselves: the empty icon.
        html = page.read_text().replace('<link rel="icon" href="data:,">', "", 1)
        for forbidden in FORBIDDEN:
            assert forbidden not in html, (page.name, forbidden)
    notice = (site / "en" / "providers" / "full-video.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notice
    assert "{{ config }}" in notice  # data is never evaluated as a template
    for pdf in site.rglob("*.pdf"):
        reader = PdfReader(pdf)
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "root:x:0:0" not in text and not reader.attachments
    assert "<script>alert(1)</script>" in " ".join(
        page.extract_text()
        for page in PdfReader(site / "pdf" / "de" / "full-video-notice.pdf").pages
    )
