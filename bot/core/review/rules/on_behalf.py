"""The on_behalf rule: speaking for the institution ("namens de universiteit",
"<institution> vindt…", "the official position of"). The institutions'
names are data (knowledge/review/<org>.yaml and the documents' metadata)."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.review.rules.base import Hit, each, rx
from bot.core.review.rules.context import meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

# Words for an institution that every institution shares; its own names come from data.
_GENERIC = (r"universiteit|university|school|faculteit|faculty|hogeschool|instelling|institution|"
            r"organisatie|organi[sz]ation|college\s+van\s+bestuur|raad\s+van\s+bestuur|executive\s+board|cvb|"
            r"directie")
_POSITION_NL = (r"vindt|vinden|is\s+van\s+mening|veroordeelt|staat\s+(?:volledig\s+)?achter|neemt\s+afstand|"
                r"is\s+tegen|wijst\s+\w+\s+af|keurt\s+\w+\s+af|spreekt\s+zich\s+uit")
_POSITION_EN = (r"believes|thinks|condemns|stands\s+(?:with|behind)|opposes|rejects|is\s+against|"
                r"distances\s+itself|takes\s+the\s+position|strongly\s+condemns")


@lru_cache(maxsize=8)
def _pattern(inst: Institutions) -> re.Pattern:
    institution = rf"(?:de\s+|het\s+|onze\s+|ons\s+|the\s+|our\s+)?(?:{inst.pattern}|{_GENERIC})\b"
    named = rf"(?:(?:de|het|the)\s+)?(?:{inst.pattern})"
    return rx(
        rf"\b(?:namens|uit\s+naam\s+van|on\s+behalf\s+of|speaking\s+for|in\s+naam\s+van)\s+{institution}|"
        rf"\b(?:als|as)\s+{institution}\s*,?\s+(?:\w+\s+)?(?:we|wij)\b|"
        rf"\b(?:wij|we)\s+(?:als|at|as)\s+{institution}|"
        r"\b(?:het\s+)?offici[eë]le?\s+(?:standpunt|reactie|verklaring)\s+van\s+|"
        r"\bthe\s+official\s+(?:position|standpoint|stance|view|response|statement)\s+of\s+|"
        r"\bofficial\s+statement\s+(?:of|from)\s+|"
        rf"\b(?:de\s+universiteit|de\s+school|onze\s+school|de\s+faculteit|onze\s+faculteit|{named})\s+"
        rf"(?:{_POSITION_NL})\b|"
        rf"\b(?:the\s+university|the\s+school|our\s+school|the\s+faculty|our\s+faculty|{named})\s+"
        rf"(?:{_POSITION_EN})\b"
    )


def check(d: Draft, inst: Institutions) -> list[Hit]:
    hits = []
    for m in each(_pattern(inst), d.text):
        if negated(d, m.start()):
            continue  # "niet namens de universiteit", "not on behalf of…"
        hits.append(Hit("on_behalf", "speaks_for", "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
    return hits
