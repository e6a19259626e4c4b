"""Labels, dates, durations and country names in each output language.

Fixed legal and UI texts live in `templates/labels/<lang>.yaml`, not in code, so
that lawyers can review them as text. A project's own catalogue changes only the
keys it names; every other label, and every later fix of it, comes from the bundled
one. Durations are said in words ("3 Monaten", "30 days"), dates in each language's
long format. A catalogue is read anew whenever its file changes (`serve` rebuilds
on every save).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date

from dsgvo_gen.durations import Duration
from dsgvo_gen.findings import Finding, display_path, quote
from dsgvo_gen.hints import did_you_mean
from dsgvo_gen.loader import Document, load_file
from dsgvo_gen.model import Source
from dsgvo_gen.paths import UnsafePath, refuse_links_below
from dsgvo_gen.resources import Templates

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
        return str(
            format_date(value, format="long", locale=_DATE_LOCALES.get(self.lang, self.lang))
        )

    def cited(self, sources: Iterable[Source]) -> str:
        """The documents a statement is attributed to, each with the day it was read."""
        named = [self.text("evidence.cited", title=s.title, date=self.date(s.accessed_on))
                 for s in sources]  # fmt: skip
        if len(named) > 1:
            return ", ".join(named[:-1]) + f" {self['duration.and']} {named[-1]}"
        return named[0] if named else ""

    def country(self, code: str) -> str:
        return str(Locale(self.lang).territories.get(code, code))

    def address(self, line: str, country: str | None) -> str:
        """A postal address on one line with its country named in this language: a trailing
        country name in any language ("…, Deutschland") is replaced, a missing one added."""
        if not country:
            return line
        head, _, last = line.rpartition(",")
        if head and _is_country_name(last.strip(), country):
            line = head
        return f"{line}, {self.country(country)}"


#: Short forms a country is often written as in an address, besides its names in German and
#: English.
_COUNTRY_ALIASES = {"US": ("USA", "U.S.A.", "U.S."), "GB": ("UK", "U.K.")}


@cache
def _country_names(country: str) -> frozenset[str]:
    names = {str(Locale(lang).territories.get(country, "")) for lang in ("de", "en")}
    names.update(_COUNTRY_ALIASES.get(country, ()))
    return frozenset(name.casefold() for name in names if name)


def _is_country_name(text: str, country: str) -> bool:
    return text.casefold() in _country_names(country)


#: The built-in English texts are British English, so their dates are too: "21 November
#: 2026", never the US "November 21, 2026" next to "organisation".
_DATE_LOCALES = {"en": "en_GB"}


class CatalogueError(ValueError):
    """A project's label catalogue cannot be used; `findings` say where and why."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f"{f.path}:{f.line}: {f.message}" for f in findings))
        self.findings = findings


@cache
def _read(
    path: Path, layer: Path, stamp: tuple[int, int]
) -> tuple[Document | None, tuple[Finding, ...]]:
    # Keyed by modification time and size, so that `serve` sees an edited catalogue.
    doc, findings = load_file(path, display_path(path, Path.cwd()), inside=layer)
    return doc, tuple(findings)


def _catalogue(layer: Path, lang: str) -> Document | None:
    """The label catalogue of `lang` in one template layer, None where it has none; read
    only as a regular file with no link on the way from the layer (DG116)."""
    path = layer / "labels" / f"{lang}.yaml"
    where = display_path(path, Path.cwd())
    try:
        refuse_links_below(layer, path)
        stat = path.stat()
    except UnsafePath as err:
        raise CatalogueError([Finding(where, 1, 1, "DG116", str(err))]) from None
    except FileNotFoundError:
        return None
    except OSError as err:
        message = f"cannot read the label catalogue: {err.strerror}"
        raise CatalogueError([Finding(where, 1, 1, "DG110", message)]) from None
    doc, findings = _read(path, layer, (stat.st_mtime_ns, stat.st_size))
    if doc is None or findings:
        raise CatalogueError(list(findings))
    return doc


def _new_placeholders(own: str, bundled: str) -> list[str]:
    """The placeholders of a project's label text that the bundled text does not fill in."""
    known = set(_PLACEHOLDER.findall(bundled))
    return sorted({name for name in _PLACEHOLDER.findall(own) if name not in known})


def _placeholder_message(key: str, unknown: list[str], bundled: str) -> str:
    names = ", ".join("{" + name + "}" for name in unknown)
    known = sorted(set(_PLACEHOLDER.findall(bundled)))
    offered = ", ".join("{" + name + "}" for name in known) if known else "none"
    hint = did_you_mean(unknown[0], known).replace(" '", " {").replace("'?", "}?")
    return (
        f"label {quote(key)} uses {names}, which is not filled in there (it offers: "
        f"{offered}){hint}"
    )


def _overlay(base: dict[str, Any], own: Document, at: tuple[str, ...] = ()) -> dict[str, Any]:
    """The bundled labels with the project's own on top, key by key; a key the bundled
    catalogue does not have is a typo, and a finding."""
    node: Any = own.data
    for key in at:
        node = node[key]
    merged = dict(base)
    problems: list[Finding] = []
    for key, value in node.items():
        here = (*at, key)
        if key not in base:
            hint = did_you_mean(key, [k for k in base if isinstance(k, str)])
            problems.append(own.finding(here, "DG111", f"unknown label {quote('.'.join(here))}"
                                        f"{hint}", key=True))  # fmt: skip
        elif isinstance(base[key], dict) and isinstance(value, dict):
            try:
                merged[key] = _overlay(base[key], own, here)
            except CatalogueError as err:
                problems += err.findings
        elif type(value) is not type(base[key]):
            kind = "a mapping" if isinstance(base[key], dict) else "a text"
            problems.append(own.finding(here, "DG111", f"label {quote('.'.join(here))} must be "
                                        f"{kind}, like the bundled one"))  # fmt: skip
        elif isinstance(value, str) and (unknown := _new_placeholders(value, base[key])):
            problems.append(own.finding(here, "DG111", _placeholder_message(
                ".".join(here), unknown, base[key])))  # fmt: skip
        else:
            merged[key] = value
    if problems:
        raise CatalogueError(problems)
    return merged


def labels(templates: Templates | Path, lang: str) -> Labels:
    """The labels of `lang`: the bundled catalogue, and a project's own keys on top.

    Raises CatalogueError (with findings) when a catalogue is broken.
    """
    layers = templates.dirs if isinstance(templates, Templates) else (templates,)
    bundled = _catalogue(layers[-1], lang)
    if bundled is None:
        where = display_path(layers[-1] / "labels" / f"{lang}.yaml", Path.cwd())
        message = "cannot read the label catalogue: No such file or directory"
        raise CatalogueError([Finding(where, 1, 1, "DG110", message)])
    data = bundled.data
    for folder in reversed(layers[:-1]):
        own = _catalogue(folder, lang)
        if own is not None:
            data = _overlay(data, own)
    return Labels(lang, data)
