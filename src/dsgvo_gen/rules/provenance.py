"""DG5xx: every fact has a public source, and nothing is stale or obsolete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.model import Provider
from dsgvo_gen.rules import Context, descriptor_rule
from dsgvo_gen.rules.consistency import DPF_MECHANISMS

_PRIVACY_SHIELD = re.compile(r"privacy[\s-]*shield", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    # Bounded repeats: an unclosed '<' must not make the search quadratic (ReDoS).
    r"\b(todo|tbd|fixme|xxx+|lorem ipsum|placeholder|platzhalter|nicht ermittelt)\b|\?\?\?|"
    r"<[^<>]{0,40}(fill|ausfüllen|eintragen)[^<>]{0,40}>",
    re.IGNORECASE,
)


@descriptor_rule("DG501")
def facts_have_sources(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    proc = p.processing
    owners: list[tuple[str, JsonPath, tuple[str, ...]]] = [
        ("the features", p.features.at, p.features.sources),
        *((f"recipient '{r.name}'", r.at, r.sources) for r in proc.recipients),
        *((f"the transfer to '{t.recipient}'", t.at, t.sources) for t in proc.transfers),
        *((f"the provider's retention of {', '.join(r.data)}", r.at, r.sources)
          for r in proc.retention if r.set_by == "provider"),
    ]  # fmt: skip
    if p.operator.role != "self":
        owners.insert(0, ("the operator", p.operator.at, p.operator.sources))
    for what, at, sources in owners:
        if not sources:
            yield doc.finding(
                at, "DG501",
                f"{what}: cite the public source of this fact (source: <id from sources>)",
                key=True,
            )  # fmt: skip


def _stale(checked: date, ctx: Context) -> bool:
    if ctx.config is None:
        return False
    return checked < ctx.config.review_max_age.before(ctx.today)


@descriptor_rule("DG502", "DG503")
def reviews_are_recent(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    if _stale(p.reviewed_on, ctx):
        yield doc.finding(
            ("reviewed_on",), "DG502",
            f"last reviewed on {p.reviewed_on.isoformat()}: check the facts against the sources "
            "again and update reviewed_on",
        )  # fmt: skip
    for t in p.processing.transfers:
        if t.mechanism in DPF_MECHANISMS and t.dpf_checked_on and _stale(t.dpf_checked_on, ctx):
            yield doc.finding(
                (*t.at, "dpf_checked_on"), "DG503",
                f"the DPF entry of '{t.recipient}' was last checked on "
                f"{t.dpf_checked_on.isoformat()}; certifications lapse yearly: check again",
            )  # fmt: skip


@descriptor_rule("DG504")
def no_future_dates(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    dates: list[tuple[JsonPath, date]] = [(("reviewed_on",), p.reviewed_on)]
    dates += [((*s.at, "accessed_on"), s.accessed_on) for s in p.sources]
    dates += [((*t.at, "dpf_checked_on"), t.dpf_checked_on) for t in p.processing.transfers
              if t.dpf_checked_on is not None]  # fmt: skip
    for at, day in dates:
        if day > ctx.today:
            yield doc.finding(
                at, "DG504", f"{day.isoformat()} is after today ({ctx.today.isoformat()})"
            )


@descriptor_rule("DG505")
def no_privacy_shield(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    for _, text in p.texts:
        if any(_PRIVACY_SHIELD.search(v) for v in text.all_values()):
            yield doc.finding(
                text.at, "DG505",
                "mentions the Privacy Shield, invalid since 16 July 2020: describe the current "
                "transfer mechanism instead",
            )  # fmt: skip


@descriptor_rule("DG507")
def no_placeholders(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    op = p.operator
    # Addresses and source titles count too: a skeleton from `dsgvo-gen new` leaves
    # https://todo.invalid/ where a URL must stand, and check must not let it through.
    facts: list[tuple[JsonPath, str | None]] = [
        (("service_url",), p.service_url),
        *(((*s.at, key), value) for s in p.sources
          for key, value in (("url", s.url), ("title", s.title))),
        (("operator", "legal_name"), op.legal_name),
        (("operator", "address"), op.address),
        (("operator", "privacy_policy_url"), op.privacy_policy_url),
        (("operator", "dpa_url"), op.dpa_url),
        *(((*r.at, "name"), r.name) for r in p.processing.recipients),
        *(((*t.at, "safeguard_url"), t.safeguard_url) for t in p.processing.transfers),
        *((text.at, value) for _, text in p.texts for value in text.all_values()),
    ]  # fmt: skip
    for at, value in facts:
        match = _PLACEHOLDER.search(value or "")
        if match:
            yield doc.finding(
                at, "DG507",
                f"'{match.group(0)}' is a placeholder: state the verified fact, or leave the "
                "descriptor out of the published set until it is known",
            )  # fmt: skip


@descriptor_rule("DG506")
def sources_are_cited(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    cited = {s for owner in p.sourced() for s in owner.sources}
    for source in p.sources:
        if source.id not in cited:
            yield doc.finding(
                (*source.at, "id"), "DG506",
                f"source '{source.id}' is never cited; cite it where it backs a fact or remove it",
            )  # fmt: skip
