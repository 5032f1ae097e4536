"""Who a sentence is about: roles, pronouns and names, and photos of people.
Privacy, offensive and the semantic layer's features read these; a name is
a capitalised word that no list and no institution claims (institutions.py)."""

from __future__ import annotations

from bot.core.review.rules.base import rx, rx_cased
from bot.core.review.rules.institutions import Institutions

# People by their role, one or many.
ROLE_ONE = (r"collega|collegaatje|student|studente|leerling|cursist|stagiair|stagiaire|docent|docente|leraar|"
            r"lerares|mentor|teamleider|leidinggevende|manager|directeur|baas|hoogleraar|promovendus|"
            r"medewerker|medewerkster|secretaresse|conciërge|decaan|colleague|co-?worker|pupil|"
            r"lecturer|teacher|professor|supervisor|boss|director|dean|phd\s+candidate|staff\s+member|"
            r"employee|mevrouw|meneer|mevr\.|dhr\.|mr\.|mrs\.|ms\.|dr\.|prof\.")
ROLE_MANY = (r"collega's|collegas|studenten|leerlingen|cursisten|stagiairs|docenten|medewerkers|"
             r"colleagues|students|pupils|interns|teachers|kinderen|kids|children|klas|class|"
             r"deelnemers|participants|ouders|parents")
PERSON_ONE = rx(rf"\b(?:{ROLE_ONE})(?!\w)|\b(?:hij|zij|hem|he|she|him|his|her)\b")
PERSON_ANY = rx(rf"\b(?:{ROLE_ONE}|{ROLE_MANY})(?!\w)|\b(?:hij|zij|hem|he|she|him|his|her)\b|"
                r"\bv\.?\s?l\.?\s?n\.?\s?r\b|\bfrom\s+left\s+to\s+right\b")
_CAPWORD = rx_cased(r"(?<![\w@.#/'-])[A-ZÆØÞ][a-zßæøðþ]+(?:-[A-Z][a-zßæøðþ]+)?")
_SENT_START = rx_cased(r"^[\W\d_]*")
_NAME_VERB = rx(r"\s+(?:is|was|heeft|had|has|ligt|lag|zit|zat|kreeg|krijgt|got|zakte|failed|flunked|"
                r"werd|wordt|gets)\b|\s+(?-i:[A-Z][a-z])")
CREDIT = rx(r"\b(?i:foto|photo|beeld|image|video|film|credits?|fotograaf|photographer)\s*(?i::|by|door|credit:?)\s*"
            r"(?:[A-Z][a-zßæøðþ]+(?:\s+(?:van|de|der|den)?\s*[A-Z][a-zßæøðþ]+){0,2})", 0)
# A name right after the photo: "foto van Jan", "photo of Sanne and Ahmed", "met Daan".
PHOTO_NAME = rx_cased(r"\W{0,3}(?:[\w'-]+\s+){0,3}?(?i:van|of|met|with|featuring|feat\.|v\.?l\.?n\.?r\.?:?)"
                      r"\s+(?:(?i:onze|our|mijn|my)\s+)?([A-Z][a-zßæøðþ]+)")


# Photos and videos: privacy reads them with a person in the sentence, the
# semantic layer as whole-post context.
PHOTO = rx(r"\b(?:foto'?s|foto|fotootje|kiekje|kiekjes|plaatje|video'?s|video|filmpje|filmpjes|selfie|selfies|"
           r"photos?|pictures?|pics?|videos?|footage|snapshot|groepsfoto|klassenfoto|group\s+photo|class\s+photo)\b")


def has_name(sentence: str, institutions: Institutions | None = None) -> bool:
    """A capitalised word that is not a known non-name: mid-sentence, or the
    first word when a verb or a surname follows ("Pieter heeft…"). The
    institutions' names, abbreviations and places are not people's names."""
    vocabulary = institutions or Institutions()
    first = _SENT_START.match(sentence).end()
    for m in _CAPWORD.finditer(sentence):
        word = m.group()
        if vocabulary.is_not_a_name(word):
            continue
        if m.start() > first:
            return True
        if _NAME_VERB.match(sentence, m.end()):
            return True
    return False


def about_person(sentence: str, many: bool = False, institutions: Institutions | None = None) -> bool:
    pattern = PERSON_ANY if many else PERSON_ONE
    return bool(pattern.search(sentence)) or has_name(sentence, institutions)

