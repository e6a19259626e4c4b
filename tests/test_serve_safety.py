"""`serve` against a repository that brings its own `site/`: it publishes only what this
process built, never a file reached through a link, and a slow client cannot lock the
browser out. Tried in Chromium as well as with raw HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dsgvo_gen.builder import build
from dsgvo_gen.serve import MAX_CONNECTIONS, PreviewServer
from tests.conftest import TODAY, must_finish_within

SECRET = "TOP SECRET KEY"
#: The review's page: reads a file of the machine through a link in the site and shows it.
STEALING_PAGE = """<!doctype html><title>x</title><pre id=o>waiting</pre><script>
fetch('/root{secret}').then(r => r.text()).then(t => {{ o.textContent = 'STOLEN: ' + t }})
  .catch(e => {{ o.textContent = 'failed: ' + e }})</script>"""


def request(port: int, path: str, *, host: str | None = None) -> tuple[int, bytes, bytes]:
    """(status, head, body) of one raw GET request."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Connection: close"]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), head, body


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret" / "id_rsa"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def genuine_marker(project: Path, tmp_path: Path) -> bytes:
    """The marker file of a real build of `project` (what a repository could copy)."""
    out = tmp_path / "elsewhere"
    assert build(project, out, today=TODAY, pdf=False).written
    data = (out / ".dsgvo-gen-site").read_bytes()
    shutil.rmtree(out)
    return data


def break_the_config(project: Path) -> None:
    config = project / "dsgvo-gen.yaml"
    config.write_text(config.read_text().replace("languages: [de, en]", "languages: [xx]"))


@pytest.fixture
def page_of(browser: Browser) -> Iterator[object]:
    context = browser.new_context()

    def text(url: str) -> str:
        page = context.new_page()
        page.goto(url)
        page.wait_for_timeout(500)  # let the page's script fetch and write
        return str(page.content())

    yield text
    context.close()


def test_before_its_own_build_succeeds_serve_publishes_nothing(
    project: Path, tmp_path: Path, secret: Path, page_of: object
) -> None:
    """A repository's site with the real marker and a page with a script: while the first
    build is refused, the server answers 503 and no script of the repository runs."""
    marker = genuine_marker(project, tmp_path)
    site = project / "site"
    site.mkdir()
    (site / ".dsgvo-gen-site").write_bytes(marker)
    (site / "index.html").write_text(STEALING_PAGE.format(secret=secret))
    config = (project / "dsgvo-gen.yaml").read_text()
    break_the_config(project)
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        first = server.build()
        assert not first.result.written and not first.serving
        server.start()
        port = server.httpd.server_address[1]
        status, _, body = request(port, "/")
        assert status == 503 and b"no site yet" in body.lower()
        assert request(port, "/index.html")[0] == 503
        shown = page_of(f"http://127.0.0.1:{port}/")  # type: ignore[operator]
        assert "STOLEN" not in shown and SECRET not in shown and "no site yet" in shown.lower()
        (project / "dsgvo-gen.yaml").write_text(config)
        rebuild = server.poll()
        assert rebuild is not None and rebuild.result.written and rebuild.serving
        status, _, body = request(port, "/")
        assert status == 200 and b"Content-Security-Policy" in body and b"STOLEN" not in body


def test_a_link_inside_the_site_is_never_followed(
    project: Path, secret: Path, page_of: object
) -> None:
    """After its own build, links planted in the site (to /, to a secret, a folder that became
    a link) are 404, in raw HTTP and for a page's script in Chromium."""
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        assert server.build().result.written
        server.start()
        port = server.httpd.server_address[1]
        site = project / "site"
        (site / "root").symlink_to("/")
        (site / "key").symlink_to(secret)
        shutil.rmtree(site / "en" / "providers")
        (site / "en" / "providers").symlink_to(secret.parent)
        (site / "index.html").write_text(STEALING_PAGE.format(secret=secret))
        for path in ("/root/etc/hostname", f"/root{secret}", "/root/", "/key",
                     "/en/providers/id_rsa", "/en/providers/"):  # fmt: skip
            status, _, body = request(port, path)
            assert status == 404 and SECRET.encode() not in body, path
        assert request(port, "/de/index.html")[0] == 200
        shown = page_of(f"http://127.0.0.1:{port}/")  # type: ignore[operator]
        assert "STOLEN" in shown and SECRET not in shown  # the script ran, and got a 404


