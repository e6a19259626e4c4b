"""`serve`: build, serve the site on 127.0.0.1, and rebuild whenever a source changes.

The watcher polls modification times (no dependency, works on every file system
and in containers). A rebuild goes through `builder.build`, which swaps the new
site in atomically and leaves the old one when check refuses, so the server
always has a complete site to hand out: the last good one this process built.
A `site/` that was there before is never served: a repository can bring one,
with the marker, links to any file and pages with scripts.

Only this machine can connect, but any web page in its browser can send requests
to 127.0.0.1, also under a name of its own that resolves there (DNS rebinding):
the server answers only requests for the address it printed, serves regular files
reached without a link, lists no folders, gives up on idle and slow connections
and serves a bounded number of them at a time.
"""

from __future__ import annotations

import contextlib
import errno
import mimetypes
import os
import shutil
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote

from dsgvo_gen.builder import PREVIEW_DIR, BuildResult, build, preview
from dsgvo_gen.catalogue import folders
from dsgvo_gen.config import CONFIG_NAME, load_config
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.loader import load_file
from dsgvo_gen.paths import UnsafePath, absolute, check_site_folder, open_inside
from dsgvo_gen.rules.project import PROVIDERS_DIR

HOST = "127.0.0.1"  # a preview is for the person at this machine, never for the network
#: Connections served at once; more are closed at once (a browser opens about six).
MAX_CONNECTIONS = 32
#: Seconds a connection may stay silent before it is closed.
REQUEST_TIMEOUT = 10.0
#: Seconds a client has for its whole request line and headers (a browser needs none).
HEAD_TIMEOUT = 5.0
POLL_SECONDS = 0.5
# Editors save in steps (write a temporary file, rename it over the old one); a build
# that starts in between would miss a descriptor, so a change must hold this long.
SETTLE_SECONDS = 0.1

#: Modification time and size of each watched file.
Snapshot = dict[Path, tuple[int, int]]


@dataclass(frozen=True)
class Rebuild:
    """One build the server made: why, what came out, how long it took."""

    changed: tuple[str, ...]  # display paths of the changed files; empty for the first build
    result: BuildResult
    seconds: float
    serving: bool = True  # whether a site is online (the last good one, if this was refused)


class PortUnavailable(Exception):  # noqa: N818 - named for the user, like UnknownSelection
    """The port cannot be bound; the message names it and says why."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self, address: tuple[str, int], handler: Any, *, timeout: float, head_timeout: float
    ) -> None:
        super().__init__(address, handler)
        port = self.server_address[1]
        self.hosts = frozenset({f"{HOST}:{port}", f"localhost:{port}"})
        self.request_timeout, self.head_timeout = timeout, head_timeout
        #: The site this process built, once it has built one: nothing is served before.
        self.site: Path | None = None
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        # Connections still sending their request head, and by when they must have sent it.
        self._heads: dict[socket.socket, float] = {}
        self._heads_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        # All busy: the connection that has been sending its head the longest makes room, so
        # that clients that never finish a request cannot keep a browser out.
        if not self._slots.acquire(blocking=False) and not (
            self._drop_slowest_head() and self._slots.acquire(timeout=1.0)
        ):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.head_done(request)
            self._slots.release()

    def head_started(self, connection: socket.socket) -> None:
        with self._heads_lock:
            self._heads[connection] = time.monotonic() + self.head_timeout

    def head_done(self, connection: socket.socket) -> None:
        with self._heads_lock:
            self._heads.pop(connection, None)

    def _drop_slowest_head(self) -> bool:
        with self._heads_lock:
            if not self._heads:
                return False
            slowest = min(self._heads, key=self._heads.__getitem__)
            del self._heads[slowest]
        _hang_up(slowest)
        return True

    def service_actions(self) -> None:
        # Called by serve_forever between requests: a head must be complete by its deadline,
        # however politely a client trickles it (the socket timeout is per read).
        now = time.monotonic()
        with self._heads_lock:
            late = [conn for conn, deadline in self._heads.items() if deadline < now]
            for conn in late:
                del self._heads[conn]
        for conn in late:
            _hang_up(conn)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection early is normal; the base class would print
        # a traceback for it, and library code does not print.
        pass


def _hang_up(connection: socket.socket) -> None:
    """End a connection whose thread is waiting for it; the thread then closes it."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


NO_SITE = (
    "No site yet: the first build of this preview was refused. Fix the findings shown where "
    "dsgvo-gen serve runs; this page shows the site after the next good build.\n"
)


