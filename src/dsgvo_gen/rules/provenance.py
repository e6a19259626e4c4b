"""DG5xx: every fact has a public source, and nothing is stale or obsolete."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit

from dsgvo_gen.config import Config, example_controller
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.loader import Document, JsonPath
from dsgvo_gen.model import Provider
from dsgvo_gen.resources import load_schema
from dsgvo_gen.rules import Context, config_rule, descriptor_rule
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
        for at, value in text.located():
            if _PRIVACY_SHIELD.search(value):
                yield doc.finding(
                    at, "DG505",
                    f"{quote(value)} mentions the Privacy Shield, invalid since 16 July 2020: "
                    "describe the current transfer mechanism instead",
                )  # fmt: skip


def placeholder_quote(value: str, match: re.Match[str]) -> str:
    """The user's own text around a placeholder, so that they find it in their file."""
    return quote(value if len(value) <= 60 else value[match.start() :])


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
        *(located for _, text in p.texts for located in text.located()),
    ]  # fmt: skip
    for at, value in facts:
        match = _PLACEHOLDER.search(value or "")
        if match:
            yield doc.finding(
                at, "DG507",
                f"{placeholder_quote(value or '', match)} is a placeholder: state the verified "
                "fact, or leave the descriptor out of the published set until it is known",
            )  # fmt: skip


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


@descriptor_rule("DG520")
def features_stated(p: Provider, doc: Document, ctx: Context) -> Iterator[Finding]:
    # null is honest while a fact is unknown, and shown as such; a user should still state
    # each one, since the overview exists to compare them.
    for key in p.features.unknown():
        yield doc.finding(
            ("features", key), "DG520",
            f"{key} is not stated (null), so the notice and the overview say 'unknown': look it "
            f"up in a source and set {_feature_choices(key)}",
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