def test_the_reviewed_repository_is_refused(project: Path, tmp_path: Path, secret: Path) -> None:
    """The review's layout: a site/ with the marker, a link to / and to a key, a stealing page
    and a config that fails check. serve refuses the folder in one line."""
    marker = genuine_marker(project, tmp_path)
    site = project / "site"
    site.mkdir()
    (site / ".dsgvo-gen-site").write_bytes(marker)
    (site / "root").symlink_to("/")
    (site / "key").symlink_to(secret)
    (site / "index.html").write_text(STEALING_PAGE.format(secret=secret))
    break_the_config(project)
    command = [sys.executable, "-m", "dsgvo_gen", "--project", str(project), "serve",
               "--no-pdf", "--port", "0"]  # fmt: skip
    with must_finish_within(60):
        done = subprocess.run(command, capture_output=True, text=True, timeout=50, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert "refusing to replace" in line and "key" in line and "root" in line
    assert SECRET not in done.stdout + done.stderr
    assert (site / "root").is_symlink() and secret.read_text() == SECRET


def test_folders_redirect_only_to_a_relative_address(project: Path) -> None:
    with PreviewServer(project, port=0, pdf=False, today=TODAY) as server:
        assert server.build().result.written
        server.start()
        port = server.httpd.server_address[1]
        status, head, _ = request(port, "/de")
        assert status == 301 and b"\r\nLocation: de/\r\n" in head
        status, head, _ = request(port, "/de/providers")
        assert status == 301 and b"\r\nLocation: providers/\r\n" in head
        hostile = ("/\\evil.com/%2e%2e/de", "//evil.com/%2e%2e/de", "/%5cevil.com/de", "/de\\",
                   "/./de", "/de/..", "/%2e%2e/etc/passwd", "http://evil.com/de")  # fmt: skip
        for path in hostile:
            status, head, _ = request(port, path)
            assert b"Location" not in head, (path, head)
            assert status == 404, path


def slowloris(port: int, stop: threading.Event, every: float) -> None:
    """A request head that never ends: one header line every `every` seconds."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
            n = 0
            while not stop.wait(every):
                n += 1
                sock.sendall(f"X-{n}: {n}\r\n".encode())
    except OSError:  # closed by the server: what it should do
        pass


def trickle_until_closed(port: int, seconds: float) -> float:
    """Seconds until the server ends a request head that gets a header line every 0.25 s."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        n = 0
        while time.monotonic() - started < seconds:
            time.sleep(0.25)
            try:
                if sock.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) is not None:
                    break  # an answer or the end of the connection
            except BlockingIOError:
                pass
            except OSError:
                break
            n += 1
            try:
                sock.sendall(f"X-{n}: {n}\r\n".encode())
            except OSError:
                break
    return time.monotonic() - started


def test_slow_clients_neither_hold_a_connection_nor_lock_out_the_browser(project: Path) -> None:
    with PreviewServer(project, port=0, pdf=False, today=TODAY, head_timeout=2.0) as server:
        assert server.build().result.written
        server.start()
        port = server.httpd.server_address[1]
        stop = threading.Event()
        attackers = [threading.Thread(target=slowloris, args=(port, stop, 0.5), daemon=True)
                     for _ in range(MAX_CONNECTIONS + 8)]  # fmt: skip
        try:
            for thread in attackers:
                thread.start()
            time.sleep(1.0)  # every slot is taken by now
            started = time.monotonic()
            assert request(port, "/de/index.html")[0] == 200  # a browser's request gets through
            assert time.monotonic() - started < 3
            # A head that never ends is closed, however politely it trickles.
            assert trickle_until_closed(port, seconds=10) < 5
        finally:
            stop.set()
