"""The benchmark's corpus: valid, varied and the same for the same seed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dsgvo_gen.checker import check_project
from tests.conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_corpus


@pytest.mark.parametrize("version", [1, 2])
def test_corpus_is_valid_varied_and_deterministic(tmp_path: Path, version: int) -> None:
    one = make_corpus(tmp_path / "one", 24, seed=7, version=version)
    two = make_corpus(tmp_path / "two", 24, seed=7, version=version)
    files = sorted((one / "providers").glob("*.yaml"))
    assert len(files) == 24
    assert [p.read_bytes() for p in files] == [
        p.read_bytes() for p in sorted((two / "providers").glob("*.yaml"))
    ]
    project = check_project(one, today=TODAY)
    assert project.report.errors == 0, project.report.sorted()[:5]
    warned = {f.code for f in project.report.findings if f.severity.value == "warning"}
    # The shipped example config (DG312); the shipped facts' attributed DPF claims and
    # unconfirmed marks (DG530, DG532) are copied into the corpus with them, and so is
    # TeamViewer's open list of sub-processors (DG537).
    assert warned <= {"DG312", "DG530", "DG532", "DG537"} and len(project.providers) == 24
    if version == 2:
        assert {p.uses for p in project.providers} <= {
            e.stem for e in (one / "catalogue").iterdir()
        }
        assert all("format: 2" in path.read_text() for path in files)
    assert any(p.consent for p in project.providers)
    assert any(p.processing.transfers for p in project.providers)
    sizes = sorted(p.stat().st_size for p in files)
    assert sizes[-1] > 2 * sizes[0]


def test_the_schema_floor_reads_and_validates_every_file(tmp_path: Path) -> None:
    import json
    import subprocess

    corpus = make_corpus(tmp_path / "two", 12, version=2)
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "floors.py"), "schema", str(corpus)],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    files = len(list(corpus.rglob("*.yaml"))) - 1  # all but the config
    assert json.loads(out) == {"files": files, "errors": 0}
