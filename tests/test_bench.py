"""The benchmark's corpus: valid, varied and the same for the same seed."""

from __future__ import annotations

import sys
from pathlib import Path

from dsgvo_gen.checker import check_project
from tests.conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import make_corpus


def test_corpus_is_valid_varied_and_deterministic(tmp_path: Path) -> None:
    one = make_corpus(tmp_path / "one", 24, seed=7)
    two = make_corpus(tmp_path / "two", 24, seed=7)
    files = sorted((one / "providers").glob("*.yaml"))
    assert len(files) == 24
    assert [p.read_bytes() for p in files] == [
        p.read_bytes() for p in sorted((two / "providers").glob("*.yaml"))
    ]
    project = check_project(one, today=TODAY)
    assert project.report.errors == 0, project.report.sorted()[:5]
    assert any(p.consent for p in project.providers)
    assert any(p.processing.transfers for p in project.providers)
    sizes = sorted(p.stat().st_size for p in files)
    assert sizes[-1] > 2 * sizes[0]
