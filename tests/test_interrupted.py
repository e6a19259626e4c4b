"""Killed, full and read-only builds: the site is always one complete build, never half of one."""

from __future__ import annotations

import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dsgvo_gen.builder import build
from dsgvo_gen.cache import cache_folder
from dsgvo_gen.history import read_history
from tests.conftest import TODAY, problems

DG = str(Path(sys.executable).parent / "dsgvo-gen")
KILLS = 24


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def variant(project: Path, name: str) -> None:
    """Two versions of the descriptor that give visibly different sites."""
    descriptor = project / "providers" / "full-video.yaml"
    text = descriptor.read_text()
    for old, new in (("Beispiel Video v2", "Beispiel Video"), ("Beispiel Video", name)):
        text = text.replace(f"name: {old}\n", f"name: {new}\n")
    descriptor.write_text(text)


def command(project: Path, pdf: bool) -> list[str]:
    return [DG, "--project", str(project), "build", "--today", "2026-11-21",
            *([] if pdf else ["--no-pdf"])]  # fmt: skip


def processes_of(project: Path) -> list[int]:
    """Processes a killed build may leave: its own (named by the project) and orphaned
    multiprocessing helpers (fork server, workers), whose parent has become init."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit():
                continue
            cmdline = (proc / "cmdline").read_bytes()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if str(project).encode() in cmdline or (b"multiprocessing" in cmdline and ppid == 1):
            found.append(int(proc.name))
    return found


def timed_run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def test_sigkill_at_random_points_leaves_a_complete_site(project: Path) -> None:
    cache = cache_folder(project)
    assert cache is not None
    complete = []  # every site a finished build can leave: two descriptors, with and without PDFs
    duration = {"fresh": 0.0, "cached": 0.0, "no-pdf": 0.0}  # the three kinds of run
    for name in ("Beispiel Video", "Beispiel Video v2"):  # both versions recorded in history/
        variant(project, name)
        subprocess.run(command(project, True), check=True, capture_output=True)
    recorded = files_of(project / "history")
    for name in ("Beispiel Video", "Beispiel Video v2"):
        variant(project, name)
        shutil.rmtree(cache, ignore_errors=True)
        duration["fresh"] = max(duration["fresh"], timed_run(command(project, True)))
        duration["cached"] = max(duration["cached"], timed_run(command(project, True)))
        complete.append(files_of(project / "site"))
        duration["no-pdf"] = max(duration["no-pdf"], timed_run(command(project, False)))
        complete.append(files_of(project / "site"))
    assert len({tuple(sorted(s.items())) for s in complete}) == 4
    rng = random.Random(20261121)
    interrupted = 0
    for kill in range(KILLS):
        variant(project, rng.choice(["Beispiel Video", "Beispiel Video v2"]))
        kind = ("fresh", "cached", "no-pdf")[kill % 3]
        if kind == "fresh":  # the PDF phase, rendering, is then most of the build
            shutil.rmtree(cache, ignore_errors=True)
        process = subprocess.Popen(
            command(project, kind != "no-pdf"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0, duration[kind]))
        interrupted += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        site = files_of(project / "site")
        assert site in complete, f"kill {kill} ({kind}): the site is not one complete build"
        assert files_of(project / "history") == recorded  # nothing new: nothing rewritten
    assert interrupted >= KILLS // 2  # most kills hit a running build, not a finished one
    deadline = time.monotonic() + 10
    while (orphans := processes_of(project)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert orphans == []  # no PDF worker outlives its killed build
    # The next build cleans up after the killed ones and succeeds.
    subprocess.run(command(project, False), check=True, capture_output=True)
    leftovers = [p.name for p in project.iterdir() if p.name.startswith((".site.", ".history."))]
    assert leftovers == []


def test_sigkill_never_leaves_a_half_written_history_record(project: Path) -> None:
    """Every build records a new version here, so the kills hit the recording too."""
    rng = random.Random(20261130)
    descriptor = project / "providers" / "full-video.yaml"

    def rename(name: str) -> None:
        descriptor.write_text(re.sub(r"(?m)^name: .*$", f"name: {name}", descriptor.read_text()))

    rename("Beispiel Video v0")
    duration = timed_run(command(project, True))
    attempted = ["Beispiel Video v0"]
    for kill in range(KILLS // 2):
        name = f"Beispiel Video v{kill + 1}"
        attempted.append(name)
        rename(name)
        pdf = kill % 2 == 0
        process = subprocess.Popen(
            command(project, pdf), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # Late in the build, where the record and the site are written, as often as early.
        time.sleep(rng.uniform(0.3, 1.1) * duration * (1 if pdf else 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        history = read_history(project)
        assert history.findings == [], f"kill {kill}: {history.findings}"
        texts = [t.decode() for f, t in files_of(project / "history").items() if f.endswith(".txt")]
        assert texts and all(any(n in t for n in attempted) for t in texts)
    # The next build cleans up after the killed ones, records and finds a sound record.
    subprocess.run(command(project, False), check=True, capture_output=True)
    assert read_history(project).findings == []
    leftovers = [p.name for p in project.iterdir() if p.name.startswith((".site.", ".history."))]
    assert leftovers == []


@contextmanager
def tmpfs(path: Path, options: str) -> Iterator[Path]:
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_full_disk_is_a_finding_and_keeps_the_old_site(project: Path, tmp_path: Path) -> None:
    # A real ENOSPC where the machine lets us mount (root, as in CI); and everywhere the
    # kernel's file-size limit, which fails the same write calls with EFBIG.
    if os.geteuid() == 0:
        with tmpfs(tmp_path / "disk", "size=256k") as disk:
            assert build(project, disk / "site", today=TODAY, pdf=False).written
            before = files_of(disk / "site")
            result = build(project, disk / "site", today=TODAY)  # with PDFs: over 256 KiB
            assert not result.written
            assert [f.code for f in problems(result.report)] == ["DG112"]
            assert "No space left on device" in problems(result.report)[0].message
            assert files_of(disk / "site") == before
            assert [p.name for p in disk.iterdir()] == ["site"]  # no staging folder left

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    done = subprocess.run(command(project, True), capture_output=True, text=True,
                          preexec_fn=limit, check=False)  # fmt: skip
    assert done.returncode == 1 and "DG112" in done.stderr and "Traceback" not in done.stderr


def test_read_only_output_folder_is_a_finding(project: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root ignores permission bits: a read-only mount is the real thing
        with tmpfs(tmp_path / "ro", "ro,size=64k") as folder:
            result = build(project, folder / "site", today=TODAY, pdf=False)
    else:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o555)
        result = build(project, folder / "site", today=TODAY, pdf=False)
    assert not result.written
    assert [f.code for f in problems(result.report)] == ["DG112"]
    assert "Read-only file system" in problems(result.report)[0].message or (
        "Permission denied" in problems(result.report)[0].message
    )
    done = subprocess.run(
        [DG, "--project", str(project), "build", "--no-pdf", "--out", "/proc/site"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and "DG112" in done.stderr and "Traceback" not in done.stderr


def descendants(pid: int) -> list[int]:
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [d for c in children for d in descendants(c)]


def test_a_killed_pdf_worker_is_a_finding_and_keeps_the_old_site(project: Path) -> None:
    """What the kernel's OOM killer would do to a PDF worker in the middle of a build."""
    text = (project / "providers" / "full-video.yaml").read_text()
    for n in range(6):  # enough documents that the PDF phase lasts a few seconds
        twin = text.replace("id: full-video", f"id: twin-{n}")
        (project / "providers" / f"twin-{n}.yaml").write_text(twin)
    assert build(project, today=TODAY, pdf=False).written
    before = files_of(project / "site")
    process = subprocess.Popen(
        [*command(project, True), "--jobs", "2"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline, killed = time.monotonic() + 30, False
    cache = cache_folder(project)
    assert cache is not None
    while not killed and time.monotonic() < deadline:  # the build -> its fork server -> workers
        if not any(cache.glob("*.pdf")):  # not yet: the workers are not busy before that
            time.sleep(0.05)
            continue
        for child in descendants(process.pid):
            try:
                is_server = b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            for worker in descendants(child) if is_server else []:
                try:
                    os.kill(worker, signal.SIGKILL)
                    killed = True
                    break
                except ProcessLookupError:  # a worker just replaced after its batch
                    continue
        time.sleep(0.2)
    assert killed, "no PDF worker appeared"
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    assert "DG115" in err and "worker process died" in err and "Traceback" not in err
    assert files_of(project / "site") == before
