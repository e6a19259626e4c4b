"""`serve`: build, serve the site on 127.0.0.1, and rebuild whenever a source changes.

The watcher polls modification times (no dependency, works on every file system
and in containers). A rebuild goes through `builder.build`, which swaps the new
site in atomically and leaves the old one when check refuses, so the server
always has a complete site to hand out: the last good one.
"""

from __future__ import annotations

import errno
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dsgvo_gen.builder import PREVIEW_DIR, BuildResult, build, preview
from dsgvo_gen.catalogue import folders
from dsgvo_gen.config import CONFIG_NAME, load_config
from dsgvo_gen.findings import display_path
from dsgvo_gen.loader import load_file
from dsgvo_gen.rules.project import PROVIDERS_DIR

HOST = "127.0.0.1"  # a preview is for the person at this machine, never for the network
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


class PortUnavailable(Exception):  # noqa: N818 - named for the user, like UnknownSelection
    """The port cannot be bound; the message names it and says why."""


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site folder; no request log on stderr, no caching of stale pages."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # A preview must show the rebuilt page on reload, not the browser's copy.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that closes a connection early is normal; the base class would print
        # a traceback for it, and library code does not print.
        pass


def _logo(root: Path) -> list[Path]:
    doc, _ = load_file(root / CONFIG_NAME, CONFIG_NAME)
    site = doc.data.get("site") if doc is not None else None
    logo = site.get("logo") if isinstance(site, dict) else None
    return [root / logo] if isinstance(logo, str) and logo else []


def watched_files(root: Path) -> list[Path]:
    """What a build reads from the project: the config, the descriptors, the catalogue
    entries of the project's own and the config's folders, own templates, the logo."""
    files = [root / CONFIG_NAME, *sorted((root / PROVIDERS_DIR).glob("*.yaml")), *_logo(root)]
    config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
    for folder in folders(root, config):
        if folder.origin != "bundled":
            files += sorted(folder.path.glob("*.yaml"))
    templates = root / "templates"
    if templates.is_dir():
        files += sorted(p for p in templates.rglob("*") if p.is_file())
    return files


def snapshot(root: Path) -> Snapshot:
    state: Snapshot = {}
    for path in watched_files(root):
        try:
            stat = path.stat()
        except OSError:  # deleted between listing and stat: it counts as gone
            continue
        state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def changed_paths(before: Snapshot, after: Snapshot) -> list[Path]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class PreviewServer:
    """The site of one project on http://127.0.0.1:<port>/, rebuilt when its sources change.

    Binds the port when made (raising PortUnavailable), so a caller learns at once
    whether serving is possible. `on_build` hears about every build; nothing is printed.
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
    ) -> None:
        """With `drafts`, it serves the preview (drafts included and marked, no PDFs)
        from `<root>/preview` instead of the site."""
        self.root = Path(root)
        self.drafts = drafts
        self.site = self.root / (PREVIEW_DIR if drafts else "site")
        self.pdf, self.jobs, self.today = pdf and not drafts, jobs, today
        self.on_build = on_build
        self.poll_seconds = poll_seconds
        # An absolute path: the handler looks it up anew for every request, so it finds
        # each newly swapped-in site, and a later change of folder cannot mislead it.
        handler = partial(_QuietHandler, directory=str(self.site.resolve()))
        try:
            self.httpd = _Server((HOST, port), handler)
        except OSError as err:
            reason = "is in use" if err.errno == errno.EADDRINUSE else f"cannot be used: {err}"
            raise PortUnavailable(f"port {port} on {HOST} {reason}") from None
        self._thread: threading.Thread | None = None
        self._state: Snapshot = {}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def _jobs(self) -> int | None:
        # Before the server thread runs, PDF workers fork warm from this process. Once it
        # runs, forking is unsafe and a fork server would start cold workers (about a
        # second each); an edit re-renders only a few PDFs, faster here, where WeasyPrint
        # stays warm between rebuilds.
        if self.jobs is not None or self._thread is None:
            return self.jobs
        return 1

    def build(self, changed: tuple[str, ...] = ()) -> Rebuild:
        """Build the site now (the server keeps the old one if check refuses)."""
        self._state = snapshot(self.root)
        started = time.perf_counter()
        if self.drafts:
            result = preview(self.root, self.site, today=self.today)
        else:
            result = build(self.root, self.site, pdf=self.pdf, jobs=self._jobs(), today=self.today)
        rebuild = Rebuild(changed, result, time.perf_counter() - started)
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
