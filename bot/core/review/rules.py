"""The review rules: deterministic checks on the draft, Dutch and English.

Each rule returns hits: a kind (which message to show), a severity and a
span of the normalised draft. Rules never generate text and never follow
instructions in the draft: the draft is data. Every pattern is anchored on a
word boundary or a literal and uses bounded repetition only, so even a
40,000-character draft of one long word is matched in linear time.

Near misses are part of the design: a negation right before a match ("deel
nooit tentamenvragen", "not on behalf of"), a post *about* a topic (a
workshop, tips, the guidelines), consent ("met toestemming"), one's own work
("eigen foto") and public sources (a press release) soften or cancel a hit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator

from bot.core.review import lexicon as L
from bot.core.review.identifiers import is_valid_bsn, is_valid_iban
from bot.core.review.normalise import fold_accents
from bot.core.review.text import Draft

I = re.IGNORECASE


@dataclass(frozen=True)
class Hit:
    rule: str
    kind: str
    severity: str
    start: int
    end: int
    confidence: float | None = None


def _rx(pattern: str, flags: int = I) -> re.Pattern:
    # Drafts are matched with their accents folded (normalise.py), so the patterns are too.
    return re.compile(fold_accents(pattern), flags)


def _re(pattern: str, flags: int = 0) -> re.Pattern:
    return _rx(pattern, flags)


MAX_MATCHES = 64  # per pattern: enough to report, bounded work on adversarial drafts


def _each(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    return islice(pattern.finditer(text), MAX_MATCHES)


# ====================================================================== shared context

# A negation just before a match, within its clause: "deel nooit …",
# "niet namens …", "never use …", "don't post …".
_NEGATION = _rx(r"\b(?:niet|nooit|geen|never|not|don'?t|doesn'?t|didn'?t|won'?t|shouldn'?t|avoid|vermijd)\b"
                r"(?:\W+\w+){0,3}\W*$")
_CLAUSE_BREAK = _rx(r".*(?:\bmaar\b|\bbut\b|\bwant\b|\bbecause\b|[,;:()])")

# The sentence is about a topic rather than a case of it.
_META = _rx(r"\b(?:workshops?|trainingen|training|cursus|cursussen|course|webinar|lezing|lecture|talk|"
            r"presentatie|presentation|gastles|gastcollege|les|lesson|seminar|symposium)\s+(?:\w+\s+){0,2}?"
            r"(?:over|about|on|rond|around)\b|"
            r"\b(?:tips?|richtlijnen|richtlijn|guidelines?|gebruikscode|gedragscode|code\s+of\s+conduct|"
            r"how\s+to|hoe\s+(?:je|ga\s+je|om\s+te\s+gaan)|omgaan\s+met|dealing\s+with|bewustwording|"
            r"awareness|e-?learning)\b")

_CONSENT = _rx(r"\b(?:met\s+(?:hun|zijn|haar|jullie|ieders|volledige|uitdrukkelijke|schriftelijke)?\s*toestemming|"
               r"toestemming\s+(?:gegeven|gekregen|gevraagd|van\s+(?:iedereen|alle|de|het|hem|haar))|"
               r"(?:gave|given|got|have|with)\s+(?:their\s+|his\s+|her\s+|full\s+|written\s+|explicit\s+)?"
               r"(?:permission|consent)|(?:permission|consent)\s+(?:of|from)\b|"
               r"(?:vonden|vond)\s+het\s+(?:goed|prima)|op\s+eigen\s+verzoek|at\s+(?:their|his|her)\s+request)")

_PUBLIC = _rx(r"(?:\bpersbericht|\bpress\s+release|\bnieuwsbericht|\bnews\s+item|\bofficieel\s+aangekondigd|"
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


# People: roles, pronouns, names.
_ROLE_ONE = (r"collega|collegaatje|student|studente|leerling|cursist|stagiair|stagiaire|docent|docente|leraar|"
             r"lerares|mentor|teamleider|leidinggevende|manager|directeur|baas|hoogleraar|promovendus|"
             r"medewerker|medewerkster|secretaresse|conciërge|decaan|colleague|co-?worker|pupil|"
             r"lecturer|teacher|professor|supervisor|boss|director|dean|phd\s+candidate|staff\s+member|"
             r"employee|mevrouw|meneer|mevr\.|dhr\.|mr\.|mrs\.|ms\.|dr\.|prof\.")
_ROLE_MANY = (r"collega's|collegas|studenten|leerlingen|cursisten|stagiairs|docenten|medewerkers|"
              r"colleagues|students|pupils|interns|teachers|kinderen|kids|children|klas|class|"
              r"deelnemers|participants|ouders|parents")
_PERSON_ONE = _rx(rf"\b(?:{_ROLE_ONE})(?!\w)|\b(?:hij|zij|hem|he|she|him|his|her)\b")
_PERSON_ANY = _rx(rf"\b(?:{_ROLE_ONE}|{_ROLE_MANY})(?!\w)|\b(?:hij|zij|hem|he|she|him|his|her)\b|"
                  r"\bv\.?\s?l\.?\s?n\.?\s?r\b|\bfrom\s+left\s+to\s+right\b")
_CAPWORD = _re(r"(?<![\w@.#/'-])[A-ZÆØÞ][a-zßæøðþ]+(?:-[A-Z][a-zßæøðþ]+)?")
_SENT_START = _re(r"^[\W\d_]*")
_NAME_VERB = _rx(r"\s+(?:is|was|heeft|had|has|ligt|lag|zit|zat|kreeg|krijgt|got|zakte|failed|flunked|"
                 r"werd|wordt|gets)\b|\s+(?-i:[A-Z][a-z])")
_CREDIT = _rx(r"\b(?i:foto|photo|beeld|image|video|film|credits?|fotograaf|photographer)\s*(?i::|by|door|credit:?)\s*"
              r"(?:[A-Z][a-zßæøðþ]+(?:\s+(?:van|de|der|den)?\s*[A-Z][a-zßæøðþ]+){0,2})", 0)
# A name right after the photo: "foto van Jan", "photo of Sanne and Ahmed", "met Daan".
_PHOTO_NAME = _re(r"\W{0,3}(?:[\w'-]+\s+){0,3}?(?i:van|of|met|with|featuring|feat\.|v\.?l\.?n\.?r\.?:?)"
                         r"\s+(?:(?i:onze|our|mijn|my)\s+)?([A-Z][a-zßæøðþ]+)")


def has_name(sentence: str) -> bool:
    """A capitalised word that is not a known non-name: mid-sentence, or the
    first word when a verb or a surname follows ("Pieter heeft…")."""
    first = _SENT_START.match(sentence).end()
    for m in _CAPWORD.finditer(sentence):
        word = m.group()
        if word.lower() in L.NOT_NAMES or word.upper() in L.ACRONYMS:
            continue
        if m.start() > first:
            return True
        if _NAME_VERB.match(sentence, m.end()):
            return True
    return False


def about_person(sentence: str, many: bool = False) -> bool:
    pattern = _PERSON_ANY if many else _PERSON_ONE
    return bool(pattern.search(sentence)) or has_name(sentence)


# ====================================================================== confidential

_CONF_LABEL = _rx(r"\b(?:strikt\s+|zeer\s+|strictly\s+|highly\s+)?(?:vertrouwelijke?|confidential|geheime?|"
                  r"top[- ]secret|secret)\b"
                  r"(?!\s+(?:santa|ingrediënt|ingredient|recept|recipe|van\s+(?:een|de|het|goed)|of\s+(?:a|the|good)|"
                  r"to|tot|achter|behind|weapon|wapen|garden|tuin|agent|service|dienst))")
# Describing how something is handled is not a leak: "gesprekken met de
# vertrouwenspersoon zijn altijd vertrouwelijk", "treated confidentially".
_CONF_SAFE = _rx(r"\b(?:vertrouwenspersoon|vertrouwenspersonen|vertrouwelijk\s+(?:behandeld|behandelen|omgaan)|"
                 r"(?:treated|handled|kept)\s+(?:as\s+)?(?:strictly\s+)?confidential(?:ly)?|"
                 r"confidential\s+(?:advis[eo]r|counsel+or|helpline|support|counselling|counseling)|"
                 r"(?:blijft|blijven|zijn\s+altijd|is\s+altijd|remains?|are\s+always|is\s+always)\s+"
                 r"(?:strikt\s+|strictly\s+)?(?:vertrouwelijk|confidential|anoniem|anonymous))")
_CONF_LABEL_NOUN = _rx(r"\bin\s+vertrouwen\s+(?:verteld|gezegd|gedeeld|genomen)|\btold\s+(?:me|us)\s+in\s+confidence|"
                       r"\b(?:vertelde|vertelt|zei|zegt|deelde|meldde)\s+(?:\w+\s+){0,3}?in\s+vertrouwen\b|"
                       r"\b(?:told|said|shared)\s+(?:\w+\s+){0,3}?in\s+confidence\b")
_NOT_YET_STRONG = _rx(
    r"\b(?:nog\s+niet\s+(?:officieel\s+)?(?:bekendgemaakt|aangekondigd|gepubliceerd|openbaar(?:\s+gemaakt)?|"
    r"naar\s+buiten\s+gebracht|gecommuniceerd|officieel)|"
    r"(?:onder|under)\s+embargo|embargo(?!\s+(?:is\s+|has\s+been\s+|werd\s+)?(?:opgeheven|verlopen|voorbij|"
    r"lifted|expired|over|ended|ends|eindigt|afgelopen))|"
    r"(?:alleen\s+)?voor\s+intern\s+gebruik|intern\s+gebruik|internal\s+(?:use\s+)?only|for\s+internal\s+use|"
    r"alleen\s+intern|niet\s+voor\s+(?:verspreiding|publicatie|extern(?:\s+gebruik)?)|"
    r"not\s+for\s+(?:distribution|publication|external)|niet\s+(?:verder\s+)?doorvertellen|niet\s+verder\s+vertellen|"
    r"(?:don'?t|do\s+not)\s+tell\s+anyone|keep\s+(?:it|this)\s+(?:quiet|to\s+yourselves?|under\s+wraps)|"
    r"(?:houd|hou)\s+(?:het|dit)\s+(?:even\s+)?(?:stil|voor\s+je(?:zelf)?)|mondje\s+dicht|off\s+the\s+record|onder\s+ons\s+gezegd|tussen\s+ons\s+gezegd|"
    r"between\s+you\s+and\s+me|mag\s+(?:eigenlijk\s+)?(?:nog\s+)?niet(?:\s+\w+){0,3}\s+(?:zeggen|vertellen|delen)|"
    r"(?:shouldn'?t|should\s+not|not\s+supposed\s+to|not\s+allowed\s+to)\s+(?:really\s+)?(?:say|share|tell|post)\s+"
    r"(?:this|it|that)|hasn'?t\s+been\s+(?:officially\s+)?(?:announced|made\s+public)\s+yet|"
    r"not\s+(?:yet\s+)?(?:been\s+)?officially\s+(?:announced|confirmed)|not\s+public\s+yet|not\s+yet\s+public|"
    r"(?:not|isn'?t|is\s+not)\s+official\s+yet|not\s+yet\s+official|"
    r"(?:so|dus)\s+(?:please\s+)?(?:don'?t|do\s+not|niet)\s+(?:share|spread|delen|doorvertellen|verder\s+vertellen))\b"
)
_NOT_YET_WEAK = _rx(r"\b(?:nog\s+niet\s+bekend|(?:is|are|has|have)\s+not\s+(?:yet\s+)?(?:been\s+)?announced(?:\s+yet)?|"
                    r"not\s+yet\s+announced|nog\s+geheim)\b")
_BUT_AFTER = _rx(r"[\s,;.]{0,3}(?:maar|but|though|toch|however|echter)\b|\s*:|\s+-\s")
_REORG = _rx(
    r"\b(?:reorganisatie|reorganisaties|reorganiseren|reorganiseert|gereorganiseerd|reorgani[sz]ation|"
    r"reorgani[sz]ing|restructuring|herstructurering|ontslagronde|gedwongen\s+ontslagen|ontslagen\s+vallen|"
    r"banen\s+(?:verdwijnen|geschrapt|schrappen)|(?:jobs|posts|positions)\s+(?:will\s+be\s+|are\s+being\s+)?cut|"
    r"layoffs?|redundancies|job\s+cuts|bezuinigingsronde|"
    r"(?:afdeling|locatie|opleiding|faculteit|vestiging)\s+(?:gaat|wordt)\s+(?:\w+\s+)?(?:dicht|gesloten|opgeheven)|"
    r"(?:afdeling|locatie|opleiding|faculteit|vestiging)\s+(?:[\w-]+\s+){0,4}?(?:misschien\s+|waarschijnlijk\s+)?"
    r"(?:dichtgaat|dicht\s+gaat|gaat\s+sluiten|gesloten\s+wordt|opgeheven\s+wordt|stopt)|"
    r"clos(?:e|ing)\s+(?:down\s+)?(?:the|our)\s+(?:department|campus|programme|program|location))\b"
)
_EXAM = _rx(
    r"\b(?:tentamenvragen|examenvragen|toetsvragen|tentamenopgaven|examenopgaven|antwoordmodel|antwoordsleutel|"
    r"answer\s+key|exam\s+questions?|test\s+questions?|exam\s+answers|"
    r"(?:antwoorden|uitwerkingen|vragen|opgaven)\s+(?:van|voor|bij)\s+(?:het|de)\s+(?:\w+\s+)?(?:tentamen|examen|toets|hertentamen)|"
    r"(?:answers|questions|solutions)\s+(?:to|for|of)\s+(?:the\s+|tomorrow'?s\s+|next\s+week'?s\s+|friday'?s\s+|"
    r"monday'?s\s+|the\s+upcoming\s+|our\s+)?(?:final\s+|midterm\s+)?(?:exam|test|resit))\b"
)
_EXAM_SAFE = _rx(r"\b(?:oefen|oefententamen|proef|proeftentamen|voorbeeld|practice|sample|mock|past|previous|"
                 r"old|oude|vorig(?:e)?\s+jaar|last\s+year'?s)\W+(?:\w+\W+){0,2}$")
# The paper itself (a photographed exam or whiteboard): an exam named, and its
# numbered questions with points or more than one question.
_EXAM_NAMED = _rx(r"\b(?:tentamen|hertentamen|deeltentamen|examen|toets|eindtoets|exam|midterm|resit)\b")
_QUESTION_NO = _rx(r"\b(?:vraag|opgave|question|exercise|problem)\s+\d{1,2}[a-z]?\b")
_POINTS = _rx(r"\(\s*\d{1,3}\s*(?:punten|punt|pnt|points|pts|p)\.?\s*\)")
_MEETING = _rx(
    r"\b(?:in\s+het\s+MT(?:[- ]?(?:overleg|vergadering))?|MT[- ]?overleg|MT[- ]?vergadering|managementoverleg|managementteam(?:overleg)?|"
    r"directieoverleg|teamoverleg|teamvergadering|personeelsvergadering|afdelingsoverleg|sectieoverleg|"
    r"CvB[- ]?(?:overleg|vergadering)|bestuursvergadering|faculteitsraad|"
    r"(?:staff|management|team|board|department|faculty|internal|MT|directors'?)\s+meeting|"
    r"achter\s+gesloten\s+deuren|behind\s+closed\s+doors|interne?\s+(?:overleg|vergadering|bijeenkomst|meeting))\b"
)
_SAID = _rx(
    r"\b(?:werd|is|zijn|werden)\s+(?:\w+\s+){0,3}?(?:gezegd|besloten|verteld|besproken|aangekondigd|gemeld|onthuld|"
    r"gedeeld|afgesproken)\b|\b(?:zei|zeiden|vertelde|vertelden|meldde|besloot|besloten|kondigde|bleek|"
    r"onthulde|liet\s+\w+\s+weten|kwam\s+naar\s+voren|werd\s+duidelijk|kregen\s+te\s+horen|hoorden|"
    r"said|told|decided|announced|revealed|discussed|mentioned|disclosed|came\s+up|turned\s+out|agreed|admitted|"
    r"became\s+clear|found\s+out|learned|learnt)\b"
)
_INTERNAL_DOC = _rx(
    r"\b(?:interne?\s+(?:memo|mail|e-?mail|notitie|stukken|documenten|document|notulen|rapport|presentatie|cijfers)|"
    r"internal\s+(?:memo|e-?mail|document|documents|minutes|report|slides|presentation|figures)|"
    r"notulen\s+van\s+(?:het|de)\s+(?:\w+\s+)?(?:overleg|vergadering|MT)|minutes\s+of\s+(?:the|our|yesterday'?s)\s+"
    r"(?:\w+\s+)?meeting)\b"
)
_SALARY = _rx(
    r"\b(?:(?:zijn|haar|hun|his|her|their)\s+|(?:mijn|onze|my|our)\s+(?:collega|baas|manager|teamleider|"
    r"leidinggevende|directeur|colleague|boss|director)(?:'s|s')?\s+)(?:bruto\s+|netto\s+|gross\s+|net\s+|"
    r"monthly\s+|maand)?(?:salaris|salary|loon|inkomen|income|pay|wage|bonus|loonschaal|salarisschaal)\b|"
    r"\b(?:salaris|salary|loon|inkomen|income|bonus)\s+(?:van|of)\s+(?:mijn|onze|de|the|my|our)\s+(?:\w+\s+)?"
    r"(?:collega|manager|directeur|baas|teamleider|decaan|colleague|boss|director|dean)\b|"
    r"\b(?:verdient|earns|makes)\s+(?:\w+\s+){0,2}?(?:€|eur\b|euro|\d)"
)


def check_confidential(d: Draft) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []

    def add(kind: str, m: re.Match, severity: str = "high", cancel_on_negation: bool = True) -> None:
        if cancel_on_negation and negated(d, m.start()):
            return
        sev = "low" if meta(d, m.start()) else severity
        hits.append(Hit("confidential", kind, sev, m.start(), m.end()))

    for m in _each(_CONF_LABEL, t):
        if _CONF_SAFE.search(d.sentence(m.start())):
            continue
        add("label", m)
    for m in _each(_CONF_LABEL_NOUN, t):
        add("label", m)
    for m in _each(_NOT_YET_STRONG, t):
        add("not_yet", m)
    strong_context = bool(hits) or bool(_RUMOUR.search(t)) or bool(_REORG.search(t)) or bool(_EXAM.search(t))
    for m in _each(_NOT_YET_WEAK, t):
        # "Het programma is nog niet bekend" is news; "nog niet bekend, maar…"
        # or an unannounced reorganisation is a leak.
        leak = strong_context or bool(_BUT_AFTER.match(t, m.end()))
        add("not_yet", m, "high" if leak else "low")
    for m in _each(_EXAM, t):
        if _EXAM_SAFE.search(d.before(m.start(), 40)):
            continue
        add("exam", m)
    named = [m for m in _each(_EXAM_NAMED, t) if not _EXAM_SAFE.search(d.before(m.start(), 40))]
    questions = list(_each(_QUESTION_NO, t))
    if named and questions and not any(h.kind == "exam" for h in hits) \
            and (len(questions) >= 2 or _POINTS.search(t)) and not negated(d, named[0].start()):
        q = questions[0]  # the question itself: up to the end of its sentence
        end = max(q.end(), len(t[:d.sentence_span(q.start())[1]].rstrip()))
        hits.append(Hit("confidential", "exam", "low" if meta(d, q.start()) else "high", q.start(), end))
    for m in _each(_MEETING, t):
        sentence = d.sentence(m.start())
        s, _ = d.sentence_span(m.start())
        # What was said there: a verb of saying or a reported clause after the
        # meeting is named; "behind closed doors" needs nothing more.
        rest = t[m.end():s + len(sentence)]
        closed = "gesloten" in m.group().lower() or "closed" in m.group().lower()
        if closed or _SAID.search(rest) or _SAID.search(t[s:m.start()]):
            add("meeting", m)
    for m in _each(_INTERNAL_DOC, t):
        add("internal_doc", m)
    for m in _each(_SALARY, t):
        add("salary", m)
    leak_context = bool(hits) or bool(_RUMOUR.search(t)) or bool(_QUOTE_ANY.search(t))
    public = bool(_PUBLIC.search(t))
    for m in _each(_REORG, t):
        if negated(d, m.start()):
            continue
        if leak_context:
            add("reorg_leak", m, cancel_on_negation=False)
        elif not public:
            hits.append(Hit("confidential", "reorg", "low", m.start(), m.end()))
    return hits


# ====================================================================== privacy

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
_HEALTH = _rx(
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
_GRADES = _rx(
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
_GRADE_WORDS = _rx(r"\b(?:uitslag|uitslagen|cijfers?|resultaten|scores?|grades?|marks|results|eindcijfers?)\b")
_NAME_MARK = _re(r"\b[A-Z][a-zßæøðþ]+\s*[:=-]?\s*(?:10|[1-9])(?:[.,]\d)?(?![\d.,]\d)")
# A row of a list of names with marks (a class list, pasted or photographed):
# a full name at the start of a line and a mark from 1 to 10 at its end.
_S = r"[^\S\n]"
_GRADE_ROW = re.compile(
    rf"^{_S}*(?:\d{{1,3}}[.)]?{_S}+)?[A-Z][a-zà-ÿ'-]+(?:{_S}+(?:[a-z']{{1,3}}{_S}+)*[A-Z][a-zà-ÿ'-]+){{1,3}}"
    rf"(?:{_S}[^\n]{{0,40}}?)?{_S}+(?:10|[1-9])(?:[.,]\d{{1,2}})?{_S}*$", re.M)
# What makes such a list a list of school results (not, say, match scores).
_GRADE_LIST = _rx(r"\b(?:cijfers?|cijferlijst(?:en)?|eindcijfers?|deelcijfers?|grades?|grade\s+list|marks|"
                  r"klassenlijst|klas|class\s+list|tentamen|hertentamen|toets|examen|exam|resit|studenten|"
                  r"leerlingen|students|pupils)\b")
_PERSONAL_LIFE = _rx(
    r"\b(?:gaat|gaan|is|zijn|zit|zitten)\s+(?:\w+\s+){0,2}?(?:scheiden|gescheiden|in\s+scheiding|in\s+een\s+scheiding|"
    r"opgepakt|gearresteerd|in\s+de\s+schulden)\b|\b(?:getting\s+divorced|got\s+divorced|was\s+arrested|"
    r"got\s+arrested|is\s+in\s+debt|in\s+rehab)\b|\b(?:dronken|bezopen|stomdronken|drunk|wasted|hammered|stoned)\b"
)
_PHOTO = _rx(r"\b(?:foto'?s|foto|fotootje|kiekje|kiekjes|plaatje|video'?s|video|filmpje|filmpjes|selfie|selfies|"
             r"photos?|pictures?|pics?|videos?|footage|snapshot|groepsfoto|klassenfoto|group\s+photo|class\s+photo)\b")
_PHOTO_SELF = _rx(r"\b(?:van\s+mij|van\s+mezelf|van\s+mijzelf|of\s+me|of\s+myself|mijn\s+eigen\s+foto|my\s+own\s+photo|"
                  r"eigen\s+(?:foto|werk)|own\s+(?:photo|picture|work))\b")


def check_privacy(d: Draft) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []
    for pattern, kind, severity in ((_HEALTH, "health", "high"), (_GRADES, "grades", "high"),
                                    (_PERSONAL_LIFE, "personal_life", "medium")):
        for m in _each(pattern, t):
            sentence = d.sentence(m.start())
            if not about_person(sentence):
                continue
            if negated(d, m.start()) and kind != "grades":
                continue
            hits.append(Hit("privacy", kind, "low" if meta(d, m.start()) else severity, m.start(), m.end()))
    for m in _each(_GRADE_WORDS, t):
        s, e = d.sentence_span(m.start())
        window = t[s:e]
        marks = [x for x in _NAME_MARK.finditer(window) if x.group().split()[0].lower() not in L.NOT_NAMES]
        if len(marks) >= 2:
            hits.append(Hit("privacy", "grades", "high", s + marks[0].start(), s + marks[-1].end()))
            break
    rows = [m for m in _GRADE_ROW.finditer(t) if m.group().split()[0].lower() not in L.NOT_NAMES]
    if len(rows) >= 2 and _GRADE_LIST.search(t) and not any(h.kind == "grades" for h in hits):
        hits.append(Hit("privacy", "grades", "high", rows[0].start() + len(rows[0].group()) - len(rows[0].group().lstrip()),
                        rows[-1].end()))
    if not _CONSENT.search(t):
        for m in _each(_PHOTO, t):
            sentence = d.sentence(m.start())
            cleaned = _CREDIT.sub(" ", sentence)
            if _PHOTO_SELF.search(cleaned) and not _PERSON_ANY.search(cleaned):
                continue
            named = _PHOTO_NAME.match(t, m.end())
            if named is not None and t.startswith(("'s", "’s"), named.end()):
                named = None  # "with Coldplay's Fix You": an owner, not a person in the picture
            name = named is not None and named.group(1).lower() not in L.NOT_NAMES \
                and named.group(1).upper() not in L.ACRONYMS and not _CREDIT.search(sentence)
            if not (_PERSON_ANY.search(cleaned) or name):
                continue
            if negated(d, m.start()):
                continue
            hits.append(Hit("privacy", "photo", "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
            break  # one photo finding says it all
    return hits


# ====================================================================== personal data

_EMAIL = _re(r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b")
_GENERIC_LOCAL = _re(
    r"(?:info|informatie|communicatie|communications?|comms|pers|press|media|contact|secretariaat|secretariat|"
    r"office|receptie|reception|servicedesk|helpdesk|support|studentenbalie|studentdesk|studentservice|"
    r"admissions?|toelating|inschrijving|vacatures?|jobs|careers|werkenbij|hr|personeelszaken|recruitment|"
    r"marketing|events?|evenementen|opendag|voorlichting|studievoorlichting|no-?reply|webmaster|bibliotheek|"
    r"library|onderwijs|education|servicepunt|klantenservice|administratie|alumni|privacy|"
    r"socialmedia|social-media|redactie|editor|nieuws|news|stage|stages|internships?|team)"
    r"(?:[._-][a-z0-9-]+)*", re.I)
_FREEMAIL = _re(r"(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|icloud|me|ziggo|kpnmail|kpnplanet|"
                       r"xs4all|planet|home|hetnet|chello|telfort|tele2|proton|protonmail|gmx|aol)\.", re.I)
_MOBILE = _re(r"(?<![\w+])(?:(?:\+|00)\s?31[\s-]?(?:\(0\)[\s-]?)?|0)6(?:[\s-]?\d){8}(?!\d)")
_LANDLINE = _re(r"(?<![\w+])(?:(?:(?:\+|00)\s?31[\s-]?(?:\(0\)[\s-]?)?|0)[1-57-9](?:[\s-]?\d){8}|"
                       r"\(0\d{2,3}\)\s?\d{2,3}[\s-]?\d{2}[\s-]?\d{2,3})(?!\d)")
_HOME = _rx(r"\b(?:woont|woon|wonen|woonde|thuis|thuisadres|huisadres|privéadres|prive-?adres|privé-?nummer|"
            r"privénummer|home|lives|living|moved\s+to|verhuisd\s+naar|adres\s+van|address\s+of|mijn\s+adres|"
            r"my\s+address|zijn\s+adres|haar\s+adres|his\s+address|her\s+address|their\s+address|hun\s+adres|"
            r"mijn\s+nummer|my\s+number|zijn\s+nummer|haar\s+nummer|his\s+number|her\s+number|privé|private|"
            r"persoonlijke?\s+nummer|personal\s+number|bel\s+me|call\s+me|app\s+me|text\s+me)\b")
_BSN = _re(r"(?<![\d.,-])(?:\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3})(?!\d|[.,-]\d)")
_MONEY_BEFORE = _re(r"(?:€|\$|£|eur|euro|usd)\s?$", re.I)
_IBAN = _re(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
_ORG_ACCOUNT = _rx(r"\b(?:t\.?\s?n\.?\s?v\.?|ten\s+name\s+van|in\s+the\s+name\s+of)\s+(?:de\s+|het\s+|the\s+)?"
                   r"(?:stichting|vereniging|foundation|association|charity|goede\s+doel|ROC|universiteit|university)\b")
_STUDENT_NO = _rx(r"\b[sS]\d{7}\b|\b(?:studentnummer|studentnr|student\s+number|student\s+no|student\s+id|"
                  r"leerlingnummer|leerlingnr|ov-?nummer)\.?\s*[:#]?\s*(?:is\s+)?[sS]?\d{5,8}\b")
_STAFF_NO = _rx(r"\b(?:personeelsnummer|personeelsnr|medewerkersnummer|werknemersnummer|employee\s+(?:number|no|id)|"
                r"staff\s+(?:number|no|id)|personnel\s+number)\.?\s*[:#]?\s*(?:is\s+)?\d{4,8}\b")
_ADDRESS_PC = _re(r"\b[A-Z][a-zßæøðþ'-]+(?:\s[A-Za-zßæøðþ'.-]+){0,3}\s\d{1,4}(?:\s?[a-zA-Z](?![a-zA-Z])|-\d{1,3})?,?"
                         r"\s+[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b")
_ADDRESS_STREET = _re(r"\b[A-Z][a-zßæøðþ'-]{0,40}(?:straat|laan|weg|plein|gracht|singel|kade|dreef|steeg|hof|dijk|"
                             r"markt|park|pad|baan|burgwal|plantsoen|erf|ring|haven|wal|street|road|avenue|lane|drive)"
                             r"\s\d{1,4}(?:\s?[a-zA-Z](?![a-zA-Z])|-\d{1,3})?\b")
_PLACE = _rx(r"\b(?:locatie|location|campus|gebouw|building|zaal|aula|bezoekadres|visiting\s+address|postadres|"
             r"postal\s+address|hoofdkantoor|head\s+office|venue|open\s+dag|open\s+day|opendag|evenement|event|"
             r"congres|conference|symposium|faculteit|bibliotheek|library|kantoor|office|vestiging|college|"
             r"school|welkom|welcome|postbus|p\.?\s?o\.?\s+box|adres:\s|address:\s)\b")


_HOUSE_NUMBER = _re(r"\s\d{1,4}")
_STREET_PARTICLES = frozenset("van de der den het 't ter ten la le op aan".split())


def _street_start(t: str, start: int, end: int) -> int:
    """Where the street name begins in an address match: "Mijn adres is
    Kerkstraat 12, …" → "Kerkstraat 12, …"; "Van der Boechorststraat 7" stays whole."""
    number = _HOUSE_NUMBER.search(t, start, end)
    words = t[start:number.start()].split(" ") if number else []
    keep = len(words)
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w[:1].isupper() or w.lower() in _STREET_PARTICLES:
            keep = i
        else:
            break
    while keep < len(words) and words[keep].lower() in _STREET_PARTICLES and not words[keep][:1].isupper():
        keep += 1
    return start + sum(len(w) + 1 for w in words[:keep])


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def check_personal_data(d: Draft) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, severity: str, start: int, end: int) -> None:
        if _overlaps((start, end), taken):
            return
        taken.append((start, end))
        hits.append(Hit("personal_data", kind, severity, start, end))

    for m in _each(_IBAN, t):
        chunks = m.group().split()
        # The pattern may run into a following capitalised word: try shorter.
        for n in range(len(chunks), 0, -1):
            candidate = " ".join(chunks[:n])
            if is_valid_iban(candidate):
                severity = "medium" if _ORG_ACCOUNT.search(d.sentence(m.start())) else "high"
                add("iban", severity, m.start(), m.start() + len(candidate))
                break
    # Phone numbers before BSNs: "+31 612345678" holds nine digits.
    for m in _each(_MOBILE, t):
        add("phone", "medium", m.start(), m.end())
    for m in _each(_LANDLINE, t):
        if _overlaps((m.start(), m.end()), taken):
            continue
        home = bool(_HOME.search(d.sentence(m.start())))
        add("phone" if home else "phone_public", "medium" if home else "low", m.start(), m.end())
    for m in _each(_BSN, t):
        if not is_valid_bsn(m.group()) or _MONEY_BEFORE.search(t[max(0, m.start() - 6):m.start()]):
            continue
        add("bsn", "high", m.start(), m.end())
    for m in _each(_STUDENT_NO, t):
        add("student_number", "medium", m.start(), m.end())
    for m in _each(_STAFF_NO, t):
        add("staff_number", "medium", m.start(), m.end())
    for m in _each(_EMAIL, t):
        local, _, domain = m.group().partition("@")
        if _GENERIC_LOCAL.fullmatch(local) and not _FREEMAIL.match(domain):
            continue  # an official generic address (info@, communicatie@…) is meant to be public
        add("email", "medium", m.start(), m.end())
    for m in _each(_ADDRESS_PC, t):
        sentence = d.sentence(m.start())
        start = _street_start(t, m.start(), m.end())
        if _HOME.search(sentence):
            add("address", "medium", start, m.end())
        elif not _PLACE.search(sentence):
            add("address_unclear", "low", start, m.end())
    for m in _each(_ADDRESS_STREET, t):
        if _HOME.search(d.sentence(m.start())) and not _PLACE.search(d.sentence(m.start())):
            add("address", "medium", m.start(), m.end())
    return hits


