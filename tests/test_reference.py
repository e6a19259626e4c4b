"""The built-in reference tables are complete and well-formed."""

from __future__ import annotations

import json
import re

from dsgvo_gen.reference import reference
from dsgvo_gen.resources import bundled_dir

EU_27 = set(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def test_eea_is_eu_27_plus_iceland_liechtenstein_norway() -> None:
    assert reference().eea == EU_27 | {"IS", "LI", "NO"}


def test_adequacy_decisions_have_reference_and_source() -> None:
    adequacy = reference().adequacy
    assert {"CH", "GB", "JP", "CA", "IL", "NZ", "KR", "US"} <= set(adequacy)
    assert not set(adequacy) & reference().eea
    for country, entry in adequacy.items():
        assert re.search(r"\b(19|20)[0-9]{2}/[0-9]+\b", entry.decision), country
        assert entry.source.startswith("https://"), country
    assert "2023/1795" in adequacy["US"].decision
    assert adequacy["US"].scope is not None  # only DPF-listed organisations


def test_an_authority_for_every_jurisdiction() -> None:
    schema = json.loads((bundled_dir("schema") / "config.schema.json").read_text())
    jurisdictions = set(schema["properties"]["jurisdiction"]["enum"])
    authorities = reference().authorities
    assert set(authorities) == jurisdictions
    for key, authority in authorities.items():
        assert authority.name.get("de") and authority.name.get("en"), key
        assert re.search(r"\b[0-9]{4,5}\b", authority.address), key  # a postal code
        assert authority.website.startswith("https://"), key
        assert authority.source.startswith("https://"), key
