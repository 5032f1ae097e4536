"""The privacy rule: health, results and private life of an identifiable person,
and photos of people without their consent."""

from __future__ import annotations

import re

from bot.core.review.rules.base import Hit, each, rx, rx_cased
from bot.core.review.rules.context import CONSENT, meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.rules.people import CREDIT, PERSON_ANY, PHOTO, PHOTO_NAME, about_person, has_name
from bot.core.review.text import Draft

_HEALTH_NOUN = (r"kanker|borstkanker|longkanker|darmkanker|leukemie|tumor|tumour|hersentumor|burn-?out|"
                r"depressie|depressies|psychose|hartaanval|herseninfarct|beroerte|hernia|diabetes|suikerziekte|"
                r"dementie|alzheimer|autisme|adhd|eetstoornis|anorexia|verslaving|miskraam|longontsteking|"
                r"cancer|leukaemia|leukemia|depression|psychosis|heart\s+attack|stroke|"
                r"dementia|autism|eating\s+disorder|addiction|miscarriage|pneumonia|breakdown|chemo|chemotherapie|"
                r"chemotherapy|bestraling|radiotherapy|parkinson|epilepsie|epilepsy")
# Only articles and a few adjectives may stand between verb and illness:
# "heeft een agressieve vorm van kanker", never "heeft onderzoek gedaan naar kanker".
_HEALTH_FILL = (r"(?:(?:een|de|het|a|an|the|ernstige?|zware?|agressieve?|ongeneeslijke?|severe|serious|aggressive|"
                r"terminal|incurable|opnieuw|weer|again|helaas|sadly|unfortunately|recently|onlangs|vorm\s+van|"
                r"form\s+of|type|stage|stadium|\d)\s+){0,3}")