# ====================================================================== offensive

_MASKED = _rx(r"(?<!\w)(?:f[\*#@%!]+c?k(?:ing|ed|er)?|sh[\*#@%!]+t|k[\*#@%!]+t|c[\*#@%!]+nt|"
              r"kl[\*#@%!]+tzak|k[\*#@%!]+nker(?:lijer)?)(?!\w)")
_OFFENSIVE_PHRASE = _rx(
    r"\b(?:krijg\s+(?:de|het)\s+(?:kanker|tering|tyfus|klere|pest|kolere)|kanker\s+(?:op|toch\s+op)|"
    r"tyf(?:us)?\s+op|rot\s+op|flikker\s+op|hou\s+je\s+(?:bek|kop|smoel)|val\s+dood|"
    r"piss\s+off|fuck\s+off|go\s+to\s+hell|shut\s+the\s+fuck\s+up|son\s+of\s+a\s+bitch|"
    r"ga\s+terug\s+naar\s+(?:je|jullie|jouw)\s+(?:eigen\s+)?land|go\s+back\s+to\s+(?:your|where\s+you)\s+(?:own\s+)?"
    r"(?:country|came\s+from))\b"
)
_GROUPS = (r"buitenlanders|allochtonen|migranten|immigranten|vluchtelingen|asielzoekers|marokkanen|turken|"
           r"moslims|joden|zwarten|homo's|homos|vrouwen|polen|roma|immigrants|migrants|refugees|foreigners|"
           r"muslims|jews|blacks|gays|women|mexicans|arabs|moroccans|turks")
