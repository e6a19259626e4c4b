"""`serve`: builds, serves on 127.0.0.1, rebuilds on change, survives bad input, stops on Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.cli import main
from dsgvo_gen.resources import bundled_dir
from dsgvo_gen.serve import PreviewServer, Rebuild, watched_files
from tests.conftest import TODAY, must_finish_within

NOTICE = "en/providers/full-video.html"


class Output:
    """The lines a child process prints, read in the background so that waits can time out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = process
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, seconds: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no line matching {pattern!r} in:\n{''.join(self.seen)}")


@contextmanager
def serving(
    project: Path, *args: str, seconds: int
) -> Iterator[tuple[subprocess.Popen[str], Output]]:
    """`dsgvo-gen serve` on a free port in a child process, killed at the end at the latest."""
    command = [sys.executable, "-m", "dsgvo_gen", "--project", str(project), "serve",
               "--port", "0", "--today", TODAY.isoformat(), *args]  # fmt: skip
    with (
        must_finish_within(seconds),
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process,
    ):
        try:
            yield process, Output(process)
        finally:
            process.kill()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
    return body.decode()


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> float:
    """Poll `condition` until it holds; the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition not met in time"
        time.sleep(0.05)
    return time.monotonic() - started


def test_serve_rebuilds_on_change_keeps_the_last_good_site_and_stops_on_sigint(
    project: Path,
) -> None:
    descriptor = project / "providers" / "full-video.yaml"
    with serving(project, "--no-pdf", seconds=120) as (process, output):
        port = output.wait_for(r"^serving http://127\.0\.0\.1:(\d+)/")[1]
        url = f"http://127.0.0.1:{port}/{NOTICE}"
        assert "We do not record." in fetch(url)

        descriptor.write_text(descriptor.read_text().replace("We do not record.", "Never."))
        wait_until(lambda: "Never." in fetch(url))
        output.wait_for(r"providers/full-video\.yaml changed: built \d+ pages and assets")

        broken = descriptor.read_text().replace("legal_basis: [art6-1-f]", "legal_basis: []")
        descriptor.write_text(broken)
        output.wait_for(r"full-video\.yaml:\d+:\d+: error\[DG303\]")
        output.wait_for(r"build refused: .* still serving the last good site")
        assert "Never." in fetch(url)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        output.wait_for(r"^stopped$")


def test_a_port_in_use_is_a_clear_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["--project", str(project), "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert not (project / "site").exists()


def test_poll_rebuilds_only_after_a_change_and_names_it(project: Path) -> None:
    builds: list[Rebuild] = []
    with PreviewServer(project, port=0, pdf=False, today=TODAY, on_build=builds.append) as server:
        first = server.build()
        assert first.result.written and first.changed == ()
        assert server.poll() is None
        original = (project / "providers" / "full-video.yaml").read_text()
        second = original.replace("id: full-video", "id: second")
        (project / "providers" / "second.yaml").write_text(second)
        rebuild = server.poll()
        assert rebuild is not None and rebuild.changed == ("providers/second.yaml",)
        assert (project / "site" / "en" / "providers" / "second.html").is_file()
        assert builds == [first, rebuild]


def test_the_server_answers_on_loopback_only_and_forbids_caching(project: Path) -> None:
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        server.build()
        server.start()
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url + NOTICE, timeout=10) as response:
            assert response.headers["Cache-Control"] == "no-store"


def test_own_templates_are_watched(project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "base.html").write_text("{% block body %}{% endblock %}")
    assert project / "templates" / "base.html" in watched_files(project)


def status(port: int, host: str | None, path: str = "/" + NOTICE) -> int:
    """The status code of one request, with the Host header given (or none at all)."""
    lines = [f"GET {path} HTTP/1.1", *([f"Host: {host}"] if host is not None else []),
             "Connection: close", "", ""]  # fmt: skip
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode())
        head = sock.recv(64)
    return int(head.split()[1])


def test_only_requests_for_the_printed_address_are_answered(project: Path) -> None:
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        server.build()
        server.start()
        port = server.httpd.server_address[1]
        assert status(port, f"127.0.0.1:{port}") == 200
        assert status(port, f"localhost:{port}") == 200
        assert status(port, f"attacker.example:{port}") == 421  # DNS rebinding
        assert status(port, "127.0.0.1:1") == 421
        assert status(port, None) == 400
        assert status(port, f"127.0.0.1:{port}", "/assets/") == 404  # no directory listing
        assert status(port, f"127.0.0.1:{port}", "/en/") == 200  # its index.html


def test_idle_connections_time_out_and_connection_threads_are_bounded(project: Path) -> None:
    from dsgvo_gen.serve import MAX_CONNECTIONS

    with PreviewServer(project, port=0, pdf=False, today=TODAY, request_timeout=1.0) as server:
        server.build()
        server.start()
        port = server.httpd.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # closed by the server, not by this 10 s timeout
            assert 0.5 < time.monotonic() - started < 8
        before = threading.active_count()
        sockets = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(300)]
        try:
            time.sleep(0.5)
            assert threading.active_count() <= before + MAX_CONNECTIONS
        finally:
            for sock in sockets:
                sock.close()
        wait_until(lambda: threading.active_count() <= before + 1)
        assert status(port, f"127.0.0.1:{port}") == 200


def test_a_site_that_became_a_link_is_never_served(project: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "secret.txt").write_text("secret")
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        server.build()
        server.start()
        port = server.httpd.server_address[1]
        shutil.rmtree(project / "site")
        (project / "site").symlink_to(victim)
        assert status(port, f"127.0.0.1:{port}", "/secret.txt") == 404
        rebuild = server.build()
        assert not rebuild.result.written and rebuild.result.report.findings
        assert status(port, f"127.0.0.1:{port}", "/secret.txt") == 404
    assert sorted(p.name for p in victim.iterdir()) == ["secret.txt"]


def test_a_linked_templates_folder_is_not_walked(project: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge"
    (huge / "deep").mkdir(parents=True)
    for n in range(50):
        (huge / "deep" / f"{n}.html").write_text("x")
    (huge / "base.html").write_text("{% block body %}{% endblock %}")
    (project / "templates").symlink_to(huge)
    watched = watched_files(project)
    assert not [p for p in watched if p.is_relative_to(project / "templates")
                and p != project / "templates"]  # fmt: skip


def test_changed_file_names_cannot_send_terminal_escapes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dsgvo_gen.builder import build
    from dsgvo_gen.cli.site import _report_rebuild

    result = build(project, today=TODAY, pdf=False)
    _report_rebuild(False, Rebuild(("providers/\x1b]0;owned\x07\x1b[2J.yaml",), result, 0.1))
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned" in out


def test_label_changes_show_after_the_next_rebuild(project: Path) -> None:
    shutil.copytree(bundled_dir("templates"), project / "templates")
    labels = project / "templates" / "labels" / "en.yaml"
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        assert server.build().result.written
        assert "Last reviewed:" in (project / "site" / NOTICE).read_text()
        labels.write_text(labels.read_text().replace("Last reviewed: {date}", "Checked: {date}"))
        rebuild = server.poll()
        assert rebuild is not None and rebuild.result.written
        assert "Checked:" in (project / "site" / NOTICE).read_text()


def test_rebuilds_render_pdfs_in_workers_not_in_the_server(project: Path) -> None:
    """The server process stays small: PDFs are rendered by workers from the fork server,
    also after the first build (the server never loads WeasyPrint itself)."""
    if len(os.sched_getaffinity(0)) < 2:  # one core: one job, rendered in the server itself
        return
    descriptor = project / "providers" / "full-video.yaml"
    with serving(project, seconds=180) as (process, output):
        output.wait_for(r"^serving http://127\.0\.0\.1:(\d+)/", seconds=120)
        descriptor.write_text(descriptor.read_text().replace("Beispiel Video", "Anderes"))
        output.wait_for(r"changed: built \d+ pages and assets and 4 PDFs", seconds=120)
        maps = Path(f"/proc/{process.pid}/maps").read_text()
        assert "libpango" not in maps