_HEALTH = rx(
    rf"\b(?:heeft|had|hebben|kreeg|krijgt|lijdt\s+aan|leed\s+aan|kampt\s+met|vecht\s+tegen|strijd\s+tegen|"
    rf"thuis\s+met|has|had|got|gets|suffers\s+from|suffering\s+from|is\s+battling|battling|fighting|"
    rf"diagnosed\s+with|gediagnosticeerd\s+met|diagnose|diagnosis\s+of|recovering\s+from|herstellende\s+van|"
    rf"herstelt\s+van)\s+{_HEALTH_FILL}(?:{_HEALTH_NOUN})\b|"
    rf"(?:\b(?:is|was|ligt|lag|zit|zat|is\s+being|has\s+been|werd|wordt)|'s)\s+(?:\w+\s+){{0,3}}?"
    rf"(?:ziek|ernstig\s+ziek|ziekgemeld|overspannen|zwanger|geopereerd|depressief|terminaal|"
    rf"in\s+het\s+ziekenhuis|in\s+de\s+ziektewet|sick|ill|seriously\s+ill|terminally\s+ill|pregnant|"
    rf"hospitali[sz]ed|in\s+(?:the\s+)?hospital|on\s+sick\s+leave|off\s+sick|signed\s+off\s+sick|depressed|"
    rf"in\s+rehab|in\s+therapie|in\s+therapy)\b(?!\s+(?:van|goed|mooi|leuk|veel|of|and\s+tired))|"
    rf"\b(?:ziekgemeld|ziekmelding|ziekteverlof|ziektewet|sick\s+leave|zwangerschapsverlof|maternity\s+leave)\b|"
    # Dutch subordinate clauses put the verb last: "omdat zij ziek is"
    rf"\b(?:ziek|ernstig\s+ziek|overspannen|zwanger|depressief|geopereerd|in\s+het\s+ziekenhuis|"
    rf"in\s+de\s+ziektewet)\s+(?:thuis\s+)?(?:is|was|ligt|lag|zit|zat|is\s+geworden)\b|\bziek\s+thuis\b"
)
_GRADES = rx(
    r"(?:\b(?:is|was|zijn|has\s+been|have\s+been|had\s+been|got|is\s+being)|'s(?:\s+been)?)\s+(?:\w+\s+){0,2}?"
    r"(?:gezakt|blijven\s+zitten|geschorst|van\s+school\s+gestuurd|"
    r"ontslagen|op\s+non-actief\s+gezet|weggestuurd|expelled|suspended|fired|dismissed|kicked\s+out|"
    r"on\s+probation)\b|"
    r"\b(?:gezakt\s+voor|zakte\s+voor|niet\s+geslaagd\s+voor|niet\s+gehaald|blijft\s+zitten|zit\s+te\s+zakken|"
    r"(?:caught|betrapt)\s+(?:\w+\s+){0,2}?(?:cheating|plagiarising|plagiarizing|op\s+(?:spieken|fraude|plagiaat))|"
    r"(?:spiekte|fraudeerde|plagieerde|cheated\s+(?:on|in)|plagiarised|plagiarized)|"
    r"failed\s+(?:the|his|her|their|an?|all|every|both)\s+(?:\w+\s+)?(?:exam|exams|test|tests|course|module|class|"
    r"year|resit|assignment|thesis|internship)|flunked|got\s+fired|got\s+expelled|got\s+suspended|"
    r"performance\s+improvement\s+plan|verbetertraject|slecht\s+functioneren|disfunctioneren|functioneert\s+"
    r"(?:slecht|niet)|underperform(?:s|ing)?|poor\s+performance|officiële\s+waarschuwing|berisping|"
    r"(?:official|formal|written)\s+warning|disciplinary)\b|"
    r"\b(?:heeft|had|haalde|kreeg|got|scored|received)\s+(?:\w+\s+){0,2}?(?:een\s+|an?\s+)?(?:onvoldoende|"
    r"(?:[1-5](?:[.,]\d)?|F|E)\s+(?:voor|gehaald|als\s+eindcijfer|for|on|in))"
)
# A list of names with marks: "Jan 4,5 / Fatima 7,8 / Tim 3,2".
_GRADE_WORDS = rx(r"\b(?:uitslag|uitslagen|cijfers?|resultaten|scores?|grades?|marks|results|eindcijfers?)\b")
_NAME_MARK = rx_cased(r"\b[A-Z][a-zßæøðþ]+\s*[:=-]?\s*(?:10|[1-9])(?:[.,]\d)?(?![\d.,]\d)")
# A row of a list of names with marks (a class list, pasted or photographed):
# a full name at the start of a line and a mark from 1 to 10 at its end.
_S = r"[^\S\n]"
_GRADE_ROW = re.compile(
    rf"^{_S}*(?:\d{{1,3}}[.)]?{_S}+)?[A-Z][a-zà-ÿ'-]+(?:{_S}+(?:[a-z']{{1,3}}{_S}+)*[A-Z][a-zà-ÿ'-]+){{1,3}}"
    rf"(?:{_S}[^\n]{{0,40}}?)?{_S}+(?:10|[1-9])(?:[.,]\d{{1,2}})?{_S}*$", re.M)
# What makes such a list a list of school results (not, say, match scores).
_GRADE_LIST = rx(r"\b(?:cijfers?|cijferlijst(?:en)?|eindcijfers?|deelcijfers?|grades?|grade\s+list|marks|"
                 r"klassenlijst|klas|class\s+list|tentamen|hertentamen|toets|examen|exam|resit|studenten|"
                 r"leerlingen|students|pupils)\b")
_PERSONAL_LIFE = rx(
    r"\b(?:gaat|gaan|is|zijn|zit|zitten)\s+(?:\w+\s+){0,2}?(?:scheiden|gescheiden|in\s+scheiding|in\s+een\s+scheiding|"
    r"opgepakt|gearresteerd|in\s+de\s+schulden)\b|\b(?:getting\s+divorced|got\s+divorced|was\s+arrested|"
    r"got\s+arrested|is\s+in\s+debt|in\s+rehab)\b|\b(?:dronken|bezopen|stomdronken|drunk|wasted|hammered|stoned)\b"
)
_PHOTO_SELF = rx(r"\b(?:van\s+mij|van\s+mezelf|van\s+mijzelf|of\s+me|of\s+myself|mijn\s+eigen\s+foto|my\s+own\s+photo|"
                 r"eigen\s+(?:foto|werk)|own\s+(?:photo|picture|work))\b")

