"""DG53x: a notice claims no more than its sources confirm (DESIGN §4b).

A DPF certification that only the provider (or a third party) states is published
attributed to that statement, and `check` asks for the DPF list; a check date that no
one could have made is an error, since the notice would print it as our own check.
"""

from __future__ import annotations

from collections.abc import Iterator

from dsgvo_gen.entry import Entry
from dsgvo_gen.evidence import DPF_LIST_HOST, DPF_MECHANISMS, dpf_evidence
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.model import Recipient, Sourced, Transfer
from dsgvo_gen.rules import Context, Where, fact_rule


def _what(part: Sourced, e: Entry) -> str:
    if part is e.operator:
        return "the operator"
    if part is e.features:
        return "the features"
    if isinstance(part, Recipient):
        return f"recipient '{part.name}'"
    if isinstance(part, Transfer):
        return f"the transfer to '{part.recipient}'"
    return "the provider's retention"


@fact_rule("DG532")
def unconfirmed_facts_are_marked(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    if e.is_draft:
        return  # a draft is never published: its `missing` list says what is still open
    marks = [(f"the list of {m.field} may be incomplete", m) for m in e.unconfirmed]
    marks += [(f"{_what(part, e)}: {m.field} is not confirmed by its sources", m)
              for part in e.sourced() for m in part.unconfirmed]  # fmt: skip
    for claim, mark in marks:
        yield where.finding(
            mark.at, "DG532",
            f"{claim} ({quote(mark.reason)}), so the published notice says so: confirm it in a "
            "source and delete this line, or make the entry a draft",
            key=True,
        )  # fmt: skip


@fact_rule("DG530", "DG531")
def dpf_claims_rest_on_the_list(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    for t in e.transfers:
        if t.mechanism not in DPF_MECHANISMS or not t.sources:
            continue  # no sources: DG501 says so
        evidence = dpf_evidence(t, e.sources)
        if not evidence.attributed:
            continue
        whose = ", ".join(f"{s.id} ({s.kind or 'kind not stated'})" for s in evidence.statements)
        if t.dpf_checked_on is not None:
            yield where.finding(
                (*t.at, "dpf_checked_on"), "DG531",
                f"dpf_checked_on says the DPF list was checked on {t.dpf_checked_on.isoformat()}, "
                f"but the transfer to '{t.recipient}' cites no DPF list (only {whose}); the notice "
                "would print a check no one made: set it to null, or cite the list entry "
                f"(https://www.{DPF_LIST_HOST}/..., kind: official) you read on that day",
            )  # fmt: skip
        yield where.finding(
            (*t.at, "mechanism"), "DG530",
            f"the DPF certification of '{t.recipient}' rests only on {whose}, so the notice "
            "attributes it to that statement instead of confirming it: look the recipient up "
            f"on the DPF list (https://www.{DPF_LIST_HOST}/list), cite its entry as a source "
            "with kind: official and set dpf_checked_on to the day you read it",
        )  # fmt: skip
