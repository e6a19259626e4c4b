"""Where the bundled schema, templates and reference data live.

In a wheel, `schema/`, `templates/` and the example descriptor that `init` copies
(`providers/<id>.yaml`) are copied into the package; in a source checkout
(editable install, tests) they stay at the repository's top level.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from dsgvo_gen.paths import refuse_link

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The bundled folder `name` (schema, templates, providers), in the wheel or the checkout."""
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent.parent / name


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema by name (provider, config)."""
    path = bundled_dir("schema") / f"{name}.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def templates_for(root: Path) -> Path:
    """The project's own templates where it deliberately has them, else the bundled ones.

    Raises UnsafePath where `templates` is a link: a clone could point it anywhere.
    """
    own = root / "templates"
    refuse_link(own)
    return own if (own / "base.html").is_file() else bundled_dir("templates")


def provider_categories() -> list[str]:
    """The provider categories the bundled schema allows (for `new --category`)."""
    categories: list[str] = load_schema("provider")["properties"]["category"]["enum"]
    return categories
