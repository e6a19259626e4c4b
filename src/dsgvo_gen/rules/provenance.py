"""DG5xx: every fact has a public source, and nothing is stale, obsolete or left open."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from urllib.parse import urlsplit

from dsgvo_gen.config import Config, example_controller
from dsgvo_gen.decisions import Decisions
from dsgvo_gen.entry import Entry
from dsgvo_gen.evidence import DPF_MECHANISMS
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.model import Transfer
from dsgvo_gen.resources import load_schema
from dsgvo_gen.rules import Context, Where, config_rule, descriptor_rule, fact_rule

_PRIVACY_SHIELD = re.compile(r"privacy[\s-]*shield", re.IGNORECASE)
#: Words the placeholder pattern needs, one of which a text must contain to be searched:
#: finding a word in lower-case text costs far less than the pattern, and nearly every
#: text holds none of them.
_PLACEHOLDER_HINTS = ("todo", "tbd", "fixme", "xxx", "lorem", "placeholder", "platzhalter",
                      "nicht ermittelt", "???", "<")  # fmt: skip
_PLACEHOLDER = re.compile(
    # Bounded repeats: an unclosed '<' must not make the search quadratic (ReDoS).
    r"\b(todo|tbd|fixme|xxx+|lorem ipsum|placeholder|platzhalter|nicht ermittelt)\b|\?\?\?|"
    r"<[^<>]{0,40}(fill|ausfüllen|eintragen)[^<>]{0,40}>",
    re.IGNORECASE,
)


@fact_rule("DG501")
def facts_have_sources(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    owners: list[tuple[str, JsonPath, tuple[str, ...]]] = [
        ("the features", e.features.at, e.features.sources),
        *((f"recipient '{r.name}'", r.at, r.sources) for r in e.recipients),
        *((f"the transfer to '{t.recipient}'", t.at, t.sources) for t in e.transfers),
        *((f"the provider's retention of {', '.join(r.data)}", r.at, r.sources)
          for r in e.retention),
    ]  # fmt: skip
    if not e.self_run:
        owners.insert(0, ("the operator", e.operator.at, e.operator.sources))
    for what, at, sources in owners:
        if not sources:
            yield where.finding(
                at, "DG501",
                f"{what}: cite the public source of this fact (source: <id from sources>)",
                key=True,
            )  # fmt: skip


def _stale(checked: date, ctx: Context) -> bool:
    if ctx.config is None:
        return False
    return checked < ctx.config.review_max_age.before(ctx.today)


def _stale_dpf_checks(
    transfers: Iterable[Transfer], where: Where, ctx: Context
) -> Iterator[Finding]:
    for t in transfers:
        if t.mechanism in DPF_MECHANISMS and t.dpf_checked_on and _stale(t.dpf_checked_on, ctx):
            yield where.finding(
                (*t.at, "dpf_checked_on"), "DG503",
                f"the DPF entry of '{t.recipient}' was last checked on "
                f"{t.dpf_checked_on.isoformat()}; certifications lapse yearly: check again",
            )  # fmt: skip


def _stale_review(reviewed_on: date, what: str, where: Where, at: JsonPath) -> Finding:
    return where.finding(
        at, "DG502",
        f"last reviewed on {reviewed_on.isoformat()}: check {what} again and update reviewed_on",
    )  # fmt: skip


@fact_rule("DG502", "DG503")
def facts_are_recent(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    if _stale(e.reviewed_on, ctx):
        what = "the facts against the sources"
        yield _stale_review(e.reviewed_on, what, where, (*e.at, "reviewed_on"))
    yield from _stale_dpf_checks(e.transfers, where, ctx)


@descriptor_rule("DG502", "DG503")
def decisions_are_recent(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    if d.reviewed_on is not None and _stale(d.reviewed_on, ctx):
        yield _stale_review(d.reviewed_on, "your decisions", where, ("reviewed_on",))
    yield from _stale_dpf_checks(d.transfers, where, ctx)


def _future(
    dates: Iterable[tuple[JsonPath, date]], where: Where, ctx: Context
) -> Iterator[Finding]:
    for at, day in dates:
        if day > ctx.today:
            yield where.finding(
                at, "DG504", f"{day.isoformat()} is after today ({ctx.today.isoformat()})"
            )


def _dpf_dates(transfers: Iterable[Transfer]) -> Iterator[tuple[JsonPath, date]]:
    for t in transfers:
        if t.dpf_checked_on is not None:
            yield (*t.at, "dpf_checked_on"), t.dpf_checked_on


@fact_rule("DG504")
def no_future_facts(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    dates: list[tuple[JsonPath, date]] = [((*e.at, "reviewed_on"), e.reviewed_on)]
    dates += [((*s.at, "accessed_on"), s.accessed_on) for s in e.sources]
    yield from _future([*dates, *_dpf_dates(e.transfers)], where, ctx)


@descriptor_rule("DG504")
def no_future_decisions(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    dates: list[tuple[JsonPath, date]] = list(_dpf_dates(d.transfers))
    if d.reviewed_on is not None:
        dates.append((("reviewed_on",), d.reviewed_on))
    if d.dpa is not None and d.dpa.concluded_on is not None:
        dates.append(((*d.dpa.at, "concluded_on"), d.dpa.concluded_on))
    yield from _future(dates, where, ctx)


def _privacy_shield(model: Decisions | Entry, where: Where) -> Iterator[Finding]:
    if "shield" not in model.at_once.folded:  # nearly every descriptor: one cheap test
        return
    for _, text in model.texts:
        if "shield" not in text.joined.casefold():  # as before: each text on its own too
            continue
        for at, value in text.located():
            if _PRIVACY_SHIELD.search(value):
                yield where.finding(
                    at, "DG505",
                    f"{quote(value)} mentions the Privacy Shield, invalid since 16 July 2020: "
                    "describe the current transfer mechanism instead",
                )  # fmt: skip


def placeholder_quote(value: str, match: re.Match[str]) -> str:
    """The user's own text around a placeholder, so that they find it in their file."""
    return quote(value if len(value) <= 60 else value[match.start() :])


