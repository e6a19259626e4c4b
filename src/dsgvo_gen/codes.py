"""The catalogue of rule codes: stable codes, their severity and the article they enforce.

The README's rule table is generated from this catalogue (a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # "error" | "warning" | "note"
    article: str
    title: str


def _catalogue(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


E, W, N = "error", "warning", "note"

CODES: dict[str, Code] = _catalogue(
    # DG1xx: reading the file
    Code("DG101", E, "", "file is not valid UTF-8"),
    Code("DG102", E, "", "YAML syntax error"),
    Code("DG103", E, "", "duplicate key"),
    Code("DG104", E, "", "YAML anchor or alias (not allowed: alias bombs)"),
    Code("DG105", E, "", "YAML tag (not allowed: tags can construct objects)"),
    Code("DG106", E, "", "file larger than 1 MiB"),
    Code("DG107", E, "", "document is not a single mapping with text keys"),
    Code("DG108", E, "", "nesting deeper than 32 levels"),
    Code("DG109", E, "", "id differs from the file name"),
    Code("DG110", E, "", "file or project config cannot be read"),
    Code("DG111", E, "", "template or label catalogue cannot be rendered"),
    Code("DG112", E, "", "output folder cannot be written"),
    Code("DG113", E, "", "a PDF asked for a resource outside the assets folder (refused)"),
    Code("DG114", W, "", "WeasyPrint warned while rendering a PDF"),
    Code("DG115", E, "", "a PDF cannot be rendered"),
    Code("DG116", E, "", "a file to read is a symbolic link or not a regular file (not read)"),
    Code("DG117", E, "", "control or bidirectional-override character in a text"),
    Code("DG118", W, "", "file in providers/ ignored: descriptors end in .yaml"),
    Code("DG119", E, "", "logo cannot be published (missing, a link, too large, not an image)"),
    Code("DG120", W, "", "accent colour too light for links on white (WCAG 2.1 AA)"),
    Code("DG121", E, "", "a notice, text, page or PDF would exceed its size limit"),
    Code("DG124", N, "", "format 1 descriptor: 'dsgvo-gen migrate' splits it (once per run)"),
    Code("DG125", N, "", "catalogue entry overrides one with the same id (both paths)"),
    Code("DG126", W, "", "draft: checked and reported, not published"),
    Code("DG127", E, "", "a value is empty: YAML read an unquoted # as the start of a comment"),
    Code("DG128", N, "", "catalogue folder outside the project, named in the config (read)"),
    # DG15x: the history record (history/)
    Code("DG150", E, "Art. 5(2) GDPR", "history/ holds a link or a file no record names"),
    Code("DG151", E, "Art. 5(2) GDPR", "history record not in the form build writes"),
    Code("DG152", E, "Art. 5(2) GDPR", "archived file of a recorded version missing or unreadable"),
    Code("DG153", E, "Art. 5(2) GDPR", "archived file differs from the one recorded"),
    Code("DG154", E, "Art. 5(2) GDPR", "recorded version entry changed since build wrote it"),
    Code("DG155", E, "Art. 5(2) GDPR", "version recorded twice or out of order"),
    # DG2xx: JSON Schema
    Code("DG201", E, "", "unknown key"),
    Code("DG202", E, "", "required key missing"),
    Code("DG203", E, "", "wrong type of value"),
    Code("DG204", E, "", "value not in the allowed set"),
    Code("DG205", E, "", "value has the wrong format (date, duration, URL, id)"),
    Code("DG206", E, "", "value out of range or list too short"),
    # DG3xx: Art. 13 completeness
    Code("DG301", E, "Art. 13(1)(a) GDPR", "controller identity or contact missing"),
    Code("DG302", E, "Art. 13(1)(b) GDPR", "contact of the data protection officer missing"),
    Code("DG303", E, "Art. 13(1)(c) GDPR", "purpose without legal basis, or no purpose"),
    Code("DG304", E, "Art. 13(1)(d) GDPR", "legitimate interest not named for Art. 6(1)(f)"),
    Code("DG305", E, "Art. 13(1)(e) GDPR", "recipients not named"),
    Code("DG306", E, "Art. 13(1)(f) GDPR", "recipient outside the EU/EEA without transfer entry"),
    Code("DG307", E, "Art. 13(2)(a) GDPR", "data category without retention"),
    Code("DG308", E, "Art. 13(2)(e) GDPR", "provision requirement or consequence not stated"),
    Code("DG309", E, "Art. 13(2)(f) GDPR", "automated decision-making not stated"),
    Code("DG310", E, "Art. 13(2)(c) GDPR", "consent is a legal basis but no withdrawal text"),
    Code("DG311", E, "Art. 13(1)(a), Art. 27 GDPR", "representative missing"),
    Code("DG312", W, "Art. 13(1)(a) GDPR", "the controller is the invented example"),
    # DG4xx: consistency
    Code("DG401", E, "Art. 45 GDPR", "DPF mechanism for a country or controller it cannot cover"),
    Code("DG402", E, "Art. 45 GDPR", "adequacy claimed for a country without adequacy decision"),
    Code("DG403", E, "Art. 28(3) GDPR", "processor without data processing agreement"),
    Code(
        "DG404",
        E,
        "Art. 26(2) GDPR",
        "joint controller without the essence of the arrangement, or one for another role",
    ),
    Code("DG405", E, "Art. 9(1), 9(2) GDPR", "special-category data without an Art. 9(2) basis"),
    Code("DG406", E, "Art. 9(2)(a) GDPR", "special-category data not covered by explicit consent"),
    Code("DG407", E, "", "reference to an unknown id"),
    Code("DG408", E, "Art. 13(2)(a) GDPR", "retention without period or concrete criteria"),
    Code("DG409", E, "Art. 7(2) GDPR", "consent item for a purpose that does not rest on consent"),
    Code("DG410", W, "Art. 7(2) GDPR", "consent-based purpose without a consent item"),
    Code("DG411", E, "Art. 13(1)(e) GDPR", "third-party operator without identity"),
    Code("DG412", W, "Art. 44 GDPR", "transfer entry that does not match its recipient"),
    Code("DG413", E, "Art. 44 GDPR", "third-country transfer without a legal mechanism"),
    Code("DG414", E, "", "the same id used twice"),
    Code("DG415", E, "Art. 49(1)(a) GDPR", "transfer on consent without a consent form"),
    Code("DG416", E, "Art. 45 GDPR", "DPF check date missing, or set for a non-DPF mechanism"),
    Code("DG417", E, "Art. 13(1)(e) GDPR", "role self, but the catalogue entry names an operator"),
    Code("DG420", E, "", "two descriptors with the same id"),
    Code("DG421", E, "", "provider listed in the config has no descriptor"),
    Code("DG422", W, "Art. 13(1)(e) GDPR", "one recipient named differently in two descriptors"),
    Code("DG423", E, "", "descriptor uses a catalogue entry that does not exist"),
    Code("DG440", W, "Art. 4(7), 28 GDPR", "role argued from a missing contract"),
    Code("DG441", E, "Art. 6(1)(c), 6(3) GDPR", "legal obligation without its statute"),
    Code("DG442", E, "Art. 6(3) GDPR", "statute of another country than the controller's"),
    Code("DG443", W, "Art. 12(1) GDPR", "'Buchst. a' where the notices cite 'lit. a'"),
    # DG5xx: provenance and staleness
    Code("DG501", E, "Art. 5(1)(a), 12(1) GDPR", "fact without a source"),
    Code("DG502", W, "Art. 5(2) GDPR", "review older than review_max_age"),
    Code("DG503", W, "Art. 45 GDPR", "DPF check older than review_max_age"),
    Code("DG504", E, "", "date in the future"),
    Code("DG505", E, "Art. 45 GDPR; CJEU C-311/18", "Privacy Shield (invalid since 16 July 2020)"),
    Code("DG506", W, "", "source listed but never cited"),
    Code(
        "DG507", E, "Art. 5(1)(a), 12(1) GDPR", "placeholder instead of a fact (TODO, unknown, ...)"
    ),
    Code("DG508", E, "Art. 5(2) GDPR", "a choice that is the controller's to make is still open"),
    Code("DG520", W, "", "feature not stated (null: unknown)"),
    # DG53x: evidence, what a notice may claim (DESIGN §4b)
    Code(
        "DG530",
        W,
        "Art. 45 GDPR; Art. 5(1)(a) GDPR",
        "DPF certification rests on the provider's statement alone (attributed)",
    ),
    Code(
        "DG531", E, "Art. 5(1)(a) GDPR", "DPF check date without the DPF list as an official source"
    ),
    Code(
        "DG532", W, "Art. 5(1)(a), 12(1) GDPR", "published fact its sources do not confirm (marked)"
    ),
    Code("DG533", E, "Art. 13(2)(d) GDPR", "jurisdiction CH: no notices under the Swiss FADP yet"),
    Code("DG534", E, "Art. 13(2)(d) GDPR", "jurisdiction or address does not fit the country"),
    Code("DG535", W, "Art. 13(2)(d) GDPR; § 9, § 40 BDSG", "jurisdiction DE (BfDI) without a Land"),
    Code("DG536", W, "§ 5 DDG; § 5 ECG, § 25 MedienG", "no imprint link for a DE or AT controller"),
    Code(
        "DG537",
        W,
        "Art. 28(2)-(4), 13(1)(e)-(f) GDPR",
        "your processor's recipients or transfers left open: take them from your DPA",
    ),
    Code("DG540", W, "", "draft: a fact still missing, and where to find it"),
    Code("DG541", N, "Art. 7(1) GDPR", "consent form, but no site.base_url to name its notice by"),
    Code("DG542", E, "Art. 7(1) GDPR", "recording said to need consent, but no consent form"),
    Code(
        "DG550",
        W,
        "Art. 7(1), 13(3) GDPR",
        "consent form asks for more than earlier versions: collect consent again",
    ),
    # DG6xx: languages
    Code("DG601", E, "Art. 12(1) GDPR", "text missing a configured language"),
    Code("DG602", W, "Art. 12(1) GDPR", "plain string where a translated text is expected"),
    Code("DG603", W, "", "text in a language that is not configured"),
    Code("DG604", E, "", "language without built-in labels"),
)

#: Codes found outside `rules/`, by the stage (module) that finds them while reading,
#: validating or writing. Every other code comes from a rule function, which names the
#: codes it emits in its decorator; tests keep both lists true.
STAGE_CODES: dict[str, frozenset[str]] = {
    "loader": frozenset({"DG101", "DG102", "DG103", "DG104", "DG105", "DG106", "DG107",
                         "DG108", "DG110", "DG116", "DG117", "DG127"}),
    "config": frozenset({"DG110"}),
    "catalogue": frozenset({"DG110", "DG116", "DG128"}),
    "checker": frozenset({"DG110", "DG116", "DG118"}),
    # An omitted key that an Art. 13 element depends on is reported with that element's
    # code; the obsolete mechanism 'privacy-shield' with DG505.
    "schema": frozenset({"DG201", "DG202", "DG203", "DG204", "DG205", "DG206", "DG301",
                         "DG302", "DG303", "DG304", "DG305", "DG306", "DG307", "DG308",
                         "DG309", "DG310", "DG311", "DG505"}),
    # What goes wrong once rendering has started (publish.FAILURES).
    "publish": frozenset({"DG111", "DG112", "DG115", "DG116", "DG121"}),
    "i18n": frozenset({"DG110", "DG111", "DG116"}),  # a project's own label catalogue
    # check renders a project's own templates as build would (its FAILURES, in memory).
    "template_check": frozenset({"DG111", "DG116", "DG121"}),
    # A preview leaves out the providers with a DG121 finding (it reads the code); DG541:
    # consent PDFs without site.base_url.
    "builder": frozenset({"DG112", "DG121", "DG541"}),
    # The history record, read by check; DG550 compares it with the consent forms.
    "history": frozenset({"DG110", "DG116", "DG150", "DG151", "DG152", "DG153", "DG154",
                          "DG155"}),
    "recollect": frozenset({"DG550"}),
    "serve": frozenset({"DG112"}),
    "pdf": frozenset({"DG113", "DG114", "DG115", "DG121"}),
}  # fmt: skip