class _SiteHandler(BaseHTTPRequestHandler):
    """Serves the site this process built to requests for the printed address: regular
    files only, reached without a link, no listings, no caching of stale pages, no log."""

    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)

    def handle_one_request(self) -> None:
        self.server.head_started(self.connection)
        try:
            super().handle_one_request()
        finally:
            self.server.head_done(self.connection)

    def parse_request(self) -> bool:
        parsed = super().parse_request()  # the request line and every header are read now
        self.server.head_done(self.connection)
        return parsed

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _for_us(self) -> bool:
        host = self.headers.get("Host")
        if host is None:
            self.send_error(400, "Host header missing")
            return False
        if host.strip().lower() not in self.server.hosts:  # another name: DNS rebinding
            self.send_error(421, "This server answers only for the address it printed")
            return False
        return True

    def _answer(self, *, body: bool) -> None:
        if not self._for_us():
            return
        site = self.server.site
        if site is None:
            self._send(503, NO_SITE.encode(), "text/plain; charset=utf-8", body=body)
            return
        asked = _site_path(self.path)
        if asked is None:
            self.send_error(404, "Not found")
            return
        relative, slash = asked
        try:
            found = _open_page(site, relative, folder_ok=slash)
        except _IsFolder:  # /de: the browser must ask for /de/, so that relative links work
            self.send_response(301)
            self.send_header("Location", quote(relative.rpartition("/")[2]) + "/")  # never //host
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if found is None:
            self.send_error(404, "Not found")
            return
        handle, name = found
        with handle:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self._send(200, handle, content_type, body=body)

    def _send(self, status: int, content: bytes | BinaryIO, kind: str, *, body: bool) -> None:
        size = len(content) if isinstance(content, bytes) else os.fstat(content.fileno()).st_size
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(size))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not body:
            return
        if isinstance(content, bytes):
            self.wfile.write(content)
        else:
            shutil.copyfileobj(content, self.wfile)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # A preview must show the rebuilt page on reload, not the browser's copy.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def _site_path(target: str) -> tuple[str, bool] | None:
    """The site-relative path a request names, and whether it ends with a slash; None for
    anything but plain names: no '..', '.', '//', backslashes (which some browsers read as
    slashes) or encoded slashes."""
    path = target.partition("?")[0].partition("#")[0]
    if not path.startswith("/"):  # an absolute URI: not asked of a preview
        return None
    names = [unquote(part) for part in path[1:].split("/")]
    slash = names[-1] == ""
    if slash:
        names.pop()
    if any(n in ("", ".", "..") or any(c in n for c in "/\\\0") for n in names):
        return None
    return "/".join(names), slash


class _IsFolder(Exception):  # noqa: N818 - a case, not a failure
    """The path names a folder, without the final slash."""


def _open_page(site: Path, relative: str, *, folder_ok: bool) -> tuple[BinaryIO, str] | None:
    """The regular file at `relative` in the site (a folder's index.html where `folder_ok`),
    opened without following any link, the site's own name included; None where there is
    nothing to serve. Raises _IsFolder for a folder named without the final slash."""
    for candidate in (relative, f"{relative}/index.html" if relative else "index.html"):
        try:
            fd = open_inside(site, candidate, root_may_be_link=False)
        except (OSError, UnsafePath):
            return None
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            return os.fdopen(fd, "rb"), candidate
        os.close(fd)
        if not stat.S_ISDIR(mode):
            return None
        if not folder_ok:
            raise _IsFolder
    return None


def _files_below(folder: Path) -> Iterator[Path]:
    """Every file and link below `folder`; links are listed, never followed."""
    for current, dirs, names in os.walk(folder):
        here = Path(current)
        yield from (here / name for name in names)
        yield from (here / name for name in dirs if (here / name).is_symlink())


def _logo(root: Path) -> list[Path]:
    doc, _ = load_file(root / CONFIG_NAME, CONFIG_NAME)
    site = doc.data.get("site") if doc is not None else None
    logo = site.get("logo") if isinstance(site, dict) else None
    return [root / logo] if isinstance(logo, str) and logo else []


def watched_files(root: Path) -> list[Path]:
    """What a build reads from the project: the config, the descriptors, the catalogue
    entries of the project's own and the config's folders, own templates, the logo.

    A folder that is a link is watched as the link itself: its target (which may be a
    huge tree) is never walked, and the build refuses it anyway.
    """
    files = [root / CONFIG_NAME, *_logo(root)]
    config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
    catalogues = [f.path for f in folders(root, config) if f.origin != "bundled"]
    searched = [(root / PROVIDERS_DIR, "*.yaml"), *((f, "*.yaml") for f in catalogues),
                (root / "templates", "**")]  # fmt: skip
    for folder, pattern in searched:
        if folder.is_symlink():
            files.append(folder)
        elif folder.is_dir():
            found = folder.glob(pattern) if pattern != "**" else _files_below(folder)
            files += sorted(found)
    return files


