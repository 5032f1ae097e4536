"""Whose pay a post gives away: a person's salary, scale, step, allowance or
bonus beside their name, in a list, a table row, chat shorthand or a
sentence. The labelling brief makes a named colleague's pay confidential and
high, even a scale without an amount; public pay tables, a vacancy's scale,
anonymised averages and one's own pay name nobody, so they never match.

It reads lines and sentences ("Mark Jansen zit in schaal 12", "Noor Haddad,
who joined us as policy officer (scale 11)", "she started in scale 9") and,
in a line that is a list, its clauses ("Salarissen: Pieter 4.850, Anja
5.120"). The work is bounded: a linear scan cuts the units, at most
MAX_LINES lines and MAX_MATCHES clauses per line are read.

It runs after the learned layer (rules.AFTER_LEARNING): the post-level head
called such lists `ok`, and cannot clear what this finds.
"""

from __future__ import annotations

import re
from typing import Iterator

from bot.core.review.rules.base import MAX_MATCHES, Hit, rx, rx_cased
from bot.core.review.rules.context import meta
from bot.core.review.rules.institutions import Institutions
from bot.core.review.rules.people import PERSON_ANY
from bot.core.review.text import Draft

# A pay scale or step: "schaal 11", "scale 10 step 3", "P-schaal", "trede 6",
# mbo's teacher scales "in LB" / "naar LC".
SCALE = rx(r"\b(?:salaris|loon)?schaal\s+(?:1[0-8]|[1-9]|[a-h])\b|\bscale\s+(?:1[0-8]|[1-9])\b|"
           r"\bp-?schaal\b|\bphd\s+scale\b|\btrede\s+\d{1,2}\b|\bschaal\s+l[b-e]\b|"
           r"\b(?:in|naar|to|from|van|uit)\s+(?-i:L[B-E])\b")
# A sum of money: "€ 4.850", "5,120", "3900 euro", "5k".
AMOUNT = rx(r"€\s?\d{1,3}(?:[.,]\d{3})*(?:[.,]\d{1,2})?(?!\d)|(?<![\d.,])\d{1,3}[.,]\d{3}(?:[.,]\d{2})?(?![\d.,]\d)|"
            r"(?<![\d.,])\d{3,6}\s?(?:euro|eur)\b|(?<![\d.,])\d{1,3}(?:[.,]\d)?\s?k\b")
# What makes a sum pay, in the unit or, for a list, anywhere in the post.
PAY_WORD = rx(r"\b[\w-]*(?:salaris|salarissen|salarisstrook|toelage|bonus|bonussen|gratificatie|loon|lonen|"
              r"loonstrook|loonstroken)\b|\b(?:salaries|salary|payslips?|bruto|netto|gross|allowance|bonuses|"
              r"gratification|verdient|verdienen|verdiende|earns|earned|earning|inschaling|ingeschaald|periodiek|"
              r"raise|per\s+maand|per\s+month|a\s+month|p/m|schaal|scale|trede)\b")
# Pay beyond doubt, for a sum beside "she" or "haar": not "per month" (a subscription).
_PAY_SURE = rx(r"\b[\w-]*(?:salaris|toelage|bonus|gratificatie|loon)\b|\b(?:salary|bruto|netto|gross|allowance|"
               r"bonus|gratification|verdient|verdiende|earns|earned)\b")
# A row that starts with a name, perhaps after a few words of who they are:
# "Maarten (UD, 6 yrs in): schaal 11", "- Kees: €1,500", "| Ruud | docent |
# LC trede 10 |", "- my office mate Joost: scale 11", "Kees - €1,500"
# (a dash between spaces: "Four-year position" is no one).
_ROW_NAME = rx_cased(r"^[^\w\n]{0,4}(?:\d{1,2}[.)]\s+)?(?:[A-Za-z][\w'-]*\s+){0,4}?([A-Z][a-zà-ÿ'-]+)"
                     r"(?:\s+(?:van|de|der|den|el|ter|ten)?\s*[A-Z][a-zà-ÿ'-]+)?(?=\s*[:(=|]|\s+[–-]\s|\s+(?:€|\d))")
