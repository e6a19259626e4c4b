"""Exports for other tools: the record of processing activities and a Fides manifest.

Each export starts from a project that passed the gate (check found no errors) and
covers its published providers; drafts are left out, like on the website.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dsgvo_gen.checker import Project
from dsgvo_gen.config import Config
from dsgvo_gen.fides import fides_manifest, taxonomy_map
from dsgvo_gen.findings import Report
from dsgvo_gen.i18n import Labels, labels
from dsgvo_gen.model import Provider
from dsgvo_gen.publish import UsageError, through_gate
from dsgvo_gen.reference import Reference
from dsgvo_gen.resources import Templates
from dsgvo_gen.ropa import ACTIVITY_FIELDS, CSV_COLUMNS, ropa_csv, ropa_json

__all__ = [
    "ACTIVITY_FIELDS", "CSV_COLUMNS", "EXPORTERS", "FORMATS", "ExportResult", "UnknownLanguage",
    "export", "taxonomy_map",
]  # fmt: skip

Exporter = Callable[[Config, Iterable[Provider], Labels, Reference], str]
EXPORTERS: dict[str, Exporter] = {"ropa-csv": ropa_csv, "ropa-json": ropa_json,
                                  "fides": fides_manifest}  # fmt: skip
FORMATS = tuple(EXPORTERS)
#: The language a Fides manifest is written in where the project has it.
FIDES_LANGUAGE = "en"


class UnknownLanguage(UsageError):  # noqa: N818 - a usage error, named for the user
    """The export was asked for a language the project does not have."""


@dataclass
class ExportResult:
    report: Report
    content: bytes | None  # None when the export was refused
    activities: int = 0


def export(
    root: Path | str = ".",
    export_format: str = "ropa-csv",
    *,
    lang: str | None = None,
    today: date | None = None,
) -> ExportResult:
    """Check the project and, if `check` finds no errors, export it in `export_format`.

    `lang` defaults to the project's first language, for Fides to English where the
    project has it (a Fides manifest is read by Fides' English taxonomy and its
    users, mostly not by the people the notices are for); a language the project
    does not have raises UnknownLanguage.
    """
    exporter = EXPORTERS.get(export_format)
    if exporter is None:
        raise ValueError(f"no export format {export_format!r}; there are: {', '.join(FORMATS)}")

    def prepare(project: Project, config: Config, templates: Templates) -> str:
        fides_en = export_format == "fides" and FIDES_LANGUAGE in config.languages
        chosen = lang or (FIDES_LANGUAGE if fides_en else config.default_language)
        if chosen not in config.languages:
            raise UnknownLanguage(f"the project has no language {chosen}; it has: "
                                  f"{', '.join(config.languages)}")  # fmt: skip
        return exporter(config, project.published, labels(templates, chosen), project.reference)

    report, passed = through_gate(root, prepare, today=today)
    if passed is None:
        return ExportResult(report, None)
    count = sum(len(p.processing.purposes) for p in passed.project.published)
    return ExportResult(report, passed.prepared.encode("utf-8"), count)
