"""Where the bundled schema, templates and reference data live.

In a wheel, `schema/`, `templates/` and the example descriptor that `init` copies
(`providers/<id>.yaml`) are copied into the package; in a source checkout
(editable install, tests) they stay at the repository's top level.
"""

from __future__ import annotations

import json
import os
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dsgvo_gen.paths import refuse_link

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = "schema"
#: The schemas `init` copies into a project, for editors: descriptors in format 2 and 1,
#: catalogue entries, the config.
SCHEMA_FILES = ("descriptor.schema.json", "provider.schema.json", "catalogue.schema.json",
                "config.schema.json")  # fmt: skip


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


@dataclass(frozen=True)
class Templates:
    """Where templates, label catalogues and assets come from, file by file: the project's
    own `templates/` first, where it has one, then the bundled folder.

    A project can so replace one template (say `base.html`) and still receive every fix
    of the bundled legal texts in the others.
    """

    dirs: tuple[Path, ...]

    @classmethod
    def bundled(cls) -> Templates:
        return cls((bundled_dir("templates"),))

    @property
    def base(self) -> Path:
        """The first folder: PDF pages resolve their relative URLs against it."""
        return self.dirs[0]

    @property
    def own(self) -> Path | None:
        """The project's own folder, if there is one."""
        return self.dirs[0] if len(self.dirs) > 1 else None

    def find(self, relative: str) -> Path:
        """The file the project provides, else the bundled one (which may not exist).

        A link counts as provided: reading it is then refused (`paths`), rather than
        the bundled file quietly taking its place.
        """
        for folder in self.dirs:
            if (folder / relative).is_file() or (folder / relative).is_symlink():
                return folder / relative
        return self.dirs[-1] / relative

    def line_of(self, err: BaseException) -> tuple[Path, int] | None:
        """The template file and line where rendering failed (the innermost one): Jinja2
        rewrites a traceback so that a template's frames carry its file name and line. The
        errors `err` was raised from are searched too (the renderer re-raises them)."""
        folders = [folder.resolve() for folder in self.dirs]
        cause: BaseException | None = err
        while cause is not None:
            found = None
            for frame in traceback.extract_tb(cause.__traceback__):
                path = Path(frame.filename)
                if path.suffix and any(path.resolve().is_relative_to(f) for f in folders):
                    found = (path, frame.lineno or 1)
            if found is not None:
                return found
            cause = cause.__cause__
        return None


def has_own_templates(root: Path) -> bool:
    """Whether the project has a `templates/` folder of its own (or a link in its place)."""
    own = root / "templates"
    if own.is_symlink():
        return True
    return own.is_dir() and own.resolve() != bundled_dir("templates").resolve()


def templates_for(root: Path) -> Templates:
    """The project's own templates layered over the bundled ones.

    Raises UnsafePath where `templates` is a link: a clone could point it anywhere.
    """
    own = root / "templates"
    refuse_link(own)
    bundled = bundled_dir("templates")
    return Templates((own, bundled)) if has_own_templates(root) else Templates((bundled,))


def provider_categories() -> list[str]:
    """The provider categories the bundled schema allows (for `new --category`)."""
    categories: list[str] = load_schema("provider")["properties"]["category"]["enum"]
    return categories


def schema_reference(root: Path, name: str, folder: Path) -> str:
    """What a modeline in a file in `folder` names for the schema `name` (e.g. descriptor):
    the project's copy, relative, where `init` made one (that works for everyone who
    clones the project), else the installed schema's file URI (on this machine only)."""
    copy = root / SCHEMA_DIR / f"{name}.schema.json"
    if copy.is_file():
        return Path(os.path.relpath(copy, folder)).as_posix()
    return (bundled_dir(SCHEMA_DIR) / f"{name}.schema.json").resolve().as_uri()


def modeline(root: Path, name: str, folder: Path) -> str:
    """The first line that tells editors with the YAML language server the file's schema."""
    return f"# yaml-language-server: $schema={schema_reference(root, name, folder)}\n"