_GENERALISATION = _rx(
    rf"\b(?:alle|al\s+die|die|deze|those|these|all|the)\s+(?:{_GROUPS})\s+(?:zijn|are)\s+(?:\w+\s+){{0,2}}?"
    r"(?:lui|dom|dommer|crimineel|criminelen|tuig|gespuis|uitschot|parasieten|minderwaardig|gevaarlijk|"
    r"terroristen|achterlijk|lazy|stupid|criminals|criminal|dangerous|inferior|terrorists|scum|parasites|animals|"
    r"beesten|dieren|vies|dirty|useless|waardeloos)\b|"
    rf"\b(?:ik\s+haat|i\s+hate)\s+(?:alle\s+|all\s+)?(?:{_GROUPS})\b|"
    r"\b(?:vrouwen|women)\s+(?:kunnen|can'?t|cannot)\s+(?:niet\s+)?(?:programmeren|rekenen|leidinggeven|code|lead|"
    r"drive|autorijden|do\s+math|think)\b"
)
_INSULT = _rx(
    r"\b(?:die|deze|dat|that|this|those|these|mijn|my|onze|our|de|the)\s+(?:stomme|domme|luie|achterlijke|"
    r"waardeloze|incompetente|stupid|dumb|lazy|useless|incompetent|brainless)\s+"
    rf"(?:{_ROLE_ONE}|{_ROLE_MANY}|mensen|people|vent|wijf|kerel|guy|guys|bende|idiots?)(?!\w)"
)


