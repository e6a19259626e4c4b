"""`init` and `new`: a new project folder, or a new descriptor skeleton in a project.

Both only ever create files. They refuse when a file of theirs is already there,
and open every file in exclusive mode, so nothing a user wrote is overwritten,
not even by a second run racing the first.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path, PurePosixPath

from dsgvo_gen.config import CONFIG_NAME, load_config
from dsgvo_gen.config import LABEL_LANGUAGES as DEFAULT_LANGUAGES
from dsgvo_gen.paths import UnsafePath, create_inside, read_regular_file_inside
from dsgvo_gen.resources import (
    PACKAGE_DIR,
    SCHEMA_DIR,
    SCHEMA_FILES,
    bundled_dir,
    load_schema,
    provider_categories,
    schema_reference,
)
from dsgvo_gen.rules.project import PROVIDERS_DIR

#: The shipped descriptor that `init` copies as the example: a Jitsi server the
#: controller runs itself, the one service any reader of the example could run.
EXAMPLE_PROVIDER = "jitsi-self-hosted"
_INIT_DATA = PACKAGE_DIR / "data" / "init"
_SKELETON = PACKAGE_DIR / "data" / "new" / "descriptor.yaml.j2"
# The purpose id a skeleton starts with, in the words of its category.
_PURPOSES = {
    "video-conference": "online-meetings",
    "remote-control": "remote-support",
    "video-consultation": "video-consultation",
}


# In the skeleton template, `key: «hint»` stands for a localized text to fill in; it
# becomes one TODO entry per language of the project, indented below the key.
_TEXT_SLOT = re.compile(r"^(?P<indent> *)(?P<key>\w+): «(?P<hint>[^»\n]+)»$", re.MULTILINE)


class ScaffoldError(Exception):
    """Something is in the way of a new file; the message says what, for the user."""


class InvalidProviderId(ValueError):  # noqa: N818 - a usage error, named for the user
    """A provider id that cannot become a file name."""


class Outcome(StrEnum):
    CREATED = "created"
    EXTENDED = "extended"  # an existing .gitignore that lacked our entries
    KEPT = "kept"  # an existing README.md, left as it was


@dataclass(frozen=True)
class Written:
    path: Path
    outcome: Outcome


def check_provider_id(provider_id: str) -> None:
    """Raise InvalidProviderId unless `provider_id` may become a file name (DESIGN §9)."""
    pattern = load_schema("provider")["definitions"]["id"]["pattern"]
    if not re.fullmatch(pattern, provider_id):
        raise InvalidProviderId(
            f"'{provider_id}' is not a provider id: use 1 to 63 lowercase letters, digits and "
            "hyphens, starting with a letter or digit (it becomes the file name)"
        )


def _refuse_link(path: Path) -> None:
    if path.is_symlink():  # it came with a clone, maybe: what it points at is not ours
        raise ScaffoldError(f"{path} is a symbolic link; nothing is written through it")


def create_file(path: Path, content: str) -> None:
    """Create `path` with `content`; never overwrites (exclusive mode), even in a race, and
    never writes through a linked folder."""
    _refuse_link(path.parent)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_inside(path.parent, path.name, content.encode("utf-8"))
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; nothing was overwritten") from None
    except UnsafePath as err:  # the folder became a link since it was checked
        raise ScaffoldError(str(err)) from None
    except OSError as err:
        raise ScaffoldError(f"cannot write {path}: {err.strerror or err}") from err


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _project_files() -> dict[str, str]:
    """What a new project consists of: relative path -> content."""
    files = {
        CONFIG_NAME: _read(_INIT_DATA / CONFIG_NAME),
        f"{PROVIDERS_DIR}/{EXAMPLE_PROVIDER}.yaml": _read(
            bundled_dir(PROVIDERS_DIR) / f"{EXAMPLE_PROVIDER}.yaml"
        ),
    }
    for name in SCHEMA_FILES:
        files[f"{SCHEMA_DIR}/{name}"] = _read(bundled_dir(SCHEMA_DIR) / name)
    return files


def _gitignore(target: Path) -> tuple[Outcome, str]:
    """What init does to the project's .gitignore, and the text it writes (or appends)."""
    wanted = _read(_INIT_DATA / "gitignore")
    try:
        raw = read_regular_file_inside(target, ".gitignore", limit=1024 * 1024)
    except FileNotFoundError:
        return Outcome.CREATED, wanted
    except (OSError, UnsafePath) as err:  # a folder, a pipe (read, it would hang), a link
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise ScaffoldError(f"cannot add to {target / '.gitignore'}: {reason}") from None
    text = raw.decode("utf-8", "replace")
    present = {line.strip().strip("/") for line in text.splitlines()}
    missing = [line for line in wanted.splitlines()
               if line and not line.startswith("#") and line.strip("/") not in present]  # fmt: skip
    if not missing:
        return Outcome.KEPT, ""
    separator = "" if text.endswith("\n") or not text else "\n"
    return Outcome.EXTENDED, separator + "".join(f"{line}\n" for line in missing)


