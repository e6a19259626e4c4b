"""Every everyday mistake in tests/data/messages gets exactly the message it expects.

The cases are what a user typed; the expected output is what `check` prints, in
full, so a message that stops telling the user what to do fails here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from dsgvo_gen.checker import check
from dsgvo_gen.findings import format_text
from dsgvo_gen.resources import bundled_dir
from dsgvo_gen.rules import CONFIG_RULES, DESCRIPTOR_RULES, DOCUMENT_RULES, FACT_RULES, USE_RULES
from tests.conftest import DATA, FIXTURE_PROJECT, TODAY

#: The checks a descriptor gets once it is schema-valid: on its facts, its decisions, both.
DESCRIPTOR_CHECKS = len(FACT_RULES) + len(DESCRIPTOR_RULES) + len(USE_RULES)

CASES = sorted((DATA / "messages").glob("*.yaml"))


def make_project(folder: Path) -> None:
    shutil.copy(FIXTURE_PROJECT / "dsgvo-gen.yaml", folder / "dsgvo-gen.yaml")
    (folder / "providers").mkdir()
    shutil.copy(DATA / "providers" / "valid" / "full-video.yaml", folder / "providers")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_message(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    make_project(tmp_path)
    target = tmp_path / spec["file"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if spec.get("bundled"):  # the project's own copy of a bundled template, to edit
        shutil.copy(bundled_dir("templates") / spec["file"].removeprefix("templates/"), target)
    if "replace" in spec:
        text = target.read_text(encoding="utf-8")
        for edit in (spec, spec.get("also", {})):
            if edit:
                assert text.count(edit["replace"]) == 1, "the text to replace must occur once"
                text = text.replace(edit["replace"], edit["with"])
        target.write_text(text, encoding="utf-8")
    else:
        target.write_text(spec["with"], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    output = format_text(check(".", today=TODAY))
    # How many checks wait is a count of the rules (test_checks_held_back_are_counted);
    # here it is N, so that a new rule does not change every case.
    output = re.sub(r"^note: \d+ more checks", "note: N more checks", output, flags=re.MULTILINE)
    assert output == spec["output"].rstrip("\n")


@pytest.mark.parametrize(
    ("edit", "count"),
    [
        (("  retention:", "  retension:"), DESCRIPTOR_CHECKS),  # the schema fails
        (("  password: true", "\tpassword: true"), DESCRIPTOR_CHECKS + len(DOCUMENT_RULES)),
    ],
)
def test_checks_held_back_are_counted(tmp_path: Path, edit: tuple[str, str], count: int) -> None:
    make_project(tmp_path)
    descriptor = tmp_path / "providers" / "full-video.yaml"
    descriptor.write_text(descriptor.read_text().replace(*edit))
    assert check(tmp_path, today=TODAY).notes == [
        f"{count} more checks run on {descriptor} once its "
        f"{'schema' if count == DESCRIPTOR_CHECKS else 'YAML'} errors are fixed"
    ]
    (tmp_path / "dsgvo-gen.yaml").write_text(
        (tmp_path / "dsgvo-gen.yaml").read_text().replace("format: 1", "format: 2")
    )
    assert (
        f"{len(CONFIG_RULES)} more checks run on {tmp_path / 'dsgvo-gen.yaml'}"
        in (check(tmp_path, today=TODAY).notes[0])
    )