def check_offensive(d: Draft) -> list[Hit]:
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
                if low.startswith(prefix) and low[len(prefix):] in L.COMPOUND_ENDINGS:
                    kind, severity = "obscene", "high"
                    break
        if kind:
            hits.append(Hit("offensive", kind, severity, start, end))
            if len(hits) >= MAX_MATCHES:
                break
    t = d.text
    for pattern, kind in ((_MASKED, "obscene"), (_OFFENSIVE_PHRASE, "obscene"), (_GENERALISATION, "discrimination"),
                          (_INSULT, "insult")):
        for m in _each(pattern, t):
            hits.append(Hit("offensive", kind, "high", m.start(), m.end()))
    return hits


# ====================================================================== emotional

_EXCLAIM = _re(r"[!?¡]{3,}")
_ANGRY_EMOJI = _re("[" + L.ANGRY_EMOJI + "]")
_ANGER_PHRASE = _rx(
    r"\b(?:(?:ik\s+)?ben\s+(?:het\s+)?(?:zo\s+|echt\s+|helemaal\s+)?(?:zat|spuugzat|beu)|ik\s+ben\s+er\s+klaar\s+mee|"
    r"(?:heb|hebben)\s+er\s+(?:schoon\s+|meer\s+dan\s+|echt\s+)?genoeg\s+van|"
    r"i'?ve\s+had\s+(?:it|enough)|i\s+have\s+had\s+(?:it|enough)|"
    r"(?:ben|zijn|word)\s+(?:er\s+)?(?:\w+\s+)?ziek\s+van|niet\s+normaal\s+meer|dit\s+pik\s+ik\s+niet|wat\s+een\s+"
    r"(?:schande|grap|aanfluiting|bende|puinhoop|farce)|sick\s+and\s+tired|fed\s+up|pissed\s+off|i'?m\s+done\s+with|"
    r"what\s+a\s+(?:joke|disgrace|mess|farce|shambles)|how\s+dare\s+(?:they|you|he|she)|hoe\s+durven\s+(?:ze|jullie)|"
    r"this\s+is\s+(?:insane|unbelievable|a\s+joke))\b"
)


