"""Nothing in the working folder runs: dsgvo-gen and its PDF workers import only from the
installed environment, however `dsgvo-gen build` is started in a cloned repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import TODAY

DG = str(Path(sys.executable).parent / "dsgvo-gen")
#: What a repository could carry to be imported instead of the real thing.
PLANTED = ("jinja2", "yaml", "weasyprint", "click", "markdown_it", "jsonschema", "babel",
           "multiprocessing", "pydyf")  # fmt: skip


def plant(folder: Path) -> None:
    for name in PLANTED:
        marker = folder / f"RAN-{name}"
        (folder / f"{name}.py").write_text(
            f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
            f"raise ImportError('planted {name}')\n"
        )


def ran(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("RAN-*"))


def test_pdf_workers_import_nothing_from_the_working_folder(project: Path) -> None:
    plant(project)
    done = subprocess.run(
        [DG, "build", "--today", TODAY.isoformat(), "--jobs", "2"],
        cwd=project, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert ran(project) == []
    assert done.returncode == 0, done.stderr
    assert len(list((project / "site" / "pdf").rglob("*.pdf"))) == 4


def test_python_m_imports_nothing_from_the_working_folder(project: Path) -> None:
    # `python -m` puts the working folder first on sys.path before dsgvo-gen starts;
    # dsgvo-gen takes it off again before it imports anything of its own.
    plant(project)
    (project / "multiprocessing.py").unlink()  # Python itself imports that before us (runpy)
    done = subprocess.run(
        [sys.executable, "-m", "dsgvo_gen", "build", "--today", TODAY.isoformat(), "--jobs", "2"],
        cwd=project, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert ran(project) == []
    assert done.returncode == 0, done.stderr
