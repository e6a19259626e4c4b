"""Legal reasoning in the controller's own words: the arguments a reviewer would attack.

These rules read the descriptor's texts, not its structure: a role argued from a
missing contract (roles follow who decides, EDPB Guidelines 07/2020), a legal
obligation without the statute that imposes it, and a statute of another country's
law than the controller's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dsgvo_gen.decisions import Decisions
from dsgvo_gen.findings import Finding
from dsgvo_gen.model import Text
from dsgvo_gen.rules import Context, Where, descriptor_rule

# A sentence ends at . ! or ? before a capital letter, so "Art. 28" and "Nr. 13" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ])")

_NO_CONTRACT = re.compile(
    r"\b(?:kein(?:en|e|em)?|ohne|weder)\s+(?:\w+\s+){0,3}?"
    r"(?:vertrag|vertrags\w*|auftragsverarbeitungsvertrag|av-vertrag|avv|vereinbarung)\b"
    r"|\bmangels\s+(?:eines\s+)?(?:vertrag|auftrag)\w*"
    r"|\b\w*vertrag\w*\b[^.]{0,80}?\bnicht\s+(?:\w+\s+){0,2}?"
    r"(?:geschlossen|abgeschlossen|unterzeichnet|vereinbart)"
    r"|\b(?:no|neither|without(?:\s+an?|\s+any)?|not\s+(?:\w+\s+){0,2}?an?y?)\s+(?:\w+\s+){0,3}?"
    r"(?:contract|agreement|dpa)\b"
    r"|\bin the absence of (?:an?|any) (?:contract|agreement)",
    re.IGNORECASE,
)
# These read lower-case text (str.lower), case-sensitively. A pattern that starts with
# its words lets the regular expression engine skip ahead to where one of them can begin
# (IGNORECASE or a leading \b stop it from that); the boundary before a word is tested
# after. On long role reasons DG440 had been the costliest rule (a fifth of all rules).
_CONCLUSION = re.compile(
    r"(?:deshalb|daher|darum|somit|folglich|deswegen|mithin|also"
    r"|therefore|thus|hence|consequently|as a result|which makes)\b"
)
_CAUSE_FIRST = re.compile(r"(?:da|weil|as|since|because)\b")  # at the start of a sentence
_WORD_CHARACTER = re.compile(r"\w")
_ROLE_WORD = re.compile(r"verantwortlich|auftragsverarbeiter|controller|processor")


def _draws_conclusion(sentence: str) -> bool:
    """Whether a lower-case sentence concludes ('daher', 'therefore') or opens with a cause
    ('Da ...', 'As ...')."""
    if _CAUSE_FIRST.match(sentence):
        return True
    found = _CONCLUSION.search(sentence)
    while found is not None:
        start = found.start()
        if start == 0 or _WORD_CHARACTER.match(sentence, start - 1) is None:
            return True
        found = _CONCLUSION.search(sentence, start + 1)
    return False


def _argues_from_no_contract(text: str) -> str | None:
    """The sentence (with the one before it) that concludes a role from a missing contract."""
    # Most texts name no role, and most sentences of those that do draw no conclusion.
    if not _ROLE_WORD.search(text.lower()):
        return None
    sentences = _SENTENCE_END.split(text)
    for i, sentence in enumerate(sentences):
        lowered = sentence.lower()
        if (
            _ROLE_WORD.search(lowered)
            and _draws_conclusion(lowered)
            and _NO_CONTRACT.search(" ".join(sentences[max(0, i - 1) : i + 1]))
        ):
            return sentence
    return None


@descriptor_rule("DG440")
def role_not_argued_from_missing_contract(
    d: Decisions, where: Where, ctx: Context
) -> Iterator[Finding]:
    for at, value in d.role.reason.located():
        sentence = _argues_from_no_contract(value)
        if sentence is not None:
            yield where.finding(
                at, "DG440",
                f"the role is argued from a missing contract ('{sentence[:90]}'): roles follow who "
                "decides on the purposes and essential means (EDPB Guidelines 07/2020); say who "
                "decides what, a contract only records it",
            )  # fmt: skip


_STATUTE = re.compile(r"§|\bArt\.|\bArticle\b|\bsection\b|\bsections\b", re.IGNORECASE)


@descriptor_rule("DG441")
def legal_obligation_names_statute(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    for purpose in d.purposes:
        if "art6-1-c" in purpose.legal_basis and not _STATUTE.search(purpose.text.joined):
            yield where.finding(
                (*purpose.at, "text"), "DG441",
                f"purpose '{purpose.id}' rests on a legal obligation (Art. 6(1)(c)) but does not "
                "name it: name the statute, e.g. '§ 147 AO, § 257 HGB' (DE) or '§ 132 BAO, "
                "§ 212 UGB' (AT)",
            )  # fmt: skip


#: Statutes a controller of one country should not cite for its own duties: another
#: country's laws on retention and contracts (German for AT, Austrian for DE).
_FOREIGN_STATUTES = {
    "AT": re.compile(r"(?:§+|\bsections?)\s*\d+[a-z]?\b[^.;:]{0,40}?\b(AO|HGB|BGB|UStG)\b"),
    "DE": re.compile(r"(?:§+|\bsections?)\s*\d+[a-z]?\b[^.;:]{0,40}?\b(BAO|UGB|ABGB)\b"),
}


def _texts(d: Decisions) -> Iterator[Text]:
    for purpose in d.purposes:
        yield purpose.text
    for rule in d.retention:
        criteria = getattr(rule, "criteria", None)
        if isinstance(criteria, Text):
            yield criteria


@descriptor_rule("DG442")
def statutes_of_the_controllers_law(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    country = ctx.config.jurisdiction.split("-")[0] if ctx.config else None
    pattern = _FOREIGN_STATUTES.get(country or "")
    if pattern is None:
        return
    for text in _texts(d):
        if "§" not in text.joined and "section" not in text.joined:  # what pattern needs
            continue
        for at, value in text.located():
            match = pattern.search(value)
            if match:
                yield where.finding(
                    at, "DG442",
                    f"'{match.group(0)}' is not {country} law: a retention or obligation of a "
                    f"controller in {country} follows its own law (DE: § 147 AO, § 257 HGB; AT: "
                    "§ 132 BAO, § 212 UGB)",
                )  # fmt: skip


# The notices cite "Art. 6 Abs. 1 lit. a DSGVO"; a text of the controller's that writes
# "Buchst. a" puts both forms on one page.
_BUCHST = re.compile(r"\bBuchst(?:abe)?\.?\s+[a-z]\b")


@descriptor_rule("DG443")
def letters_cited_like_the_notices(d: Decisions, where: Where, ctx: Context) -> Iterator[Finding]:
    if "Buchst" not in d.at_once.joined:  # the pattern's own letters: one cheap test
        return
    for _, text in d.texts:
        for at, value in text.located():
            match = _BUCHST.search(value)
            if match:
                yield where.finding(
                    at, "DG443",
                    f"'{match.group(0)}': the notices and forms cite letters as 'lit. a' "
                    "(Art. 6 Abs. 1 lit. a DSGVO); write it the same way, so that one page does "
                    "not use both forms",
                )  # fmt: skip
