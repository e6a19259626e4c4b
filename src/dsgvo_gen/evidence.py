"""What a statement may claim, given whose statements its sources are (DESIGN §4b).

A source is the provider's own statement, an official one (a register, an
authority, a law) or a third party's. A notice words a fact by that evidence:
a DPF certification is "listed, checked on <date>" only where the DPF list itself
was read; otherwise it is attributed to the documents that say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from dsgvo_gen.model import Source, Transfer

DPF_MECHANISMS = frozenset({"eu-us-dpf", "swiss-us-dpf"})
#: The host of the DPF list and its participant pages (U.S. Department of Commerce).
DPF_LIST_HOST = "dataprivacyframework.gov"
OFFICIAL = "official"


def is_dpf_list(source: Source) -> bool:
    """Whether `source` is the DPF list (or a participant's page on it), read as such.

    A format 1 source cannot say its kind; there its address alone decides.
    """
    host = (urlsplit(source.url).hostname or "").lower()
    on_list = host == DPF_LIST_HOST or host.endswith("." + DPF_LIST_HOST)
    return on_list and source.kind in (OFFICIAL, None)


@dataclass(frozen=True)
class DpfEvidence:
    """What a DPF transfer may say: listed (the list was read on `checked_on`), or only
    what `statements` say, attributed to them."""

    list_cited: bool  # the transfer cites the DPF list as an official source
    checked_on: date | None  # the date the list was read, where it was
    statements: tuple[Source, ...]  # the other sources, whose statement the wording names
    own_check: bool  # the controller's own transfer: its own check of the list, no sources

    @property
    def listed(self) -> bool:
        """The notice may say "listed; checked on <date>"."""
        return self.checked_on is not None and (self.list_cited or self.own_check)

    @property
    def attributed(self) -> bool:
        """The notice names whose statement the certification is, and claims no check."""
        return not self.list_cited and not self.own_check


def dpf_evidence(transfer: Transfer, sources: Iterable[Source]) -> DpfEvidence:
    """The evidence of a DPF transfer. A fact (an entry's transfer, or a format 1
    descriptor's) rests on the sources it cites; a format 2 descriptor's own transfer
    cites none: its DPF check is the controller's own statement about its own recipient."""
    by_id = {s.id: s for s in sources}
    cited = [by_id[ref] for ref in transfer.sources if ref in by_id]
    on_list = [s for s in cited if is_dpf_list(s)]
    return DpfEvidence(
        list_cited=bool(on_list),
        checked_on=transfer.dpf_checked_on,
        statements=tuple(s for s in cited if not is_dpf_list(s)),
        own_check=not transfer.sources,
    )
