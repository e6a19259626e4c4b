"""Safe YAML loading that remembers where every key and value stands.

Descriptors arrive in pull requests and downloads, so they are untrusted. We read
libyaml's event stream and compose plain Python values ourselves, which lets us
refuse what is dangerous or ambiguous while composing (anchors and aliases, tags,
duplicate keys, absurd nesting) instead of after an alias bomb has expanded.

Scalars follow the YAML 1.2 core schema, not PyYAML's YAML 1.1 one: `NO` stays
the country code of Norway, `2026-11-21` stays a date string for the JSON Schema,
and `yes`/`on` are text, not booleans.
"""

from __future__ import annotations

import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from dsgvo_gen.findings import Finding, quote
from dsgvo_gen.hints import value_lost_to_comment, yaml_syntax_hint
from dsgvo_gen.paths import UnsafePath, read_regular_file_inside, refuse_links_below

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 50_000  # a rich descriptor has about 2,000
_MIB = 1024 * 1024


class Limits(NamedTuple):
    """How large a file may be, and how many values it may hold, before it is refused."""

    bytes: int = MAX_BYTES
    nodes: int = MAX_NODES


DESCRIPTOR = Limits()

JsonPath = tuple[str | int, ...]

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAGS = {"!", "tag:yaml.org,2002:str"}
_SCALAR, _MAPPING_END, _SEQUENCE_END = yaml.ScalarEvent, yaml.MappingEndEvent, yaml.SequenceEndEvent
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
#: Characters no text needs, which terminals, CI logs and PDF viewers obey instead of
#: showing: C0 controls but tab and line feed, DEL, C1 controls, line and paragraph
#: separators, and the bidirectional marks, embeddings, overrides and isolates (an RLO
#: shows the rest of a line reversed). YAML lets them in through escapes ("\e", "\u202e").
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip


class Position(NamedTuple):
    """1-based; a tuple, because a descriptor has thousands of them (two per key)."""

    line: int
    column: int


@dataclass
class Document:
    """A loaded YAML mapping, and where each of its keys and values stands (1-based)."""

    path: Path
    display: str
    data: dict[str, Any]
    #: The file's text: positions are found in it when a finding first asks for one.
    text: str = field(default="", repr=False)
    # 0-based (line, column) pairs as libyaml counts, turned into a Position only when one
    # is asked for. A descriptor has thousands of them and findings need a handful: they
    # are recorded in a second reading of the text, the first time one is needed, so that
    # a check of a thousand valid files neither spends the time nor keeps the memory.
    values: dict[JsonPath, tuple[int, int]] | None = field(default=None, compare=False, repr=False)
    keys: dict[JsonPath, tuple[int, int]] | None = field(default=None, compare=False, repr=False)

    def _positions(self) -> tuple[dict[JsonPath, tuple[int, int]], dict[JsonPath, tuple[int, int]]]:
        if self.keys is None or self.values is None:
            # The text composed once already, within its limits: the same text again.
            composer = _Composer(self.path, self.display, max_nodes=sys.maxsize, track=True)
            composer.compose(self.text)
            self.keys, self.values = composer.doc.keys or {}, composer.doc.values or {}
        return self.keys, self.values

    def locate(self, at: JsonPath, *, key: bool = False) -> Position:
        """Where the value (or its key) at `at` stands; the nearest known parent otherwise."""
        keys, values = self._positions()
        table = keys if key else values
        for depth in range(len(at), -1, -1):
            found = table.get(at[:depth]) or values.get(at[:depth])
            if found:
                return Position(found[0] + 1, found[1] + 1)
        return Position(1, 1)

    def finding(self, at: JsonPath, code: str, message: str, *, key: bool = False) -> Finding:
        pos = self.locate(at, key=key)
        return Finding(self.display, pos.line, pos.column, code, message)


class _AbortError(Exception):
    """Stops composing a document that cannot be used at all."""


class _TrackingNeededError(Exception):
    """A finding of the first reading (a duplicate key names where the first one stands)
    needs the positions: the text is read again, recording them."""


def _scalar(value: str, plain: bool) -> Any:
    if not plain:
        return value
    if value in _NULLS:
        return None
    if value in _TRUES:
        return True
    if value in _FALSES:
        return False
    try:
        if _INT.fullmatch(value):
            return int(value)
        if _OCT.fullmatch(value):
            return int(value[2:], 8)
        if _HEX.fullmatch(value):
            return int(value[2:], 16)
    except ValueError:  # more digits than Python converts: keep the text
        return value
    if _FLOAT.fullmatch(value):
        return float(value)
    return _SPECIAL_FLOATS.get(value, value)


