"""dsgvo-gen: GDPR privacy notices and consent forms from provider descriptors.

The Python API mirrors the command line::

    import dsgvo_gen
    report = dsgvo_gen.check("path/to/project")
    if report.failed(strict=True): ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "check_project"]

if TYPE_CHECKING:
    from dsgvo_gen.checker import check, check_project


def __getattr__(name: str) -> Any:
    # Lazy, so that `import dsgvo_gen` (and the CLI's --help) stays cheap.
    if name in ("check", "check_project"):
        from dsgvo_gen import checker

        return getattr(checker, name)
    raise AttributeError(name)
