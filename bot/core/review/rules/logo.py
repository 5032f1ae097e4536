"""The logo rule: the institution's logo as a profile picture, on a personal
account or for one's own business."""

from __future__ import annotations

from bot.core.review.rules.base import Hit, each, rx
from bot.core.review.rules.context import meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_LOGO = rx(r"(?:logo(?:'?s)?|beeldmerk(?:en)?|huisstijl|embleem|emblem|brand\s+mark|wapenschild|crest)\b")
_COMPOUND_HEADS = ("universiteits", "schools", "faculteits", "instellings")
_LOGO_PROFILE = rx(r"\b(?:profielfoto'?s?|profielplaatje|profielafbeelding|avatar|profile\s+(?:picture|photo|pic|image)|"
                   r"pfp|display\s+picture|header(?:foto)?|banner)\b")
_LOGO_PERSONAL = rx(r"\b(?:persoonlijke?\s+(?:account|pagina|profiel|website|blog|kanaal)|personal\s+(?:account|profile|"
                    r"page|website|blog|channel|brand)|privé[- ]?account|prive[- ]?account|eigen\s+(?:account|bedrijf|"
                    r"website|webshop|zaak|praktijk|onderneming|bedrijfje)|own\s+(?:account|business|company|website|"
                    r"shop)|visitekaartjes?|business\s+cards?|side\s+(?:business|hustle|project|gig)|bijbaan|"
                    r"nevenactiviteit(?:en)?|zzp|freelance|webshop|mijn\s+bedrijf|my\s+(?:company|business|shop|"
                    r"startup|consultancy)|flyers?\s+(?:voor|for)\s+(?:mijn|my))\b")


def check(d: Draft, inst: Institutions) -> list[Hit]:
    hits = []
    for m in each(_LOGO, d.text):
        # "logo" may end a compound (universiteitslogo, or the institution's
        # abbreviation: "ABClogo") but must end the word.
        if m.start() > 0 and d.text[m.start() - 1].isalpha() and not d.text[max(0, m.start() - 12):m.start()].lower().endswith(
                _COMPOUND_HEADS + inst.lower_abbreviations):
            continue
        s, e = d.sentence_span(m.start())
        found = _LOGO_PROFILE.search(d.text, s, e)
        kind = "profile"
        if not found:
            found, kind = _LOGO_PERSONAL.search(d.text, s, e), "personal_use"
        if not found or negated(d, m.start()):
            continue
        start, end = m.start(), m.end()
        if found.start() >= end and found.end() - start <= 120:
            end = found.end()
        elif found.end() <= start and end - found.start() <= 120:
            start = found.start()
        hits.append(Hit("logo", kind, "low" if meta(d, m.start()) else "medium", start, end))
    return hits
