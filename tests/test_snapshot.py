"""Changes between two recorded versions, computed from their content and said in words."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dsgvo_gen.i18n import labels
from dsgvo_gen.resources import Templates
from dsgvo_gen.snapshot import changes, describe, new_consent_scope

NOTICE: dict[str, Any] = {
    "purposes": [{"id": "support", "text": "Fernwartung", "legal_basis": ["art6-1-b"]}],
    "data": [{"id": "ip", "text": "IP-Adresse", "special_category": False}],
    "recipients": [{"name": "Hoster GmbH", "role": "processor", "country": "DE",
                    "purpose": "Betrieb des Servers"}],
    "transfers": [],
    "retention": [{"data": "ip", "text": "IP-Adresse", "period": "P1M", "criteria": None}],
}  # fmt: skip
CONSENT: dict[str, Any] = {
    "items": [{"id": "video", "text": "Videoberatung", "purposes": ["video"], "data": ["ip"]}],
    "purposes": [{"id": "video", "text": "Videoberatung", "legal_basis": ["art6-1-a"]}],
    "data": [{"id": "ip", "text": "IP-Adresse", "special_category": False}],
}


def _changed(base: dict[str, Any], edit: str) -> dict[str, Any]:
    new = copy.deepcopy(base)
    if edit == "basis":
        new["purposes"][0]["legal_basis"] = ["art6-1-f"]
    elif edit == "purpose":
        new["purposes"].append({"id": "chat", "text": "Chat", "legal_basis": ["art6-1-b"]})
    elif edit == "recipient":
        zoom = "Zoom Video Communications, Inc."
        new["recipients"].append(
            {"name": zoom, "role": "sub-processor", "country": "US", "purpose": "Video"}
        )
    elif edit == "transfer":
        new["transfers"].append({"recipient": "Zoom Video Communications, Inc.", "country": "US",
                                 "mechanism": "scc"})  # fmt: skip
    elif edit == "retention":
        new["retention"][0]["period"] = "P0D"
    elif edit == "wording":
        new["purposes"][0]["text"] = "Fernwartung Ihres Rechners"
    return new


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            "basis",
            "Rechtsgrundlage geändert \u2013 Fernwartung: bisher Vertrag oder vorvertragliche",
        ),
        ("purpose", "Zweck hinzugekommen: Chat"),
        ("recipient", "Empfänger hinzugekommen: Zoom Video Communications, Inc. (Vereinigte"),
        ("transfer", "Übermittlung in ein Drittland hinzugekommen: Zoom Video Communications"),
        ("retention", "Speicherdauer geändert \u2013 IP-Adresse: bisher 1 Monat, jetzt keine"),
    ],
)
def test_each_kind_of_change_is_said_in_the_words_of_its_area(edit: str, said: str) -> None:
    found = changes(NOTICE, _changed(NOTICE, edit))
    assert len(found) == 1
    text = describe(found[0], labels(Templates.bundled(), "de"))
    assert text.startswith(said), text


def test_wording_alone_is_no_change_of_content() -> None:
    assert changes(NOTICE, _changed(NOTICE, "wording")) == []  # the same purpose, reworded
    assert changes(CONSENT, copy.deepcopy(CONSENT)) == []


def test_only_a_wider_consent_asks_for_consent_again() -> None:
    narrower = copy.deepcopy(CONSENT)
    narrower["items"][0]["text"] = "Beratung per Video"
    assert new_consent_scope(CONSENT, narrower) == []
    wider = copy.deepcopy(CONSENT)
    wider["items"][0]["data"] = ["ip", "health"]
    wider["items"].append({"id": "rec", "text": "Aufzeichnung", "purposes": ["rec"], "data": []})
    assert new_consent_scope(CONSENT, wider) == ["Videoberatung", "Aufzeichnung"]
    assert new_consent_scope(wider, CONSENT) == []  # less asked: the old consents cover it
