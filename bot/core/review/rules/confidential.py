"""The confidential rule: information marked confidential, not yet announced or internal
(reorganisations, exam questions, internal meetings and documents, salaries).
All high: a leak cannot be taken back."""

from __future__ import annotations

import re

from bot.core.review.rules import hearsay, quotes
from bot.core.review.rules.base import Hit, each, rx
from bot.core.review.rules.context import PUBLIC, meta, negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_CONF_LABEL = rx(r"\b(?:strikt\s+|zeer\s+|strictly\s+|highly\s+)?(?:vertrouwelijke?|confidential|geheime?|"
                 r"top[- ]secret|secret)\b"
                 r"(?!\s+(?:santa|ingrediënt|ingredient|recept|recipe|van\s+(?:een|de|het|goed)|of\s+(?:a|the|good)|"
                 r"to|tot|achter|behind|weapon|wapen|garden|tuin|agent|service|dienst))")
# Describing how something is handled is not a leak: "gesprekken met de
# vertrouwenspersoon zijn altijd vertrouwelijk", "treated confidentially".
_CONF_SAFE = rx(r"\b(?:vertrouwenspersoon|vertrouwenspersonen|vertrouwelijk\s+(?:behandeld|behandelen|omgaan)|"
                r"(?:treated|handled|kept)\s+(?:as\s+)?(?:strictly\s+)?confidential(?:ly)?|"
                r"confidential\s+(?:advis[eo]r|counsel+or|helpline|support|counselling|counseling)|"
                r"(?:blijft|blijven|zijn\s+altijd|is\s+altijd|remains?|are\s+always|is\s+always)\s+"
                r"(?:strikt\s+|strictly\s+)?(?:vertrouwelijk|confidential|anoniem|anonymous))")
_CONF_LABEL_NOUN = rx(r"\bin\s+vertrouwen\s+(?:verteld|gezegd|gedeeld|genomen)|\btold\s+(?:me|us)\s+in\s+confidence|"
                      r"\b(?:vertelde|vertelt|zei|zegt|deelde|meldde)\s+(?:\w+\s+){0,3}?in\s+vertrouwen\b|"
                      r"\b(?:told|said|shared)\s+(?:\w+\s+){0,3}?in\s+confidence\b")
