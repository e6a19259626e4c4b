from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dsgvo_gen.findings import Finding, Report, Severity

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
FIXTURE_PROJECT = DATA / "project"
#: The fixture descriptor in format 2: tests/data/providers/valid/full-video.yaml, migrated.
FORMAT_2 = DATA / "format2"
TODAY = date(2026, 11, 21)


def problems(report: Report) -> list[Finding]:
    """The errors and warnings of a report, without notes: a format 1 project is noted once
    per run (DG124, 'migrate' can split it), which tests of other things leave aside."""
    return [f for f in report.sorted() if f.severity is not Severity.NOTE]


def read_expected(path: Path) -> list[tuple[str, ...]]:
    """An .expected file: one finding per line, as whitespace-separated fields."""
    return sorted(tuple(line.split()) for line in path.read_text().splitlines() if line.strip())


@pytest.fixture(autouse=True)
def own_cache_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own user cache folder (the PDF cache lives there), and child
    processes inherit it: no test reads another's cache or writes into the real one."""
    home = tmp_path_factory.mktemp("cache-home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def tree(folder: Path) -> dict[str, bytes]:
    """Every regular file below `folder` (links not followed), by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project with the valid descriptor, to modify freely."""
    target = tmp_path / "project"
    target.mkdir()
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", target / "dsgvo-gen.yaml")
    (target / "providers").mkdir()
    shutil.copy(DATA / "providers" / "valid" / "full-video.yaml", target / "providers")
    return target


@pytest.fixture
def project2(tmp_path: Path) -> Path:
    """The fixture project in format 2: a catalogue entry and a descriptor that uses it."""
    target = tmp_path / "project2"
    target.mkdir()
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", target / "dsgvo-gen.yaml")
    for folder in ("catalogue", "providers"):
        shutil.copytree(FORMAT_2 / folder, target / folder)
    return target


def own_templates(project: Path, notice_main: str = "") -> Path:
    """The bundled templates copied into the project, `notice_main` put at the start of the
    notice's main block; returns the project's templates folder."""
    from dsgvo_gen.resources import bundled_dir

    templates = project / "templates"
    shutil.copytree(bundled_dir("templates"), templates)
    notice = templates / "notice.html"
    main = "{% block main %}"
    notice.write_text(notice.read_text().replace(main, main + notice_main, 1))
    return templates


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian (tests/browsing.py), one per test module."""
    from playwright.sync_api import sync_playwright

    from tests.browsing import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@contextmanager
def must_finish_within(seconds: int) -> Iterator[None]:
    """Turns a hang into a failure (a generous bound, not a timing assertion)."""

    def fail(signum: int, frame: object) -> None:
        raise AssertionError(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