def check_emotional(d: Draft) -> list[Hit]:
    signals: list[tuple[str, int, int]] = []
    strong = mild = 0
    positive = False
    for (word, start, end), low in zip(d.words, d.lower_words):
        if low in L.ANGER_STRONG or (low in L.ANGER_MILD and word.isupper() and len(word) >= 4):
            strong += 1  # a loaded word, or one shouted in capitals
            signals.append(("anger", start, end))
        elif low in L.ANGER_MILD:
            mild += 1
            signals.append(("anger", start, end))
        elif low in L.POSITIVE:
            positive = True
    t = d.text
    for m in _each(_ANGER_PHRASE, t):
        mild += 1
        signals.append(("anger", m.start(), m.end()))
    emoji = 0
    for m in islice(_ANGRY_EMOJI.finditer(t), 3):
        emoji += 1
        signals.append(("emoji", m.start(), m.end()))
    exclaims = [m for m in _each(_EXCLAIM, t) if m.group().count("!") >= 2]
    for m in exclaims[:3]:
        signals.append(("exclaim", m.start(), m.end()))

    # Shouting: three or more consecutive all-capital words that are not acronyms.
    shouting_words = 0
    longest = 0
    run_start = run_end = -1
    run_count = 0
    prev_end = -1
    caps_runs: list[tuple[int, int, int]] = []
    for word, start, end in d.words:
        is_caps = word.isupper()
        if is_caps and (len(word) == 1 or word in L.ACRONYMS or word.upper() in L.ACRONYMS):
            # acronyms and single letters neither count nor break a run
            if run_start >= 0 and start - prev_end <= 12:
                prev_end = end
            continue
        if is_caps and len(word) >= 2:
            if run_start >= 0 and start - prev_end <= 12:
                run_end, run_count = end, run_count + 1
            else:
                if run_count >= 3:
                    caps_runs.append((run_start, run_end, run_count))
                run_start, run_end, run_count = start, end, 1
            prev_end = end
        else:
            if run_count >= 3:
                caps_runs.append((run_start, run_end, run_count))
            run_start, run_count = -1, 0
    if run_count >= 3:
        caps_runs.append((run_start, run_end, run_count))
    for s, e, n in caps_runs[:3]:
        signals.append(("shouting", s, e))
        shouting_words += n
        longest = max(longest, n)

    if not signals:
        return []
    angry = strong + mild + (1 if emoji else 0)
    if positive and not strong and mild <= 1 and len(signals) == 1:
        return []  # "an unbelievable result, congratulations!" is praise
    kinds = {k for k, _, _ in signals}
    if strong or (mild and len(kinds) >= 2) or mild >= 2 or (emoji and ("exclaim" in kinds or "shouting" in kinds)):
        severity = "medium"
    elif "shouting" in kinds and not positive and ("exclaim" in kinds or longest >= 6):
        severity = "medium"
    elif angry or "shouting" in kinds:
        severity = "low"
    elif positive:
        return []  # "Wat een geweldige open dag!!!" is joy, not anger
    else:
        severity = "low"
    if positive and not angry and severity == "medium":
        severity = "low"
    return [Hit("emotional", kind, severity, s, e) for kind, s, e in signals]


