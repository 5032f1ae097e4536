"""Quotes that answer: which verbatim words of a guideline to show.

- A guideline of up to three short sentences is quoted whole.
- From a longer one, the sentence closest to the question, carried on into
  the next sentence while it is a question ("Vragen over deze richtlijnen en
  regels?" is followed by the contact) or too short to stand alone, as long
  as that next sentence is not a rule of its own.
- A body that says nothing by itself (the metadata marks it `quote:
  heading`, e.g. "Deze richtlijn behoeft geen nadere uitleg.") is replaced by
  the heading, which is then the rule.
"""

from __future__ import annotations

from typing import Sequence

from bot.core.catalogue import Catalogue
from bot.core.models import Passage

WHOLE_MAX_SENTENCES = 3
WHOLE_MAX_CHARS = 360
STANDALONE_CHARS = 60


class Quoter:
    def __init__(self, catalogue: Catalogue, heading_only: Sequence[tuple[str, str]] = ()) -> None:
        self.catalogue = catalogue
        self.heading_only = set(heading_only)   # (org, section) whose body is no rule

    def quote(self, guideline: str, scored: Sequence[tuple[Passage, float]]) -> tuple[Passage, str]:
        """The passage that anchors the citation and the verbatim quote.
        `scored` are the guideline's passages with their similarity to the
        question (may be empty: then the guideline's first passage)."""
        own = [p for p in self.catalogue.guideline_passages(guideline) if p.kind != "topics"]
        if not own:
            raise KeyError(guideline)
        anchor = own[0]
        if (anchor.org, anchor.section) in self.heading_only:
            return anchor, anchor.section
        if anchor.kind in ("item", "cao"):
            return anchor, anchor.text
        section = [s for s in self.catalogue.section_passages(anchor.org, anchor.section) if s.kind == "sentence"]
        body = next((p for p in own if p.kind == "guideline"), None)
        if body is not None and self._short(body, section):
            return body, body.text
        # Candidate sentences: those of this guideline (an annotated rule is
        # one sentence; a section owns the sentences that are no rule of their own).
        mine = [s for s in section if s.guideline == guideline] or section
        if not mine:
            return anchor, anchor.text
        by_score = {p.id: s for p, s in scored}
        best = max(mine, key=lambda s: (by_score.get(s.id, -1.0), -s.order))
        return best, self._carry_on(best, section, guideline)

    @staticmethod
    def _short(body: Passage, sentences: list[Passage]) -> bool:
        # One paragraph only: a quote is one verbatim stretch of the source.
        return len(sentences) <= WHOLE_MAX_SENTENCES and len(body.text) <= WHOLE_MAX_CHARS and "\n" not in body.text

    @staticmethod
    def _carry_on(first: Passage, section: list[Passage], guideline: str) -> str:
        parts = [first.text]
        following = [s for s in section if s.order > first.order]
        for nxt in following:
            last = parts[-1].rstrip()
            if not (last.endswith("?") or len(" ".join(parts)) < STANDALONE_CHARS):
                break
            if nxt.guideline != guideline and nxt.guideline != f"{nxt.org}:{nxt.section}":
                break  # the next sentence is a rule of its own
            parts.append(nxt.text)
        return " ".join(parts)
