"""The project config `dsgvo-gen.yaml`: controller, languages, site settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dsgvo_gen.durations import Duration
from dsgvo_gen.findings import Finding
from dsgvo_gen.loader import Document, load_file
from dsgvo_gen.model import Text
from dsgvo_gen.paths import UnsafePath, not_own_folder
from dsgvo_gen.resources import PACKAGE_DIR
from dsgvo_gen.schema import validate

CONFIG_NAME = "dsgvo-gen.yaml"
#: The languages dsgvo-gen has built-in labels and legal texts for; also the default.
LABEL_LANGUAGES = ("de", "en")
#: The config `init` writes: an invented example controller, to be replaced.
EXAMPLE_CONFIG = PACKAGE_DIR / "data" / "init" / CONFIG_NAME


@dataclass(frozen=True)
class Contact:
    name: str
    address: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Controller:
    name: str
    address: str
    country: str
    email: str
    phone: str | None
    website: str | None
    example: bool


@dataclass(frozen=True)
class Config:
    languages: tuple[str, ...]
    site_title: Text
    base_url: str | None
    controller: Controller
    dpo: Contact | None
    representative: Contact | None
    jurisdiction: str
    providers: tuple[str, ...] | None  # None: every descriptor in providers/
    review_max_age: Duration
    #: Further catalogue folders, as written (relative to the project), highest precedence first.
    catalogue: tuple[str, ...]
    path: str
    logo: str | None = None  # a path inside the project
    accent_color: str | None = None  # a CSS hex colour
    imprint_url: str | None = None  # the footer's links to the controller's own website
    privacy_url: str | None = None
    #: The controller states that it need not designate a DPO (Art. 37 GDPR, § 38 BDSG).
    dpo_not_required: bool = False

    @property
    def default_language(self) -> str:
        return self.languages[0]


def _contact(raw: dict[str, Any] | None) -> Contact | None:
    if raw is None:
        return None
    return Contact(raw["name"], raw.get("address"), raw.get("email"), raw.get("phone"))


def build_config(raw: dict[str, Any], path: str) -> Config:
    """The model of a config; `raw` must have passed the config schema."""
    c = raw["controller"]
    providers = raw["providers"]
    return Config(
        languages=tuple(raw["languages"]),
        site_title=Text.of(raw["site"]["title"], ("site", "title")),
        base_url=raw["site"].get("base_url"),
        controller=Controller(c["name"], c["address"], c["country"], c["email"],
                              c.get("phone"), c.get("website"), bool(c.get("example"))),
        dpo=_contact(raw["dpo"]),
        representative=_contact(raw["representative"]),
        jurisdiction=raw["jurisdiction"],
        providers=None if providers == "all" else tuple(providers),
        review_max_age=Duration.parse(raw["review_max_age"]),
        catalogue=tuple(raw.get("catalogue", ())),
        path=path,
        **{key: raw["site"].get(key) for key in (
            "logo", "accent_color", "imprint_url", "privacy_url")},
        dpo_not_required=bool(raw.get("dpo_not_required")),
    )  # fmt: skip


def find_project(start: Path) -> Path | None:
    """The nearest folder from `start` upwards that holds a project config, like git.

    Above `start`, only a project that is the user's own counts: raises UnsafePath for
    one whose folder or config belongs to another user, or whose folder everyone may
    write to (a config planted in /tmp is not built by a user working in /tmp/mine).
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        config = folder / CONFIG_NAME
        if config.is_file():
            if folder != start and (problem := not_own_folder(folder, config)):
                raise UnsafePath(
                    f"not using the project in {folder}: {problem}; run dsgvo-gen in that "
                    f"folder, or name it with --project {folder} if you trust it"
                )
            return folder
    return None


@cache
def example_controller() -> dict[str, str]:
    """The invented controller of the example config that `init` writes, key -> value."""
    doc, _ = load_file(EXAMPLE_CONFIG, EXAMPLE_CONFIG.name)
    controller = doc.data.get("controller", {}) if doc is not None else {}
    return {k: v for k, v in controller.items() if isinstance(v, str)}


def load_config(path: Path, display: str) -> tuple[Config | None, Document | None, list[Finding]]:
    """Load, validate and model the config; all problems come back as findings."""
    if not path.exists():
        message = f"no project config {CONFIG_NAME} here; create one with 'dsgvo-gen init'"
        return None, None, [Finding(display, 1, 1, "DG110", message)]
    doc, findings = load_file(path, display)
    if doc is None:
        return None, None, findings
    schema_findings = validate(doc, "config")
    findings.extend(schema_findings)
    if schema_findings:
        return None, doc, findings
    return build_config(doc.data, display), doc, findings
