"""The command line: a thin click layer over the Python API.

Heavy modules (jsonschema, Jinja2, WeasyPrint) are imported inside the commands,
so `dsgvo-gen --help` starts fast and `check` never loads WeasyPrint. Each module
of this package holds the commands of one part of the workflow; importing them
registers them with `main`.
"""

from __future__ import annotations

from dsgvo_gen.cli.base import main
from dsgvo_gen.cli.catalogue import add, catalogue, migrate
from dsgvo_gen.cli.check import check
from dsgvo_gen.cli.export import export
from dsgvo_gen.cli.history import history
from dsgvo_gen.cli.project import field_reference, init, new, templates
from dsgvo_gen.cli.site import build, pdf, preview, serve
from dsgvo_gen.cli.status import status

__all__ = [
    "add", "build", "catalogue", "check", "export", "field_reference", "history", "init", "main",
    "migrate", "new", "pdf", "preview", "serve", "status", "templates",
]  # fmt: skip
