"""The personal_data rule: the exact detectors. BSN (11-proof), IBAN (mod 97),
e-mail, phone, student and staff numbers and home addresses stay
deterministic: a pattern and a checksum, never a guess."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.review.identifiers import is_valid_bsn, is_valid_iban
from bot.core.review.rules.base import Hit, each, overlaps, rx, rx_cased
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_EMAIL = rx_cased(r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b")
_GENERIC_LOCAL = rx_cased(
    r"(?:info|informatie|communicatie|communications?|comms|pers|press|media|contact|secretariaat|secretariat|"
    r"office|receptie|reception|servicedesk|helpdesk|support|studentenbalie|studentdesk|studentservice|"
    r"admissions?|toelating|inschrijving|vacatures?|jobs|careers|werkenbij|hr|personeelszaken|recruitment|"
    r"marketing|events?|evenementen|opendag|voorlichting|studievoorlichting|no-?reply|webmaster|bibliotheek|"
    r"library|onderwijs|education|servicepunt|klantenservice|administratie|alumni|privacy|"
    r"socialmedia|social-media|redactie|editor|nieuws|news|stage|stages|internships?|team)"
    r"(?:[._-][a-z0-9-]+)*", re.I)
_FREEMAIL = rx_cased(r"(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|icloud|me|ziggo|kpnmail|kpnplanet|"
                     r"xs4all|planet|home|hetnet|chello|telfort|tele2|proton|protonmail|gmx|aol)\.", re.I)
_MOBILE = rx_cased(r"(?<![\w+])(?:(?:\+|00)\s?31[\s-]?(?:\(0\)[\s-]?)?|0)6(?:[\s-]?\d){8}(?!\d)")
_LANDLINE = rx_cased(r"(?<![\w+])(?:(?:(?:\+|00)\s?31[\s-]?(?:\(0\)[\s-]?)?|0)[1-57-9](?:[\s-]?\d){8}|"
                     r"\(0\d{2,3}\)\s?\d{2,3}[\s-]?\d{2}[\s-]?\d{2,3})(?!\d)")
_HOME = rx(r"\b(?:woont|woon|wonen|woonde|thuis|thuisadres|huisadres|privéadres|prive-?adres|privé-?nummer|"
           r"privénummer|home|lives|living|moved\s+to|verhuisd\s+naar|adres\s+van|address\s+of|mijn\s+adres|"
           r"my\s+address|zijn\s+adres|haar\s+adres|his\s+address|her\s+address|their\s+address|hun\s+adres|"
           r"mijn\s+nummer|my\s+number|zijn\s+nummer|haar\s+nummer|his\s+number|her\s+number|privé|private|"
           r"persoonlijke?\s+nummer|personal\s+number|bel\s+me|call\s+me|app\s+me|text\s+me)\b")
_BSN = rx_cased(r"(?<![\d.,-])(?:\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3}[ .]\d{3}[ .]\d{3})(?!\d|[.,-]\d)")
_MONEY_BEFORE = rx_cased(r"(?:€|\$|£|eur|euro|usd)\s?$", re.I)
_IBAN = rx_cased(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
_STUDENT_NO = rx(r"\b[sS]\d{7}\b|\b(?:studentnummer|studentnr|student\s+number|student\s+no|student\s+id|"
                 r"leerlingnummer|leerlingnr|ov-?nummer)\.?\s*[:#]?\s*(?:is\s+)?[sS]?\d{5,8}\b")
_STAFF_NO = rx(r"\b(?:personeelsnummer|personeelsnr|medewerkersnummer|werknemersnummer|employee\s+(?:number|no|id)|"
               r"staff\s+(?:number|no|id)|personnel\s+number)\.?\s*[:#]?\s*(?:is\s+)?\d{4,8}\b")
_ADDRESS_PC = rx_cased(r"\b[A-Z][a-zßæøðþ'-]+(?:\s[A-Za-zßæøðþ'.-]+){0,3}\s\d{1,4}(?:\s?[a-zA-Z](?![a-zA-Z])|-\d{1,3})?,?"
                       r"\s+[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b")
_ADDRESS_STREET = rx_cased(r"\b[A-Z][a-zßæøðþ'-]{0,40}(?:straat|laan|weg|plein|gracht|singel|kade|dreef|steeg|hof|dijk|"
                           r"markt|park|pad|baan|burgwal|plantsoen|erf|ring|haven|wal|street|road|avenue|lane|drive)"
                           r"\s\d{1,4}(?:\s?[a-zA-Z](?![a-zA-Z])|-\d{1,3})?\b")
_PLACE = rx(r"\b(?:locatie|location|campus|gebouw|building|zaal|aula|bezoekadres|visiting\s+address|postadres|"
            r"postal\s+address|hoofdkantoor|head\s+office|venue|open\s+dag|open\s+day|opendag|evenement|event|"
            r"congres|conference|symposium|faculteit|bibliotheek|library|kantoor|office|vestiging|college|"
            r"school|welkom|welcome|postbus|p\.?\s?o\.?\s+box|adres:\s|address:\s)\b")


_HOUSE_NUMBER = rx_cased(r"\s\d{1,4}")
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


def _address_kind(sentence: str) -> tuple[str, str] | None:
    """What an address in this sentence is. A word saying whose home it is
    wins ("opgehaald bij haar thuis, Keizerstraat 41" on the way to an open
    day is still her home); else a venue, campus or office is meant to be
    found; else it may be a home ("in hun tuin aan de Kastanjelaan 17"): a hint."""
    if _HOME.search(sentence):
        return "address", "high"
    if _PLACE.search(sentence):
        return None
    return "address_unclear", "low"


# An account in the name of an organisation (a foundation, the institution) is not a person's.
@lru_cache(maxsize=8)
def _org_account(inst: Institutions) -> re.Pattern:
    return rx(r"\b(?:t\.?\s?n\.?\s?v\.?|ten\s+name\s+van|in\s+the\s+name\s+of)\s+(?:de\s+|het\s+|the\s+)?"
              rf"(?:stichting|vereniging|foundation|association|charity|goede\s+doel|universiteit|university|"
              rf"{inst.pattern})\b")


def check(d: Draft, inst: Institutions) -> list[Hit]:
    t = d.text
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, severity: str, start: int, end: int) -> None:
        if overlaps((start, end), taken):
            return
        taken.append((start, end))
        hits.append(Hit("personal_data", kind, severity, start, end))

    for m in each(_IBAN, t):
        chunks = m.group().split()
        # The pattern may run into a following capitalised word: try shorter.
        for n in range(len(chunks), 0, -1):
            candidate = " ".join(chunks[:n])
            if is_valid_iban(candidate):
                # "t.n.v." ends a sentence for the splitter: read a window around the number too
                around = t[max(0, m.start() - 80):m.end() + 80]
                organisation = _org_account(inst).search(d.sentence(m.start())) or _org_account(inst).search(around)
                severity = "medium" if organisation else "high"
                add("iban", severity, m.start(), m.start() + len(candidate))
                break
    # Phone numbers before BSNs: "+31 612345678" holds nine digits.
    for m in each(_MOBILE, t):
        add("phone", "medium", m.start(), m.end())
    for m in each(_LANDLINE, t):
        if overlaps((m.start(), m.end()), taken):
            continue
        home = bool(_HOME.search(d.sentence(m.start())))
        add("phone" if home else "phone_public", "medium" if home else "low", m.start(), m.end())
    for m in each(_BSN, t):
        if not is_valid_bsn(m.group()) or _MONEY_BEFORE.search(t[max(0, m.start() - 6):m.start()]):
            continue
        add("bsn", "high", m.start(), m.end())
    for m in each(_STUDENT_NO, t):
        add("student_number", "medium", m.start(), m.end())
    for m in each(_STAFF_NO, t):
        add("staff_number", "medium", m.start(), m.end())
    for m in each(_EMAIL, t):
        local, _, domain = m.group().partition("@")
        mail = inst.mail_kind(domain)
        if mail == "work":
            continue  # a colleague's work address or a functional mailbox the institution publishes
        if mail is None and _GENERIC_LOCAL.fullmatch(local) and not _FREEMAIL.match(domain):
            continue  # an official generic address (info@, communicatie@…) is meant to be public
        add("email", "medium", m.start(), m.end())
    for m in each(_ADDRESS_PC, t):
        kind = _address_kind(d.sentence(m.start()))
        if kind:
            add(*kind, _street_start(t, m.start(), m.end()), m.end())
    for m in each(_ADDRESS_STREET, t):
        kind = _address_kind(d.sentence(m.start()))
        if kind:
            add(*kind, m.start(), m.end())
    return hits
