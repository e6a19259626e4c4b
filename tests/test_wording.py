"""DG440's sentence test (rules/wording.py): which arguments from a missing contract it sees.

The patterns read lower-case text, so capitals at a sentence's start and in shouted words
must not hide an argument, and a role named without a conclusion must not be taken for one.
"""

from __future__ import annotations

import pytest

from dsgvo_gen.rules.wording import _argues_from_no_contract, _draws_conclusion


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Wir haben keinen Vertrag. Daher ist der Anbieter Verantwortlicher.",
         "Daher ist der Anbieter Verantwortlicher."),
        ("Einen Vertrag haben wir nicht geschlossen. DESHALB ist er VERANTWORTLICH.",
         "DESHALB ist er VERANTWORTLICH."),
        ("As there is no agreement with it, the provider is an independent Controller.",
         "As there is no agreement with it, the provider is an independent Controller."),
        ("There is no contract. Therefore the provider is a controller in its own right.",
         "Therefore the provider is a controller in its own right."),
        ("Mangels eines Vertrags ist der Anbieter folglich selbst verantwortlich.",
         "Mangels eines Vertrags ist der Anbieter folglich selbst verantwortlich."),
    ],
)  # fmt: skip
def test_a_role_concluded_from_a_missing_contract_is_found(text: str, sentence: str) -> None:
    assert _argues_from_no_contract(text) == sentence


@pytest.mark.parametrize(
    "text",
    [
        # A role with a reason that is not a missing contract.
        "Der Anbieter entscheidet selbst über die Zwecke; daher ist er Verantwortlicher.",
        # A missing contract, but no role concluded from it.
        "Wir haben keinen Vertrag. Daher fragen wir nach.",
        # No role word at all: the whole text is passed over before it is split.
        "Es gibt keinen Vertrag, deshalb nutzen wir den Dienst nicht.",
        # "da" inside a sentence is no conclusion; only at its start it reads as "because".
        "Ohne Vertrag sind die Daten da, wo der Verantwortliche sie speichert.",
    ],
)
def test_other_texts_are_not_taken_for_such_an_argument(text: str) -> None:
    assert _argues_from_no_contract(text) is None


@pytest.mark.parametrize(
    ("sentence", "concludes"),
    [
        ("daher ist er verantwortlich.", True),
        ("er ist daher verantwortlich.", True),
        ("er ist (daher) verantwortlich.", True),
        ("er ist folglich-verantwortlich.", True),
        ("as a result, it is a controller.", True),
        ("da wir keinen vertrag haben, ist er verantwortlich.", True),
        ("weil kein vertrag besteht, ist er verantwortlich.", True),
        # Inside a word, or a causal word not opening the sentence, is no conclusion.
        ("die ausdaher-regel macht ihn verantwortlich.", False),
        ("er ist verantwortlich, da er entscheidet.", False),
        ("die datenbank ist verantwortlich.", False),
        ("it works as a processor.", False),
        ("thusly the controller.", False),
    ],
)
def test_a_conclusion_is_a_whole_word(sentence: str, concludes: bool) -> None:
    assert _draws_conclusion(sentence) is concludes
