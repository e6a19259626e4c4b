"""Labels, dates, durations and country names in each output language.

Fixed legal and UI texts live in `templates/labels/<lang>.yaml`, not in code, so
that lawyers can review them as text. Durations are said in words ("3 Monaten",
"30 days"), dates in each language's long format.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date

from dsgvo_gen.loader import load_file
from dsgvo_gen.model import Duration

_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_UNIT_LABELS = ("year", "month", "week", "day", "hour", "minute", "second")
# Label keys of the features whose value is a choice: features.e2ee_always, ...
_FEATURE_PREFIXES = {
    "end_to_end_encryption": "e2ee_",
    "peer_to_peer": "p2p_",
    "guest_cost": "cost_",
}


class Labels:
    """The label catalogue of one language; `labels["section.purposes"]` reads nested keys."""

    def __init__(self, lang: str, data: dict[str, Any]) -> None:
        self.lang = lang
        self.data = data

    def __getitem__(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"label '{key}' is missing for language '{self.lang}'")
            node = node[part]
        return node

    def text(self, key: str, **values: object) -> str:
        return str(self[key]).format(**values)

    def duration(self, value: Duration, *, dative: bool = False) -> str:
        """A duration in words, e.g. '3 Monaten' (dative) or '1 year and 6 months'."""
        parts = []
        for unit, label in zip(_UNITS, _UNIT_LABELS, strict=True):
            amount = getattr(value, unit)
            if amount:
                singular, plural, dative_plural = self[f"duration.{label}"]
                word = singular if amount == 1 else (dative_plural if dative else plural)
                parts.append(f"{amount} {word}")
        if len(parts) > 1:
            return ", ".join(parts[:-1]) + f" {self['duration.and']} {parts[-1]}"
        return parts[0] if parts else "0"

    def feature(self, key: str, value: object) -> str:
        """A feature's value in words: yes/no, a choice, a duration, or unknown (None)."""
        if value is None:
            return str(self["features.unknown"])
        if isinstance(value, bool):
            return str(self["features.yes" if value else "features.no"])
        if isinstance(value, Duration):
            return self.duration(value)
        if key == "time_limit":  # NO_LIMIT
            return str(self["features.no_limit"])
        return str(self[f"features.{_FEATURE_PREFIXES[key]}{value}"])

    def date(self, value: date) -> str:
        return str(format_date(value, format="long", locale=self.lang))

    def country(self, code: str) -> str:
        return str(Locale(self.lang).territories.get(code, code))


@cache
def labels(templates: Path, lang: str) -> Labels:
    path = templates / "labels" / f"{lang}.yaml"
    doc, findings = load_file(path, path.name)
    if doc is None or findings:  # shipped or user-provided catalogue: a broken one is fatal
        raise ValueError(f"label catalogue {path} is broken: {findings}")
    return Labels(lang, doc.data)