class _Composer:
    def __init__(
        self, path: Path, display: str, max_nodes: int = MAX_NODES, *, track: bool = False
    ) -> None:
        self.doc = Document(path, display, {}, "", {} if track else None, {} if track else None)
        self.findings: list[Finding] = []
        self.nodes = 0
        self.max_nodes = max_nodes
        self.text = ""
        self._lines: list[str] | None = None

    def _report(self, mark: Any, code: str, message: str) -> None:
        self.findings.append(
            Finding(self.doc.display, mark.line + 1, mark.column + 1, code, message)
        )

    def compose(self, text: str) -> Document | None:
        self.text = self.doc.text = text
        try:
            return self._compose(text)
        except _AbortError:
            return None
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            problem = " ".join(p for p in (err.context, err.problem) if p)
            if mark is None:
                self.findings.append(Finding(self.doc.display, 1, 1, "DG102", problem))
                return None
            hint = yaml_syntax_hint(text, mark.line + 1, mark.column + 1, problem)
            if hint is None:
                self._report(mark, "DG102", f"YAML syntax: {problem}")
            else:
                message = f"YAML syntax: {hint.message}"
                self.findings.append(
                    Finding(self.doc.display, hint.line, hint.column, "DG102", message)
                )
            return None
        except yaml.YAMLError as err:  # reader errors (control characters) carry no mark
            self.findings.append(
                Finding(self.doc.display, 1, 1, "DG102", f"YAML syntax: {err}".strip())
            )
            return None

    def _compose(self, text: str) -> Document | None:
        parser = _Parser(text)
        # The parser's own method, not yaml.parse(): that generator adds a call per event.
        events: Callable[[], Any] = parser.get_event
        try:
            events()  # StreamStartEvent
            start = events()
            if isinstance(start, yaml.StreamEndEvent):
                self._report(start.start_mark, "DG107", "the file is empty")
                return None
            root_event = events()
            root = self._node(root_event, events, (), 0)
            events()  # DocumentEndEvent
            extra = events()
            if isinstance(extra, yaml.DocumentStartEvent):
                self._report(
                    extra.start_mark, "DG107", "more than one YAML document ('---'): use one"
                )
                return None
        finally:
            parser.dispose()
        if not isinstance(root, dict):
            kind = "a list" if isinstance(root, list) else "a single value"
            self._report(
                root_event.start_mark, "DG107", f"the document is {kind}, not a mapping of keys"
            )
            return None
        self.doc.data = root
        if self.doc.values is not None:
            self.doc.values[()] = (root_event.start_mark.line, 0)
        return self.doc

    def _check_node_event(self, event: Any) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._report(
                event.start_mark, "DG104",
                f"anchor {quote('&' + anchor)}: anchors and aliases are not allowed; write the "
                "value out",
            )  # fmt: skip
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _STR_TAGS:
            self._report(event.start_mark, "DG105", f"tag {quote(tag)} is not allowed; remove it")

    def _node(self, event: Any, events: Callable[[], Any], at: JsonPath, depth: int) -> Any:
        if type(event) is _SCALAR:  # the common case first: most nodes are scalars
            if event.anchor is not None or event.tag is not None:
                self._check_node_event(event)
            self.nodes += 1
            if self.nodes > self.max_nodes:
                self._too_many(event)
            plain = event.tag is None and bool(event.implicit[0]) and not event.style
            return _scalar(event.value, plain)
        if isinstance(event, yaml.AliasEvent):
            self._report(
                event.start_mark, "DG104",
                f"alias {quote('*' + str(event.anchor))}: anchors and aliases are not allowed; "
                "write the value out",
            )  # fmt: skip
            return None
        self._check_node_event(event)
        self.nodes += 1
        if self.nodes > self.max_nodes:
            self._too_many(event)
        if depth >= MAX_DEPTH:
            self._report(
                event.start_mark, "DG108",
                f"nested deeper than {MAX_DEPTH} levels; a descriptor never needs that",
            )  # fmt: skip
            raise _AbortError
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            values = self.doc.values
            while type(child := events()) is not _SEQUENCE_END:
                child_at = at
                if values is not None:
                    child_at = (*at, len(items))
                    mark = child.start_mark
                    values[child_at] = (mark.line, mark.column)
                items.append(self._node(child, events, child_at, depth + 1))
            return items
        return self._mapping(events, at, depth)

    def _too_many(self, event: Any) -> None:
        message = f"more than {self.max_nodes:,} values; a descriptor never needs that"
        self._report(event.start_mark, "DG108", message)
        raise _AbortError

    def _mapping(self, events: Callable[[], Any], at: JsonPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys, values = self.doc.keys, self.doc.values
        while type(key_event := events()) is not _MAPPING_END:
            if type(key_event) is _SCALAR and key_event.anchor is None and key_event.tag is None:
                # The common case, without converting the key: only a null is refused.
                self.nodes += 1
                if self.nodes > self.max_nodes:
                    self._too_many(key_event)
                plain = bool(key_event.implicit[0]) and not key_event.style
                key = None if plain and key_event.value in _NULLS else key_event.value
            else:
                key = self._node(key_event, events, at, depth + 1)
            value_event = events()
            if isinstance(key, dict | list) or key is None:
                self._report(key_event.start_mark, "DG107", "keys must be plain text")
                self._node(value_event, events, at, depth + 1)
                continue
            name = key_event.value if isinstance(key_event, yaml.ScalarEvent) else str(key)
            child_at = at if keys is None else (*at, name)
            if name in result:
                if keys is None:
                    raise _TrackingNeededError
                first = keys[child_at][0] + 1
                self._report(
                    key_event.start_mark, "DG103",
                    f"duplicate key {quote(name)} (first at line {first}); keep one of them",
                )  # fmt: skip
                # The discarded copy's positions go under a path nobody looks up, so that
                # findings about the kept value keep pointing at the kept value's lines.
                self._node(value_event, events, (*child_at, "\x00duplicate"), depth + 1)
                continue
            if keys is not None and values is not None:
                mark = key_event.start_mark
                keys[child_at] = (mark.line, mark.column)
                mark = value_event.start_mark
                values[child_at] = (mark.line, mark.column)
            scalar = type(value_event) is _SCALAR
            if scalar and not value_event.value:
                self._empty_value(name, key_event)
            if scalar and value_event.anchor is None and value_event.tag is None:
                # Inline, as in _node: two of three values are plain scalars.
                self.nodes += 1
                if self.nodes > self.max_nodes:
                    self._too_many(value_event)
                plain = bool(value_event.implicit[0]) and not value_event.style
                result[name] = _scalar(value_event.value, plain)
                continue
            result[name] = self._node(value_event, events, child_at, depth + 1)
        return result

    def _empty_value(self, key: str, key_event: Any) -> None:
        """DG127 where a comment stands in place of the value (`accent_color: #fff`)."""
        if self._lines is None:  # only files with an empty value pay for the split
            self._lines = self.text.splitlines()
        end = key_event.end_mark
        if end.line < len(self._lines):
            message = value_lost_to_comment(key, self._lines[end.line][end.column :])
            if message is not None:
                self._report(key_event.start_mark, "DG127", message)


def _unsafe_characters(doc: Document, node: Any, at: JsonPath = ()) -> Iterator[Finding]:
    if isinstance(node, str):
        if found := UNSAFE_CHARACTERS.search(node):
            kind = "a control character" if found.group() < "\u0100" else "a direction mark"
            yield doc.finding(
                at, "DG117",
                f"the text contains U+{ord(found.group()):04X}, {kind}: terminals, CI logs and "
                "PDFs obey it instead of showing it (it can hide, reorder or forge text); "
                "remove it",
            )  # fmt: skip
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _unsafe_characters(doc, value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _unsafe_characters(doc, value, (*at, index))


def _position_of_byte(raw: bytes, offset: int) -> Position:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return Position(raw.count(b"\n", 0, offset) + 1, offset - line_start + 1)


def _too_large(size: int, display: str, limit: int) -> Finding:
    message = f"file is {size / _MIB:.1f} MiB; the limit is {limit / _MIB:g} MiB"
    return Finding(display, 1, 1, "DG106", message)


def load_bytes(
    raw: bytes, path: Path, display: str, limits: Limits = DESCRIPTOR
) -> tuple[Document | None, list[Finding]]:
    """Compose one YAML document from bytes; all problems come back as findings."""
    if len(raw) > limits.bytes:
        return None, [_too_large(len(raw), display, limits.bytes)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        pos = _position_of_byte(raw, err.start)
        message = f"byte 0x{raw[err.start]:02x} is not UTF-8; save the file as UTF-8"
        return None, [Finding(display, pos.line, pos.column, "DG101", message)]
    text = text.removeprefix("\ufeff")
    composer = _Composer(path, display, limits.nodes)
    try:
        document = composer.compose(text)
    except _TrackingNeededError:
        composer = _Composer(path, display, limits.nodes, track=True)
        document = composer.compose(text)
    # Without such a character in the file and without escapes, no value can hold one.
    if document is not None and ("\\" in text or UNSAFE_CHARACTERS.search(text)):
        composer.findings.extend(_unsafe_characters(document, document.data))
    return document, composer.findings


def load_file(
    path: Path, display: str, *, inside: Path | None = None, limits: Limits = DESCRIPTOR
) -> tuple[Document | None, list[Finding]]:
    """Read and compose a file, refusing oversized files before reading them whole.

    A link is refused unread (DG116): in a clone it may point at any file of the
    machine, whose values findings would then show. With `inside`, no folder between
    it and the file may be a link either (`templates/labels` as a link to a folder).
    """
    root = inside if inside is not None else path.parent
    if path.is_symlink():
        message = "the file is a symbolic link; dsgvo-gen reads no file through a link"
        return None, [Finding(display, 1, 1, "DG116", message)]
    try:
        refuse_links_below(root, path.parent)
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, [Finding(display, 1, 1, "DG110", "not a file")]
        if info.st_size > limits.bytes:
            return None, [_too_large(info.st_size, display, limits.bytes)]
        relative = path.relative_to(root).as_posix()
        raw = read_regular_file_inside(root, relative, limit=limits.bytes)
    except UnsafePath as err:  # a folder on the way is a link, or a change since the checks
        return None, [Finding(display, 1, 1, "DG116", str(err))]
    except OSError as err:
        return None, [Finding(display, 1, 1, "DG110", f"cannot read the file: {err.strerror}")]
    return load_bytes(raw, path, display, limits)