def _append(path: Path, text: str) -> None:
    """Appended: the user's lines stay as they are; never through a link or into a pipe."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        with os.fdopen(os.open(path, flags), "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise ScaffoldError(f"cannot write {path}: {err.strerror or err}") from err


def _no_link_on_the_way(target: Path, relative: str) -> None:
    """Raise ScaffoldError where a name on the way from `target` to `relative` is a link,
    a dangling one included (a clone or a tarball can bring one)."""
    path = target
    for part in PurePosixPath(relative).parts:
        path = path / part
        _refuse_link(path)


def init_project(target: Path | str, with_ids: Sequence[str] = ()) -> list[Written]:
    """Make `target` (created if needed) a project: config, example descriptor, schemas.

    Also writes a README.md unless there is one, and adds the build output to
    .gitignore. `with_ids` names entries of the bundled catalogue to add a descriptor
    for each (see `dsgvo-gen add`). Raises ScaffoldError if `target` already holds a
    project or a file cannot be written, InvalidProviderId or starter.UnknownEntry for
    an id in `with_ids`; everything is checked before the first file is written, so a
    refusal leaves the folder as it was.
    """
    from dsgvo_gen.starter import add_descriptor, find_entry

    target = Path(target)
    for entry_id in with_ids:  # all checked before anything is written
        check_provider_id(entry_id)
        find_entry(target, entry_id)
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file, not a folder")
    in_the_way = [target / CONFIG_NAME, target / PROVIDERS_DIR,
                  *(target / SCHEMA_DIR / name for name in SCHEMA_FILES)]  # fmt: skip
    if existing := [p for p in in_the_way if p.exists()]:
        raise ScaffoldError(
            f"{target} already has {', '.join(p.relative_to(target).as_posix() for p in existing)}"
            "; init makes new projects only, and nothing was changed"
        )
    files = _project_files()
    readme = target / "README.md"
    for relative in (*files, readme.name, ".gitignore"):
        _no_link_on_the_way(target, relative)
    gitignore, addition = _gitignore(target)
    written = []
    for relative, content in files.items():
        create_file(target / relative, content)
        written.append(Written(target / relative, Outcome.CREATED))
    if readme.exists():
        written.append(Written(readme, Outcome.KEPT))
    else:
        create_file(readme, _read(_INIT_DATA / "README.md"))
        written.append(Written(readme, Outcome.CREATED))
    if gitignore is Outcome.CREATED:
        create_file(target / ".gitignore", addition)
    elif gitignore is Outcome.EXTENDED:
        _append(target / ".gitignore", addition)
    written.append(Written(target / ".gitignore", gitignore))
    for entry_id in with_ids:
        if entry_id != EXAMPLE_PROVIDER:  # the example is there already
            written.append(Written(add_descriptor(target, entry_id), Outcome.CREATED))
    return written


def _quoted(value: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(value, ensure_ascii=False)


def skeleton(
    provider_id: str,
    category: str,
    *,
    today: date,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    schema: str = "../schema/provider.schema.json",
) -> str:
    """The text of a descriptor skeleton: every key present, every fact a TODO for check."""
    from jinja2 import Environment, StrictUndefined

    check_provider_id(provider_id)
    if category not in provider_categories():
        raise ValueError(
            f"unknown category {category!r}; known: {', '.join(provider_categories())}"
        )

    env = Environment(  # noqa: S701 - renders YAML, not HTML; no value comes from outside
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )  # fmt: skip
    purpose = _PURPOSES.get(category, "use-of-the-service")
    data_ids = ["connection", "health"] if category == "video-consultation" else ["connection"]
    text = env.from_string(_read(_SKELETON)).render(
        id=provider_id, category=category, today=today.isoformat(), schema=schema,
        purpose=purpose, data_ids=", ".join(data_ids),
    )  # fmt: skip

    def localized(slot: re.Match[str]) -> str:
        inner = slot["indent"] + "  "
        entries = (f"\n{inner}{lang}: {_quoted('TODO: ' + slot['hint'])}" for lang in languages)
        return f"{slot['indent']}{slot['key']}:" + "".join(entries)

    return _TEXT_SLOT.sub(localized, text)


def _project_languages(root: Path) -> tuple[str, ...]:
    config, _, _ = load_config(root / CONFIG_NAME, CONFIG_NAME)
    return config.languages if config is not None else DEFAULT_LANGUAGES


def new_descriptor(
    root: Path | str,
    provider_id: str,
    *,
    category: str = "video-conference",
    today: date | None = None,
) -> Path:
    """Write the skeleton `providers/<provider_id>.yaml` in the project `root`.

    Its texts have an entry per language of the project's config (de and en
    without one). Raises InvalidProviderId, or ScaffoldError if the file exists.
    """
    root = Path(root)
    check_provider_id(provider_id)
    path = root / PROVIDERS_DIR / f"{provider_id}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; nothing was overwritten")
    schema = schema_reference(root, "provider", root / PROVIDERS_DIR)
    content = skeleton(
        provider_id, category, today=today or date.today(),
        languages=_project_languages(root), schema=schema,
    )  # fmt: skip
    create_file(path, content)
    return path


class UnknownTemplate(ValueError):  # noqa: N818 - a usage error, named for the user
    """A name that is not one of the bundled templates."""


def bundled_templates() -> list[str]:
    """The bundled templates and stylesheets a project may replace, by their path in
    `templates/` (base.html, assets/style.css, ...); the label catalogues are not among
    them: a project overrides single labels, not a whole catalogue."""
    folder = bundled_dir("templates")
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in (".html", ".css")
    )


def copy_templates(root: Path | str, names: Sequence[str]) -> list[Path]:
    """Copy bundled templates into the project's `templates/`, to start its own look from.

    Checks every name first: raises UnknownTemplate for a name that is not bundled, and
    ScaffoldError, before anything is written, where the project has the file already
    or a folder on the way is a link. The templates it does not copy, and the label
    texts, still come from the installed dsgvo-gen.
    """
    root = Path(root)
    known = bundled_templates()
    for name in names:
        if name.startswith("labels/"):
            raise ScaffoldError(
                f"{name}: a copy of a whole label catalogue would keep every later fix of the "
                f"legal texts from reaching you; write templates/{name} with only the labels "
                f"you change (the bundled one to look them up: {bundled_dir('templates') / name})"
            )
        if name not in known:
            from dsgvo_gen.hints import did_you_mean

            raise UnknownTemplate(f"no bundled template {name!r}{did_you_mean(name, known)}")
    targets = [root / "templates" / name for name in dict.fromkeys(names)]
    for target in targets:
        for folder in (root / "templates", *target.parents):
            if not folder.is_relative_to(root / "templates"):
                break
            _refuse_link(folder)
        if target.exists() or target.is_symlink():
            raise ScaffoldError(f"{target} already exists; nothing was overwritten")
    for target in targets:
        name = target.relative_to(root / "templates").as_posix()
        create_file(target, _read(bundled_dir("templates") / name))
    return targets
