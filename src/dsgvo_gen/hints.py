"""Suggestions that turn a finding into an instruction: "did you mean", and YAML syntax hints.

Each helper returns the words to append to a message (or None), so the module
that knows the problem keeps the message and this one only knows how to help.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

# Territory codes babel knows that are not countries a descriptor could name.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
# Names people write that are neither babel's German nor its English territory name.
_COUNTRY_ALIASES = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US",
    "vereinigte staaten von amerika": "US", "amerika": "US", "america": "US",
    "uk": "GB", "england": "GB", "great britain": "GB", "großbritannien": "GB",
    "grossbritannien": "GB", "deutschland (de)": "DE", "brd": "DE",
}  # fmt: skip


def did_you_mean(
    word: str, choices: Iterable[str], *, key: Callable[[str], str] | None = None
) -> str:
    """'; did you mean 'x'?' for the closest of `choices`, or '' if none is close.

    With `key`, a choice whose key equals the word's key wins first (e.g. a
    recipient's name without punctuation and legal form).
    """
    options = sorted(set(choices))
    if key is not None:
        same = [c for c in options if key(c) == key(word) and c != word]
        if same:
            return f"; did you mean '{same[0]}'?"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close and close[0] != word else ""


@cache
def _country_names() -> dict[str, str]:
    from babel import Locale  # only when a country is wrong: check stays fast

    names: dict[str, str] = dict(_COUNTRY_ALIASES)
    for lang in ("en", "de"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                names.setdefault(name.casefold(), code)
    return names


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code a user most likely meant by `value` ('Germany' -> 'DE')."""
    text = value.strip()
    names = _country_names()
    if text.upper() in names.values():
        return text.upper()
    found = names.get(text.casefold())
    if found is None:
        close = difflib.get_close_matches(text.casefold(), list(names), n=1, cutoff=0.8)
        found = names[close[0]] if close else None
    return found


def as_list(value: object) -> str:
    """How a single value is written as a one-item YAML list: art6-1-b -> [art6-1-b]."""
    if isinstance(value, str) and re.fullmatch(r"[\w.@/-]+", value):
        return f"[{value}]"
    if isinstance(value, bool):
        return f"[{'true' if value else 'false'}]"
    if isinstance(value, int | float):
        return f"[{value}]"
    return f"[{json.dumps(str(value), ensure_ascii=False)}]"


@dataclass(frozen=True)
class SyntaxHint:
    """Where a YAML syntax error really is (1-based) and what to do about it."""

    line: int
    column: int
    message: str


def _quote_scalar(value: str) -> str:
    return json.dumps(value.strip(), ensure_ascii=False)  # a JSON string is a YAML string


_QUOTE_OPENERS = {" ", "\t", "[", "{", ",", "-", ":", "?"}
_CLOSERS = {"[": "]", "{": "}"}
_MAX_TRIES = 8


def _left_open(line: str) -> tuple[int, str] | None:
    """A quote or bracket that `line` opens and does not close: its column (0-based) and
    the character that would close it."""
    quote_char, start, i = "", -1, 0
    brackets: list[int] = []
    while i < len(line):
        ch = line[i]
        if quote_char == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote_char = ""
        elif quote_char == "'":
            if ch == "'" and line[i + 1 : i + 2] == "'":
                i += 1
            elif ch == "'":
                quote_char = ""
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break  # a comment
        elif ch in "\"'" and (line[:i].strip() == "" or line[i - 1] in _QUOTE_OPENERS):
            quote_char, start = ch, i
        elif ch in _CLOSERS:
            brackets.append(i)
        elif ch in "]}" and brackets:
            brackets.pop()
        i += 1
    if quote_char:
        return start, quote_char
    if brackets:
        return brackets[-1], _CLOSERS[line[brackets[-1]]]
    return None


def _error_line(text: str) -> int | None:
    """The line (1-based) of the first YAML syntax error in `text`, None if it parses."""
    import yaml

    try:
        for _ in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            pass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        return mark.line + 1 if mark is not None else 1
    except yaml.YAMLError:
        return 1
    return None


def _left_open_until(lines: list[str], error_line: int) -> SyntaxHint | None:
    """The line whose quote or bracket runs on until the error, if closing it there helps.

    A quoted text or a list may legally span lines, so a line is only blamed when
    closing what it opened moves the error past the line where it was reported.
    """
    candidates = (
        (number, found)
        for number in range(min(error_line - 1, len(lines)))
        if (found := _left_open(lines[number])) is not None
    )
    # Each try parses the file again: a few tries, so that a hostile file stays cheap.
    for number, (column, closer) in itertools.islice(candidates, _MAX_TRIES):
        closed = [*lines[:number], lines[number] + closer, *lines[number + 1 :]]
        after = _error_line("\n".join(closed) + "\n")
        if after is None or after > error_line:
            opener = lines[number][column]
            what = "quote" if opener in "\"'" else "bracket"
            noticed = f"line {error_line}" if error_line <= len(lines) else "the end of the file"
            return SyntaxHint(
                number + 1, column + 1,
                f"the {what} {opener} opened here is not closed on this line (the parser "
                f"noticed only at {noticed}); add the closing {closer} where the value ends",
            )  # fmt: skip
    return None


_BLOCK_ENTRY = re.compile(
    r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[^\s#:\"'{}\[\],][^#:]*?):\s+(?P<value>.*?)\s*(?:\s#.*)?$"
)


def _colon_in_text(line: str, column: int) -> str | None:
    """A plain text with ': ' in it: how the entry looks with the text in quotes."""
    flow_start = max(line.rfind("{", 0, column), line.rfind(",", 0, column))
    if flow_start >= 0:  # inside {de: ..., en: ...}: the entry runs to the next ',' or '}'
        end = min((p for p in (line.find(",", column), line.find("}", column)) if p >= 0),
                  default=len(line))  # fmt: skip
        key, _, value = line[flow_start + 1 : end].partition(":")
        if flow_start + 1 + len(key) >= column:
            return None  # the first colon of the entry: not a colon inside a text
    else:
        match = _BLOCK_ENTRY.match(line)
        if match is None or match.end("key") >= column:
            return None
        key, value = match["key"], match["value"]
    quoted = f"{key.strip()}: {_quote_scalar(value)}"
    return f"a text that contains ': ' must be in quotes, e.g. {quoted}"


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def yaml_syntax_hint(text: str, line: int, column: int, problem: str) -> SyntaxHint | None:
    """A hint for the YAML syntax error libyaml reported at `line`:`column` (1-based)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines) + 1:
        return None
    unclosed = _left_open_until(lines, line)
    if unclosed is not None:
        return unclosed
    here = lines[line - 1] if line <= len(lines) else ""
    tabbed = [n for n in range(min(line, len(lines)), 0, -1) if "\t" in _indentation(lines[n - 1])]
    if tabbed and (tabbed[0] == line or "tab" in problem):
        return SyntaxHint(
            tabbed[0], 1,
            "a tab is used for indentation; YAML indents with spaces only: replace the tab "
            "with spaces",
        )  # fmt: skip
    if 0 < column <= len(here) and here[column - 1] == ":":
        advice = _colon_in_text(here, column - 1)
        if advice is not None:
            return SyntaxHint(line, column, advice)
    return None
