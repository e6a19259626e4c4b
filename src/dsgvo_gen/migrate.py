"""`migrate`: a format 1 descriptor becomes a catalogue entry plus a format 2 descriptor.

The facts (sources, operator, features, recipients, transfers, the provider's
retention rules and the data they cover) go to `catalogue/<id>.yaml`; the decisions
stay in the descriptor, which names the entry with `uses:`. Before anything is
written, the two new files are joined again and the result must be the model the
format 1 file gives, so every notice built from them is the same.

Nothing is overwritten: an existing catalogue entry stops the migration of that
descriptor, and the descriptor itself is replaced only after the entry is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dsgvo_gen.catalogue import CATALOGUE_DIR
from dsgvo_gen.decisions import build_decisions, join
from dsgvo_gen.entry import build_entry
from dsgvo_gen.findings import display_path
from dsgvo_gen.loader import load_file
from dsgvo_gen.parts import build_provider
from dsgvo_gen.resources import modeline
from dsgvo_gen.rules.project import PROVIDERS_DIR
from dsgvo_gen.schema import validate
from dsgvo_gen.yamlout import dump

#: Hosts of registers, authorities and laws: a source there is `official`.
OFFICIAL_HOSTS = ("dataprivacyframework.gov", "europa.eu", "bund.de", "admin.ch", "gv.at",
                  "gesetze-im-internet.de", "datenschutzkonferenz-online.de")  # fmt: skip
#: Hosting services where the last two labels name the host, not the author.
_SHARED_HOSTS = ("github.io", "github.com", "gitlab.io", "gitlab.com", "co.uk", "com.au")

ENTRY_NOTE = (
    "# Made by `dsgvo-gen migrate` from a format 1 descriptor. The kind of each source was\n"
    "# derived from its address (provider: the operator's own domain; official: a register\n"
    "# or authority; third-party: any other): check them. A fact's and a source's `note`\n"
    "# are the format 1 `unverified` texts: where one says a fact is not confirmed, name that\n"
    "# fact under `unconfirmed:` with the reason (the notice then marks it).\n"
)


class MigrateError(Exception):
    """A descriptor that cannot be migrated; the message says which and why, for the user."""


@dataclass(frozen=True)
class Migrated:
    descriptor: Path
    entry: Path
    #: Comments inside the old file (not at its top) that neither new file carries.
    dropped_comments: int


def _comments(text: str) -> tuple[str, int]:
    """The comment lines at the top of a file (without its modeline), and how many
    comments stand further down, where a rewritten file cannot keep them."""
    lines = text.splitlines(keepends=True)
    top = 0
    while top < len(lines) and lines[top].lstrip().startswith("#"):
        top += 1
    header = "".join(line for line in lines[:top] if "yaml-language-server:" not in line)
    further = sum(1 for line in lines[top:] if "#" in line and _is_comment(line))
    return header, further


def _is_comment(line: str) -> bool:
    """A line that is (or ends in) a YAML comment: '#' at its start or after a space,
    outside quotes. Good enough to count what a rewrite drops; never used to parse."""
    quote = None
    for index, char in enumerate(line):
        if char in "'\"" and quote in (None, char):
            quote = None if quote else char
        elif char == "#" and quote is None and (index == 0 or line[index - 1] in " \t"):
            return True
    return False


def _site(host: str) -> str:
    labels = host.lower().removeprefix("www.").split(".")
    site = ".".join(labels[-2:])
    return ".".join(labels[-3:]) if site in _SHARED_HOSTS else site


def source_kind(url: str, operator_urls: Sequence[str | None]) -> str:
    """provider, official or third-party, from where the source is published."""
    host = urlparse(url).hostname or ""
    if any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS):
        return "official"
    own = {_site(urlparse(u).hostname or "") for u in operator_urls if u}
    return "provider" if _site(host) in own - {""} else "third-party"


def _renamed(raw: dict[str, Any], **names: str) -> dict[str, Any]:
    return {names.get(k, k): v for k, v in raw.items()}


def _unsupported(raw: dict[str, Any]) -> Iterator[str]:
    """What a format 2 descriptor has no place for: sourced or unverified decisions."""
    proc = raw["processing"]
    for index, rule in enumerate(proc["retention"]):
        if rule["set_by"] == "controller" and ("source" in rule or "unverified" in rule):
            yield (
                f"processing.retention[{index}] (set_by controller) cites a source or is unverified"
            )
    if raw["operator"]["role"] == "self":
        for key in ("recipients", "transfers"):
            for index, item in enumerate(proc[key]):
                if "source" in item or "unverified" in item:
                    yield f"processing.{key}[{index}] of a service you run cites a source"


def split(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The catalogue entry and the format 2 descriptor of a schema-valid format 1 descriptor."""
    op, proc = raw["operator"], raw["processing"]
    provider_rules = [r for r in proc["retention"] if r["set_by"] == "provider"]
    service_ids = {d for r in provider_rules for d in r["data"]}
    identity = [op.get(k) for k in ("legal_name", "address", "country", "privacy_policy_url",
                                     "dpa_url")]  # fmt: skip
    facts_hold_recipients = any(v is not None for v in identity)
    operator_urls = [raw["service_url"], op.get("privacy_policy_url"), op.get("dpa_url")]
    entry: dict[str, Any] = {
        "id": raw["id"], "name": raw["name"], "category": raw["category"],
        "service_url": raw["service_url"], "reviewed_on": raw["reviewed_on"],
        "status": "published",
        "sources": [
            {**_renamed({k: v for k, v in s.items() if k != "unverified"}),
             "kind": source_kind(s["url"], operator_urls),
             **({"note": s["unverified"]} if "unverified" in s else {})}
            for s in raw["sources"]
        ],
        "operator": {
            "legal_name": op.get("legal_name"), "address": op.get("address"),
            "country": op.get("country"), "privacy_policy_url": op.get("privacy_policy_url"),
            "dpa_offered": True if op.get("dpa_url") else None, "dpa_url": op.get("dpa_url"),
            **{k: v for k, v in _renamed(op, unverified="note").items()
               if k in ("source", "note")},
        },
        "features": _renamed(raw["features"], unverified="note"),
        "service_data": [d for d in proc["data"] if d["id"] in service_ids],
        "recipients": [_renamed(r, unverified="note") for r in proc["recipients"]]
        if facts_hold_recipients else [],
        "transfers": [_renamed(t, unverified="note") for t in proc["transfers"]]
        if facts_hold_recipients else [],
        "retention": [_renamed({k: v for k, v in r.items() if k != "set_by"},
                               unverified="note") for r in provider_rules],
    }  # fmt: skip
    descriptor: dict[str, Any] = {
        "format": 2, "id": raw["id"], "uses": raw["id"], "status": "published",
        "reviewed_on": raw["reviewed_on"],
        "role": {"assessment": op["role"], "reason": op["role_reason"],
                 "joint_arrangement": op.get("joint_arrangement")},
        # Format 1 took the provider's published agreement for the controller's; the
        # record keeps where it stands, and the date stays open for the user to fill in.
        "dpa": {"concluded_on": None, "kept_at": op["dpa_url"]}
        if op["role"] == "processor" and op.get("dpa_url") else None,
        "processing": {
            "subjects": proc["subjects"],
            "purposes": proc["purposes"],
            "data": [d["id"] if d["id"] in service_ids else d for d in proc["data"]],
            "recipients": [] if facts_hold_recipients else proc["recipients"],
            "transfers": [] if facts_hold_recipients else proc["transfers"],
            "retention": [{"catalogue": r["data"]} if r["set_by"] == "provider"
                          else {k: v for k, v in r.items() if k != "set_by"}
                          for r in proc["retention"]],
            "provision": proc["provision"],
            "automated_decisions": proc["automated_decisions"],
            "recording": proc["recording"],
        },
        "consent": raw["consent"],
    }  # fmt: skip
    return entry, descriptor