@fact_rule("DG505")
def facts_without_privacy_shield(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _privacy_shield(e, where)


@descriptor_rule("DG505")
def decisions_without_privacy_shield(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _privacy_shield(d, where)


def _placeholders(values: Iterable[tuple[JsonPath, str | None]], where: Where) -> Iterator[Finding]:
    for at, value in values:
        match = _PLACEHOLDER.search(value or "")
        if match:
            yield where.finding(
                at, "DG507",
                f"{placeholder_quote(value or '', match)} is a placeholder: state the verified "
                "fact, or leave the descriptor out of the published set until it is known",
            )  # fmt: skip


def _suspect_texts(model: Decisions | Entry) -> Iterator[tuple[JsonPath, str]]:
    """The values of the texts that may hold a placeholder: one test of all texts first,
    then one search per text, as nearly every text holds none."""
    if not any(hint in model.at_once.folded for hint in _PLACEHOLDER_HINTS):
        return
    for _, text in model.texts:
        lowered = text.joined.casefold()
        if any(hint in lowered for hint in _PLACEHOLDER_HINTS) and _PLACEHOLDER.search(text.joined):
            yield from text.located()


@fact_rule("DG507")
def facts_without_placeholders(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    op = e.operator
    # Addresses and source titles count too: a skeleton from `dsgvo-gen new` leaves
    # https://todo.invalid/ where a URL must stand, and check must not let it through.
    yield from _placeholders([
        ((*e.at, "service_url"), e.service_url),
        *(((*s.at, key), value) for s in e.sources
          for key, value in (("url", s.url), ("title", s.title))),
        ((*op.at, "legal_name"), op.legal_name),
        ((*op.at, "address"), op.address),
        ((*op.at, "privacy_policy_url"), op.privacy_policy_url),
        ((*op.at, "dpa_url"), op.dpa_url),
        *(((*r.at, "name"), r.name) for r in e.recipients),
        *(((*t.at, "safeguard_url"), t.safeguard_url) for t in e.transfers),
        *_suspect_texts(e),
    ], where)  # fmt: skip


@descriptor_rule("DG507")
def decisions_without_placeholders(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    yield from _placeholders([
        (("service_url",), d.service_url),
        *([((*d.dpa.at, "kept_at"), d.dpa.kept_at)] if d.dpa else []),
        *(((*r.at, "name"), r.name) for r in d.recipients),
        *(((*t.at, "safeguard_url"), t.safeguard_url) for t in d.transfers),
        *_suspect_texts(d),
    ], where)  # fmt: skip


# Hosts reserved for documentation and never anyone's address (RFC 2606, RFC 6761), as in
# the invented example. `.test` is left to test suites, whose fixtures need an address.
_RESERVED_HOST = re.compile(
    r"(?:^|\.)(?:example|invalid|localhost)\.?$|(?:^|\.)example\.(?:com|net|org)\.?$",
    re.IGNORECASE,
)


def reserved_host(value: str) -> str | None:
    """The host of an e-mail address or URL if it is reserved for examples, else None."""
    host = urlsplit(value).hostname if "://" in value else value.rpartition("@")[2]
    return host if host and _RESERVED_HOST.search(host) else None


_CONFIG_WORDS = {
    "email": "e-mail address", "base_url": "address of the site",
    "imprint_url": "imprint's address", "privacy_url": "privacy notice's address",
}  # fmt: skip


def _config_facts(config: Config) -> Iterator[tuple[JsonPath, str, str]]:
    """(path, key, value) of every fact the config publishes about the controller."""
    c = config.controller
    contacts = [("controller", c), ("dpo", config.dpo), ("representative", config.representative)]
    for section, contact in contacts:
        for key in ("name", "address", "email", "phone", "website"):
            value = getattr(contact, key, None)
            if value:
                yield (section, key), key, value
    for key in ("base_url", "imprint_url", "privacy_url"):
        if value := getattr(config, key):
            yield ("site", key), key, value
    for at, value in config.site_title.located():
        yield at, "title", value


def _config_placeholder(at: JsonPath, key: str, value: str, example: dict[str, str]) -> str | None:
    if at[0] == "controller" and example.get(key) == value:
        return f"{quote(value)} is the invented example controller's {_CONFIG_WORDS.get(key, key)}"
    if key.endswith(("email", "website", "_url")) and (host := reserved_host(value)):
        return f"{quote(value)} uses {host}, a domain reserved for examples (RFC 2606)"
    match = _PLACEHOLDER.search(value)
    return f"{placeholder_quote(value, match)} is a placeholder" if match else None


@config_rule("DG507")
def no_config_placeholders(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    # An example project (example: true) says so on every page, and DG312 warns about it;
    # once the flag is gone, every value left from the example would be published as fact.
    if config.controller.example:
        return
    example = example_controller()
    for at, key, value in _config_facts(config):
        problem = _config_placeholder(at, key, value, example)
        if problem:
            what = _CONFIG_WORDS.get(key, key)
            yield doc.finding(at, "DG507", f"{problem}: put in your organisation's own {what}")


def _feature_choices(key: str) -> str:
    node = load_schema("provider")["definitions"]["features"]["properties"][key]
    if key == "time_limit":
        return "a duration such as PT40M, or none"
    if "enum" in node:
        return " or ".join(str(v) for v in node["enum"] if v is not None)
    return "true or false"


@fact_rule("DG520")
def features_stated(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    # null is honest while a fact is unknown, and shown as such; a user should still state
    # each one, since the overview exists to compare them.
    for key in e.features.unknown():
        yield where.finding(
            (*e.features.at, key), "DG520",
            f"{key} is not stated (null), so the notice and the overview say 'unknown': look it "
            f"up in a source and set {_feature_choices(key)}",
        )  # fmt: skip


@fact_rule("DG506")
def sources_are_cited(e: Entry, where: Where, ctx: Context) -> Iterator[Finding]:
    cited = {s for owner in e.sourced() for s in owner.sources}
    for source in e.sources:
        if source.id not in cited:
            yield where.finding(
                (*source.at, "id"), "DG506",
                f"source '{source.id}' is never cited; cite it where it backs a fact or remove it",
            )  # fmt: skip


@descriptor_rule("DG508")
def decisions_are_made(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    for mark in d.open:
        yield where.finding(
            mark.at, "DG508",
            f"yours to decide: {mark.text} Decide, then delete this 'decide:' line",
            key=True,
        )  # fmt: skip