# ====================================================================== on behalf

_INST = (r"(?:de\s+|het\s+|onze\s+|ons\s+|the\s+|our\s+)?(?:Universiteit\s+Leiden|Leiden\s+University|universiteit|"
         r"university|ROC\s+West[- ]Brabant|ROCWB|ROC|school|faculteit|faculty|hogeschool|instelling|institution|"
         r"organisatie|organi[sz]ation|college\s+van\s+bestuur|raad\s+van\s+bestuur|executive\s+board|cvb|"
         r"directie)\b")
_ON_BEHALF = _rx(
    rf"\b(?:namens|uit\s+naam\s+van|on\s+behalf\s+of|speaking\s+for|in\s+naam\s+van)\s+{_INST}|"
    rf"\b(?:als|as)\s+{_INST}\s*,?\s+(?:\w+\s+)?(?:we|wij)\b|"
    rf"\b(?:wij|we)\s+(?:als|at|as)\s+{_INST}|"
    r"\b(?:het\s+)?offici[eë]le?\s+(?:standpunt|reactie|verklaring)\s+van\s+|"
    r"\bthe\s+official\s+(?:position|standpoint|stance|view|response|statement)\s+of\s+|"
    r"\bofficial\s+statement\s+(?:of|from)\s+|"
    r"\b(?:de\s+universiteit|Universiteit\s+Leiden|het\s+ROC|ROC\s+West[- ]Brabant|de\s+school|onze\s+school|"
    r"de\s+faculteit|onze\s+faculteit)\s+(?:vindt|vinden|is\s+van\s+mening|veroordeelt|staat\s+(?:volledig\s+)?"
    r"achter|neemt\s+afstand|is\s+tegen|wijst\s+\w+\s+af|keurt\s+\w+\s+af|spreekt\s+zich\s+uit)\b|"
    r"\b(?:the\s+university|Leiden\s+University|ROC\s+West[- ]Brabant|the\s+school|our\s+school|the\s+faculty|"
    r"our\s+faculty)\s+(?:believes|thinks|condemns|stands\s+(?:with|behind)|opposes|rejects|"
    r"is\s+against|distances\s+itself|takes\s+the\s+position|strongly\s+condemns)\b"
)


