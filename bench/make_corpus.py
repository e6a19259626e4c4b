"""Generate a benchmark project: N valid, realistic descriptors, the same for the same seed.

Each descriptor is one of the shipped providers (or the test fixture, which has a
consent form) under a new id, with free texts of varied length, so the corpus
mixes sizes, transfers, consent forms and proper names given as plain strings.

    python bench/make_corpus.py OUT [-n 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dsgvo_gen.loader import load_file  # noqa: E402 - after the path is set

TEMPLATES = [
    *sorted((ROOT / "providers").glob("*.yaml")),
    ROOT / "tests" / "data" / "providers" / "valid" / "full-video.yaml",  # with a consent form
]
WORDS = {
    "de": (
        "Verbindung Sitzung Daten Server Gespräch Bildschirm Protokoll Schlüssel Zugriff "
        "Einstellung Dienst Sicherheit Aufzeichnung Teilnehmende Speicherung Löschung "
        "Anbieter Übertragung Rechenzentrum Verschlüsselung"
    ),
    "en": (
        "connection session data server conversation screen log key access setting service "
        "security recording participants storage deletion provider transfer datacentre "
        "encryption"
    ),
}


def _sentences(rng: random.Random, lang: str, count: int) -> str:
    out = []
    for _ in range(count):
        words = [rng.choice(WORDS[lang].split()) for _ in range(rng.randint(8, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def _renamed(name: Any, suffix: str) -> Any:
    if isinstance(name, dict):
        return {lang: f"{text} {suffix}" for lang, text in name.items()}
    return f"{name} {suffix}"


def descriptor(template: dict[str, Any], index: int, rng: random.Random) -> dict[str, Any]:
    data = dict(template)
    data["id"] = f"bench-{index:04d}"
    data["name"] = _renamed(data["name"], f"#{index}")
    features = dict(data["features"])
    extra = rng.choice([0, 0, 1, 2, 4, 8])  # most descriptors are short, a few are long
    if extra:
        features["notes"] = {lang: _sentences(rng, lang, extra * 3) for lang in ("de", "en")}
    data["features"] = features
    return data


def make_corpus(out: Path, count: int, seed: int = 1) -> Path:
    """Write `out/dsgvo-gen.yaml` and `out/providers/bench-NNNN.yaml`; returns `out`."""
    rng = random.Random(seed)
    templates = []
    for path in TEMPLATES:
        doc, findings = load_file(path, path.name)
        assert doc is not None and not findings, path
        templates.append(doc.data)
    weights = [1] * (len(templates) - 1) + [3]  # a quarter of them with a consent form
    shutil.rmtree(out, ignore_errors=True)
    (out / "providers").mkdir(parents=True)
    shutil.copy(ROOT / "dsgvo-gen.yaml", out / "dsgvo-gen.yaml")
    for index in range(count):
        template = rng.choices(templates, weights)[0]
        text = yaml.safe_dump(
            descriptor(template, index, rng), allow_unicode=True, sort_keys=False, width=100
        )
        header = "# yaml-language-server: $schema=../../schema/provider.schema.json\n"
        (out / "providers" / f"bench-{index:04d}.yaml").write_text(header + text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    make_corpus(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
