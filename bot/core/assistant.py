"""The Assistant: the one facade the CLI, Slack and Teams call."""

from __future__ import annotations

from typing import Sequence

from bot.core.answering import Answerer, InvalidQuestion, Retriever
from bot.core.catalogue import Catalogue
from bot.core.conversation import Conversation, Turn, valid_feedback
from bot.core.models import Answer, Language, Review


class UnknownOrganisation(ValueError):
    pass


class Assistant:
    def __init__(self, answerer: Answerer, catalogue: Catalogue, retriever: Retriever,
                 reviewer=None, onboarding=None, default_org: str | None = None,
                 feedback=None, events=None, images=None) -> None:
        self.answerer = answerer
        self.catalogue = catalogue
        self.retriever = retriever
        self.reviewer = reviewer
        self.onboarding = onboarding
        self.default_org = default_org
        self.feedback = feedback  # FeedbackStore: records votes, never text
        self.events = events      # EventLedger: handled-event keys, for retries
        # ImageReviewer, or a zero-argument factory for one (its detectors load on first use)
        self._images = images

    @property
    def organisations(self):
        return self.catalogue.organisations

    # -- the conversation: the same for every channel
    @property
    def conversation(self) -> Conversation:
        organisations = self.organisations
        if getattr(self, "_conversation_of", None) is not organisations:  # a re-ingest may add one
            self._conversation = Conversation(organisations, self.default_org)
            self._conversation_of = organisations
        return self._conversation

    def understand(self, text: str) -> Turn:
        """What a message asks for: ask, review, quiz, help or org_switch."""
        return self.conversation.understand(text)

    def organisation_for(self, turn: Turn | None = None, remembered: str | None = None,
                         configured: str | None = None) -> str | None:
        return self.conversation.organisation(turn, remembered, configured)

    def organisation_name(self, org: str | None) -> str:
        return self.conversation.organisation_name(org)

    def valid_feedback(self, kind, vote, org=None, language=None, verdict=None, section=None) -> dict | None:
        return valid_feedback(self.catalogue, kind, vote, org, language, verdict, section)

    def citations(self, refs) -> list:
        """Citations named by (org, section, first words), as a card's "Show
        sources" button carries them; unknown ones are left out."""
        from bot.core.catalogue import UnknownGuideline

        out = []
        for org, section, words in list(refs)[:10]:
            if org not in self.organisations:
                continue
            try:
                out.append(self.catalogue.cite(org, section, words or None))
            except UnknownGuideline:
                continue
        return out

    # -- onboarding, so that adapters never reach inside it
    def onboarding_content(self, org: str, language: Language = "nl"):
        return self._onboarding().content(org, language)

    def quiz_orgs(self, org: str | None = None) -> list[tuple[str, str]]:
        """(org, name) of the organisations whose quiz can be taken: `org`'s, else all."""
        orgs = [org] if org else sorted(self.organisations)
        quizzes = getattr(self.onboarding, "quiz_data", None)
        return [(o, self.organisation_name(o)) for o in orgs
                if o in self.organisations and (quizzes is None or o in quizzes)]

    def quiz_start(self, user_key: str, channel: str, org: str, display_name: str | None = None,
                   language: Language = "nl"):
        """(progress, first scenario); the first scenario is number 1 of progress.total."""
        return self._onboarding().start(user_key, channel, org, display_name, language)

    def quiz_answer(self, user_key: str, scenario_id: str, choice: int, language: Language = "nl"):
        """A QuizStep: right or wrong, and the next scenario with its number."""
        return self._onboarding().answer(user_key, scenario_id, choice, language)

    def _onboarding(self):
        if self.onboarding is None:
            from bot.core.onboarding import OnboardingError
            raise OnboardingError("onboarding is not configured")
        return self.onboarding

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

    @property
    def images(self):
        if self._images is not None and not hasattr(self._images, "review_image"):
            self._images = self._images()
        return self._images

    def review_image(self, data: bytes, org: str | None = None, caption: str | None = None,
                     safe_copy: str | None = None, language: Language | None = None):
        """Check a photo (and its caption): faces, text in it, metadata. With
        `safe_copy` ("JPEG", "PNG", "WEBP") also a blurred copy without metadata.
        The image is never stored."""
        if self.images is None:
            raise RuntimeError("image review is not configured")
        return self.images.review_image(data, self.scope(org), caption, safe_copy, language)

    def record_feedback(self, channel: str, kind: str, vote: str, org: str | None = None,
                        language: str | None = None, verdict: str | None = None,
                        section: str | None = None) -> None:
        """Record a 👍/👎. Only what was rated is kept: never the question or draft."""
        if self.feedback is None:
            raise RuntimeError("feedback storage is not configured")
        self.feedback.record(channel, kind, vote, org=org, language=language, verdict=verdict, section=section)

    def first_delivery(self, key: str) -> bool:
        """True the first time an event key is seen (retried deliveries are False)."""
        return True if self.events is None else self.events.claim(key)

    def ready(self) -> bool:
        """Ready: the store answers and the models are loaded."""
        return self.retriever.store.ping()


__all__ = ["Assistant", "InvalidQuestion", "UnknownOrganisation", "Language"]
