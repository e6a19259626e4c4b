from __future__ import annotations

from pathlib import Path

import pytest

from dsgvo_gen.loader import MAX_BYTES, load_bytes, load_file
from tests.conftest import must_finish_within, problems


def load(text: str) -> tuple[object, list[tuple[str, int, int]]]:
    doc, findings = load_bytes(text.encode(), Path("x.yaml"), "x.yaml")
    return (doc.data if doc else None), [(f.code, f.line, f.column) for f in findings]


def test_positions_of_keys_and_values() -> None:
    doc, findings = load_bytes(b"a: 1\nb:\n  - x\n  - {c: d}\n", Path("x.yaml"), "x.yaml")
    assert findings == [] and doc is not None
    assert doc.locate(("b", 1, "c")).line == 4
    assert doc.locate(("b", 1, "c")).column == 9
    assert doc.locate(("b",), key=True).line == 2
    assert doc.locate(("b", 7, "missing")).line == 3  # the nearest parent: the list of b


def test_yaml_12_scalars_keep_country_codes_and_dates_as_text() -> None:
    data, findings = load("c: NO\nd: 2026-11-21\ne: yes\nf: true\ng: 3\nh: 1.5\ni: ~\nj: '7'\n")
    assert findings == []
    assert data == {"c": "NO", "d": "2026-11-21", "e": "yes", "f": True, "g": 3, "h": 1.5,
                    "i": None, "j": "7"}  # fmt: skip


def test_huge_integer_stays_text() -> None:
    data, _ = load("n: " + "9" * 5000 + "\n")
    assert isinstance(data, dict) and data["n"] == "9" * 5000


def test_duplicate_key_names_both_lines() -> None:
    doc, findings = load_bytes(b"a: 1\nb: 2\na: 3\n", Path("x.yaml"), "x.yaml")
    assert [(f.code, f.line) for f in findings] == [("DG103", 3)]
    assert "first at line 1" in findings[0].message
    assert doc is not None and doc.data["a"] == 1


def test_alias_bomb_is_rejected_without_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    )
    assert len(bomb.encode()) < 600
    with must_finish_within(5):
        data, findings = load(bomb)
    codes = {code for code, _, _ in findings}
    assert codes == {"DG104"}
    assert len(findings) == 9 + 8 * 9  # every anchor and every alias, each reported once
    assert isinstance(data, dict) and data["b"] == [None] * 9


def test_tags_are_rejected_but_str_is_allowed() -> None:
    _, findings = load("a: !!python/object/apply:os.system ['true']\nb: !!str 12\n")
    assert [(c, line) for c, line, _ in findings] == [("DG105", 1)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "DG107"),
        ("# only a comment\n", "DG107"),
        ("- a\n- b\n", "DG107"),
        ("just text\n", "DG107"),
        ("a: 1\n---\nb: 2\n", "DG107"),
        ("? [a, b]\n: c\n", "DG107"),
        ("a: [\n", "DG102"),
        ("a:\tb\n\tc: d\n", "DG102"),
        ("a: \x07\n", "DG102"),
        ("a: " + "[" * 100 + "]" * 100 + "\n", "DG108"),
    ],
)
def test_unusable_documents(text: str, code: str) -> None:
    _, findings = load(text)
    assert code in {c for c, _, _ in findings}
    assert all(line >= 1 and column >= 1 for _, line, column in findings)


def test_not_utf8_points_at_the_byte() -> None:
    doc, findings = load_bytes(b"a: 1\nb: gr\xfcn\n", Path("x.yaml"), "x.yaml")
    assert doc is None
    assert [(f.code, f.line, f.column) for f in findings] == [("DG101", 2, 6)]


def test_byte_order_mark_is_accepted() -> None:
    doc, findings = load_bytes(b"\xef\xbb\xbfa: 1\n", Path("x.yaml"), "x.yaml")
    assert findings == [] and doc is not None and doc.data == {"a": 1}


def test_file_over_one_mib_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: '" + b"x" * MAX_BYTES + b"'\n")
    doc, findings = load_file(big, "big.yaml")
    assert doc is None and [f.code for f in findings] == ["DG106"]
    doc, findings = load_bytes(big.read_bytes(), big, "big.yaml")
    assert doc is None and [f.code for f in findings] == ["DG106"]


def test_unreadable_paths(tmp_path: Path) -> None:
    _, findings = load_file(tmp_path, "dir")
    assert [f.code for f in findings] == ["DG110"]
    _, findings = load_file(tmp_path / "missing.yaml", "missing.yaml")
    assert [f.code for f in findings] == ["DG110"]


def test_descriptors_and_config_that_are_links_are_refused_unread(
    project: Path, tmp_path: Path
) -> None:
    from dsgvo_gen.checker import check

    secret = tmp_path / "secret.yaml"
    secret.write_text("format: 1\nid: s3cr3t-value\nname: TOP-SECRET-TOKEN\n")
    (project / "providers" / "leak.yaml").symlink_to(secret)
    (project / "providers" / "inside.yaml").symlink_to(project / "providers" / "full-video.yaml")
    report = check(project)
    found = {(f.path.rsplit("/", 1)[-1], f.code) for f in problems(report)}
    assert ("leak.yaml", "DG116") in found and ("inside.yaml", "DG116") in found
    assert "TOP-SECRET" not in repr(report.findings) and "s3cr3t" not in repr(report.findings)
    assert problems(check(project, [project / "providers" / "leak.yaml"]))[0].code == "DG116"
    # A providers folder or a config that is a link is not read either.
    (project / "providers" / "leak.yaml").unlink()
    (project / "providers" / "inside.yaml").unlink()
    elsewhere = tmp_path / "elsewhere"
    (project / "providers").rename(elsewhere)
    (project / "providers").symlink_to(elsewhere)
    assert [f.code for f in problems(check(project))] == ["DG116"]
    (project / "providers").unlink()
    elsewhere.rename(project / "providers")
    config = project / "dsgvo-gen.yaml"
    config.rename(tmp_path / "config.yaml")
    config.symlink_to(tmp_path / "config.yaml")
    assert [f.code for f in problems(check(project))] == ["DG116"]
