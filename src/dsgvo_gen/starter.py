"""`add`: a format 2 descriptor for a catalogue entry, as a reviewed starting point.

For a service dsgvo-gen ships, the starting point is the shipped descriptor: the
decisions of the invented example controller, which a lawyer-minded reader has
reviewed. Every choice in it that is the controller's own (its role assessment,
purposes and legal bases, its data and retention rules, provision, recording,
consent) is marked `decide:`, and `check` reports each mark (DG508) until the
user has decided and deleted it. A processor's data processing agreement is left
for the user to record (DG403); the example's record is not theirs. For any
other entry, the starting point is made from the entry: its service data and the
provider's retention rules, with TODOs that check reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from dsgvo_gen.catalogue import Found, load_entry_file, project_catalogue
from dsgvo_gen.config import CONFIG_NAME, LABEL_LANGUAGES, load_config
from dsgvo_gen.loader import load_file
from dsgvo_gen.resources import bundled_dir, modeline
from dsgvo_gen.rules.project import PROVIDERS_DIR
from dsgvo_gen.scaffold import ScaffoldError, check_provider_id, create_file
from dsgvo_gen.yamlout import dump

HEADER = (
    "#\n"
    "# Your use of '{uses}', written by `dsgvo-gen add` from {origin}.\n"
    "# The facts about the service come from the catalogue entry '{uses}' and are not\n"
    "# repeated here. Every `decide:` line marks a choice that is yours: check reports it\n"
    "# (DG508) until you have made the choice (keep, change or remove the block it stands\n"
    "# in) and deleted the line.\n"
)

DECIDE_ROLE = (
    "This is the example controller's assessment of the operator's role and its reasons. "
    "Check it against your own contract with the operator and how you use the service."
)
DECIDE_PROCESSOR = (
    " As a processor, the operator needs your data processing agreement (Art. 28(3) GDPR): "
    "record it under dpa (concluded_on, kept_at)."
)
DECIDE = {
    "purpose": "Is this your purpose, with this legal basis (and legitimate interest)?",
    "data": "Do you collect these data, from this origin?",
    "retention": "Is this your own deletion rule for your copies?",
    "provision": "Is this what happens when a client does not provide the data?",
    "recording": "Is this your recording practice?",
    "consent": "Is this your consent form (items, withdrawal, how it is returned)?",
}


class UnknownEntry(ValueError):  # noqa: N818 - a usage error, named for the user
    """`add` was asked for a catalogue id that no catalogue folder holds."""


def _shipped(entry_id: str) -> dict[str, Any] | None:
    """The shipped format 2 descriptor that uses the entry (published or draft, in the example
    projects too), if any."""
    folder = bundled_dir(PROVIDERS_DIR)
    examples = sorted(bundled_dir("examples").glob(f"*/{PROVIDERS_DIR}/{entry_id}.yaml"))
    for path in (folder / f"{entry_id}.yaml", folder / "drafts" / f"{entry_id}.yaml", *examples):
        if path.is_file():
            doc, findings = load_file(path, path.name)
            if (
                doc
                and not findings
                and doc.data.get("format") == 2
                and doc.data.get("uses") == entry_id
            ):
                return doc.data
    return None


def _marked(shipped: dict[str, Any], provider_id: str, today: date) -> dict[str, Any]:
    """The shipped descriptor with every decision marked and the example's record taken out."""
    data: dict[str, Any] = {**shipped, "id": provider_id, "status": "published",
                            "reviewed_on": today.isoformat()}  # fmt: skip
    data.pop("missing", None)
    if "service_url" in data:
        data["service_url"] = "https://todo.invalid/"  # the example's own server is not yours
    processor = data["role"]["assessment"] == "processor"
    data["role"] = {**data["role"], "decide": DECIDE_ROLE + (DECIDE_PROCESSOR if processor else "")}
    data["dpa"] = None
    proc = dict(data["processing"])
    proc["purposes"] = [{**p, "decide": DECIDE["purpose"]} for p in proc["purposes"]]
    proc["data"] = [d if isinstance(d, str) else {**d, "decide": DECIDE["data"]}
                    for d in proc["data"]]  # fmt: skip
    proc["retention"] = [r if "catalogue" in r else {**r, "decide": DECIDE["retention"]}
                         for r in proc["retention"]]  # fmt: skip
    for key in ("provision", "recording"):
        proc[key] = {**proc[key], "decide": DECIDE[key]}
    data["processing"] = proc
    if data["consent"] is not None:
        data["consent"] = {**data["consent"], "decide": DECIDE["consent"]}
    return data


