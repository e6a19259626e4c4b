"""`serve`: build, serve the site on 127.0.0.1, and rebuild whenever a source changes.

The watcher polls modification times (no dependency, works on every file system
and in containers). A rebuild goes through `builder.build`, which swaps the new
site in atomically and leaves the old one when check refuses, so the server
always has a complete site to hand out: the last good one.

Only this machine can connect, but any web page in its browser can send requests
to 127.0.0.1, also under a name of its own that resolves there (DNS rebinding):
the server answers only requests for the address it printed, lists no folders,
gives up on idle connections and serves a bounded number of them at a time.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dsgvo_gen.builder import PREVIEW_DIR, BuildResult, build, preview
from dsgvo_gen.catalogue import folders
from dsgvo_gen.config import CONFIG_NAME, load_config
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.loader import load_file
from dsgvo_gen.paths import UnsafePath, absolute, check_site_folder
from dsgvo_gen.rules.project import PROVIDERS_DIR

HOST = "127.0.0.1"  # a preview is for the person at this machine, never for the network
#: Connections served at once; more are closed at once (a browser opens about six).
MAX_CONNECTIONS = 32
#: Seconds a connection may stay silent before it is closed.
REQUEST_TIMEOUT = 10.0
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

    def __init__(self, address: tuple[str, int], handler: Any, *, timeout: float) -> None:
        super().__init__(address, handler)
        port = self.server_address[1]
        self.hosts = frozenset({f"{HOST}:{port}", f"localhost:{port}"})
        self.request_timeout = timeout
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):  # all busy: no thread for this one
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
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection early is normal; the base class would print
        # a traceback for it, and library code does not print.
        pass


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site folder to requests for the printed address; no request log on
    stderr, no caching of stale pages, no folder listings, never a site that is a link."""

    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)

    def _for_us(self) -> bool:
        host = self.headers.get("Host")
        if host is None:
            self.send_error(400, "Host header missing")
            return False
        if host.strip().lower() not in self.server.hosts:  # another name: DNS rebinding
            self.send_error(421, "This server answers only for the address it printed")
            return False
        return True

    def do_GET(self) -> None:
        if self._for_us():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._for_us():
            super().do_HEAD()

    def send_head(self) -> Any:
        if Path(self.directory).is_symlink():  # replaced by a link: serve nothing of its target
            self.send_error(404, "No site")
            return None
        return super().send_head()

    def list_directory(self, path: Any) -> None:
        self.send_error(404, "No listing")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # A preview must show the rebuilt page on reload, not the browser's copy.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


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
        # An absolute path: the handler looks it up anew for every request, so it finds
        # each newly swapped-in site, and a later change of folder cannot mislead it. Its
        # own name is not resolved: a site replaced by a link is refused, not followed.
        handler = partial(_QuietHandler, directory=str(absolute(self.site)))
        try:
            self.httpd = _Server((HOST, port), handler, timeout=request_timeout)
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
                result = build(self.root, self.site, pdf=self.pdf, jobs=self.jobs, today=self.today)
        except UnsafePath as err:  # the site became a link or a folder of someone else's
            where = display_path(self.site, Path.cwd())
            result = BuildResult(Report([Finding(where, 1, 1, "DG112", str(err))]), self.site, 0)
        serving = self.site.is_dir() and not self.site.is_symlink()
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
