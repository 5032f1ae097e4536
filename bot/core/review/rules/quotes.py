"""Quoting a colleague: "mijn collega zei: …", "according to my manager".
The quoting_colleagues rule reports it; the confidential rule reads it as
context (a colleague quoted on unannounced news is a leak)."""

from __future__ import annotations

from bot.core.review.rules.base import rx

ROLE_NL = (r"collega|collegaatje|teamleider|leidinggevende|manager|directeur|baas|afdelingshoofd|decaan|"
           r"coördinator|coordinator|rector|bestuurder|opleidingsmanager|onderwijsmanager|teamgenoot|hoogleraar")
ROLE_EN = (r"colleague|co-?worker|manager|boss|team\s+lead(?:er)?|director|dean|supervisor|head\s+of\s+"
           r"(?:department|school)|line\s+manager|department\s+head|professor|coordinator|teammate")
SAY_NL = (r"zei|zegt|zeiden|vertelde|vertelt|riep|schreef|appte|mailde|merkte\s+op|gaf\s+toe|beweerde|grapte|"
          r"verzuchtte|fluisterde|liet\s+zich\s+ontvallen")
SAY_EN = (r"said|says|told\s+(?:me|us|the\s+team)|wrote|texted|emailed|mentioned|shouted|admitted|claimed|"
          r"joked|whispered|put\s+it|complained|let\s+slip")
_ADVERB = r"(?:\s+(?:altijd|vaak|ooit|net|vandaag|gisteren|letterlijk|always|often|once|just|today|yesterday|literally))?"
DIRECT = rx(
    rf"\b(?:mijn|onze|een|de|die|m'n)\s+(?:{ROLE_NL})(?:'?s)?(?:\s+(?-i:[A-Z])[\w-]+){{0,2}}\s*,?{_ADVERB}\s+(?:{SAY_NL})\b|"
    rf"\b(?:{SAY_NL})\s+(?:mijn|onze|een|de|m'n)\s+(?:{ROLE_NL})(?:'?s)?\b|"
    rf"\b(?:my|our|a|the)\s+(?:{ROLE_EN})s?(?:\s+(?-i:[A-Z])[\w-]+){{0,2}}\s*,?{_ADVERB}\s+(?:{SAY_EN})\b|"
    rf"\b(?:said|says)\s+(?:my|our)\s+(?:{ROLE_EN})\b"
)
INDIRECT = rx(rf"\b(?:volgens|according\s+to|in\s+de\s+woorden\s+van|in\s+the\s+words\s+of)\s+(?:mijn|onze|my|our|m'n)\s+"
              rf"(?:{ROLE_NL}|{ROLE_EN})(?:'?s)?\b")
ANY = rx(rf"(?:{DIRECT.pattern})|(?:{INDIRECT.pattern})")
