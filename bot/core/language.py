"""Dutch or English? A stop-word vote: fast, dependency-free and good enough
for the two languages staff write in."""

from __future__ import annotations

import re

from bot.core.models import Language

_WORD = re.compile(r"[a-zA-ZÀ-ÿ']+")
_NL = set(
    """de het een en van ik je jij u uw mijn mag kan kun wij we zij ze niet geen wel
    is zijn was met voor op aan als dat die dit wat wie waar hoe waarom mogen moet
    moeten over naar bij ook nog maar of er om te tot uit door zo dan al hebben heb
    heeft deze onze ons mij zich worden wordt graag mogelijk collega collega's foto
    studenten plaatsen delen bericht zonder namens""".split()
)
_EN = set(
    """the a an and of i you your my may can could we they not no is are was with for
    on at as that this what who where how why must should about to from by also but or
    if then have has be been do does did our us me it its would will share post
    colleague colleagues photo students without behalf allowed""".split()
)


def detect_language(text: str, default: Language = "nl") -> Language:
    words = [w.lower() for w in _WORD.findall(text)]
    nl = sum(w in _NL for w in words)
    en = sum(w in _EN for w in words)
    if nl == en:
        if re.search(r"\b(ij|oe|ui|aa|ee)\w*", text.lower()) and not en:
            return "nl"
        return default
    return "nl" if nl > en else "en"
