"""PDFs: the print HTML of notices and consent forms through WeasyPrint, in warm workers.

Notices become tagged PDF/UA-1 documents; consent forms add AcroForm fields.
WeasyPrint only ever sees the restricted fetcher, and what it would have said on
its logger comes back as findings. Unchanged documents come from the cache. The
worker processes import only from the installed environment, never from the
folder the build was started in.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dsgvo_gen import libc
from dsgvo_gen.limits import MAX_PDF_PAGES, MAX_PRINT_HTML_BYTES, mebibytes
from dsgvo_gen.render import PdfSource
from dsgvo_gen.resources import Templates

#: WeasyPrint's options per kind of document; part of the cache key.
OPTIONS: dict[str, dict[str, object]] = {
    # custom_metadata: the version identifier (<meta name="DocumentVersion">) in the Info.
    "notice": {"pdf_variant": "pdf/ua-1", "custom_metadata": True},
    "consent": {"pdf_variant": "pdf/ua-1", "pdf_forms": True, "custom_metadata": True},
}


@dataclass(frozen=True)
class Problem:
    """Something WeasyPrint or the fetcher reported while rendering one PDF."""

    code: str  # DG113 refused resource, DG114 WeasyPrint warning, DG115 not rendered, DG121 size
    message: str
    url: str | None = None  # of a refused resource: where the templates ask for it


@dataclass(frozen=True)
class RenderedPdf:
    source: PdfSource
    pdf: bytes | None  # None when the document could not be rendered
    problems: list[Problem] = field(default_factory=list)
    cached: bool = False  # served from the cache, not rendered now


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf(source: PdfSource, templates: Templates | Path) -> RenderedPdf:
    """One PDF from its print HTML; relative URLs resolve as on the site page it mirrors.

    An asset the project's own templates lack comes from the bundled ones.
    """
    if len(source.html) > MAX_PRINT_HTML_BYTES:  # refused before WeasyPrint spends minutes on it
        message = (f"its print HTML is {mebibytes(len(source.html))}, more than the "
                   f"{mebibytes(MAX_PRINT_HTML_BYTES)} a PDF may start from")  # fmt: skip
        return RenderedPdf(source, None, [Problem("DG121", message)])
    # Imported here, not at the top: a rebuild served from the cache never needs WeasyPrint.
    import weasyprint

    from dsgvo_gen.fetcher import ResourceRefused, RestrictedFetcher

    dirs = templates.dirs if isinstance(templates, Templates) else (templates,)
    layers = [folder.resolve() for folder in dirs]  # a file: base URL must be absolute
    base = layers[0]
    fetcher = RestrictedFetcher(layers)
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    previous = logger.level, logger.propagate
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # Python's last-resort handler would print them to stderr
    try:
        document = weasyprint.HTML(
            string=source.html.decode("utf-8"),
            base_url=(base / source.page).as_uri(),
            url_fetcher=fetcher,
        )
        # What HTML.write_pdf does, in its two steps: the page count is known in between.
        laid_out = document.render(**OPTIONS[source.kind])
        pdf: bytes | None = None
        problems = []
        if len(laid_out.pages) > MAX_PDF_PAGES:
            problems.append(Problem("DG121", f"it has {len(laid_out.pages)} pages, more than the "
                                             f"{MAX_PDF_PAGES} a PDF may have"))  # fmt: skip
        else:
            pdf = laid_out.write_pdf(**OPTIONS[source.kind])
    except Exception as err:  # any failure inside WeasyPrint becomes a finding
        pdf = None
        problems = [Problem("DG115", f"{type(err).__name__}: {err}")]
    finally:
        logger.removeHandler(collect)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]
    problems += [
        Problem("DG113", f"refused {r.url!r}: {r.reason}", r.url) for r in fetcher.refusals
    ]
    # The fetcher's refusals also reach WeasyPrint's logger; report each only once.
    refusal = ResourceRefused.__name__
    problems += [Problem("DG114", m) for m in collect.messages if refusal not in m]
    return RenderedPdf(source, pdf, problems)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
TASKS_PER_WORKER = 40

# Worker processes keep these between documents: WeasyPrint is imported once per worker.
_worker_templates: Templates | None = None


def die_with_parent() -> None:
    """Let the kernel kill this process when its parent ends: a worker must not outlive a
    build that was killed (SIGKILL gives the build no chance to clean up, and sibling
    processes keep the task pipe open, so no end of file ever arrives)."""
    prctl = libc.function("prctl") if sys.platform == "linux" else None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)  # the parent died before the line above took effect


def ignore_interrupts() -> None:
    """Leave Ctrl-C to the build: the terminal sends SIGINT to every process of the
    foreground group, and a fork server or worker that took it would print a traceback
    (or, mid-import, die half-way) while the build stops it anyway."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also discards one already pending
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _start_worker(templates: Templates) -> None:
    global _worker_templates  # per-process state of a pool worker
    ignore_interrupts()  # a forked worker ignores it already; a spawned one not yet
    die_with_parent()
    import weasyprint  # noqa: F401 - warm: imported once per worker, not once per document

    _worker_templates = templates


