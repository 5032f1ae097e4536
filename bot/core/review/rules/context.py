"""Context that softens or cancels a hit, for every rule: a negation right
before a match ("deel nooit tentamenvragen", "not on behalf of"), a post
*about* a topic (a workshop, tips, the guidelines), consent ("met
toestemming") and public sources (a press release)."""

from __future__ import annotations

from bot.core.review.rules.base import rx
from bot.core.review.text import Draft


# A negation just before a match, within its clause: "deel nooit …",
# "niet namens …", "never use …", "don't post …".
_NEGATION = rx(r"\b(?:niet|nooit|geen|never|not|don'?t|doesn'?t|didn'?t|won'?t|shouldn'?t|avoid|vermijd)\b"
               r"(?:\W+\w+){0,3}\W*$")
_CLAUSE_BREAK = rx(r".*(?:\bmaar\b|\bbut\b|\bwant\b|\bbecause\b|[,;:()])")

# The sentence is about a topic rather than a case of it.
_META = rx(r"\b(?:workshops?|trainingen|training|cursus|cursussen|course|webinar|lezing|lecture|talk|"
           r"presentatie|presentation|gastles|gastcollege|les|lesson|seminar|symposium)\s+(?:\w+\s+){0,2}?"
           r"(?:over|about|on|rond|around)\b|"
           r"\b(?:tips?|richtlijnen|richtlijn|guidelines?|gebruikscode|gedragscode|code\s+of\s+conduct|"
           r"how\s+to|hoe\s+(?:je|ga\s+je|om\s+te\s+gaan)|omgaan\s+met|dealing\s+with|bewustwording|"
           r"awareness|e-?learning)\b")

CONSENT = rx(r"\b(?:met\s+(?:hun|zijn|haar|jullie|ieders|volledige|uitdrukkelijke|schriftelijke)?\s*toestemming|"
             r"toestemming\s+(?:gegeven|gekregen|gevraagd|van\s+(?:iedereen|alle|de|het|hem|haar))|"
             r"(?:gave|given|got|have|with)\s+(?:their\s+|his\s+|her\s+|full\s+|written\s+|explicit\s+)?"
             r"(?:permission|consent)|with\s+(?:the\s+)?[\w-]+(?:'s|s')\s+(?:permission|consent)|(?:permission|consent)\s+(?:of|from)\b|"
             r"(?:vonden|vond)\s+het\s+(?:goed|prima)|op\s+eigen\s+verzoek|at\s+(?:their|his|her)\s+request)")

PUBLIC = rx(r"(?:\bpersbericht|\bpress\s+release|\bnieuwsbericht|\bnews\s+item|\bofficieel\s+aangekondigd|"
            r"\bofficially\s+announced|\bis\s+aangekondigd|\bhas\s+been\s+announced|\bwas\s+announced|"
            r"\bvandaag\s+bekendgemaakt|\bzie\s+de\s+website|\bhttps?://)")


def negated(d: Draft, start: int) -> bool:
    before = d.before(start, 60)
    cut = _CLAUSE_BREAK.match(before)
    if cut:
        before = before[cut.end():]
    return bool(_NEGATION.search(before))


def meta(d: Draft, start: int) -> bool:
    return bool(_META.search(d.sentence(start)))


