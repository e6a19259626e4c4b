"""The first import of the PDF fork server (multiprocessing's forkserver preload).

The fork server forks the PDF workers. It must end with the build that started it,
even when that build is killed with SIGKILL: on its own it would wait forever on a
pipe its children keep open. So it asks the kernel to kill it with its parent; the
workers, whose parent it is, follow it the same way. It ignores Ctrl-C, and so do
the workers it forks: the build stops them. WeasyPrint is imported here, once, so
that every worker starts warm.
"""

from __future__ import annotations

from dsgvo_gen.pdf import die_with_parent, ignore_interrupts

ignore_interrupts()  # the build started this process with SIGINT blocked until here
die_with_parent()

import weasyprint  # noqa: E402, F401 - after the line above: a killed build never waits on it
