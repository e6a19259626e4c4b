"""The `check` pipeline: load -> validate -> model -> rules, for a whole project.

Every stage adds findings to one report; a file that fails an early stage skips
the later ones (rules need schema-valid data), but all other files go on, so a
user sees every problem in one run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dsgvo_gen.config import CONFIG_NAME, Config, load_config
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.loader import Document, load_file
from dsgvo_gen.model import Provider, build_provider
from dsgvo_gen.reference import reference
from dsgvo_gen.resources import has_own_templates
from dsgvo_gen.rules import (
    CONFIG_RULES,
    DESCRIPTOR_RULES,
    Checked,
    Context,
    run_config_rules,
    run_descriptor_rules,
    run_project_rules,
)
from dsgvo_gen.schema import validate

PROVIDERS_DIR = "providers"


@dataclass
class Project:
    """The outcome of checking a project: its models (where valid) and the report."""

    root: Path
    config: Config | None
    providers: list[Provider] = field(default_factory=list)
    report: Report = field(default_factory=Report)


def _ignored(folder: Path) -> Iterator[Finding]:
    """DG118 for files that look like descriptors but are not read: `x.yml`, `x.YAML`."""
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml":
            shown = display_path(path, Path.cwd())
            yield Finding(
                shown, 1, 1, "DG118",
                f"{path.name} is not read: descriptors end in .yaml; rename it to "
                f"{path.stem}.yaml",
            )  # fmt: skip


def _config_listing(
    root: Path, config: Config | None, config_doc: Document | None
) -> tuple[list[Path], list[Finding]]:
    """The descriptor files the config asks for, and DG421 for those that are missing."""
    folder = root / PROVIDERS_DIR
    if folder.is_symlink():
        shown = display_path(folder, Path.cwd())
        message = f"{shown} is a symbolic link; dsgvo-gen reads no folder through a link"
        return [], [Finding(shown, 1, 1, "DG116", message)]
    if config is not None and not folder.is_dir():
        shown = display_path(folder, Path.cwd())
        message = f"no folder {shown}/ with descriptors; add one with 'dsgvo-gen new ID'"
        return [], [Finding(shown, 1, 1, "DG110", message)]
    ignored = list(_ignored(folder))
    if config is None or config.providers is None:
        return sorted(folder.glob("*.yaml")), ignored
    paths, findings = [], ignored
    for index, provider_id in enumerate(config.providers):
        path = folder / f"{provider_id}.yaml"
        if path.exists():
            paths.append(path)
        elif config_doc is not None:
            findings.append(config_doc.finding(
                ("providers", index), "DG421",
                f"no descriptor {PROVIDERS_DIR}/{provider_id}.yaml for provider '{provider_id}'",
            ))  # fmt: skip
    return paths, findings


def _expand(paths: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    files: list[Path] = []
    ignored: list[Finding] = []
    seen: set[Path] = set()  # a file named twice is one descriptor, not a duplicate id
    for path in paths:
        if path.is_dir():
            ignored.extend(_ignored(path))
        for file in sorted(path.glob("*.yaml")) if path.is_dir() else [path]:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files, ignored


def _skipped_checks(skipped: list[str], rules: int, what: str) -> list[str]:
    """A note that rule checks wait for earlier errors, so a rising count is no surprise."""
    if not skipped:
        return []
    where = skipped[0] if len(skipped) == 1 else f"each of {len(skipped)} files"
    return [f"{rules} more checks run on {where} once its {what} errors are fixed"]


def _id_matches_file(doc: Document) -> Iterator[Finding]:
    value = doc.data.get("id")
    if isinstance(value, str) and value != doc.path.stem:
        yield doc.finding(
            ("id",), "DG109",
            f"id '{value}' differs from the file name '{doc.path.name}'; rename one of them",
        )  # fmt: skip


def check_project(
    root: Path | str = ".",
    paths: Sequence[Path | str] = (),
    *,
    today: date | None = None,
) -> Project:
    """Check the config and the descriptors of a project (or only `paths`)."""
    root = Path(root)
    config_path = root / CONFIG_NAME
    config, config_doc, config_findings = load_config(
        config_path, display_path(config_path, Path.cwd())
    )
    project = Project(root, config)
    report = project.report
    report.extend(config_findings)
    ctx = Context(config, today or date.today(), reference(), root)
    if config is not None and config_doc is not None:
        report.extend(run_config_rules(config, config_doc, ctx))
    elif config_doc is not None:
        report.notes.extend(_skipped_checks([config_doc.display], len(CONFIG_RULES), "schema"))

    if paths:
        files, listing = _expand([Path(p) for p in paths])
    else:
        files, listing = _config_listing(root, config, config_doc)
    report.extend(listing)

    checked: list[Checked] = []
    unreadable: list[str] = []
    invalid: list[str] = []
    for path in files:
        doc, findings = load_file(path, display_path(path, Path.cwd()))
        report.extend(findings)
        if doc is None:
            unreadable.append(display_path(path, Path.cwd()))
            continue
        report.extend(_id_matches_file(doc))
        schema_findings = validate(doc, "provider")
        report.extend(schema_findings)
        if schema_findings:
            invalid.append(doc.display)
            continue
        provider = build_provider(doc.data, doc.display)
        report.extend(run_descriptor_rules(provider, doc, ctx))
        checked.append(Checked(provider, doc))
        project.providers.append(provider)
    report.extend(run_project_rules(checked, config, config_doc))
    rules = len(DESCRIPTOR_RULES)
    report.notes.extend(_skipped_checks(unreadable, rules + 1, "YAML"))
    report.notes.extend(_skipped_checks(invalid, rules, "schema"))
    return project


def check(
    root: Path | str = ".",
    paths: Sequence[Path | str] = (),
    *,
    today: date | None = None,
) -> Report:
    """The findings for a project: the Python API behind `dsgvo-gen check`.

    Checking the whole project, it also renders the project's own templates, if it has
    any, in memory: what would make `build` refuse fails `check` too. (`build` itself
    renders them anyway, so its own check leaves this out.)
    """
    project = check_project(root, paths, today=today)
    if not paths and project.config is not None and has_own_templates(project.root):
        # Imported here: Jinja2 and the renderer only for projects with templates of their own.
        from dsgvo_gen.template_check import check_templates

        findings, notes = check_templates(
            project.root, project.config, project.providers, render=not project.report.failed()
        )
        project.report.extend(findings)
        project.report.notes.extend(notes)
    return project.report
