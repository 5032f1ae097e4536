"""The institutions the rules must recognise, as data: their names
("Namens <name>", "<name> vindt…", "© <name>"), abbreviations (the "ABC" in
"ABC-logo"; capitals that are not shouting), places (a capitalised town is
not a person's name) and mail domains (an address there is a work address or a
functional mailbox the institution publishes; its students' domains are not).

They come from knowledge/ (each document's metadata and
knowledge/review/<org>.yaml, read by bot/knowledge.py), never from code, so
a new institution is recognised by adding files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from bot.core.review import lexicon as L
from bot.core.review.normalise import fold_accents

_SEPARATOR = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class Institutions:
    names: tuple[str, ...] = ()           # in each language: "Hogeschool Noord", "Noord University"
    abbreviations: tuple[str, ...] = ()   # written in capitals: "UL"
    places: tuple[str, ...] = ()          # towns of its locations
    mail_domains: tuple[str, ...] = ()    # staff and functional mail, subdomains included: "noord.nl"
    student_mail_domains: tuple[str, ...] = ()   # students' mail: personal, even under mail_domains

    def merged(self, other: "Institutions") -> "Institutions":
        def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys((*a, *b)))

        return Institutions(union(self.names, other.names), union(self.abbreviations, other.abbreviations),
                            union(self.places, other.places), union(self.mail_domains, other.mail_domains),
                            union(self.student_mail_domains, other.student_mail_domains))

    def mail_kind(self, domain: str) -> str | None:
        """"student" for a students' mail domain, "work" for the institution's
        own (a colleague's work address, a functional mailbox), else None."""
        domain = domain.lower().rstrip(".")

        def under(domains: tuple[str, ...]) -> bool:
            return any(domain == d or domain.endswith("." + d) for d in (x.lower() for x in domains))

        if under(self.student_mail_domains):
            return "student"
        return "work" if under(self.mail_domains) else None

    @cached_property
    def pattern(self) -> str:
        """A regex alternation of the names and abbreviations, longest first;
        a space or hyphen in a name matches either ("Hogeschool Noord-Oost")."""
        literal = sorted({fold_accents(n) for n in (*self.names, *self.abbreviations) if n.strip()},
                         key=lambda n: (-len(n), n))
        parts = [r"[\s-]+".join(re.escape(w) for w in _SEPARATOR.split(n.strip())) for n in literal]
        # A name nobody can write: keeps "(?:...)" valid when no institution is known.
        return "|".join(parts) if parts else r"(?!x)x"

    @cached_property
    def lower_abbreviations(self) -> tuple[str, ...]:
        return tuple(sorted({fold_accents(a).lower() for a in self.abbreviations if a.strip()}))

    @cached_property
    def acronyms(self) -> frozenset[str]:
        """All-capital words that are abbreviations, not shouting."""
        return L.ACRONYMS | {fold_accents(a).upper() for a in self.abbreviations}

    @cached_property
    def not_names(self) -> frozenset[str]:
        """Capitalised words that are not people's names."""
        words = {w.lower() for text in (*self.names, *self.abbreviations, *self.places)
                 for w in _SEPARATOR.split(fold_accents(text)) if w}
        return L.NOT_NAMES | words

    def is_not_a_name(self, word: str) -> bool:
        return word.lower() in self.not_names or word.upper() in self.acronyms
