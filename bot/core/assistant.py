"""The Assistant: the one facade the CLI, Slack and Teams call."""

from __future__ import annotations

from typing import Sequence

from bot.core.answering import Answerer, InvalidQuestion, Retriever
from bot.core.catalogue import Catalogue
from bot.core.models import Answer, Language, Review


class UnknownOrganisation(ValueError):
    pass


class Assistant:
    def __init__(self, answerer: Answerer, catalogue: Catalogue, retriever: Retriever,
                 reviewer=None, onboarding=None, default_org: str | None = None) -> None:
        self.answerer = answerer
        self.catalogue = catalogue
        self.retriever = retriever
        self.reviewer = reviewer
        self.onboarding = onboarding
        self.default_org = default_org

    @property
    def organisations(self):
        return self.catalogue.organisations

    def scope(self, org: str | None = None) -> list[str]:
        """The organisations to search: the one asked for, else the default, else all."""
        chosen = org or self.default_org
        if not chosen:
            return sorted(self.organisations)
        if chosen not in self.organisations:
            raise UnknownOrganisation(
                f"unknown organisation {chosen!r}; choose one of: {', '.join(sorted(self.organisations))}"
            )
        return [chosen]

    def ask(self, question: str, org: str | None = None) -> Answer:
        return self.answerer.answer(question, self.scope(org))

    def ask_many(self, questions: Sequence[str], org: str | None = None) -> list[Answer]:
        return [self.ask(q, org) for q in questions]

    def review(self, text: str, org: str | None = None) -> Review:
        if self.reviewer is None:
            raise RuntimeError("draft review is not configured")
        return self.reviewer.review(text, self.scope(org))


__all__ = ["Assistant", "InvalidQuestion", "UnknownOrganisation", "Language"]