_NAME = r"(?<![\w@#])([A-Z][a-zà-ÿ'-]+)(?:\s+(?:van|de|der|den|el|ter|ten)?\s*[A-Z][a-zà-ÿ'-]+)?"
# A name given a pay datum by a verb: "Ria gaat naar schaal 8", "Mark Jansen
# zit in schaal 12", "Ahmed from the service desk got a €1,500 bonus"; or in
# a clause about them: "Noor Haddad, who joined us as policy officer (scale 11)".
_PAY_THING = r"(?i:[\w-]*(?:toelage|bonus|gratificatie|salaris)|allowance|loonsverhoging|raise|salary|gratification)"
_ALLOWANCE = rx(r"\b" + _PAY_THING + r"\b")
_GETS = rx_cased(
    _NAME + r",?\s+(?:[\w'-]+\s+){0,5}?(?i:zit\s+(?:nu\s+|al\s+|nog\s+|nog\s+steeds\s+)?(?:in|op)|"
    r"gaat\s+(?:[\w'-]+\s+){0,4}?naar|krijgt|kreeg|kregen|got|gets|is\s+on|was\s+on|started\s+(?:at|on|in)|"
    r"starts\s+(?:at|on|in)|begon\s+(?:in|op)|begint\s+(?:in|op)|verdient|verdiende|earns|earned|makes|"
    r"(?:is|werd|wordt)\s+(?:[\w'-]+\s+){0,4}?(?:in|op)|placed\s+in|moved\s+to|went\s+to|promoted\s+to)\s+"
    r"(?:[\w'-]+\s+){0,4}?(?:€|\d|(?i:schaal|scale|trede|p-?schaal|L[B-E])\b|" + _PAY_THING + r")|"
    # Dutch puts the verb last: "dat Willem €92.000 per jaar verdient", "dat Sandra een toelage krijgt"
    + _NAME + r"\s+(?:[\w'-]+\s+){0,4}?(?:€\s?\d[\d.,]*|" + _PAY_THING + r")\s+(?:[\w'-]+\s+){0,3}?"
    r"(?i:verdient|krijgt|kreeg|ontvangt|heeft)\b|"
    + _NAME + r",\s+(?i:who|die|that)\s+[^.!?\n]{0,120}?(?:(?i:schaal|scale)\s+\d|" + _PAY_THING + r")")
# One person, by pronoun or as someone's colleague: "she started Monday in
# scale 9", "mijn opvolger ... komt meteen in LC". Not "he or she" (a vacancy).
_ONE_PERSON = rx(r"\b(?:hij|zij|hem|haar|he|she|him|his|her)\b|"
                 r"\b(?:mijn|onze|my|our)\s+(?:[\w'-]+\s+){0,2}?(?:collega|colleague|teamleider|leidinggevende|"
                 r"manager|baas|boss|directeur|director|afdelingshoofd|opvolger|successor|voorganger|predecessor|"
                 r"secretaresse|secretary|decaan|dean|office\s+mate|kamergenoot|buddy|mate)\b")
_EITHER = rx(r"\b(?:hij|zij|he|she|his|her|zijn|haar|him)\s*(?:/|of|or)\s*(?:hij|zij|he|she|his|her|zijn|haar|him)\b|"
             r"\bs/he\b|"
             r"^\W*(?-i:He)\s+[A-Z][a-z]+\s*[,!]")     # Dutch "He Anouk," greets someone
# Capitalised words that head a row but are no one: a vacancy, a reminder.
_NOT_A_PERSON = rx(r"vacature|vacatures|vacancy|vacancies|reminder|functie|position|job|salarisschaal|cao|totaal|"
                   r"total|bedrag|amount|prijs|price|kosten|costs|budget|start|offer|contract")
_LINE_BREAK = re.compile(r"\n|(?<=[.!?])\s+(?=[A-Z])")
_CLAUSE_BREAK = re.compile(r";|\||•|(?<=\D),\s|,\s(?=\D)|\s/\s")
MAX_LINES = 1024    # a 40,000-character draft of short lines is still read to the end