def _comparable(value: Any) -> Any:
    """A model as plain data without positions, file names and the source kinds format 1
    lacks: what decides the output."""
    if is_dataclass(value) and not isinstance(value, type):
        skip = {"at", "path", "status", "uses", "kind"}
        return {f.name: _comparable(getattr(value, f.name)) for f in fields(value)
                if f.name not in skip}  # fmt: skip
    if isinstance(value, tuple):
        return [_comparable(v) for v in value]
    return value


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)


def _replace(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


def migrate_file(root: Path, path: Path) -> Migrated:
    """Migrate one format 1 descriptor of the project `root`; raises MigrateError."""
    shown = display_path(path, Path.cwd())
    if path.is_symlink():
        raise MigrateError(f"{shown} is a symbolic link; migrate only rewrites regular files")
    doc, findings = load_file(path, shown)
    if doc is None:
        raise MigrateError(f"{shown} cannot be read: {findings[0].message}")
    if doc.data.get("format") == 2:
        raise MigrateError(f"{shown} is already in format 2")
    if validate(doc, "provider"):
        raise MigrateError(f"{shown} has schema errors; 'dsgvo-gen check {shown}' names them")
    if problems := list(_unsupported(doc.data)):
        raise MigrateError(f"{shown}: {'; '.join(problems)}; format 2 keeps sources in the "
                           "catalogue only: move these facts there by hand")  # fmt: skip
    entry_raw, descriptor_raw = split(doc.data)
    joined = join(build_entry(entry_raw, "entry"), build_decisions(descriptor_raw, "descriptor"))
    if _comparable(joined) != _comparable(build_provider(doc.data, "descriptor")):
        raise MigrateError(f"{shown}: the split would change the notice; nothing was written")
    entry_path = root / CATALOGUE_DIR / f"{entry_raw['id']}.yaml"
    header, dropped = _comments(path.read_text(encoding="utf-8"))
    entry_head = modeline(root, "catalogue", entry_path.parent) + ENTRY_NOTE + header
    entry_text = dump(entry_raw, entry_head)
    descriptor_text = dump(descriptor_raw, modeline(root, "descriptor", path.parent) + header)
    try:
        _write_new(entry_path, entry_text)
    except FileExistsError:
        raise MigrateError(
            f"{display_path(entry_path, Path.cwd())} already exists; nothing was overwritten"
        ) from None
    _replace(path, descriptor_text)
    return Migrated(path, entry_path, dropped)


def migrate(root: Path | str, paths: Sequence[Path | str] = ()) -> tuple[list[Migrated], list[str]]:
    """Migrate the given descriptors (default: every format 1 descriptor in providers/).

    Returns what was migrated and, for each descriptor that was not, why; one that
    cannot be migrated does not stop the others.
    """
    root = Path(root)
    if paths:
        files = [Path(p) for p in paths]
    else:
        files = [p for p in sorted((root / PROVIDERS_DIR).glob("*.yaml")) if _is_format_1(p)]
    done, refused = [], []
    for path in files:
        try:
            done.append(migrate_file(root, path))
        except (MigrateError, OSError) as err:
            refused.append(str(err) if isinstance(err, MigrateError) else f"{path}: {err}")
    return done, refused


def _is_format_1(path: Path) -> bool:
    doc, _ = load_file(path, path.name)
    return doc is not None and doc.data.get("format") == 1
