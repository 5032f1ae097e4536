"""Dutch or English? A stop-word vote: fast, dependency-free and good enough
for the two languages staff write in."""

from __future__ import annotations

import re

from bot.core.models import Language

_WORD = re.compile(r"(?<![0-9])[a-zA-ZÀ-ÿ]+")  # "5a" in an address is no English "a"
# Frequent function words and the staff vocabulary of this domain.
_NL = set(
    """de het een en van ik je jij u uw mijn mag kan kun kunnen wij we zij ze niet geen wel
    is zijn was waren met voor op aan als dat die dit wat wie waar hoe waarom wanneer welke
    mogen moet moeten over naar bij ook nog maar of er om te tot uit door zo dan al hebben
    heb heeft deze onze ons mij zich worden wordt graag mogelijk eigenlijk gewoon even toch
    nou dus want omdat iets niets iemand niemand alles veel weinig meer minder zelf eigen
    collega collegas foto studenten plaatsen delen bericht berichten zonder namens mogen
    gebruiken zetten posten twitteren mogelijk gaat gaan doen doe doet krijg krijgen alleen
    vertellen zeggen zegt mijnheer mevrouw daar hier dat erg oké beter liever thuis
    boos vandaag morgen gisteren bedankt dank nieuwe mooie""".split()
)
_EN = set(
    """the a an and of i you your my may can could we they not no is are was were with for
    on at as that this these those what who where how why when which must should about to
    from by also but or if then have has had be been do does did our us me it its would
    will share post posting posted colleague colleagues photo photos picture students
    without behalf allowed am im ive dont cant isnt whats okay ok anything something
    someone anyone everything there here any some all just like get got really actually
    work stuff people online covers cover keeping keep allowed rules rule happens happen
    after before other another own tweet tweeting account accounts page group still so
    angry very much today tomorrow yesterday thanks thank great new""".split()
)


def detect_language(text: str, default: Language = "nl") -> Language:
    words = [w.lower() for w in _WORD.findall(text.replace("'", "").replace("’", ""))]
    nl = sum(w in _NL for w in words)
    en = sum(w in _EN for w in words)
    if nl == en:
        if re.search(r"\b(ij|oe|ui|aa|ee)\w*", text.lower()) and not en:
            return "nl"
        return default
    return "nl" if nl > en else "en"
