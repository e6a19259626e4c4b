"""The version identifier of a document: its review date and a short hash of its text.

A version is what a reader could read: the text of the printed document (the PDF's
HTML, which is also what a client signs), not its bytes. The text is the content of
the print HTML's <body> with the tags removed, entities decoded, Unicode in NFC and
every run of white space made one space. Stylesheets, fonts, the logo, the PDF's
metadata and the tool's version are not part of it, so they never change a version;
a changed word, date, address or checkbox label always does.

The identifier is printed on paper and read back from scans, so its alphabet leaves
out what OCR and people confuse: no 0/o, no 1/l/i.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from datetime import date

#: 31 characters: digits 2-9 and the lowercase letters without i, l and o.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
HASH_LENGTH = 8  # 31**8: about 8.5e11 values, ample for one document's versions
#: A version identifier, e.g. 2026-11-21-k7mq3xdz.
VERSION = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}-[{ALPHABET}]{{{HASH_LENGTH}}}")
#: Rendered where the identifier goes while the text it is made from is not known yet;
#: only letters, so that escaping leaves it alone.
PLACEHOLDER = "DGVERSIONPLACEHOLDERQX"

_BODY = re.compile(r"<body\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# Where a printed line ends: kept as line breaks in the archived text, so that it diffs
# well; the hash does not see them (white space is one space there).
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|tr|dt|dd|div|section|article|label)>|<br\s*/?>", re.I)


def document_text(page: bytes | str) -> str:
    """The text of a rendered document, one printed block per line (the archived form)."""
    source = page.decode("utf-8") if isinstance(page, bytes) else page
    start = _BODY.search(source)
    body = source[start.start() :] if start else source
    # Line breaks in the HTML source are spaces; only the end of a block ends a line.
    body = _one_space(body.replace(PLACEHOLDER, ""))
    text = _TAG.sub(" ", _BLOCK_END.sub("\x00", body))
    text = unicodedata.normalize("NFC", html.unescape(text))
    lines = (_one_space(line) for line in text.split("\x00"))
    return "".join(f"{line}\n" for line in lines if line)


def _one_space(text: str) -> str:
    """Every run of white space one space, none at the ends: what `\\s+` and strip() give
    (both use Python's own notion of white space), several times faster than a pattern."""
    return " ".join(text.split())


def text_hash(text: str) -> str:
    """The short hash of a text, in ALPHABET; line breaks and spacing do not count."""
    normal = _one_space(unicodedata.normalize("NFC", text))
    number = int.from_bytes(hashlib.sha256(normal.encode("utf-8")).digest()[:8], "big")
    digits = []
    for _ in range(HASH_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(digits)


def version_id(reviewed_on: date, text: str) -> str:
    """The identifier of the version with this text: `<review date>-<hash>`."""
    return f"{reviewed_on.isoformat()}-{text_hash(text)}"


def find_versions(text: str) -> list[str]:
    """Every version identifier in a text, e.g. what OCR read from a scanned form; letters
    that OCR reads as capitals are read as the lowercase ones the alphabet has."""
    return VERSION.findall(text.lower())
