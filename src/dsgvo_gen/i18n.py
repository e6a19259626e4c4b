"""Labels, dates, durations and country names in each output language.

Fixed legal and UI texts live in `templates/labels/<lang>.yaml`, not in code, so
that lawyers can review them as text. Durations are said in words ("3 Monaten",
"30 days"), dates in each language's long format. A project's own catalogue is
read anew whenever the file changes (`serve` rebuilds on every save).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date

from dsgvo_gen.loader import load_bytes
from dsgvo_gen.model import Duration
from dsgvo_gen.paths import read_regular_file_inside

_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
#: A placeholder in a label text: `{name}`, nothing else (str.format would also follow
#: attributes and items of the values, from an object passed in to os.environ).
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class LabelError(KeyError):
    """A label catalogue is broken or lacks a key or value: the templates' author's to fix.

    A KeyError, so that Jinja2 treats `L['missing']` as undefined (StrictUndefined then
    names it); the message reads without KeyError's quotes.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_UNIT_LABELS = ("year", "month", "week", "day", "hour", "minute", "second")


class Labels:
    """The label catalogue of one language; `labels["section.purposes"]` reads nested keys."""

    def __init__(self, lang: str, data: dict[str, Any]) -> None:
        self.lang = lang
        self.data = data

    def __getitem__(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise LabelError(f"label '{key}' is missing for language '{self.lang}'")
            node = node[part]
        return node

    def text(self, key: str, **values: object) -> str:
        """The label `key` with its `{name}` placeholders filled in from `values`."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise LabelError(f"label '{key}' ({self.lang}) has a placeholder {{{name}}} "
                                 f"that is not filled in here")  # fmt: skip
            return str(values[name])

        return _PLACEHOLDER.sub(fill, str(self[key]))

    def duration(self, value: Duration, *, dative: bool = False) -> str:
        """A duration in words, e.g. '3 Monaten' (dative) or '1 year and 6 months'."""
        parts = []
        for unit, label in zip(_UNITS, _UNIT_LABELS, strict=True):
            amount = getattr(value, unit)
            if amount:
                forms = self[f"duration.{label}"]
                if not (isinstance(forms, list) and len(forms) == 3):
                    raise LabelError(f"label 'duration.{label}' ({self.lang}) must list three "
                                     "forms: singular, plural, dative plural")  # fmt: skip
                singular, plural, dative_plural = forms
                word = singular if amount == 1 else (dative_plural if dative else plural)
                parts.append(f"{amount} {word}")
        if len(parts) > 1:
            return ", ".join(parts[:-1]) + f" {self['duration.and']} {parts[-1]}"
        return parts[0] if parts else "0"

    def date(self, value: date) -> str:
        return str(format_date(value, format="long", locale=self.lang))

    def country(self, code: str) -> str:
        return str(Locale(self.lang).territories.get(code, code))


def labels(templates: Path, lang: str) -> Labels:
    """The catalogue of `lang` in `templates`; read again when the file has changed."""
    path = templates / "labels" / f"{lang}.yaml"
    try:
        info = path.lstat()
    except OSError:
        raise LabelError(f"label catalogue {path} cannot be read") from None
    return _labels(templates, lang, (info.st_mtime_ns, info.st_size, info.st_ino))


@lru_cache(maxsize=16)
def _labels(templates: Path, lang: str, version: tuple[int, int, int]) -> Labels:
    relative = f"labels/{lang}.yaml"
    path = templates / relative
    try:
        raw = read_regular_file_inside(templates, relative, limit=1024 * 1024)
    except OSError as err:
        raise LabelError(f"label catalogue {path} cannot be read: {err.strerror}") from None
    doc, findings = load_bytes(raw, path, path.name)
    if doc is None or findings:  # shipped or user-provided catalogue: a broken one is fatal
        problems = "; ".join(f"line {f.line}: {f.message}" for f in findings)
        raise LabelError(f"label catalogue {path} is broken: {problems}")
    return Labels(lang, doc.data)
