"""`init` and `new`: a project that works as is, a skeleton that only lacks facts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import yaml
from click.testing import CliRunner

from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.field_reference import fields
from dsgvo_gen.resources import provider_categories
from dsgvo_gen.scaffold import (
    ScaffoldError,
    copy_templates,
    init_project,
    new_descriptor,
    skeleton,
)
from tests.conftest import FIXTURE_PROJECT, TODAY, must_finish_within, problems

# The findings a fresh skeleton may produce: each says that a fact is missing, never
# that the skeleton's structure is wrong (no DG1xx reading or DG2xx schema finding).
FILL_IN_A_FACT = {
    "DG303": "no legal basis chosen yet: only the user can decide it",
    "DG305": "no recipient named yet: at least the operator must be",
    "DG403": "role processor (the default) without the URL of its DPA",
    "DG411": "the operator's country is null until the user looks it up",
    "DG501": "a block of facts without its source",
    "DG506": "the placeholder source is not cited yet",
    "DG507": "a TODO where a fact, a URL or a source title belongs",
    "DG520": "a feature not stated yet (null: unknown, never a guessed no)",
}
PROJECT_FILES = [
    ".gitignore",
    "README.md",
    "dsgvo-gen.yaml",
    "providers/jitsi-self-hosted.yaml",
    "schema/catalogue.schema.json",
    "schema/config.schema.json",
    "schema/descriptor.schema.json",
    "schema/provider.schema.json",
]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_init_makes_a_project_that_check_and_build_accept_as_is(tmp_path: Path) -> None:
    target = tmp_path / "not" / "yet" / "there"
    code, out = run("init", str(target))
    assert code == 0, out
    assert sorted(tree(target)) == PROJECT_FILES
    config = yaml.safe_load((target / "dsgvo-gen.yaml").read_text())
    assert config["controller"]["example"] is True
    assert config["languages"] == ["de", "en"]
    assert config["providers"] == "all" and config["jurisdiction"]
    assert {"site/", ".dsgvo-gen-cache/"} <= set((target / ".gitignore").read_text().split())

    # The invented example controller is the one thing left to replace: a warning, which
    # --strict (a CI gate) turns into a failure, so that it is never published unnoticed.
    code, out = run("--project", str(target), "check", "--today", TODAY.isoformat())
    lines = out.strip().splitlines()
    assert (code, len(lines), lines[-1]) == (0, 2, "0 error(s), 1 warning(s)"), out
    assert "warning[DG312]" in lines[0] and "example: true" in lines[0]
    code, out = run("--project", str(target), "check", "--strict", "--today", TODAY.isoformat())
    assert code == 1 and "DG312" in out
    code, out = run("--project", str(target), "build", "--no-pdf", "--today", TODAY.isoformat())
    assert code == 0 and "warning[DG312]" in out, out
    notice = (target / "site" / "en" / "providers" / "jitsi-self-hosted.html").read_text()
    assert "Beispiel IT-Service Huber" in notice


def test_init_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init")[0] == 0
    assert sorted(tree(tmp_path)) == PROJECT_FILES


@pytest.mark.parametrize("existing", ["dsgvo-gen.yaml", "providers/mine.yaml"])
def test_init_refuses_an_existing_project_and_changes_nothing(
    tmp_path: Path, existing: str
) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    before = tree(tmp_path)
    code, out = run("init", str(tmp_path))
    assert code == 1
    assert "already has" in out and existing.split("/")[0] in out and "Traceback" not in out
    assert tree(tmp_path) == before


def test_init_keeps_a_readme_and_adds_to_a_gitignore(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("our own readme\n")
    (tmp_path / ".gitignore").write_text("node_modules/\nsite")  # no final newline
    written = {w.path.name: w.outcome.value for w in init_project(tmp_path)}
    assert written["README.md"] == "kept" and written[".gitignore"] == "extended"
    assert (tmp_path / "README.md").read_text() == "our own readme\n"
    assert (tmp_path / ".gitignore").read_text() == (
        "node_modules/\nsite\n.dsgvo-gen-cache/\npreview/\n"
    )


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    code, out = run("init", str(tmp_path / "file"))
    assert code == 2 and "is a file" in out
    with pytest.raises(ScaffoldError, match="is a file"):
        init_project(tmp_path / "file")


def required_paths(data: Any) -> list[str]:
    """Every required field of the schema that is missing from `data` (where its parent is)."""
    missing = []
    for f in fields():
        if not f.required:
            continue
        parents: list[Any] = [data]
        *steps, leaf = f.path.split(".")
        for step in steps:
            key, is_list = step.removesuffix("[]"), step.endswith("[]")
            parents = [p.get(key) for p in parents if isinstance(p, dict)]
            if is_list:
                parents = [item for p in parents if isinstance(p, list) for item in p]
        leaf = leaf.removesuffix("[]")
        missing += [f.path for p in parents if isinstance(p, dict) and leaf not in p]
    return missing


@pytest.mark.parametrize("category", provider_categories())
def test_skeleton_fails_check_only_where_facts_are_missing(tmp_path: Path, category: str) -> None:
    init_project(tmp_path)
    path = new_descriptor(tmp_path, "acme-meet", category=category, today=TODAY)
    assert path == tmp_path / "providers" / "acme-meet.yaml"
    report = check(tmp_path, [path], today=TODAY)
    codes = {f.code for f in problems(report) if f.path.endswith("acme-meet.yaml")}
    assert report.errors > 0
    assert codes <= set(FILL_IN_A_FACT), sorted(codes - set(FILL_IN_A_FACT))
    assert "DG507" in codes and "DG501" in codes

    text = path.read_text()
    modeline = text.splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=../schema/provider.schema.json"
    assert (path.parent / "../schema/provider.schema.json").resolve().is_file()
    data = yaml.safe_load(text)
    assert required_paths(data) == []
    assert data["category"] == category
    for article in ("Art. 13(1)(c)", "Art. 13(1)(e)", "Art. 13(1)(f)", "Art. 13(2)(a)",
                    "Art. 13(2)(e)", "Art. 13(2)(f)", "Art. 28(3)"):  # fmt: skip
        assert article in text, article


def test_whole_project_reports_only_the_new_skeleton(tmp_path: Path) -> None:
    init_project(tmp_path)
    new_descriptor(tmp_path, "acme-meet", today=TODAY)
    report = check(tmp_path, today=TODAY)
    others = {(f.path.rsplit("/", 1)[-1], f.code) for f in problems(report)
              if not f.path.endswith("acme-meet.yaml")}  # fmt: skip
    assert others == {("dsgvo-gen.yaml", "DG312")}  # the example controller, still to replace


def test_skeleton_texts_follow_the_project_languages(tmp_path: Path) -> None:
    config = (FIXTURE_PROJECT / "dsgvo-gen.yaml").read_text()
    config = config.replace("languages: [de, en]", "languages: [en]")
    config = re.sub(r"\{de: [^,]+, en: ", "{en: ", config)
    (tmp_path / "dsgvo-gen.yaml").write_text(config)
    path = new_descriptor(tmp_path, "acme-meet", today=TODAY)
    data = yaml.safe_load(path.read_text())
    assert set(data["processing"]["purposes"][0]["text"]) == {"en"}
    codes = {f.code for f in problems(check(tmp_path, [path], today=TODAY))}
    assert codes <= set(FILL_IN_A_FACT)


def test_without_a_schema_copy_the_modeline_names_the_installed_schema(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", tmp_path)
    path = new_descriptor(tmp_path, "acme-meet", today=TODAY)
    target = path.read_text().splitlines()[0].split("$schema=", 1)[1]
    assert target.startswith("file:///")
    assert Path(unquote(urlparse(target).path)).is_file()


def test_new_from_the_command_line(tmp_path: Path) -> None:
    init_project(tmp_path)
    code, out = run("--project", str(tmp_path), "new", "acme-support", "--category",
                    "remote-control")  # fmt: skip
    assert code == 0 and "acme-support.yaml" in out
    data = yaml.safe_load((tmp_path / "providers" / "acme-support.yaml").read_text())
    assert data["category"] == "remote-control"
    # No default is a fact: every feature is unknown until the user states it.
    assert set(data["features"].values()) == {None}


@pytest.mark.parametrize("bad_id", ["Zoom", "-zoom", "zoom_meet", "../zoom", "z" * 64, ""])
def test_new_refuses_an_id_that_cannot_be_a_file_name(tmp_path: Path, bad_id: str) -> None:
    code, out = run("--project", str(tmp_path), "new", "--", bad_id)
    assert code == 2 and "is not a provider id" in out
    assert not (tmp_path / "providers").exists()


def test_new_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "zoom.yaml").write_text("my facts\n")
    code, out = run("--project", str(tmp_path), "new", "zoom")
    assert code == 1 and "already exists" in out and "Traceback" not in out
    assert (tmp_path / "providers" / "zoom.yaml").read_text() == "my facts\n"


def test_new_refuses_an_unknown_category(tmp_path: Path) -> None:
    code, out = run("--project", str(tmp_path), "new", "zoom", "--category", "chat")
    assert code == 2 and "video-conference" in out
    assert not (tmp_path / "providers").exists()


@pytest.mark.parametrize("category", provider_categories())
def test_every_key_of_the_skeleton_says_what_it_wants(category: str) -> None:
    """Each key line has a comment, a TODO value, TODO entries below it, or a comment above."""
    lines = skeleton("acme-meet", category, today=TODAY).splitlines()
    key = re.compile(r"^\s*(?:- )?[a-z_]+:(.*)$")
    for number, line in enumerate(lines):
        match = key.match(line)
        if not match:
            continue
        rest = match.group(1).strip()
        explained = (
            "#" in rest
            or rest.startswith('"TODO: ')
            or (not rest and lines[number + 1].strip().split(": ", 1)[-1].startswith('"TODO'))
            or (not rest and lines[number - 1].lstrip().startswith("#"))
        )
        assert explained, f"line {number + 1}: {line}"


def test_init_and_new_write_through_no_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "notes").write_text("mine\n")
    target = tmp_path / "project"
    target.mkdir()
    (target / ".gitignore").symlink_to(victim / "notes")
    with pytest.raises(ScaffoldError, match="symbolic link"):
        init_project(target)
    assert (victim / "notes").read_text() == "mine\n"
    (target / ".gitignore").unlink()
    init_project(target)
    shutil.rmtree(target / "providers")
    (target / "providers").symlink_to(victim)
    with pytest.raises(ScaffoldError, match="symbolic link"):
        new_descriptor(target, "zoom")
    assert sorted(p.name for p in victim.iterdir()) == ["notes"]


@pytest.mark.parametrize(
    "in_the_way",
    ["providers", "schema", "dangling-providers", "readme", "gitignore-fifo", "gitignore-folder"],
)
def test_init_checks_everything_before_it_writes_anything(tmp_path: Path, in_the_way: str) -> None:
    """A link (dangling or not) where init would write, or a .gitignore it cannot read:
    refused in one line, and the folder holds what it held before, nothing more."""
    import os

    victim = tmp_path / "victim"
    victim.mkdir()
    target = tmp_path / "project"
    target.mkdir()
    if in_the_way == "providers":
        (target / "providers").symlink_to(victim)
    elif in_the_way == "schema":
        (target / "schema").symlink_to(victim)
    elif in_the_way == "dangling-providers":
        (target / "providers").symlink_to(victim / "nonexistent")
    elif in_the_way == "readme":
        (target / "README.md").symlink_to(victim / "nonexistent.md")
    elif in_the_way == "gitignore-fifo":
        os.mkfifo(target / ".gitignore")
    else:
        (target / ".gitignore").mkdir()
    before = sorted(p.name for p in target.iterdir())
    with must_finish_within(60):
        code, out = run("init", str(target))
    assert code == 1 and len(out.strip().splitlines()) == 1, out
    assert sorted(p.name for p in target.iterdir()) == before
    assert list(victim.iterdir()) == []


def test_templates_lists_the_bundled_files_and_copies_one_to_start_from(project: Path) -> None:
    """A pipx user has no python with dsgvo_gen on its path: `dsgvo-gen templates` is how
    they find the bundled templates and start their own look from one."""
    from dsgvo_gen.builder import build
    from dsgvo_gen.resources import bundled_dir

    listed = CliRunner().invoke(main, ["--project", str(project), "templates"])
    assert listed.exit_code == 0
    assert str(bundled_dir("templates")) in listed.output
    assert "  base.html\n" in listed.output and "  assets/embed.css\n" in listed.output
    assert "labels/" not in listed.output.split("\n", 1)[1]

    copied = CliRunner().invoke(main, ["--project", str(project), "templates", "base.html"])
    assert copied.exit_code == 0, copied.output
    own = project / "templates" / "base.html"
    assert own.read_bytes() == (bundled_dir("templates") / "base.html").read_bytes()
    own.write_text(own.read_text().replace("<main id=", '<main data-own="yes" id='))
    assert build(project, today=TODAY, pdf=False).written
    assert (
        'data-own="yes"' in (project / "site" / "de" / "providers" / "full-video.html").read_text()
    )
    listed = CliRunner().invoke(main, ["--project", str(project), "templates"])
    assert "base.html (the project's own: templates/base.html)" in listed.output


@pytest.mark.parametrize(
    ("names", "code", "said"),
    [
        (["bas.html"], 2, "did you mean 'base.html'?"),
        (["labels/de.yaml"], 1, "only the labels you change"),
        (["notice.html", "base.html"], 1, "base.html already exists; nothing was overwritten"),
    ],
)
def test_templates_refuses_before_it_writes(
    project: Path, names: list[str], code: int, said: str
) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "base.html").write_text("mine")
    result = CliRunner().invoke(main, ["--project", str(project), "templates", *names])
    assert result.exit_code == code and said in result.output
    assert sorted(p.name for p in (project / "templates").iterdir()) == ["base.html"]
    assert (project / "templates" / "base.html").read_text() == "mine"


def test_templates_writes_through_no_link(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "templates").mkdir()
    (project / "templates" / "assets").symlink_to(elsewhere)
    with pytest.raises(ScaffoldError, match="symbolic link"):
        copy_templates(project, ["assets/style.css"])
    assert list(elsewhere.iterdir()) == []