def snapshot(root: Path) -> Snapshot:
    state: Snapshot = {}
    for path in watched_files(root):
        try:
            stat = path.lstat()
        except OSError:  # deleted between listing and stat: it counts as gone
            continue
        state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def changed_paths(before: Snapshot, after: Snapshot) -> list[Path]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class PreviewServer:
    """The site of one project on http://127.0.0.1:<port>/, rebuilt when its sources change.

    Binds the port when made (raising PortUnavailable), so a caller learns at once
    whether serving is possible; a `site` that may not be replaced (a link, a folder
    dsgvo-gen did not make) raises UnsafePath. `on_build` hears about every build;
    nothing is printed.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        port: int = 8000,
        pdf: bool = True,
        jobs: int | None = None,
        today: date | None = None,
        drafts: bool = False,
        on_build: Callable[[Rebuild], None] | None = None,
        poll_seconds: float = POLL_SECONDS,
        request_timeout: float = REQUEST_TIMEOUT,
        head_timeout: float = HEAD_TIMEOUT,
    ) -> None:
        """With `drafts`, it serves the preview (drafts included and marked, no PDFs)
        from `<root>/preview` instead of the site."""
        self.root = Path(root)
        self.drafts = drafts
        self.site = self.root / (PREVIEW_DIR if drafts else "site")
        check_site_folder(self.site, self.root)
        self.pdf, self.jobs, self.today = pdf and not drafts, jobs, today
        self.on_build = on_build
        self.poll_seconds = poll_seconds
        try:
            self.httpd = _Server(
                (HOST, port), _SiteHandler, timeout=request_timeout, head_timeout=head_timeout
            )
        except OSError as err:
            reason = "is in use" if err.errno == errno.EADDRINUSE else f"cannot be used: {err}"
            raise PortUnavailable(f"port {port} on {HOST} {reason}") from None
        self._thread: threading.Thread | None = None
        self._state: Snapshot = {}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def build(self, changed: tuple[str, ...] = ()) -> Rebuild:
        """Build the site now (the server keeps the old one if check refuses)."""
        self._state = snapshot(self.root)
        started = time.perf_counter()
        try:
            if self.drafts:
                result = preview(self.root, self.site, today=self.today)
            else:
                # PDF workers come from the warm fork server, before and after start() alike.
                result = build(
                    self.root,
                    self.site,
                    pdf=self.pdf,
                    jobs=self.jobs,
                    today=self.today,
                    record=False,
                )  # serve never records: only build publishes
        except UnsafePath as err:  # the site became a link or a folder of someone else's
            where = display_path(self.site, Path.cwd())
            result = BuildResult(Report([Finding(where, 1, 1, "DG112", str(err))]), self.site, 0)
        if result.written:
            # An absolute path: the handler opens it anew for every request, so it finds each
            # newly swapped-in site. Its own name is not resolved: a site replaced by a link
            # is refused, not followed. A site this process did not build is never served: a
            # repository can bring one, marker and all.
            self.httpd.site = absolute(self.site)
        serving = self.httpd.site is not None and not self.site.is_symlink()
        rebuild = Rebuild(changed, result, time.perf_counter() - started, serving)
        if self.on_build:
            self.on_build(rebuild)
        return rebuild

    def start(self) -> None:
        """Answer requests from a background thread."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()

    def _settled(self, stop: threading.Event) -> Snapshot:
        current = snapshot(self.root)
        while not stop.wait(SETTLE_SECONDS):
            again = snapshot(self.root)
            if again == current:
                break
            current = again
        return current

    def poll(self, stop: threading.Event | None = None) -> Rebuild | None:
        """Rebuild if a watched file changed since the last build; None if nothing did."""
        stop = stop or threading.Event()
        if snapshot(self.root) == self._state:
            return None
        before, after = self._state, self._settled(stop)
        changed = tuple(display_path(p, self.root) for p in changed_paths(before, after))
        return self.build(changed) if changed else None

    def watch(self, stop: threading.Event | None = None) -> None:
        """Poll and rebuild until `stop` is set (or KeyboardInterrupt ends it)."""
        stop = stop or threading.Event()
        while not stop.wait(self.poll_seconds):
            self.poll(stop)

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
