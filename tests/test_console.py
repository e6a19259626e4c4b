"""Ctrl-C in `dsgvo-gen build`, as a terminal sends it: SIGINT to every process of the
foreground group (the build, its PDF fork server and workers), once or twice, at the
moments a user presses it. Each time the build ends with "interrupted" once, exit
code 130, no traceback, the old site as it was and no process left over; a second
Ctrl-C never makes it hang.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dsgvo_gen.builder import build
from tests.conftest import DATA, TODAY, must_finish_within, tree

DG = str(Path(sys.executable).parent / "dsgvo-gen")
#: The command line without the console script's wrapper, as `python -m` and the
#: earlier tests start it: the cleanup must not depend on the wrapper's quick exit.
PLAIN = [sys.executable, "-c", "from dsgvo_gen.cli import main; main()"]
PROVIDERS = 6  # 24 PDFs: a PDF phase of several seconds with two workers


@pytest.fixture
def many(project: Path) -> Path:
    """The fixture project with six providers and a site built without PDFs."""
    text = (DATA / "providers" / "valid" / "full-video.yaml").read_text()
    for number in range(1, PROVIDERS):
        (project / "providers" / f"video-{number}.yaml").write_text(
            text.replace("id: full-video\n", f"id: video-{number}\n", 1)
        )
    assert build(project, today=TODAY, pdf=False).written
    return project


def group_processes(group: int) -> list[str]:
    """The command lines of the live processes in a process group (zombies excluded)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(cmdline)
    return found


def _maps(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "maps").read_text()
    except OSError:
        return ""


#: When to press Ctrl-C: each waits for a sign that the build has got that far.
MOMENTS: dict[str, Callable[[subprocess.Popen[str], Path], bool]] = {
    # dsgvo-gen imports its libraries (a C extension of the environment is loaded):
    # before that, only Python's own start-up runs, which no program can handle.
    "importing": lambda build, project: "site-packages/" in _maps(build.pid),
    # The fork server starts and imports WeasyPrint (about a second).
    "fork-server": lambda build, project: any(
        "forkserver" in line for line in group_processes(build.pid)
    ),
    # The workers render PDFs: the first ones are in the staging folder.
    "workers": lambda build, project: any(project.glob(".site.new-*/pdf/*/*.pdf")),
}


def interrupt(project: Path, moment: str, presses: int, gap: float, plain: bool) -> str:
    """Start a build, press Ctrl-C `presses` times `gap` seconds apart once `moment`
    has come; returns its standard error after checking how it ended."""
    env = {**os.environ, "XDG_CACHE_HOME": str(project / "cache")}
    before = tree(project / "site")
    command = [*(PLAIN if plain else [DG]), "--project", str(project), "build", "--jobs", "2",
               "--today", "2026-11-21"]  # fmt: skip
    with must_finish_within(300), subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,  # its own process group, like a job in a terminal
    ) as process:  # fmt: skip
        while not MOMENTS[moment](process, project):
            assert process.poll() is None, ("ended before the moment came", process.stderr)
            time.sleep(0.005)
        for press in range(presses):
            if press:
                time.sleep(gap)
            os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate()
        deadline = time.monotonic() + 30
        while left := group_processes(process.pid):  # the fork server and workers end too
            assert time.monotonic() < deadline, left
            time.sleep(0.05)
    # Without the console script, Python's own exit may take the second Ctrl-C itself:
    # it ends the process through SIGINT, which a shell reports as 130 as well.
    allowed = {130, -signal.SIGINT} if plain and presses > 1 else {130}
    assert process.returncode in allowed, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err.count("interrupted") == 1, err
    assert tree(project / "site") == before  # the old site, untouched
    return err


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_one_ctrl_c_at_any_moment_ends_the_build_at_once(many: Path, moment: str) -> None:
    interrupt(many, moment, presses=1, gap=0, plain=False)
    assert not list(many.glob(".site.*"))  # the staging folder is gone


@pytest.mark.parametrize(
    ("moment", "gap"),
    [("fork-server", 0.3), ("workers", 0.0), ("workers", 0.5), ("workers", 1.0)],
)
def test_a_second_ctrl_c_never_makes_it_hang(many: Path, moment: str, gap: float) -> None:
    """Once the build hung after a second Ctrl-C (its exit waited for workers that nobody
    had told to stop) until a third one printed three tracebacks."""
    interrupt(many, moment, presses=2, gap=gap, plain=False)
    # The second Ctrl-C may leave a staging folder; the next build removes it.
    assert build(many, today=TODAY, pdf=False).written
    assert not list(many.glob(".site.*"))


@pytest.mark.parametrize("presses", [1, 2])
def test_the_cleanup_does_not_rely_on_the_console_script(many: Path, presses: int) -> None:
    """`python -m dsgvo_gen` and the Python API: the PDF workers are ended, not waited
    for, so that Python's own exit finds nothing to wait for either."""
    interrupt(many, "workers", presses=presses, gap=0.5, plain=True)


def test_ctrl_c_in_the_background_stays_ignored(many: Path) -> None:
    """A build started with SIGINT ignored (`nohup`, `cmd &` in a script) keeps ignoring it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(many / "cache")}
    shutil.rmtree(many / "site")
    with must_finish_within(300), subprocess.Popen(
        [DG, "--project", str(many), "build", "--no-pdf", "--today", "2026-11-21"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    ) as process:  # fmt: skip
        while not MOMENTS["importing"](process, many) and process.poll() is None:
            time.sleep(0.005)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate()
    assert process.returncode == 0, err
    assert "wrote" in out and (many / "site" / "index.html").is_file()