def _units(text: str, breaks: re.Pattern, start: int = 0, end: int | None = None,
           limit: int = MAX_MATCHES) -> Iterator[tuple[int, int]]:
    """The pieces between breaks as (start, end), at most `limit` of them."""
    end = len(text) if end is None else end
    n = 0
    for m in breaks.finditer(text, start, end):
        if m.start() > start:
            yield start, m.start()
            n += 1
            if n >= limit:
                return
        start = m.end()
    if start < end:
        yield start, end


def _is_name(word: str, inst: Institutions) -> bool:
    """A capitalised word that is a person's name: no listed non-name, no
    role ("Docenten", "Hoogleraar") and no pay word ("Salaris", "Scale")."""
    return not (inst.is_not_a_name(word) or PAY_WORD.fullmatch(word) or PERSON_ANY.fullmatch(word)
                or _NOT_A_PERSON.fullmatch(word))


def _paid_name_at(line: str, inst: Institutions) -> int | None:
    """Where a name given pay by a verb starts in the line, if one is."""
    pos = 0
    for _ in range(MAX_MATCHES):
        m = _GETS.search(line, pos)
        if m is None:
            return None
        name = next(g for g in m.groups() if g)
        if _is_name(name, inst):
            return m.start()
        pos = m.start() + 1
    return None


def pay_spans(d: Draft, inst: Institutions) -> list[tuple[int, int]]:
    """Spans of the normalised draft that give a named person's pay: a row
    headed by a name with a scale or a sum that is pay (a pay word in the
    row, or two such rows in a post about pay), or a name given a scale or
    pay by a verb."""
    t = d.text
    pay_post = bool(PAY_WORD.search(t))
    spans: list[tuple[int, int]] = []
    listed: list[tuple[int, int]] = []    # a name and a bare sum: pay only as a list in a pay post

    def row(unit: str, scale, amount) -> str | None:
        """"pay" for a row headed by a name with a scale or a sum called pay,
        "sum" for one with a bare sum, None for anything else."""
        head = _ROW_NAME.match(unit)
        if head is None and ":" in unit[:40]:    # "Salarissen team: Pieter 4.850"
            head = _ROW_NAME.match(unit[unit.index(":") + 1:])
        if head is None or not _is_name(head.group(1), inst):
            return None
        if scale or (amount and PAY_WORD.search(unit)):
            return "pay"
        return "sum" if amount else None

    def lead(s: int, e: int) -> tuple[int, int]:
        return e - len(t[s:e].lstrip()), e

    for s, e in _units(t, _LINE_BREAK, limit=MAX_LINES):
        line = t[s:e]
        scale, amount = SCALE.search(line), AMOUNT.search(line)
        if not (scale or amount or _ALLOWANCE.search(line)):
            continue
        if row(line, scale, amount) == "pay":
            spans.append(lead(s, e))
            continue
        said = _paid_name_at(line, inst)
        if said is not None and (scale or PAY_WORD.search(line, said)):
            spans.append((s + said, e))
            continue
        if (scale or (amount and _PAY_SURE.search(line))) and _ONE_PERSON.search(_EITHER.sub(" ", line)):
            spans.append(lead(s, e))
            continue
        for cs, ce in _units(t, _CLAUSE_BREAK, s, e):   # "Salarissen: Pieter 4.850, Anja 5.120"
            clause = t[cs:ce]
            kind = row(clause, SCALE.search(clause), AMOUNT.search(clause))
            if kind == "pay":
                spans.append(lead(cs, ce))
            elif kind == "sum" and pay_post:
                listed.append(lead(cs, ce))
    if len(listed) >= 2 or (listed and spans):
        spans.extend(listed)
    return sorted(spans)[:MAX_MATCHES]


def check(d: Draft, inst: Institutions) -> list[Hit]:
    """A named person's pay: confidential, high (low where the draft talks
    about the rule itself, as every confidential hit)."""
    return [Hit("confidential", "salary", "low" if meta(d, s) else "high", s, e) for s, e in pay_spans(d, inst)]
