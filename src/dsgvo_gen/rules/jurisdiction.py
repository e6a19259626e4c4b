"""The controller's law: its jurisdiction fits its seat, and its site names an imprint.

The jurisdiction picks the supervisory authority every notice names (Art. 13(2)(d)
GDPR); a Regensburg company that says `AT` would send its clients to Vienna.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.config import Config
from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.loader import Document
from dsgvo_gen.rules import Context, config_rule

#: Country names an address may end in, by the country they name (German and English).
_COUNTRY_WORDS = {
    "DE": ("deutschland", "germany"),
    "AT": ("österreich", "oesterreich", "austria"),
    "CH": ("schweiz", "suisse", "svizzera", "switzerland"),
}
#: Controllers whose site law asks for an imprint (§ 5 DDG; § 5 ECG, § 25 MedienG).
IMPRINT_COUNTRIES = ("DE", "AT")


def jurisdiction_country(jurisdiction: str) -> str:
    """The country of a jurisdiction: DE-BY -> DE, AT -> AT."""
    return jurisdiction.split("-", 1)[0]


def _address_country(address: str) -> str | None:
    """The country an address names in its last part, if it names one of ours."""
    last = re.split(r"[,\n]", address.strip())[-1].strip().casefold()
    for country, words in _COUNTRY_WORDS.items():
        if last in words:
            return country
    return None


@config_rule("DG533", "DG534", "DG535")
def jurisdiction_fits_the_controller(
    config: Config, doc: Document, ctx: Context
) -> Iterator[Finding]:
    where = ("jurisdiction",)
    if config.jurisdiction == "CH":
        yield doc.finding(
            where, "DG533",
            "jurisdiction CH is not supported yet: a Swiss controller needs notices under the "
            "revised FADP (information duty under Art. 19 ff. DSG, the FDPIC, disclosure abroad "
            "under Art. 16 DSG, the Swiss-U.S. DPF), and these notices cite the GDPR; if you "
            "offer services to people in the EU and fall under the GDPR (Art. 3(2)), set the "
            "jurisdiction of your EU establishment or representative instead",
        )  # fmt: skip
    seat = config.controller.country
    country = jurisdiction_country(config.jurisdiction)
    if seat in _COUNTRY_WORDS and seat != country:
        yield doc.finding(
            where, "DG534",
            f"jurisdiction {config.jurisdiction} does not fit the controller's country {seat}: "
            f"every notice would name the authority of {country}; choose "
            f"{'DE-<Land> (e.g. DE-BY)' if seat == 'DE' else seat}",
        )  # fmt: skip
    named = _address_country(config.controller.address)
    if named is not None and named != seat:
        yield doc.finding(
            ("controller", "country"), "DG534",
            f"the controller's address {quote(config.controller.address)} is in {named}, "
            f"its country says {seat}: correct one of them",
        )  # fmt: skip
    if config.jurisdiction == "DE":
        yield doc.finding(
            where, "DG535",
            "jurisdiction DE names the Federal Commissioner (BfDI), who supervises federal "
            "public bodies and telecommunications and postal providers (§ 9 BDSG), not a "
            "private company: name the Land of your seat, e.g. DE-BY (§ 40 BDSG)",
        )  # fmt: skip


@config_rule("DG536")
def imprint_is_linked(config: Config, doc: Document, ctx: Context) -> Iterator[Finding]:
    if config.imprint_url or config.controller.country not in IMPRINT_COUNTRIES:
        return
    yield doc.finding(
        ("site",), "DG536",
        f"no site.imprint_url: the website of a controller in {config.controller.country} links "
        "its imprint from every page, and so do the notices and PDFs made here; give its address",
        key=True,
    )  # fmt: skip
