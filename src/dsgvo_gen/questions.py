"""The questions a controller asks the history record (`dsgvo-gen history`).

- Which version of a provider's documents was current on a date, and where is its PDF?
- Which document does a version identifier (read off a signed scan) belong to?
- Which documents changed since a date: whom to inform (Art. 13(3) GDPR), and from
  whom to ask consent again because a consent form now asks for more (Art. 7(1))?

Read only: nothing here writes. A damaged record answers nothing and comes back as
its findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dsgvo_gen.findings import Finding, display_path, printable
from dsgvo_gen.history import History, Record, Version, read_history
from dsgvo_gen.i18n import CatalogueError, LabelError, Labels, labels
from dsgvo_gen.paths import UnsafePath
from dsgvo_gen.resources import templates_for
from dsgvo_gen.snapshot import changes, describe, new_consent_scope
from dsgvo_gen.versions import VERSION


@dataclass(frozen=True)
class Found:
    """One recorded version of one document, and where its archived files are."""

    provider: str
    kind: str
    lang: str
    version: Version
    pdf: str | None  # the archived PDF as the user names it (relative to the working folder)
    text: str


@dataclass(frozen=True)
class Changed:
    """A document whose content changed after a date."""

    provider: str
    kind: str
    lang: str
    before: Version | None  # current on the date; None for a document first published since
    since: tuple[Version, ...]  # versions published after the date, oldest first
    latest_on: date  # the day the last of them was published
    changes: tuple[str, ...]  # what changed, in the document's language
    ask_again: tuple[str, ...]  # consent items signed consents may not cover


@dataclass
class Answer:
    """What the record answers, or the findings that keep it from answering."""

    found: list[Found] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _found(history: History, record: Record, v: Version) -> Found:
    def shown(relative: str) -> str:
        return display_path(history.folder / relative, Path.cwd())

    return Found(record.provider, record.kind, record.lang, v, shown(v.pdf) if v.pdf else None,
                 shown(v.text))  # fmt: skip


def _read(root: Path) -> tuple[History, Answer]:
    history = read_history(root)
    return history, Answer(findings=list(history.findings))


def versions(root: Path, provider: str | None = None, on: date | None = None) -> Answer:
    """Every recorded version (of one provider), or the one current on `on` per document.

    `provider` may also be a version identifier: then the document it belongs to.
    """
    history, answer = _read(root)
    if answer.findings:
        return answer
    wanted = provider.lower() if provider else None
    is_version = wanted is not None and VERSION.fullmatch(wanted) is not None
    for key, record in sorted(history.records.items()):
        if wanted and not is_version and key[0] != wanted:
            continue
        chosen = [record.on(on)] if on is not None else record.versions
        for v in chosen:
            if v is not None and (not is_version or v.version == wanted):
                answer.found.append(_found(history, record, v))
    return answer


def changed_since(root: Path, day: date) -> Answer:
    """The documents with versions published after `day` (new ones, or earlier ones
    published again when a change was undone)."""
    history, answer = _read(root)
    if answer.findings:
        return answer
    words: dict[str, Labels | None] = {}
    for key, record in sorted(history.records.items()):
        events = [(published, v) for published, v, _ in record.events() if published > day]
        if not events:
            continue
        since = tuple(v for _, v in events)
        before = record.on(day)
        lang = key[2]
        if lang not in words:
            words[lang] = _labels(root, lang)
        said: list[str] = []
        ask: list[str] = []
        previous, wording = before, words[lang]
        for v in since:
            if previous is not None:
                if wording is not None:
                    said += [describe(c, wording) for c in changes(previous.content, v.content)]
                if record.kind == "consent":
                    wider = new_consent_scope(previous.content, v.content)
                    ask += [x for x in wider if x not in ask]
            previous = v
        answer.changed.append(Changed(*key, before, since, events[-1][0], tuple(said), tuple(ask)))
    return answer


def _labels(root: Path, lang: str) -> Labels | None:
    """The project's labels for `lang` (its own catalogue where it has one); None where they
    cannot be read, which `check` reports: the changes are then not worded."""
    try:
        return labels(templates_for(root), lang)
    except (CatalogueError, LabelError, UnsafePath, OSError):
        return None


def format_text(answer: Answer) -> str:
    lines = []
    for f in answer.found:
        where = f.pdf or f"{f.text} (text only: built with --no-pdf)"
        again = "".join(f", published again {day}" for day in f.version.republished_on)
        lines.append(f"{f.provider} {f.kind} {f.lang}: {f.version.version}, published "
                     f"{f.version.published_on.isoformat()}{again}, {where}")  # fmt: skip
    for c in answer.changed:
        latest = c.since[-1]
        if c.before is None:
            head = f"new since then: {latest.version} (published {c.latest_on})"
        else:
            head = (
                f"changed: {c.before.version} -> {latest.version} (published "
                f"{c.latest_on}); inform the people it concerns (Art. 13(3) GDPR)"
            )
        lines.append(f"{c.provider} {c.kind} {c.lang}: {head}")
        lines += [f"  {said}" for said in c.changes]
        if c.ask_again and c.before is not None:
            items = "; ".join(c.ask_again)
            lines.append(f"  ask for consent again (signed on {c.before.version} or earlier, "
                         f"it does not cover: {items})")  # fmt: skip
    # The record is a file in a clone, like any other: nothing in it may steer the terminal.
    return "\n".join(printable(line) for line in lines) if lines else "nothing recorded matches"


def format_json(answer: Answer) -> str:
    def version(v: Version | None) -> dict[str, str | list[str] | None] | None:
        if v is None:
            return None
        return {"version": v.version, "published_on": v.published_on.isoformat(),
                "republished_on": [day.isoformat() for day in v.republished_on]}  # fmt: skip

    payload = {
        "versions": [
            {
                "provider": f.provider,
                "document": f.kind,
                "language": f.lang,
                **(version(f.version) or {}),
                "pdf": f.pdf,
                "text": f.text,
            }
            for f in answer.found
        ],
        "changed": [
            {
                "provider": c.provider,
                "document": c.kind,
                "language": c.lang,
                "before": version(c.before),
                "since": [version(v) for v in c.since],
                "changes": list(c.changes),
                "ask_consent_again": list(c.ask_again),
            }
            for c in answer.changed
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