# Ridicule of the person shown: a put-down, not laughter ("haha, what a day 😂"
# under a team photo is fun). Read in the photo's sentence and the next one.
_MOCKING = rx(
    r"\b(?:kijk\s+(?:eens\s+|nou\s+)?(?:hoe|wat\s+een)\s+(?:dom|dik|lelijk|stom|zielig|sneu|belachelijk|sukkel|loser|"
    r"clown|idioot|mafkees|malloot|kneus)|moet\s+je\s+(?:hem|haar|ze|die|dat)\s+(?:\w+\s+)?(?:zien|bekijken)|"
    r"lachen\s+om\s+(?:hem|haar|die|deze|ze)|(?:lach|lachen|lacht)\s+(?:hem|haar|ze)\s+uit|uitlachen|"
    r"voor\s+(?:gek|schut|aap)\s+(?:zetten|gezet|staan|staat|stond)|belachelijk\s+(?:maken|gemaakt)|"
    r"wat\s+een\s+(?:sukkel|sukkels|loser|losers|clown|clowns|mafkees|malloot|idioot|idioten|eikel|kneus|kneuzen|"
    r"zielige?\s+\w+|lelijkerd|dikzak|nerd)|"
    r"make\s+fun\s+of|laugh(?:ing)?\s+at\s+(?:him|her|them|this|that)|look\s+(?:at\s+)?how\s+(?:stupid|dumb|fat|"
    r"ugly|pathetic|ridiculous)|what\s+an?\s+(?:loser|clown|moron|idiot|joke|weirdo|freak|nerd|dork)|"
    r"(?:such|total|complete)\s+(?:a\s+)?(?:loser|clown|moron|idiot|joke|weirdo|freak|dork))\b"
)


def _mocking(d: Draft, start: int) -> bool:
    s, e = d.sentence_span(start)
    if e < len(d.text):
        e = d.sentence_span(e)[1]  # and the sentence after it
    return bool(_MOCKING.search(d.text, s, e))


def check(d: Draft, inst: Institutions) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []
    for pattern, kind, severity in ((_HEALTH, "health", "high"), (_GRADES, "grades", "high"),
                                    (_PERSONAL_LIFE, "personal_life", "medium")):
        for m in each(pattern, t):
            sentence = d.sentence(m.start())
            if not about_person(sentence, institutions=inst):
                continue
            if negated(d, m.start()) and kind != "grades":
                continue
            hits.append(Hit("privacy", kind, "low" if meta(d, m.start()) else severity, m.start(), m.end()))
    for m in each(_GRADE_WORDS, t):
        s, e = d.sentence_span(m.start())
        window = t[s:e]
        marks = [x for x in _NAME_MARK.finditer(window) if not inst.is_not_a_name(x.group().split()[0])]
        if len(marks) >= 2:
            hits.append(Hit("privacy", "grades", "high", s + marks[0].start(), s + marks[-1].end()))
            break
    rows = [m for m in _GRADE_ROW.finditer(t) if not inst.is_not_a_name(m.group().split()[0])]
    if len(rows) >= 2 and _GRADE_LIST.search(t) and not any(h.kind == "grades" for h in hits):
        hits.append(Hit("privacy", "grades", "high", rows[0].start() + len(rows[0].group()) - len(rows[0].group().lstrip()),
                        rows[-1].end()))
    if not CONSENT.search(t):
        for m in each(PHOTO, t):
            sentence = d.sentence(m.start())
            cleaned = CREDIT.sub(" ", sentence)
            if _PHOTO_SELF.search(cleaned) and not PERSON_ANY.search(cleaned):
                continue
            named = PHOTO_NAME.match(t, m.end())
            if named is not None and t.startswith(("'s", "’s"), named.end()):
                named = None  # "with Coldplay's Fix You": an owner, not a person in the picture
            name = named is not None and not inst.is_not_a_name(named.group(1)) \
                and not CREDIT.search(sentence)
            # a person in it: a role, a name after the photo, or a name in a mocking sentence
            if not (PERSON_ANY.search(cleaned) or name or (_mocking(d, m.start()) and has_name(sentence, inst))):
                continue
            if negated(d, m.start()):
                continue
            if meta(d, m.start()):
                hits.append(Hit("privacy", "photo", "low", m.start(), m.end()))
            elif _mocking(d, m.start()):
                # an identifiable person held up to ridicule: high, like health or grades (issue 12)
                hits.append(Hit("privacy", "photo_mocking", "high", m.start(), m.end()))
            else:
                hits.append(Hit("privacy", "photo", "medium", m.start(), m.end()))
            break  # one photo finding says it all
    return hits
