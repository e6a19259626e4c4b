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
from dsgvo_gen.findings import Finding, Severity, display_path
from dsgvo_gen.loader import load_file
from dsgvo_gen.resources import bundled_dir, modeline
from dsgvo_gen.rules.project import PROVIDERS_DIR
from dsgvo_gen.scaffold import ScaffoldError, check_provider_id, create_file
from dsgvo_gen.schema import validate
from dsgvo_gen.yamlout import dump

HEADER = (
    "#\n"
    "# Your use of '{uses}', written by `dsgvo-gen add` from {origin}.\n"
    "# The facts about the service come from the catalogue entry '{uses}' and are not\n"
    "# repeated here. Every `decide:` line marks a choice that is yours: check reports it\n"
    "# (DG508) until you have made the choice (keep, change or remove the block it stands\n"
    "# in) and deleted the line.\n"
)

# Each mark fits on one line of the written descriptor (a test keeps it so): the user is
# told to delete the `decide:` line, and a folded mark's next lines would stay behind
# and be read as part of the text above them.
DECIDE_ROLE = "Is this your assessment of the operator's role, for your reasons?"
DECIDE = {
    "purpose": "Your purpose, with this legal basis (and interest)?",
    "data": "Do you collect these data, from this origin?",
    "retention": "Your own deletion rule for your copies?",
    "provision": "What happens when a client does not give the data?",
    "recording": "Your recording practice?",
    "consent": "Your consent form (items, withdrawal, return)?",
    "role": "Operator's role: processor, independent- or joint-controller, self?",
}


class UnknownEntry(ValueError):  # noqa: N818 - a usage error, named for the user
    """`add` was asked for a catalogue id that no catalogue folder holds."""


class InvalidEntry(ScaffoldError):  # noqa: N818 - named for the user, like UnknownEntry
    """The catalogue entry cannot be read or is not valid: `findings` say why."""

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


def _valid_entry(path: Path) -> dict[str, Any]:
    """The data of a valid catalogue entry; InvalidEntry, with its findings, for any other."""
    doc, findings = load_entry_file(path)
    if doc is not None:
        findings += validate(doc, "catalogue")
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if doc is None or errors:
        shown = display_path(path, Path.cwd())
        raise InvalidEntry(
            f"cannot use {shown}: it is not a valid catalogue entry (the errors above; "
            f"'dsgvo-gen check {shown}' names them too); nothing was written",
            errors,
        )
    return doc.data


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
    # A processor's data processing agreement is the user's to record: DG403 asks for it.
    data["role"] = {**data["role"], "decide": DECIDE_ROLE}
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
            "decide": DECIDE["role"],
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
        from dsgvo_gen.hints import did_you_mean

        known = [entry.id for entry in project_catalogue(root, config).all()]
        raise UnknownEntry(f"no catalogue entry '{entry_id}'{did_you_mean(entry_id, known)}; "
                           "'dsgvo-gen catalogue' lists the entries")  # fmt: skip
    return found


def entry_is_draft(root: Path, entry_id: str) -> bool:
    """Whether the entry a descriptor uses is a draft, which keeps that descriptor from
    being published whatever the descriptor says."""
    doc, _ = load_entry_file(find_entry(root, entry_id).path)
    return doc is not None and isinstance(doc.data, dict) and doc.data.get("status") == "draft"


def add_descriptor(
    root: Path | str, entry_id: str, *, as_id: str | None = None, today: date | None = None
) -> Path:
    """Write `providers/<as_id or entry_id>.yaml`, a descriptor that uses the entry.

    Raises UnknownEntry, InvalidProviderId, ScaffoldError when the file exists, or
    InvalidEntry when the entry cannot be read or is not valid; nothing is written then.
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
        entry = _valid_entry(found.path)
        config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
        languages = config.languages if config else LABEL_LANGUAGES
        data, origin = _from_entry(entry, provider_id, day, languages), "the catalogue entry"
    header = modeline(root, "descriptor", path.parent) + HEADER.format(uses=entry_id, origin=origin)
    create_file(path, dump(data, header))
    return path