_NOT_YET_STRONG = rx(
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
_NOT_YET_WEAK = rx(r"\b(?:nog\s+niet\s+bekend|(?:is|are|has|have)\s+not\s+(?:yet\s+)?(?:been\s+)?announced(?:\s+yet)?|"
                   r"not\s+yet\s+announced|nog\s+geheim)\b")
_BUT_AFTER = rx(r"[\s,;.]{0,3}(?:maar|but|though|toch|however|echter)\b|\s*:|\s+-\s")
_REORG = rx(
    r"\b(?:reorganisatie|reorganisaties|reorganiseren|reorganiseert|gereorganiseerd|reorgani[sz]ation|"
    r"reorgani[sz]ing|restructuring|herstructurering|ontslagronde|gedwongen\s+ontslagen|ontslagen\s+vallen|"
    r"banen\s+(?:verdwijnen|geschrapt|schrappen)|(?:jobs|posts|positions)\s+(?:will\s+be\s+|are\s+being\s+)?cut|"
    r"layoffs?|redundancies|job\s+cuts|bezuinigingsronde|"
    r"(?:afdeling|locatie|opleiding|faculteit|vestiging)\s+(?:gaat|wordt)\s+(?:\w+\s+)?(?:dicht|gesloten|opgeheven)|"
    r"(?:afdeling|locatie|opleiding|faculteit|vestiging)\s+(?:[\w-]+\s+){0,4}?(?:misschien\s+|waarschijnlijk\s+)?"
    r"(?:dichtgaat|dicht\s+gaat|gaat\s+sluiten|gesloten\s+wordt|opgeheven\s+wordt|stopt)|"
    r"clos(?:e|ing)\s+(?:down\s+)?(?:the|our)\s+(?:department|campus|programme|program|location))\b"
)
_EXAM = rx(
    r"\b(?:tentamenvragen|examenvragen|toetsvragen|tentamenopgaven|examenopgaven|antwoordmodel|antwoordsleutel|"
    r"answer\s+key|exam\s+questions?|test\s+questions?|exam\s+answers|"
    r"(?:antwoorden|uitwerkingen|vragen|opgaven)\s+(?:van|voor|bij)\s+(?:het|de)\s+(?:\w+\s+)?(?:tentamen|examen|toets|hertentamen)|"
    r"(?:answers|questions|solutions)\s+(?:to|for|of)\s+(?:the\s+|tomorrow'?s\s+|next\s+week'?s\s+|friday'?s\s+|"
    r"monday'?s\s+|the\s+upcoming\s+|our\s+)?(?:final\s+|midterm\s+)?(?:exam|test|resit))\b"
)
_EXAM_SAFE = rx(r"\b(?:oefen|oefententamen|proef|proeftentamen|voorbeeld|practice|sample|mock|past|previous|"
                r"old|oude|vorig(?:e)?\s+jaar|last\s+year'?s)\W+(?:\w+\W+){0,2}$")
# The paper itself (a photographed exam or whiteboard): an exam named, and its
# numbered questions with points or more than one question.
_EXAM_NAMED = rx(r"\b(?:tentamen|hertentamen|deeltentamen|examen|toets|eindtoets|exam|midterm|resit)\b")
_QUESTION_NO = rx(r"\b(?:vraag|opgave|question|exercise|problem)\s+\d{1,2}[a-z]?\b")
_POINTS = rx(r"\(\s*\d{1,3}\s*(?:punten|punt|pnt|points|pts|p)\.?\s*\)")
_MEETING = rx(
    r"\b(?:in\s+het\s+MT(?:[- ]?(?:overleg|vergadering))?|MT[- ]?overleg|MT[- ]?vergadering|managementoverleg|managementteam(?:overleg)?|"
    r"directieoverleg|teamoverleg|teamvergadering|personeelsvergadering|afdelingsoverleg|sectieoverleg|"
    r"CvB[- ]?(?:overleg|vergadering)|bestuursvergadering|faculteitsraad|"
    r"(?:staff|management|team|board|department|faculty|internal|MT|directors'?)\s+meeting|"
    r"achter\s+gesloten\s+deuren|behind\s+closed\s+doors|interne?\s+(?:overleg|vergadering|bijeenkomst|meeting))\b"
)
_SAID = rx(
    r"\b(?:werd|is|zijn|werden)\s+(?:\w+\s+){0,3}?(?:gezegd|besloten|verteld|besproken|aangekondigd|gemeld|onthuld|"
    r"gedeeld|afgesproken)\b|\b(?:zei|zeiden|vertelde|vertelden|meldde|besloot|besloten|kondigde|bleek|"
    r"onthulde|liet\s+\w+\s+weten|kwam\s+naar\s+voren|werd\s+duidelijk|kregen\s+te\s+horen|hoorden|"
    r"said|told|decided|announced|revealed|discussed|mentioned|disclosed|came\s+up|turned\s+out|agreed|admitted|"
    r"became\s+clear|found\s+out|learned|learnt)\b"
)
_INTERNAL_DOC = rx(
    r"\b(?:interne?\s+(?:memo|mail|e-?mail|notitie|stukken|documenten|document|notulen|rapport|presentatie|cijfers)|"
    r"internal\s+(?:memo|e-?mail|document|documents|minutes|report|slides|presentation|figures)|"
    r"notulen\s+van\s+(?:het|de)\s+(?:\w+\s+)?(?:overleg|vergadering|MT)|minutes\s+of\s+(?:the|our|yesterday'?s)\s+"
    r"(?:\w+\s+)?meeting)\b"
)
_SALARY = rx(
    r"\b(?:(?:zijn|haar|hun|his|her|their)\s+|(?:mijn|onze|my|our)\s+(?:collega|baas|manager|teamleider|"
    r"leidinggevende|directeur|colleague|boss|director)(?:'s|s')?\s+)(?:bruto\s+|netto\s+|gross\s+|net\s+|"
    r"monthly\s+|maand)?(?:salaris|salary|loon|inkomen|income|pay|wage|bonus|loonschaal|salarisschaal)\b|"
    r"\b(?:salaris|salary|loon|inkomen|income|bonus)\s+(?:van|of)\s+(?:mijn|onze|de|the|my|our)\s+(?:\w+\s+)?"
    r"(?:collega|manager|directeur|baas|teamleider|decaan|colleague|boss|director|dean)\b|"
    # ...up to the end of the amount, so the highlight never cuts a number ("Anja 5")
    r"\b(?:verdient|earns|makes)\s+(?:\w+\s+){0,2}?(?:€\s?(?:\d(?:[\d.,]*\d)?)?|eur\b|euro|"
    r"\d(?:[\d.,]*\d)?(?:\s?(?:euro|eur)\b|\s?€)?)"
)


def check(d: Draft, inst: Institutions) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []

    def add(kind: str, m: re.Match, severity: str = "high", cancel_on_negation: bool = True) -> None:
        if cancel_on_negation and negated(d, m.start()):
            return
        sev = "low" if meta(d, m.start()) else severity
        hits.append(Hit("confidential", kind, sev, m.start(), m.end()))

    for m in each(_CONF_LABEL, t):
        if _CONF_SAFE.search(d.sentence(m.start())):
            continue
        add("label", m)
    for m in each(_CONF_LABEL_NOUN, t):
        add("label", m)
    for m in each(_NOT_YET_STRONG, t):
        add("not_yet", m)
    strong_context = bool(hits) or bool(hearsay.RUMOUR.search(t)) or bool(_REORG.search(t)) or bool(_EXAM.search(t))
    for m in each(_NOT_YET_WEAK, t):
        # "Het programma is nog niet bekend" is news; "nog niet bekend, maar…"
        # or an unannounced reorganisation is a leak.
        leak = strong_context or bool(_BUT_AFTER.match(t, m.end()))
        add("not_yet", m, "high" if leak else "low")
    for m in each(_EXAM, t):
        if _EXAM_SAFE.search(d.before(m.start(), 40)):
            continue
        add("exam", m)
    named = [m for m in each(_EXAM_NAMED, t) if not _EXAM_SAFE.search(d.before(m.start(), 40))]
    questions = list(each(_QUESTION_NO, t))
    if named and questions and not any(h.kind == "exam" for h in hits) \
            and (len(questions) >= 2 or _POINTS.search(t)) and not negated(d, named[0].start()):
        q = questions[0]  # the question itself: up to the end of its sentence
        end = max(q.end(), len(t[:d.sentence_span(q.start())[1]].rstrip()))
        hits.append(Hit("confidential", "exam", "low" if meta(d, q.start()) else "high", q.start(), end))
    for m in each(_MEETING, t):
        sentence = d.sentence(m.start())
        s, _ = d.sentence_span(m.start())
        # What was said there: a verb of saying or a reported clause after the
        # meeting is named; "behind closed doors" needs nothing more.
        rest = t[m.end():s + len(sentence)]
        closed = "gesloten" in m.group().lower() or "closed" in m.group().lower()
        if closed or _SAID.search(rest) or _SAID.search(t[s:m.start()]):
            add("meeting", m)
    for m in each(_INTERNAL_DOC, t):
        add("internal_doc", m)
    for m in each(_SALARY, t):
        add("salary", m)
    leak_context = bool(hits) or bool(hearsay.RUMOUR.search(t)) or bool(quotes.ANY.search(t))
    public = bool(PUBLIC.search(t))
    for m in each(_REORG, t):
        if negated(d, m.start()):
            continue
        if leak_context:
            add("reorg_leak", m, cancel_on_negation=False)
        elif not public:
            hits.append(Hit("confidential", "reorg", "low", m.start(), m.end()))
    return hits
