"""The catalogue: which entry a descriptor uses, which entry wins, drafts, the format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry
from dsgvo_gen.findings import Finding, display_path
from dsgvo_gen.hints import did_you_mean
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.rules import Context, Use, Where, descriptor_rule, fact_rule, project_rule, use_rule

#: The codes of a draft (DG126) and of each fact it still lacks (DG540), for the stages that
#: treat them apart: the checker folds a draft's gaps into them, the preview lists them.
DRAFT_CODE, MISSING_FACT_CODE = "DG126", "DG540"


@descriptor_rule("DG423")
def uses_a_known_entry(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    if d.uses is None or ctx.catalogue is None or ctx.catalogue.find(d.uses) is not None:
        return
    hint = did_you_mean(d.uses, [found.id for found in ctx.catalogue.all()])
    searched = ", ".join(folder.label for folder in ctx.catalogue.folders)
    yield where.finding(
        ("uses",), "DG423",
        f"no catalogue entry '{d.uses}' (searched: {searched}); 'dsgvo-gen catalogue' lists "
        f"the entries{hint}",
    )  # fmt: skip


@fact_rule("DG126")
def entry_is_a_draft(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    if e.is_draft:
        count = len(e.missing)
        plural = "s" if count != 1 else ""
        missing = f"{count} missing fact{plural} (DG540)" if count else "its gaps"
        yield where.finding(
            (*e.at, "status"), "DG126",
            f"catalogue entry '{e.id}' is a draft: no notice built from it is published until "
            f"{missing} {'is' if count == 1 else 'are'} found and its status is published",
        )  # fmt: skip


def _resolves(raw: Any, path: JsonPath) -> bool:
    for part in path:
        in_list = isinstance(part, int) and isinstance(raw, list) and 0 <= part < len(raw)
        if not (in_list or (isinstance(raw, dict) and part in raw)):
            return False
        raw = raw[part]
    return True


def _dotted(path: JsonPath) -> str:
    return ".".join(str(part) for part in path[1:])


@fact_rule("DG540", "DG407")
def missing_facts(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    """Each fact a draft still lacks, once, at the field that waits for it, with where to find
    it: the list a user with internet access works through to publish the entry."""
    if not e.is_draft:
        return
    raw = where.entry.data if where.entry is not None else {}
    for m in e.missing:
        fields = [f for f in m.fields if _resolves(raw, f[1:])]
        for f in m.fields:
            if f not in fields:
                yield where.finding(
                    m.at, "DG407",
                    f"missing.fields names '{_dotted(f)}', which this entry does not have",
                )  # fmt: skip
        look = f"{m.url}: {m.where}" if m.url else m.where  # the address first: it is what to open
        also = f" [also waiting: {', '.join(_dotted(f) for f in fields[1:])}]" if fields[1:] else ""
        yield where.finding(
            fields[0] if fields else m.at, "DG540",
            f"missing fact: {m.what}; look it up at {look}{also}",
        )  # fmt: skip


@descriptor_rule("DG126")
def descriptor_is_a_draft(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    if d.status == "draft":
        yield where.finding(
            ("status",), "DG126",
            f"'{d.id}' is a draft: build does not publish it ('dsgvo-gen preview' shows it)",
        )  # fmt: skip


@use_rule("DG126")
def uses_a_draft(use: Use, ctx: Context) -> Iterator[Finding]:
    if use.entry.is_draft and use.decisions.status != "draft":
        yield use.where.finding(
            ("uses",), "DG126",
            f"the catalogue entry '{use.entry.id}' ({use.entry.path}) is a draft: "
            f"'{use.decisions.id}' is not published until the entry is complete",
        )  # fmt: skip


@project_rule("DG124")
def format_1_can_migrate(
    uses: list[Use], ctx: Context, config_doc: Document | None
) -> Iterator[Finding]:
    old = [use for use in uses if use.decisions.format == 1]
    if old:
        count = f"{len(old)} descriptors are" if len(old) > 1 else "this descriptor is"
        yield old[0].where.finding(
            ("format",), "DG124",
            f"{count} in format 1 (facts inline), which keeps working; 'dsgvo-gen migrate' "
            "splits each into a catalogue entry and a format 2 descriptor, with the same notices",
        )  # fmt: skip


@project_rule("DG125")
def overridden_entries(
    uses: list[Use], ctx: Context, config_doc: Document | None
) -> Iterator[Finding]:
    if ctx.catalogue is None:
        return
    cwd = Path.cwd()
    for found in ctx.catalogue.all():
        for path, folder in found.hidden:
            yield Finding(
                display_path(found.path, cwd), 1, 1, "DG125",
                f"catalogue entry '{found.id}' from {found.folder.label} wins over "
                f"{display_path(path, cwd)} ({folder.label})",
            )  # fmt: skip
