"""The `check` pipeline: load -> validate -> model -> rules, for a whole project.

Every stage adds findings to one report; a file that fails an early stage skips
the later ones (rules need schema-valid data), but all other files go on, so a
user sees every problem in one run.

A format 2 descriptor names the catalogue entry it uses; the entry is read, checked
by the fact rules and kept the first time a descriptor asks for it, so its facts
are checked once however many descriptors use it, and each descriptor is joined
with it into the one `Provider` model that the later stages read. A format 1
descriptor is split into its facts and its decisions, which the same rules check.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dsgvo_gen.catalogue import (
    Catalogue,
    config_folder_findings,
    folder_findings,
    load_entry_file,
    project_catalogue,
)
from dsgvo_gen.config import CONFIG_NAME, Config, load_config
from dsgvo_gen.decisions import build_decisions, decisions_of, join
from dsgvo_gen.entry import Entry, build_entry, facts_of
from dsgvo_gen.findings import Finding, Report, display_path
from dsgvo_gen.history import History, read_history
from dsgvo_gen.loader import Document, load_file
from dsgvo_gen.model import Provider
from dsgvo_gen.parts import build_provider
from dsgvo_gen.reference import Reference, reference
from dsgvo_gen.resources import has_own_templates
from dsgvo_gen.rules import (
    CONFIG_RULES,
    DESCRIPTOR_RULES,
    DOCUMENT_RULES,
    FACT_RULES,
    USE_RULES,
    Context,
    Use,
    Where,
    run_config_rules,
    run_descriptor_rules,
    run_document_rules,
    run_fact_rules,
    run_project_rules,
    run_use_rules,
)
from dsgvo_gen.rules.catalogue import DRAFT_CODE, MISSING_FACT_CODE
from dsgvo_gen.rules.project import PROVIDERS_DIR
from dsgvo_gen.schema import Kind, validate

__all__ = ["PROVIDERS_DIR", "Project", "check", "check_project"]


@dataclass
class Project:
    """The outcome of checking a project: its models (where valid) and the report."""

    root: Path
    config: Config | None
    reference: Reference
    catalogue: Catalogue | None = None
    #: Every provider with a valid model, drafts included (preview shows them all).
    providers: list[Provider] = field(default_factory=list)
    #: The files each provider comes from: its descriptor and, for format 2, its entry.
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    #: The history record (read when the whole project is checked).
    history: History | None = None

    @property
    def published(self) -> list[Provider]:
        """The providers build publishes: every one that is not a draft."""
        return [p for p in self.providers if not p.is_draft]

    def findings_of(self, provider_id: str) -> list[Finding]:
        """The findings in the files a provider comes from (a draft's open findings)."""
        files = set(self.files.get(provider_id, ()))
        return [f for f in self.report.sorted() if f.path in files]


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


def _listing(root: Path, config: Config | None) -> tuple[list[Path], list[Finding]]:
    """The descriptor files the config asks for (DG421 names those that are missing)."""
    folder = root / PROVIDERS_DIR
    if folder.is_symlink():
        shown = display_path(folder, Path.cwd())
        message = f"{shown} is a symbolic link; dsgvo-gen reads no folder through a link"
        return [], [Finding(shown, 1, 1, "DG116", message)]
    if config is not None and not folder.is_dir():
        shown = display_path(folder, Path.cwd())
        message = (
            f"no folder {shown}/ with descriptors; add one with 'dsgvo-gen add CATALOGUE_ID' "
            "or 'dsgvo-gen new ID'"
        )
        return [], [Finding(shown, 1, 1, "DG110", message)]
    ignored = list(_ignored(folder))
    if config is None or config.providers is None:
        return sorted(folder.glob("*.yaml")), ignored
    candidates = (folder / f"{provider_id}.yaml" for provider_id in config.providers)
    return [path for path in candidates if path.exists()], ignored


DRAFTS_DIR = "drafts"


def _drafts(root: Path) -> list[Path]:
    """The descriptors in `providers/drafts/`: unfinished ones a preview shows, marked; never
    through a link (the folder's own links are refused like providers/ itself)."""
    folder = root / PROVIDERS_DIR / DRAFTS_DIR
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(folder.glob("*.yaml"))


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


def _drafted(findings: Iterable[Finding], draft: bool) -> list[Finding]:
    return [f.in_draft() for f in findings] if draft else list(findings)


def _fold_gaps(findings: list[Finding], entries: _Entries) -> list[Finding]:
    """A draft's missing fact stands for the findings at the fields waiting for it
    (a transfer without mechanism, a placeholder, an unknown feature): each gap is named
    once, with where to find what fills it."""
    gaps: set[tuple[str, int]] = set()
    for read in entries.read.values():
        if read is None or not read[0].is_draft:
            continue
        entry, doc = read
        for m in entry.missing:
            gaps.update((doc.display, doc.locate(at[1:]).line) for at in m.fields)
    if not gaps:
        return findings
    named = (MISSING_FACT_CODE, DRAFT_CODE)
    return [f for f in findings if f.code in named or (f.path, f.line) not in gaps]


class _Entries:
    """Catalogue entries, each read and checked by the fact rules once, when first asked for."""

    def __init__(self, ctx: Context, report: Report) -> None:
        self.ctx, self.report = ctx, report
        self.read: dict[Path, tuple[Entry, Document] | None] = {}
        self.found: dict[str, tuple[Entry, Document] | None] = {}

    def by_id(self, entry_id: str) -> tuple[Entry, Document] | None:
        if entry_id not in self.found:
            found = self.ctx.catalogue.find(entry_id) if self.ctx.catalogue else None
            self.found[entry_id] = None if found is None else self.by_path(found.path)
        return self.found[entry_id]

    def by_path(self, path: Path) -> tuple[Entry, Document] | None:
        key = path.resolve()
        if key not in self.read:
            self.read[key] = self._check(path)
        return self.read[key]

    def _check(self, path: Path) -> tuple[Entry, Document] | None:
        doc, findings = load_entry_file(path)
        self.report.extend(findings)
        if doc is None:
            return None
        draft = doc.data.get("status") == "draft"
        schema_findings = validate(doc, "catalogue")
        self.report.extend(_drafted(run_document_rules(doc, self.ctx) + schema_findings, draft))
        if schema_findings:
            return None
        entry = build_entry(doc.data, doc.display)
        self.report.extend(_drafted(run_fact_rules(entry, Where(None, doc), self.ctx), draft))
        return entry, doc


def _kind(doc: Document) -> Kind:
    return "descriptor" if doc.data.get("format") == 2 else "provider"


def _format_2(doc: Document, entries: _Entries, ctx: Context) -> tuple[Use | None, list[Finding]]:
    decisions = build_decisions(doc.data, doc.display)
    found = entries.by_id(decisions.uses or "")
    if found is None:
        return None, run_descriptor_rules(decisions, Where(doc, None), ctx)
    entry, entry_doc = found
    use = Use(join(entry, decisions), decisions, entry, Where(doc, entry_doc))
    return use, run_descriptor_rules(decisions, use.where, ctx) + run_use_rules(use, ctx)


def _format_1(doc: Document, ctx: Context) -> tuple[Use, list[Finding]]:
    provider = build_provider(doc.data, doc.display)
    entry, decisions = facts_of(provider), decisions_of(provider)
    use = Use(provider, decisions, entry, Where(doc, doc))
    findings = run_fact_rules(entry, use.where, ctx) + run_descriptor_rules(
        decisions, use.where, ctx
    )
    return use, findings + run_use_rules(use, ctx)


@contextmanager
def _no_collections() -> Iterator[None]:
    """Checking a thousand files makes millions of small objects (models, positions) that
    live until the end and form no reference cycles: a check of 1,000 descriptors leaves
    nothing for the cyclic garbage collector to free, yet its passes over the young objects
    cost about 2% of the run. Reference counting frees everything else as before. What an
    invalid file leaves in cycles (jsonschema's errors point at each other; at most 100
    per file) waits for the next full collection."""
    was_enabled = gc.isenabled()
    # Not when a program that uses dsgvo-gen has frozen objects itself (before a fork, say):
    # unfreeze() would undo that.
    move = gc.get_freeze_count() == 0
    try:
        gc.disable()
        yield
    finally:
        try:
            # Straight into the oldest generation: enabled again with every young object
            # still counted, the collector would at once pass over all of them (a tenth of
            # a second for 1,000 descriptors) to find nothing.
            if move:
                gc.freeze()
        finally:
            if move:
                gc.unfreeze()
            if was_enabled:
                gc.enable()


def check_project(
    root: Path | str = ".",
    paths: Sequence[Path | str] = (),
    *,
    today: date | None = None,
    drafts: bool = False,
) -> Project:
    """Check the config and the descriptors of a project (or only `paths`).

    `paths` may also name catalogue entries (files in one of the project's catalogue
    folders); without `paths`, the entries the descriptors use and every entry of the
    project's own `catalogue/` are checked. With `drafts` (the preview), the descriptors
    kept in `providers/drafts/` are read too.
    """
    with _no_collections():
        return _check_project(Path(root), paths, today, drafts)


def _check_project(
    root: Path, paths: Sequence[Path | str], today: date | None, drafts: bool = False
) -> Project:
    config_path = root / CONFIG_NAME
    config, config_doc, config_findings = load_config(
        config_path, display_path(config_path, Path.cwd())
    )
    catalogue = project_catalogue(root, config)
    ctx = Context(config, today or date.today(), reference(), root, catalogue)
    project = Project(root, config, ctx.reference, catalogue)
    report = project.report
    report.extend(config_findings)
    report.extend(folder_findings(root))
    if config is not None and config_doc is not None:
        report.extend(run_config_rules(config, config_doc, ctx))
        report.extend(config_folder_findings(root, config, config_doc))
    elif config_doc is not None:
        report.notes.extend(_skipped_checks([config_doc.display], len(CONFIG_RULES), "schema"))

    if paths:
        files, listing = _expand([Path(p) for p in paths])
    else:
        files, listing = _listing(root, config)
        if drafts and (config is None or config.providers is None):
            files += _drafts(root)
    report.extend(listing)

    entries = _Entries(ctx, report)
    uses: list[Use] = []
    unreadable: list[str] = []
    invalid: list[str] = []
    loaded: list[Document] = []
    for path in files:
        if paths and catalogue.holds(path):
            entries.by_path(path)
            continue
        doc, findings = load_file(path, display_path(path, Path.cwd()))
        report.extend(findings)
        if doc is None:
            unreadable.append(display_path(path, Path.cwd()))
            continue
        loaded.append(doc)
    # Every file against the schema first, then the rules: one kind of work at a time
    # keeps each in the processor's caches (8% less time for 1,000 files, paired runs).
    validated = [(doc, validate(doc, _kind(doc))) for doc in loaded]
    for doc, schema_findings in validated:
        draft = doc.data.get("status") == "draft"
        report.extend(_drafted(run_document_rules(doc, ctx) + schema_findings, draft))
        if schema_findings:
            invalid.append(doc.display)
            continue
        format_2 = doc.data.get("format") == 2
        use, findings = _format_2(doc, entries, ctx) if format_2 else _format_1(doc, ctx)
        if use is None:
            report.extend(_drafted(findings, draft))
            continue
        report.extend(_drafted(findings, use.provider.is_draft))
        uses.append(use)
        project.providers.append(use.provider)
        project.files[use.provider.id] = (doc.display, use.entry.path)
    if not paths:
        for found in catalogue.own():
            entries.by_path(found.path)
    report.extend(run_project_rules(uses, ctx, config_doc))
    if not paths and config is not None:
        from dsgvo_gen.recollect import recollection_findings

        project.history = read_history(root)
        report.extend(project.history.findings)
        report.extend(recollection_findings(uses, project.history, config.languages,
                                            ctx.today, config.review_max_age))  # fmt: skip
    report.findings[:] = _fold_gaps(report.findings, entries)
    rules = len(FACT_RULES) + len(DESCRIPTOR_RULES) + len(USE_RULES)
    report.notes.extend(_skipped_checks(unreadable, rules + len(DOCUMENT_RULES), "YAML"))
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
            project.root, project.config, project.published, project.reference,
            render=not project.report.failed(),
        )  # fmt: skip
        project.report.extend(findings)
        project.report.notes.extend(notes)
    return project.report