def check_on_behalf(d: Draft) -> list[Hit]:
    hits = []
    for m in _each(_ON_BEHALF, d.text):
        if negated(d, m.start()):
            continue  # "niet namens de universiteit", "not on behalf of…"
        hits.append(Hit("on_behalf", "speaks_for", "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
    return hits


# ====================================================================== logo

_LOGO = _rx(r"(?:logo(?:'?s)?|beeldmerk(?:en)?|huisstijl|embleem|emblem|brand\s+mark|wapenschild|crest)\b")
_LOGO_PROFILE = _rx(r"\b(?:profielfoto'?s?|profielplaatje|profielafbeelding|avatar|profile\s+(?:picture|photo|pic|image)|"
                    r"pfp|display\s+picture|header(?:foto)?|banner)\b")
_LOGO_PERSONAL = _rx(r"\b(?:persoonlijke?\s+(?:account|pagina|profiel|website|blog|kanaal)|personal\s+(?:account|profile|"
                     r"page|website|blog|channel|brand)|privé[- ]?account|prive[- ]?account|eigen\s+(?:account|bedrijf|"
                     r"website|webshop|zaak|praktijk|onderneming|bedrijfje)|own\s+(?:account|business|company|website|"
                     r"shop)|visitekaartjes?|business\s+cards?|side\s+(?:business|hustle|project|gig)|bijbaan|"
                     r"nevenactiviteit(?:en)?|zzp|freelance|webshop|mijn\s+bedrijf|my\s+(?:company|business|shop|"
                     r"startup|consultancy)|flyers?\s+(?:voor|for)\s+(?:mijn|my))\b")


def check_logo(d: Draft) -> list[Hit]:
    hits = []
    for m in _each(_LOGO, d.text):
        # "logo" may end a compound (universiteitslogo, ROC-logo) but must end the word.
        if m.start() > 0 and d.text[m.start() - 1].isalpha() and not d.text[max(0, m.start() - 12):m.start()].lower().endswith(
                ("universiteits", "roc", "schools", "faculteits", "ul", "lu", "instellings")):
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


# ====================================================================== advertising

_ADVERT = _rx(
    r"\b(?:kortingscodes?|actiecodes?|promotiecodes?|promocodes?|promo\s+codes?|discount\s+codes?|coupon\s+codes?|"
    r"couponcode|voucher\s+codes?|vouchercode|referral\s+(?:link|code)|affiliate(?:\s+link)?|affiliatelink|"
    r"partnerlink|gesponsord|gesponsorde|sponsored\s+(?:post|content|by)|betaalde\s+samenwerking|"
    r"paid\s+partnership|in\s+samenwerking\s+met\s+(?:het\s+merk|merk)|"
    r"(?:use|gebruik|met|with|enter|voer)\s+(?:my\s+|mijn\s+|de\s+|the\s+)?(?:code|kortingscode)\s*:?\s*(?-i:[A-Z][A-Z0-9]{2,}\d*)|"
    r"\d{1,2}\s?%\s?(?:korting|off|discount)|gratis\s+verzending|free\s+shipping|koop\s+nu|buy\s+now|"
    r"bestel\s+(?:nu|vandaag)|order\s+now|shop\s+now)\b|"
    r"(?<![\w#])#(?:ad|ads|advertentie|advertorial|reclame|sponsored|gesponsord|spon|affiliate|"
    r"affiliatelink)\b|"
    r"\bhttps?://[^\s]{0,200}?[?&](?:ref|aff|affiliate|tag|partner|coupon|referral)=[^\s&]{1,60}"
)
_SELL = _rx(
    r"\b(?:te\s+koop|for\s+sale|ik\s+verkoop|verkoop\s+(?:mijn|ik)|ik\s+verkoop|i'?m\s+selling|i\s+am\s+selling|"
    r"selling\s+my|vraagprijs|asking\s+price|bieden\s+vanaf|(?:dm|pb|app)\s+(?:me\s+)?(?:for|voor)\s+"
    r"(?:price|prices|prijs|prijzen|info)|(?:nu\s+)?verkrijgbaar\s+(?:in|via|bij)\s+mijn|available\s+in\s+my\s+"
    r"(?:shop|webshop|store)|mijn\s+webshop|my\s+(?:webshop|online\s+shop|etsy))\b|"
    r"€\s?\d+(?:[.,]\d{2}|,-)?\s*(?:per\s+stuk|p\.?\s?st\b|each\b|p/st\b|per\s+ticket\b|o\.?\s?b\.?o\b|ono\b|obo\b)|"
    r"\b(?:wie\s+wil\s+(?:mijn|m'n|onze)\s+(?:[\w-]+\s+){0,4}?(?:kopen|overnemen|hebben)|"
    r"who\s+wants\s+to\s+buy|anyone\s+(?:want|wants|wanna|interested\s+in)\s+(?:to\s+)?buy(?:ing)?|"
    r"(?:wants?|want\s+to)\s+buy\s+my)\b"
)


def check_advertising(d: Draft) -> list[Hit]:
    hits = []
    for pattern, kind in ((_ADVERT, "ad"), (_SELL, "sell")):
        for m in _each(pattern, d.text):
            if negated(d, m.start()):
                continue
            hits.append(Hit("advertising", kind, "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
    return hits


# ====================================================================== quoting colleagues

_QROLE_NL = (r"collega|collegaatje|teamleider|leidinggevende|manager|directeur|baas|afdelingshoofd|decaan|"
             r"coördinator|coordinator|rector|bestuurder|opleidingsmanager|onderwijsmanager|teamgenoot|hoogleraar")
_QROLE_EN = (r"colleague|co-?worker|manager|boss|team\s+lead(?:er)?|director|dean|supervisor|head\s+of\s+"
             r"(?:department|school)|line\s+manager|department\s+head|professor|coordinator|teammate")
_QSAY_NL = (r"zei|zegt|zeiden|vertelde|vertelt|riep|schreef|appte|mailde|merkte\s+op|gaf\s+toe|beweerde|grapte|"
            r"verzuchtte|fluisterde|liet\s+zich\s+ontvallen")
_QSAY_EN = (r"said|says|told\s+(?:me|us|the\s+team)|wrote|texted|emailed|mentioned|shouted|admitted|claimed|"
            r"joked|whispered|put\s+it|complained|let\s+slip")
_QADV = r"(?:\s+(?:altijd|vaak|ooit|net|vandaag|gisteren|letterlijk|always|often|once|just|today|yesterday|literally))?"
_QUOTE_DIRECT = _rx(
    rf"\b(?:mijn|onze|een|de|die|m'n)\s+(?:{_QROLE_NL})(?:'?s)?(?:\s+(?-i:[A-Z])[\w-]+){{0,2}}\s*,?{_QADV}\s+(?:{_QSAY_NL})\b|"
    rf"\b(?:{_QSAY_NL})\s+(?:mijn|onze|een|de|m'n)\s+(?:{_QROLE_NL})(?:'?s)?\b|"
    rf"\b(?:my|our|a|the)\s+(?:{_QROLE_EN})s?(?:\s+(?-i:[A-Z])[\w-]+){{0,2}}\s*,?{_QADV}\s+(?:{_QSAY_EN})\b|"
    rf"\b(?:said|says)\s+(?:my|our)\s+(?:{_QROLE_EN})\b"
)
_QUOTE_INDIRECT = _rx(rf"\b(?:volgens|according\s+to|in\s+de\s+woorden\s+van|in\s+the\s+words\s+of)\s+(?:mijn|onze|my|our|m'n)\s+"
                      rf"(?:{_QROLE_NL}|{_QROLE_EN})(?:'?s)?\b")
_QUOTE_ANY = _rx(rf"(?:{_QUOTE_DIRECT.pattern})|(?:{_QUOTE_INDIRECT.pattern})")
_QUOTE_MARK = _re(r"[^\n]{0,40}?(?:[:\"]|''|,\s*')")
# Quoting what someone said in public (a speech, an interview) is not quoting a colleague.
_PUBLIC_WORDS = _rx(r"\b(?:speech|toespraak|keynote|interview|krant|newspaper|podcast|oratie|inaugural|"
                    r"persbericht|press\s+release|publicly|openbaar|in\s+public|column|op\s+tv|on\s+tv|"
                    r"on\s+the\s+radio|op\s+de\s+radio|livestream|opening\s+van\s+het\s+academisch\s+jaar|"
                    r"opening\s+of\s+the\s+academic\s+year|dies\s+natalis)\b")
_INTERNAL_HINT = _rx(r"\b(?:vergadering|overleg|meeting|intern|internal|vertrouwelijk|confidential|reorgani|"
                     r"MT\b|bestuur|board)")


# A colleague named, then a verb of saying followed by a quotation:
# "our faculty dean … she said it was "a disaster"".
_QROLE_MENTION = _rx(rf"\b(?:mijn|onze|m'n|my|our)\s+(?:[\w-]+\s+)?(?:{_QROLE_NL}|{_QROLE_EN})(?:'?s)?\b")
_QSAY_THEN_QUOTE = _rx(rf"\b(?:{_QSAY_NL}|{_QSAY_EN}|zei\s+ze|zei\s+hij)\b[^\n\"]{{0,25}}?[\"]")


def check_quoting(d: Draft) -> list[Hit]:
    hits = []
    t = d.text
    for m in _each(_QROLE_MENTION, t):
        window = t[m.end():m.end() + 150].split("\n", 1)[0]
        if _PUBLIC_WORDS.search(d.sentence(m.start())):
            continue
        if _QSAY_THEN_QUOTE.search(window) and not negated(d, m.start()):
            kind = "internal" if _INTERNAL_HINT.search(d.sentence(m.start())) else "quote"
            hits.append(Hit("quoting_colleagues", kind, "medium", m.start(), m.end()))
    for m in _each(_QUOTE_DIRECT, t):
        if negated(d, m.start()) or _PUBLIC_WORDS.search(d.sentence(m.start())):
            continue
        kind = "internal" if _INTERNAL_HINT.search(d.sentence(m.start())) else "quote"
        hits.append(Hit("quoting_colleagues", kind, "medium", m.start(), m.end()))
    for m in _each(_QUOTE_INDIRECT, t):
        if negated(d, m.start()) or _overlaps((m.start(), m.end()), [(h.start, h.end) for h in hits]):
            continue
        if _PUBLIC_WORDS.search(d.sentence(m.start())):
            continue
        quoted = bool(_QUOTE_MARK.match(t, m.end()))
        kind = "internal" if _INTERNAL_HINT.search(d.sentence(m.start())) else "quote"
        hits.append(Hit("quoting_colleagues", kind, "medium" if quoted else "low", m.start(), m.end()))
    return hits


# ====================================================================== copyright

_COPY_FOUND = _rx(
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
_COPY_MUSIC = _rx(
    r"\b(?:muziek|nummer|nummertje|liedje|song|songs|music|track|hit|hits|soundtrack|achtergrondmuziek|"
    rf"background\s+music)\s+(?:van|by|from)\s+(?:de\s+|the\s+)?{_ARTIST}|"
    rf"\b(?:muziek|music|song|nummer|soundtrack|audio)\s*:\s*{_ARTIST}|"
    r"\b(?:as|als)\s+(?:the\s+|de\s+|a\s+)?(?:soundtrack|background\s+music|achtergrondmuziek)\b|"
    rf"\b(?:nummer|liedje|song|track)\s+['\"][^'\"\n]{{1,60}}['\"]\s+(?:van|by)\s+{_ARTIST}"
)
_COPY_SCREENSHOT = _rx(
    r"\b(?:screenshot|screenshots|schermafbeelding|printscreen|screen\s?cap|screengrab)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?:van|of|uit|from)\s+(?:[\w'-]+\s+){0,3}?(?:artikel|artikelen|article|articles|krant|newspaper|tijdschrift|"
    r"magazine|boek|book|NRC|Volkskrant|Telegraaf|Trouw|NOS|Guardian|Times|website|paywall|blog|story|film|serie|"
    r"series|movie|netflix|premium|vakblad|journal|paper|e-?book)\b"
)
_COPY_MARK = _re(r"©|\([cC]\)\s*\d{4}|\b(?:[Cc]opyright|[Aa]ll\s+rights\s+reserved|[Aa]lle\s+rechten\s+"
                        r"voorbehouden)\b|\b(?:Getty\s+Images|Shutterstock|iStock|Adobe\s+Stock|ANP\s+Foto|"
                        r"Reuters|AP\s+Photo|Hollandse\s+Hoogte)\b")
_COPY_VIDEO = _rx(
    r"\b(?:fragment|fragmentje|clip|scène|scene|stukje)\s+(?:\w+\s+){0,2}?(?:uit|van|from|of)\s+(?:de\s+|het\s+|"
    r"the\s+|een\s+|a\s+)?(?:film|serie|series|movie|show|netflix|videoland|disney|tv-?programma|documentaire|"
    r"documentary|aflevering|episode|wedstrijd|match)\b"
)
_COPY_OK = _rx(
    r"\b(?:eigen\s+(?:foto|foto's|werk|beeld|beelden|opname|opnames|muziek|compositie|slides|video|illustratie)|"
    r"zelf\s+(?:gemaakt|gemaakte|geschoten|genomen|opgenomen|gecomponeerd|getekend)|"
    r"own\s+(?:photo|photos|work|picture|pictures|image|images|music|recording|slides|video|illustration)|"
    r"taken\s+by\s+me|i\s+took|shot\s+by\s+me|gemaakt\s+door\s+mij|made\s+by\s+me|"
    r"met\s+(?:\w+\s+){0,2}?toestemming|with\s+(?:the\s+)?(?:kind\s+)?(?:\w+\s+)?permission|"
    r"toestemming\s+(?:van|gekregen|gegeven)|permission\s+(?:of|from)|licen[sc]ed|licentie|"
    r"creative\s+commons|cc[\s-]?by|cc0|rechtenvrij|rechtenvrije|royalty[- ]free|public\s+domain|"
    r"publiek\s+domein|copyright[- ]free|auteursrechtvrij|pixabay|unsplash|pexels)\b"
)
_COPY_OWN_MARK = _rx(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*)?(?:Universiteit\s+Leiden|Leiden\s+University|"
                     r"ROC\s+West[- ]Brabant|mijzelf|myself|me\b|ik\b|eigen)")


def check_copyright(d: Draft) -> list[Hit]:
    t = d.text
    if _COPY_OK.search(t):
        return []  # own work, licensed, or used with permission
    hits = []
    for pattern, kind in ((_COPY_FOUND, "found_online"), (_COPY_MUSIC, "music"), (_COPY_SCREENSHOT, "screenshot"),
                          (_COPY_MARK, "mark"), (_COPY_VIDEO, "video")):
        for m in _each(pattern, t):
            if kind == "mark" and _COPY_OWN_MARK.match(t, m.start()):
                continue
            if negated(d, m.start()):
                continue
            hits.append(Hit("copyright", kind, "low" if meta(d, m.start()) else "medium", m.start(), m.end()))
    return hits


# ====================================================================== accuracy

_RUMOUR = _rx(
    r"\b(?:ik\s+(?:hoorde|hoor|heb\s+(?:net\s+|vandaag\s+)?(?:ge)?hoord)\s+(?:\w+\s+){0,4}?dat|"
    r"(?:hoorde|gehoord)\s+(?:via\s+via|in\s+de\s+wandelgangen|van\s+(?:een\s+)?(?:collega|iemand))|"
    r"naar\s+verluidt|geruchten?|het\s+gerucht|geruchtenmolen|wandelgangen|via\s+via|niet\s+bevestigd|"
    r"onbevestigd|onbevestigde|ongecontroleerd|men\s+zegt|ze\s+zeggen\s+dat|"
    r"i\s+(?:just\s+|have\s+|'ve\s+)?(?:heard|hear)\s+(?:(?:\w+\s+){0,4}?that|(?:from|through|via)\s|"
    r"(?:\w+\s+){1,3}?(?:is|are|will|was|were|has|have|gets?|might|may)\b)|"
    r"ik\s+(?:hoorde|heb\s+gehoord)\s+(?:\w+\s+){1,3}?(?:is|gaat|wordt|zijn|gaan|worden|moet|stopt|komt|krijgt)\b|heard\s+(?:through|on)\s+the\s+grapevine|"
    r"rumou?rs?|rumou?red|word\s+on\s+the\s+street|grapevine|unconfirmed|unverified|allegedly|reportedly|"
    r"people\s+are\s+saying|they\s+say\s+that)\b"
)
_HEDGE = _rx(r"\b(?:het\s+schijnt|schijnt\s+(?:dat|het|ze|er|hij|zij)|schijnbaar|blijkbaar|apparently|supposedly|"
             r"i\s+think\s+i\s+heard)\b")


def check_accuracy(d: Draft) -> list[Hit]:
    hits = []
    for pattern, severity in ((_RUMOUR, "medium"), (_HEDGE, "low")):
        for m in _each(pattern, d.text):
            if negated(d, m.start()):
                continue  # "dit is geen gerucht: …"
            hits.append(Hit("accuracy", "rumour" if severity == "medium" else "hedge",
                            "low" if meta(d, m.start()) else severity, m.start(), m.end()))
    return hits


# ====================================================================== registry

RULES: tuple[tuple[str, Callable[[Draft], Iterable[Hit]]], ...] = (
    ("confidential", check_confidential),
    ("privacy", check_privacy),
    ("personal_data", check_personal_data),
    ("offensive", check_offensive),
    ("emotional", check_emotional),
    ("on_behalf", check_on_behalf),
    ("logo", check_logo),
    ("advertising", check_advertising),
    ("quoting_colleagues", check_quoting),
    ("copyright", check_copyright),
    ("accuracy", check_accuracy),
)
RULE_IDS = tuple(r for r, _ in RULES)