def _todo(hint: str, languages: Sequence[str]) -> dict[str, str]:
    return {lang: f"TODO: {hint}" for lang in languages}


def _from_entry(
    entry: dict[str, Any], provider_id: str, today: date, languages: Sequence[str]
) -> dict[str, Any]:
    """A starting point made from the entry alone: its data, the provider's rules, TODOs."""
    runs_itself = all(entry["operator"][k] is None for k in ("legal_name", "address", "country"))
    data: dict[str, Any] = {
        "format": 2, "id": provider_id, "uses": entry["id"], "status": "published",
        "reviewed_on": today.isoformat(),
    }  # fmt: skip
    if entry["service_url"] is None:
        data["service_url"] = "https://todo.invalid/"
    data.update({
        "role": {
            "assessment": "self" if runs_itself else "processor",
            "reason": _todo("why the operator has this role in your use of the service", languages),
            "joint_arrangement": None,
            "decide": "Which role does the operator have towards you: processor, "
                      "independent-controller, joint-controller, or self (you run it)?",
        },
        "dpa": None,
        "processing": {
            "subjects": [{"id": "clients",
                          "text": _todo("whose data: e.g. your clients", languages)}],
            "purposes": [{"id": "use-of-the-service",
                          "text": _todo("what you use the service for", languages),
                          "legal_basis": [], "legitimate_interest": None,
                          "decide": DECIDE["purpose"]}],
            "data": [d["id"] for d in entry["service_data"]],
            "recipients": [], "transfers": [],
            "retention": [{"catalogue": r["data"]} for r in entry["retention"]],
            "provision": {"obligation": "none",
                          "consequence": _todo("what happens without these data", languages),
                          "decide": DECIDE["provision"]},
            "automated_decisions": False,
            "recording": {"used": False, "text": _todo("whether you record sessions", languages),
                          "decide": DECIDE["recording"]},
        },
        "consent": None,
    })  # fmt: skip
    return data


def find_entry(root: Path, entry_id: str) -> Found:
    config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
    found = project_catalogue(root, config).find(entry_id)
    if found is None:
        raise UnknownEntry(
            f"no catalogue entry '{entry_id}'; 'dsgvo-gen catalogue' lists the entries"
        )
    return found


def add_descriptor(
    root: Path | str, entry_id: str, *, as_id: str | None = None, today: date | None = None
) -> Path:
    """Write `providers/<as_id or entry_id>.yaml`, a descriptor that uses the entry.

    Raises UnknownEntry, InvalidProviderId, or ScaffoldError when the file exists or
    the entry cannot be read.
    """
    root = Path(root)
    provider_id = as_id or entry_id
    check_provider_id(provider_id)
    found = find_entry(root, entry_id)
    path = root / PROVIDERS_DIR / f"{provider_id}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; nothing was overwritten")
    day = today or date.today()
    shipped = _shipped(entry_id) if found.folder.origin == "bundled" else None
    if shipped is not None:
        data, origin = _marked(shipped, provider_id, day), "the descriptor shipped with dsgvo-gen"
    else:
        doc, findings = load_entry_file(found.path)
        if doc is None:
            raise ScaffoldError(f"cannot read {found.path}: {findings[0].message}")
        config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
        languages = config.languages if config else LABEL_LANGUAGES
        data, origin = _from_entry(doc.data, provider_id, day, languages), "the catalogue entry"
    header = modeline(root, "descriptor", path.parent) + HEADER.format(uses=entry_id, origin=origin)
    create_file(path, dump(data, header))
    return path
