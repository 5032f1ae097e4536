"""The offensive rule: insults, obscenity, vulgarity, slurs and discriminatory
generalisations. All high (issue 12): one offensive word is enough not to post."""

from __future__ import annotations

from bot.core.review import lexicon as L
from bot.core.review.rules.base import MAX_MATCHES, Hit, each, rx
from bot.core.review.rules.institutions import Institutions
from bot.core.review.rules.people import ROLE_MANY, ROLE_ONE
from bot.core.review.text import Draft

_MASKED = rx(r"(?<!\w)(?:f[\*#@%!]+c?k(?:ing|ed|er)?|sh[\*#@%!]+t|k[\*#@%!]+t|c[\*#@%!]+nt|"
             r"kl[\*#@%!]+tzak|k[\*#@%!]+nker(?:lijer)?)(?!\w)")
_OFFENSIVE_PHRASE = rx(
    r"\b(?:krijg\s+(?:de|het)\s+(?:kanker|tering|tyfus|klere|pest|kolere)|kanker\s+(?:op|toch\s+op)|"
    r"tyf(?:us)?\s+op|rot\s+op|flikker\s+op|hou\s+je\s+(?:bek|kop|smoel)|val\s+dood|"
    r"piss\s+off|fuck\s+off|go\s+to\s+hell|shut\s+the\s+fuck\s+up|son\s+of\s+a\s+bitch|"
    r"ga\s+terug\s+naar\s+(?:je|jullie|jouw)\s+(?:eigen\s+)?land|go\s+back\s+to\s+(?:your|where\s+you)\s+(?:own\s+)?"
    r"(?:country|came\s+from))\b"
)
_GROUPS = (r"buitenlanders|allochtonen|migranten|immigranten|vluchtelingen|asielzoekers|marokkanen|turken|"
           r"moslims|joden|zwarten|homo's|homos|vrouwen|polen|roma|immigrants|migrants|refugees|foreigners|"
           r"muslims|jews|blacks|gays|women|mexicans|arabs|moroccans|turks")
_GENERALISATION = rx(
    rf"\b(?:alle|al\s+die|die|deze|those|these|all|the)\s+(?:{_GROUPS})\s+(?:zijn|are)\s+(?:\w+\s+){{0,2}}?"
    r"(?:lui|dom|dommer|crimineel|criminelen|tuig|gespuis|uitschot|parasieten|minderwaardig|gevaarlijk|"
    r"terroristen|achterlijk|lazy|stupid|criminals|criminal|dangerous|inferior|terrorists|scum|parasites|animals|"
    r"beesten|dieren|vies|dirty|useless|waardeloos)\b|"
    rf"\b(?:ik\s+haat|i\s+hate)\s+(?:alle\s+|all\s+)?(?:{_GROUPS})\b|"
    r"\b(?:vrouwen|women)\s+(?:kunnen|can'?t|cannot)\s+(?:niet\s+)?(?:programmeren|rekenen|leidinggeven|code|lead|"
    r"drive|autorijden|do\s+math|think)\b"
)
# A group named by where it comes from, and a trait given to all of it, with
# no slur: "students from <country> all cheat", "die mensen uit dat land zijn
# allemaal lui". Explaining a vice by "their culture" does the same.
_TRAIT = (r"cheat|cheating|cheaters|steal|stealing|thieves|lie|lying|liars|lazy|stupid|dumb|criminals?|dangerous|"
          r"dirty|frauderen|fraudeurs|spieken|spiekers|stelen|dieven|liegen|liegt|leugenaars|lui|dom|crimineel|"
          r"criminelen|gevaarlijk|vies|onbetrouwbaar|untrustworthy")
_GROUP_FROM = (r"(?:people|students|pupils|those|these|guys|men|women|mensen|studenten|leerlingen|lui|types|"
               r"jongens|mannen|vrouwen)\s+(?:from|uit)\s+(?:that\s+country|dat\s+land|those\s+countries|die\s+landen|"
               r"(?-i:[A-Z])[\w-]+)")
_GROUP_TRAIT = rx(rf"\b{_GROUP_FROM}\s+(?:\w+\s+){{0,2}}?(?:all|allemaal|always|altijd|zijn\s+allemaal|are\s+all)\s+"
                  rf"(?:\w+\s+)?(?:{_TRAIT})\b")
_THEIR_CULTURE = rx(r"\b(?:it'?s|that'?s|it\s+is|that\s+is)\s+(?:just\s+|simply\s+)?(?:in\s+)?their\s+"
                    r"(?:culture|nature|genes|blood)\b|\b(?:zit|ligt)\s+(?:nou\s+eenmaal\s+)?in\s+hun\s+"
                    r"(?:cultuur|aard|genen|bloed)\b|\bhet\s+is\s+(?:nou\s+eenmaal\s+)?hun\s+(?:cultuur|aard)\b")
_TRAIT_WORD = rx(rf"\b(?:{_TRAIT})\b")
_INSULT = rx(
    r"\b(?:die|deze|dat|that|this|those|these|mijn|my|onze|our|de|the)\s+(?:stomme|domme|luie|achterlijke|"
    r"waardeloze|incompetente|stupid|dumb|lazy|useless|incompetent|brainless)\s+"
    rf"(?:{ROLE_ONE}|{ROLE_MANY}|mensen|people|vent|wijf|kerel|guy|guys|bende|idiots?)(?!\w)"
)


def check(d: Draft, inst: Institutions) -> list[Hit]:
    hits: list[Hit] = []
    for (word, start, end), low in zip(d.words, d.lower_words):
        kind = None
        if low in L.OFFENSIVE_LOWERCASE and word == low:
            kind, severity = "obscene", "high"
        elif low in L.SLURS:
            kind, severity = "slur", "high"
        elif low in L.OFFENSIVE_STRONG:
            kind, severity = "obscene", "high"
        elif low in L.OFFENSIVE_MILD:
            kind, severity = "vulgar", "high"  # vulgarity is offensive: high (issue 12)
        elif low.startswith(L.COMPOUND_PREFIXES):
            for prefix in L.COMPOUND_PREFIXES:
                if low.startswith(prefix) and (low[len(prefix):] in L.COMPOUND_ENDINGS
                                                  or low[len(prefix):] in inst.lower_abbreviations):
                    kind, severity = "obscene", "high"
                    break
        if kind:
            hits.append(Hit("offensive", kind, severity, start, end))
            if len(hits) >= MAX_MATCHES:
                break
    t = d.text
    for m in each(_THEIR_CULTURE, t):
        if _TRAIT_WORD.search(d.sentence(m.start())):  # "…all cheat, it's their culture"; not praise of a culture
            hits.append(Hit("offensive", "discrimination", "high", m.start(), m.end()))
    for pattern, kind in ((_GROUP_TRAIT, "discrimination"), (_MASKED, "obscene"), (_OFFENSIVE_PHRASE, "obscene"), (_GENERALISATION, "discrimination"),
                          (_INSULT, "insult")):
        for m in each(pattern, t):
            hits.append(Hit("offensive", kind, "high", m.start(), m.end()))
    return hits