def _render_in_worker(source: PdfSource) -> RenderedPdf:
    assert _worker_templates is not None
    return render_pdf(source, _worker_templates)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextlib.contextmanager
def _installed_imports_only() -> Iterator[None]:
    """While it lasts, new Python processes import only from the installed environment.

    multiprocessing starts its fork server (and spawned workers) as `python -c ...`,
    which puts the working folder first on sys.path: a `jinja2.py` in a cloned
    repository would run there. PYTHONSAFEPATH (Python 3.11) stops that; the
    working folder also leaves the sys.path that a fork server is handed.
    """
    saved_path, saved_env = sys.path[:], os.environ.get("PYTHONSAFEPATH")
    here = str(Path.cwd())
    sys.path[:] = [p for p in sys.path if p not in ("", ".", here)]
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        yield
    finally:
        sys.path[:] = saved_path
        if saved_env is None:
            os.environ.pop("PYTHONSAFEPATH", None)
        else:
            os.environ["PYTHONSAFEPATH"] = saved_env


def _context() -> multiprocessing.context.BaseContext:
    # Workers come from a fork server that has imported WeasyPrint and nothing else: warm,
    # yet without a copy of the build's own heap (thousands of pages and models), which
    # forked workers would inherit and, page by page, duplicate.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["dsgvo_gen.pdf_server"])
        return context
    return multiprocessing.get_context("spawn")


def _start_fork_server(context: multiprocessing.context.BaseContext) -> None:
    """Start the fork server with SIGINT blocked, so that a Ctrl-C before it has set up
    its own handling (python's start, the import of WeasyPrint) waits until it ignores it.

    The signal mask is inherited across fork and exec. multiprocessing's resource tracker
    starts first: it blocks and unblocks SIGINT itself, which would undo the block here.
    """
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """End the workers at once, without waiting for the documents they are rendering or
    the ones queued for them: the build is interrupted (Ctrl-C) or abandoned. Waiting
    took seconds after a Ctrl-C, and a second Ctrl-C then left the workers blocked on
    their task queue, with the interpreter's exit waiting for them forever."""
    # The executor has no public way to end its workers; its process table is private.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):  # ended already
            process.kill()
    for process in processes:
        process.join(timeout=5)  # SIGKILL cannot be ignored: this takes milliseconds


def render_pdfs(
    sources: Iterable[PdfSource], templates: Templates, *, jobs: int = 1
) -> Iterator[RenderedPdf]:
    """Render every source, in `jobs` worker processes; results come in the sources' order."""
    source_iter = iter(sources)
    first = next(source_iter, None)
    if first is None:
        return
    second = next(source_iter, None)
    pending = itertools.chain([first] if second is None else [first, second], source_iter)
    if jobs <= 1 or second is None:
        for source in pending:
            yield render_pdf(source, templates)
        return
    # A worker grows from ~63 to ~88 MiB over its first 40 documents (WeasyPrint keeps
    # caches), so it is replaced after a batch; a new one forks from the warm fork server
    # in milliseconds. Not more often: every replacement risks CPython's gh-115634 (a pool
    # that stops replacing workers), and batches of 10 cut --jobs 2's speed-up to 1.41.
    context = _context()
    with _installed_imports_only():
        _start_fork_server(context)
        pool = ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_worker, initargs=(templates,),
            max_tasks_per_child=TASKS_PER_WORKER,
        )  # fmt: skip
        try:
            # One document per task (~0.1-0.5 s of work against ~1 ms of pickling), and
            # only a few tasks ahead, so that neither the HTML nor the finished PDFs pile
            # up in memory.
            window: deque[Future[RenderedPdf]] = deque()
            for source in pending:
                window.append(pool.submit(_render_in_worker, source))
                if len(window) >= 2 * jobs:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        except BaseException:  # Ctrl-C, a failure, or the consumer stopped reading
            _stop_now(pool)
            raise
        pool.shutdown(wait=True)
