"""The catalogue: every stored passage, looked up by organisation, section
and opening words. Review rules and onboarding cite guidelines through it,
so every citation quotes the knowledge base verbatim."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from bot.core.models import Citation, OrganisationInfo, Passage


class UnknownGuideline(KeyError):
    pass


class Catalogue:
    def __init__(self, passages: Iterable[Passage], organisations: dict[str, OrganisationInfo]):
        self.passages = sorted(passages, key=lambda p: (p.org, p.order))
        self.organisations = organisations
        self._by_section: dict[tuple[str, str], list[Passage]] = defaultdict(list)
        self._by_guideline: dict[str, list[Passage]] = defaultdict(list)
        for p in self.passages:
            if p.kind == "topics":
                continue  # search words only; their text duplicates a real passage
            self._by_section[(p.org, p.section)].append(p)
            self._by_guideline[p.guideline].append(p)

    def orgs(self) -> list[str]:
        return sorted(self.organisations)

    def sections(self, org: str) -> list[str]:
        seen: dict[str, None] = {}
        for p in self.passages:
            if p.org == org and p.kind != "cao":
                seen.setdefault(p.section, None)
        return list(seen)

    def find(self, org: str, section: str, starts_with: str | None = None) -> Passage:
        """The guideline passage of a section, or the sentence/item in it that
        starts with the given words."""
        candidates = self._by_section.get((org, section))
        if not candidates:
            raise UnknownGuideline(f"{org}: no section {section!r}")
        if starts_with is None:
            for p in candidates:
                if p.kind in ("guideline", "cao"):
                    return p
            return candidates[0]
        for p in candidates:
            if p.kind != "guideline" and p.text.startswith(starts_with):
                return p
        for p in candidates:
            if starts_with in p.text:
                return p
        raise UnknownGuideline(f"{org}: {section!r} has no passage starting {starts_with!r}")

    def guideline_passages(self, guideline: str) -> list[Passage]:
        return self._by_guideline.get(guideline, [])

    def section_passages(self, org: str, section: str) -> list[Passage]:
        """A section's passages in document order (search words excluded)."""
        return list(self._by_section.get((org, section), []))

    def items(self, org: str, section: str) -> list[Passage]:
        return [p for p in self._by_section.get((org, section), []) if p.kind == "item"]

    def cao_article(self, article_id: str) -> Passage | None:
        for p in self.passages:
            if p.kind == "cao" and p.cao == (article_id,):
                return p
        return None

    def cite(self, org: str, section: str, starts_with: str | None = None, score: float = 1.0) -> Citation:
        return citation_for(self.find(org, section, starts_with), score)


def citation_for(p: Passage, score: float, quote: str | None = None) -> Citation:
    return Citation(
        organisation=p.organisation,
        document=p.document,
        section=p.section,
        quote=quote if quote is not None else p.text,
        cao=p.cao,
        score=score,
        org=p.org,
    )
