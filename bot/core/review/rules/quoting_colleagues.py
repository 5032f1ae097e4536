"""The quoting_colleagues rule: what a colleague said, quoted ("mijn collega
zei: …"). Quoting a public speech or interview is not quoting a colleague."""

from __future__ import annotations

from bot.core.review.rules import quotes
from bot.core.review.rules.base import Hit, each, overlaps, rx, rx_cased
from bot.core.review.rules.context import negated
from bot.core.review.rules.institutions import Institutions
from bot.core.review.text import Draft

_QUOTE_MARK = rx_cased(r"[^\n]{0,40}?(?:[:\"]|''|,\s*')")
# Quoting what someone said in public (a speech, an interview) is not quoting a colleague.
_PUBLIC_WORDS = rx(r"\b(?:speech|toespraak|keynote|interview|krant|newspaper|podcast|oratie|inaugural|"
                   r"persbericht|press\s+release|publicly|openbaar|in\s+public|column|op\s+tv|on\s+tv|"
                   r"on\s+the\s+radio|op\s+de\s+radio|livestream|opening\s+van\s+het\s+academisch\s+jaar|"
                   r"opening\s+of\s+the\s+academic\s+year|dies\s+natalis)\b")
_INTERNAL_HINT = rx(r"\b(?:vergadering|overleg|meeting|intern|internal|vertrouwelijk|confidential|reorgani|"
                    r"MT\b|bestuur|board)")


# A colleague named, then a verb of saying followed by a quotation:
# "our faculty dean … she said it was "a disaster"".
_QROLE_MENTION = rx(rf"\b(?:mijn|onze|m'n|my|our)\s+(?:[\w-]+\s+)?(?:{quotes.ROLE_NL}|{quotes.ROLE_EN})(?:'?s)?\b")
_QSAY_THEN_QUOTE = rx(rf"\b(?:{quotes.SAY_NL}|{quotes.SAY_EN}|zei\s+ze|zei\s+hij)\b[^\n\"]{{0,25}}?[\"]")


def check(d: Draft, inst: Institutions) -> list[Hit]:
    hits = []
    t = d.text
    for m in each(_QROLE_MENTION, t):
        window = t[m.end():m.end() + 150].split("\n", 1)[0]
        if _PUBLIC_WORDS.search(d.sentence(m.start())):
            continue
        if _QSAY_THEN_QUOTE.search(window) and not negated(d, m.start()):
            kind = "internal" if _INTERNAL_HINT.search(d.sentence(m.start())) else "quote"
            hits.append(Hit("quoting_colleagues", kind, "medium", m.start(), m.end()))
    for m in each(quotes.DIRECT, t):
        if negated(d, m.start()) or _PUBLIC_WORDS.search(d.sentence(m.start())):
            continue
        kind = "internal" if _INTERNAL_HINT.search(d.sentence(m.start())) else "quote"
        hits.append(Hit("quoting_colleagues", kind, "medium", m.start(), m.end()))
    for m in each(quotes.INDIRECT, t):
        if negated(d, m.start()) or overlaps((m.start(), m.end()), [(h.start, h.end) for h in hits]):
            continue
        if _PUBLIC_WORDS.search(d.sentence(m.start())):
            continue
        quoted = bool(_QUOTE_MARK.match(t, m.end()))
        kind = "internal" if _INTERNAL_HINT.search(d.sentence(m.start())) else "quote"
        hits.append(Hit("quoting_colleagues", kind, "medium" if quoted else "low", m.start(), m.end()))
    return hits
