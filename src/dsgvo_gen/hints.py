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


_TOKEN = re.compile(r"[\w.@/-]+")
_ARTICLE = re.compile(
    r"art(?:ikel|icle)?\.?\s*(\d+)\s*(?:abs(?:atz)?\.?|para(?:graph)?\.?|\()?\s*(\d+)\s*\)?\s*"
    r"(?:lit(?:era)?\.?|buchst(?:abe)?\.?|\()?\s*([a-z])\b\)?"
    # more letters of the same paragraph: 'lit. b und f', 'lit. b, f', '(b) and (f)'
    r"((?:\s*(?:,|und|and|sowie|oder|or|&|/)\s*(?:lit\.?\s*|\()?[a-z]\b\)?)*)"
)
_MORE_LETTERS = re.compile(r"(?:,|und|and|sowie|oder|or|&|/)\s*(?:lit\.?\s*|\()?([a-z])\b")
_SECTION = re.compile(r"§\s*(\d+)\s*(?:abs(?:atz)?\.?|\()?\s*(\d+)")


def _citation_codes(text: str) -> list[str]:
    """The codes of the legal bases cited as a lawyer writes them: 'Art. 6 Abs. 1 lit. b
    DSGVO' and 'Art. 6(1)(b) GDPR' -> [art6-1-b]; 'Art. 6 Abs. 1 lit. b und f' ->
    [art6-1-b, art6-1-f]; '§ 25 Abs. 1 TDDDG' -> [tdddg-25-1]."""
    folded = text.casefold()
    codes = [f"art{found[1]}-{found[2]}-{letter}" for found in _ARTICLE.finditer(folded)
             for letter in (found[3], *_MORE_LETTERS.findall(found[4] or ""))]  # fmt: skip
    if codes:
        return list(dict.fromkeys(codes))
    if (found := _SECTION.search(folded)) and ("tdddg" in folded or "ttdsg" in folded):
        return [f"tdddg-{found[1]}-{found[2]}"]
    return []


def _citation_code(text: str) -> str | None:
    codes = _citation_codes(text)
    return codes[0] if len(codes) == 1 else None


def meant_choice(value: str, choices: Iterable[str]) -> str | None:
    """The allowed value `value` stands for: itself, or the code of a cited legal basis."""
    allowed = set(choices)
    if value in allowed:
        return value
    code = _citation_code(value)
    return code if code in allowed else None


def _entries(value: str, choices: Iterable[str]) -> list[str] | None:
    """The entries of a text that names several, separated by commas (`art6-1-b,
    art6-1-f`), each as the allowed value it stands for; None for one text."""
    options = sorted(set(choices))
    cited = _citation_codes(value)
    if len(cited) > 1 and set(cited) <= set(options):
        return cited
    words = value.split()
    if "," not in value and len(words) > 1 and set(words) <= set(options):
        return words  # [art6-1-b art6-1-f]: a list written without its commas
    parts = [part.strip() for part in value.split(",")]
    if len(parts) < 2 or not all(parts):
        return None
    meant = [meant_choice(part, options) for part in parts]
    if all(meant):
        return [m for m in meant if m]
    if all(_TOKEN.fullmatch(part) for part in parts):
        return parts
    return None


def as_list(value: object, choices: Iterable[str] = ()) -> str:
    """How a single value is written as a YAML list: art6-1-b -> [art6-1-b]; one that
    names several entries, separated by commas, keeps every one: [art6-1-b, art6-1-f]."""
    options = sorted(set(choices))
    if isinstance(value, str):
        entries = _entries(value, options) or [meant_choice(value, options) or value]
        if all(_TOKEN.fullmatch(entry) for entry in entries):
            return f"[{', '.join(entries)}]"
    if isinstance(value, bool):
        return f"[{'true' if value else 'false'}]"
    if isinstance(value, int | float):
        return f"[{value}]"
    return f"[{json.dumps(str(value), ensure_ascii=False)}]"


def not_allowed_hint(value: str, choices: Iterable[str]) -> str:
    """What to write instead of a value that is not among `choices`: the list of the
    entries it names, the code of the legal basis it cites, or the closest choice."""
    options = sorted(set(choices))
    entries = _entries(value, options)
    if entries is not None:
        fixed = [meant_choice(e, options) or _closest(e, options) or e for e in entries]
        return f"; it names {len(fixed)} entries; write each as its own list item: " + (
            f"[{', '.join(fixed)}]"
        )
    code = meant_choice(value, options)
    return f"; did you mean '{code}'?" if code is not None else did_you_mean(value, options)


def _closest(word: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


#: Keys whose values start with '#', where any comment in place of the value is one.
_HASH_VALUED_KEYS = {"accent_color"}
# A text tag or an anchor may stand between the colon and the comment (`key: !!str #fff`);
# after another tag (`!!null`, `!!int`) the user did not mean a text, so no quotes are advised.
_COMMENT_AFTER_KEY = re.compile(r"\s*:[ \t]+(?:(?:!!str|!|&[^ \t]+)[ \t]+)*#(?P<comment>.*)")


def value_lost_to_comment(key: str, rest: str) -> str | None:
    """For a key whose value YAML read as empty, and `rest`, its line after the key: the
    message when a comment took the place of a value the user meant (`accent_color: #fff`).

    A '#' after a space begins a comment, so `#fff` is no value; a comment written as
    comments are (`dpo:  # none yet`) is left alone, except where the value itself
    begins with '#'.
    """
    found = _COMMENT_AFTER_KEY.match(rest)
    if found is None:
        return None
    comment = found["comment"].rstrip()
    first = comment.split()[0].lstrip("#") if comment.strip("# \t") else ""
    if key in _HASH_VALUED_KEYS:
        colour = re.fullmatch(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}", first)
        write = f'{key}: "#{first}"' if colour else f'e.g. {key}: "#0b4f8a"'
    elif comment[:1].strip() and first:
        write = f"{key}: {json.dumps('#' + comment, ensure_ascii=False)}"
    else:
        return None
    return (
        f"{key} is empty: YAML reads {json.dumps('#' + comment, ensure_ascii=False)} as a "
        f"comment (a # after a space begins one); write the value in quotes: {write}"
    )


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
