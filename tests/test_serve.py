"""`serve`: builds, serves on 127.0.0.1, rebuilds on change, survives bad input, stops on Ctrl-C."""

from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from dsgvo_gen.cli import main
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
    command = [sys.executable, "-m", "dsgvo_gen", "--project", str(project), "serve",
               "--port", "0", "--no-pdf", "--today", TODAY.isoformat()]  # fmt: skip
    with (
        must_finish_within(120),
        subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process,
    ):
        output = Output(process)
        try:
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
        finally:
            process.kill()


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
