"""Golden HTML of the fixture project: a diff here is a deliberate, reviewed change.

Regenerate after an intended change with:
    DSGVO_GEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and review `git diff tests/data/golden/`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dsgvo_gen.builder import build
from tests.conftest import DATA, TODAY

GOLDEN = DATA / "golden"


def test_fixture_site_matches_golden(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(project, site, today=TODAY).written
    built = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}
    if os.environ.get("DSGVO_GEN_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for relative, content in built.items():
            (GOLDEN / relative).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / relative).write_bytes(content)
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*.html")}
    assert sorted(built) == sorted(golden)
    for relative, content in built.items():
        assert content.decode() == golden[relative].decode(), relative
