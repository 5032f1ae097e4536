"""The copyright rule: others' images ("found on Google"), music, video,
screenshots of articles and marked works, unless own work, licensed or used
with permission."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.review.rules.base import Hit, each, rx, rx_cased
from bot.core.review.rules.context import meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_COPY_FOUND = rx(
    r"\b(?:gevonden\s+(?:op|via)\s+(?:google|internet|het\s+internet|pinterest|instagram|facebook|twitter|x)|"
    r"(?:van|via|uit|op)\s+(?:google(?:\s+afbeeldingen)?|internet|het\s+internet|pinterest|instagram|facebook|"
    r"twitter|linkedin|tiktok|youtube|een\s+website|een\s+site|andermans\s+\w+)\s+(?:gehaald|geplukt|geleend|"
    r"gekopieerd|gedownload|geript|gejat|gevonden)|google\s+(?:images|afbeeldingen)|"
    r"found\s+(?:it\s+|this\s+(?:\w+\s+){0,2})?(?:on|via)\s+(?:google|the\s+internet|pinterest|instagram|facebook|twitter)|"
    r"(?:grabbed|taken|copied|borrowed|downloaded|stole|nicked|pinched)\s+(?:it\s+|this\s+(?:\w+\s+)?)?(?:from|off)\s+"
    r"(?:google|the\s+internet|pinterest|instagram|someone'?s)|random\s+(?:foto|photo|picture|image)\s+"
    r"(?:van|from|off)\s+(?:internet|the\s+internet|google))\b"
)
_ARTIST = r"(?-i:[A-Z0-9][\w&'.-]*)(?:\s+(?-i:[A-Z0-9&][\w&'.-]*)){0,3}"
_COPY_MUSIC = rx(
    r"\b(?:muziek|nummer|nummertje|liedje|song|songs|music|track|hit|hits|soundtrack|achtergrondmuziek|"
    rf"background\s+music)\s+(?:van|by|from)\s+(?:de\s+|the\s+)?{_ARTIST}|"
    rf"\b(?:muziek|music|song|nummer|soundtrack|audio)\s*:\s*{_ARTIST}|"
    r"\b(?:as|als)\s+(?:the\s+|de\s+|a\s+)?(?:soundtrack|background\s+music|achtergrondmuziek)\b|"
    rf"\b(?:nummer|liedje|song|track)\s+['\"][^'\"\n]{{1,60}}['\"]\s+(?:van|by)\s+{_ARTIST}"
)
_COPY_SCREENSHOT = rx(
    r"\b(?:screenshot|screenshots|schermafbeelding|printscreen|screen\s?cap|screengrab)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?:van|of|uit|from)\s+(?:[\w'-]+\s+){0,3}?(?:artikel|artikelen|article|articles|krant|newspaper|tijdschrift|"
    r"magazine|boek|book|NRC|Volkskrant|Telegraaf|Trouw|NOS|Guardian|Times|website|paywall|blog|story|film|serie|"
    r"series|movie|netflix|premium|vakblad|journal|paper|e-?book)\b"
)
_COPY_MARK = rx_cased(r"©|\([cC]\)\s*\d{4}|\b(?:[Cc]opyright|[Aa]ll\s+rights\s+reserved|[Aa]lle\s+rechten\s+"
                      r"voorbehouden)\b|\b(?:Getty\s+Images|Shutterstock|iStock|Adobe\s+Stock|ANP\s+Foto|"
                      r"Reuters|AP\s+Photo|Hollandse\s+Hoogte)\b")
_COPY_VIDEO = rx(
    r"\b(?:fragment|fragmentje|clip|scène|scene|stukje)\s+(?:\w+\s+){0,2}?(?:uit|van|from|of)\s+(?:de\s+|het\s+|"
    r"the\s+|een\s+|a\s+)?(?:film|serie|series|movie|show|netflix|videoland|disney|tv-?programma|documentaire|"
    r"documentary|aflevering|episode|wedstrijd|match)\b"
)
_COPY_OK = rx(
    r"\b(?:eigen\s+(?:foto|foto's|werk|beeld|beelden|opname|opnames|muziek|compositie|slides|video|illustratie)|"
    r"zelf\s+(?:gemaakt|gemaakte|geschoten|genomen|opgenomen|gecomponeerd|getekend)|"
    r"own\s+(?:photo|photos|work|picture|pictures|image|images|music|recording|slides|video|illustration)|"
    r"taken\s+by\s+me|i\s+took|shot\s+by\s+me|gemaakt\s+door\s+mij|made\s+by\s+me|"
    r"met\s+(?:\w+\s+){0,2}?toestemming|with\s+(?:the\s+)?(?:kind\s+)?(?:\w+\s+)?permission|"
    r"toestemming\s+(?:van|gekregen|gegeven)|permission\s+(?:of|from)|licen[sc]ed|licentie|"
    r"creative\s+commons|cc[\s-]?by|cc0|rechtenvrij|rechtenvrije|royalty[- ]free|public\s+domain|"
    r"publiek\s+domein|copyright[- ]free|auteursrechtvrij|pixabay|unsplash|pexels)\b"
)


# A copyright mark of one's own or the institution's: "© 2024 <institution>".
@lru_cache(maxsize=8)
def _own_mark(inst: Institutions) -> re.Pattern:
    return rx(rf"(?:©|\(c\)|copyright)\s*(?:\d{{4}}\s*)?(?:{inst.pattern}|mijzelf|myself|me\b|ik\b|eigen)")


def check(d: Draft, inst: Institutions) -> list[Hit]:
    t = d.text
    if _COPY_OK.search(t):
        return []  # own work, licensed, or used with permission
    hits = []
    for pattern, kind in ((_COPY_FOUND, "found_online"), (_COPY_MUSIC, "music"), (_COPY_SCREENSHOT, "screenshot"),
                          (_COPY_MARK, "mark"), (_COPY_VIDEO, "video")):
        for m in each(pattern, t):
            if kind == "mark" and _own_mark(inst).match(t, m.start()):
                continue
            if negated(d, m.start()):
                continue
            hits.append(Hit("copyright", kind, "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
    return hits
