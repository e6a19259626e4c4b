"""The `dsgvo-gen` console script, and what Ctrl-C does to a running command.

The first Ctrl-C unwinds the command as KeyboardInterrupt always does: a build
removes its staging folder and ends its PDF workers, and the command exits with
130 and one line, "interrupted". A second Ctrl-C while that runs ends the process
at once: nothing more is waited for. The PDF fork server and workers die with it
(they ask the kernel for that, `pdf.die_with_parent`), and the next build removes a
staging folder left behind. This module imports nothing heavy, so that the handler
is in place before click, Jinja2 and the rest are imported.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

#: The exit code of a program stopped by Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130

_said = False


def say_interrupted(*, in_handler: bool = False) -> None:
    """Print "interrupted" on standard error, once however often Ctrl-C is pressed."""
    global _said  # one process, one line
    if _said:
        return
    _said = True
    if in_handler:  # sys.stderr may be half-way through a write of its own
        os.write(2, b"interrupted\n")
    else:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()


def _first(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, _again)
    raise KeyboardInterrupt


def _again(signum: int, frame: FrameType | None) -> None:
    say_interrupted(in_handler=True)
    os._exit(EXIT_INTERRUPTED)


def handle_interrupts() -> Callable[[], None]:
    """Take over Ctrl-C (as above); returns what puts the previous handling back.

    Only Python's own default handling is replaced: where SIGINT is ignored (a
    command started in the background or with nohup) it stays ignored, and
    outside the main thread signals cannot be handled at all.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return lambda: None
    signal.signal(signal.SIGINT, _first)

    def restore() -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)

    return restore


def run() -> None:
    """`dsgvo-gen`: the command line, with Ctrl-C handled from the first moment."""
    handle_interrupts()
    code: int | str | None = 0
    try:
        from dsgvo_gen.cli import main

        main(prog_name="dsgvo-gen")
    except KeyboardInterrupt:  # while Python imported the command line
        say_interrupted()
        code = EXIT_INTERRUPTED
    except SystemExit as exit_:
        code = exit_.code
    if code == EXIT_INTERRUPTED and _said:
        # The command has cleaned up; the interpreter's own exit would only wait for
        # threads and processes that the interrupted build has already told to end.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe, say
                stream.flush()
        os._exit(EXIT_INTERRUPTED)
    sys.exit(code)
