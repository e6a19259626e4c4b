"""`migrate`: format 1 becomes a catalogue entry plus a format 2 descriptor, same notices."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsgvo_gen.builder import build
from dsgvo_gen.checker import check
from dsgvo_gen.cli import main
from dsgvo_gen.migrate import MigrateError, migrate, migrate_file, source_kind
from tests.conftest import DATA, FIXTURE_PROJECT, TODAY, problems

#: The shipped descriptors as they were in format 1, before the shipped project moved to
#: the bundled catalogue (kept as test data: a valid format 1 project of real size).
SHIPPED_FORMAT_1 = sorted((DATA / "format1").glob("*.yaml"))
FIXTURES = sorted((DATA / "providers" / "valid").glob("*.yaml"))


def format_1_project(tmp_path: Path, descriptors: list[Path]) -> Path:
    root = tmp_path / "project"
    (root / "providers").mkdir(parents=True)
    config = DATA.parent.parent / "dsgvo-gen.yaml" if descriptors is SHIPPED_FORMAT_1 else (
        FIXTURE_PROJECT / "dsgvo-gen.yaml")  # fmt: skip
    shutil.copy(config, root / "dsgvo-gen.yaml")
    for path in descriptors:
        shutil.copy(path, root / "providers")
    return root


def pages(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")}


@pytest.mark.parametrize("descriptors", [SHIPPED_FORMAT_1, FIXTURES], ids=["shipped", "fixtures"])
def test_migrate_gives_byte_identical_notices(tmp_path: Path, descriptors: list[Path]) -> None:
    root = format_1_project(tmp_path, descriptors)
    before = build(root, tmp_path / "before", today=TODAY, pdf=False)
    assert before.written, before.report.sorted()
    assert "DG124" in {f.code for f in check(root, today=TODAY).findings}

    done, refused = migrate(root)
    assert refused == [] and len(done) == len(descriptors)
    assert sorted(p.name for p in (root / "catalogue").iterdir()) == sorted(
        p.name for p in descriptors
    )
    report = check(root, today=TODAY)
    # The shipped example controller (DG312); a DPF certification that rests on the
    # provider's word is published attributed and asks for the list (DG530).
    left = [f for f in problems(report) if f.code not in ("DG312", "DG530")]
    assert left == [] and "DG124" not in {f.code for f in report.findings}
    after = build(root, tmp_path / "after", today=TODAY, pdf=False)
    assert after.written and pages(tmp_path / "after") == pages(tmp_path / "before")
    for path in (root / "providers").glob("*.yaml"):
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=")
        assert "\nformat: 2\n" in text and f"\nuses: {path.stem}\n" in text
        assert "sources:" not in text and "features:" not in text  # facts are not repeated


def test_facts_move_to_the_entry_and_decisions_stay(tmp_path: Path) -> None:
    root = format_1_project(tmp_path, SHIPPED_FORMAT_1)
    (item,) = [m for m in migrate(root)[0] if m.entry.stem == "teamviewer-quicksupport"]
    entry, descriptor = item.entry.read_text(), item.descriptor.read_text()
    assert "legal_name: TeamViewer Germany GmbH" in entry and "kind: provider" in entry
    assert "dpa_offered: true" in entry and "dpa_url: https://www.teamviewer.com/de/eula/" in entry
    # Format 1's `unverified` cannot say which fact it doubts: it becomes a note, and the
    # header asks the user to name unconfirmed facts (which the notice then marks).
    assert "note: " in entry and "\n  unconfirmed:" not in entry and "unverified:" not in entry
    assert "under `unconfirmed:` with the reason" in entry
    assert "assessment: processor" in descriptor and "role_reason" not in descriptor
    # Format 1 took the published agreement for the controller's: the record says where.
    assert (
        "dpa:\n  concluded_on: null\n  kept_at: https://www.teamviewer.com/de/eula/" in descriptor
    )
    assert "\n    - catalogue: [" in descriptor  # the provider's rule, kept in its place


def test_migrate_never_overwrites_and_leaves_the_descriptor(tmp_path: Path) -> None:
    root = format_1_project(tmp_path, FIXTURES)
    (root / "catalogue").mkdir()
    (root / "catalogue" / "full-video.yaml").write_text("our own entry\n")
    original = (root / "providers" / "full-video.yaml").read_text()
    result = CliRunner().invoke(main, ["--project", str(root), "migrate"])
    assert result.exit_code == 1 and "already exists" in result.output
    assert (root / "catalogue" / "full-video.yaml").read_text() == "our own entry\n"
    assert (root / "providers" / "full-video.yaml").read_text() == original


def test_migrate_refuses_what_it_cannot_split(tmp_path: Path) -> None:
    root = format_1_project(tmp_path, FIXTURES)
    descriptor = root / "providers" / "full-video.yaml"
    assert migrate(root)[0]
    with pytest.raises(MigrateError, match="already in format 2"):
        migrate_file(root, descriptor)
    broken = root / "providers" / "broken.yaml"
    broken.write_text("format: 1\nid: broken\n")
    with pytest.raises(MigrateError, match="schema errors"):
        migrate_file(root, broken)
    link = root / "providers" / "link.yaml"
    link.symlink_to(FIXTURES[0])
    with pytest.raises(MigrateError, match="symbolic link"):
        migrate_file(root, link)


def test_migrate_from_the_command_line(tmp_path: Path) -> None:
    root = format_1_project(tmp_path, FIXTURES)
    result = CliRunner().invoke(main, ["--project", str(root), "migrate"])
    assert result.exit_code == 0 and "migrated" in result.output and "full-video" in result.output
    again = CliRunner().invoke(main, ["--project", str(root), "migrate"])
    assert again.exit_code == 0 and "nothing to migrate" in again.output


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.dataprivacyframework.gov/list", "official"),
        ("https://eur-lex.europa.eu/eli/reg/2016/679/oj", "official"),
        ("https://support.zoom.com/hc/en/article", "provider"),  # same site as zoom.com
        ("https://zoom.github.io/docs", "third-party"),  # a shared host is nobody's own
        ("https://www.dr-datenschutz.de/x", "third-party"),
    ],
)
def test_source_kind_from_the_address(url: str, kind: str) -> None:
    operator = ["https://zoom.us/", "https://www.zoom.com/en/trust/privacy/", None]
    assert source_kind(url, operator) == kind
