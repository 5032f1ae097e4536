"""Onboarding for new staff: the key rules of their organisation, the CAO
articles that bind them, who to contact, and a scenario quiz.

All content comes from the knowledge base (the catalogue of stored passages
and the quiz data in knowledge/quiz/); adapters only render it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol, Sequence

from bot.core.catalogue import Catalogue, citation_for
from bot.core.models import Citation, Language


class OnboardingError(ValueError):
    pass


@dataclass(frozen=True)
class OnboardingContent:
    org: str
    organisation: str
    document: str
    language: Language
    key_rules: tuple[Citation, ...]   # e.g. Leiden's 10 Do's and Don'ts; ROC's guidelines 1-5
    dos: tuple[Citation, ...]
    donts: tuple[Citation, ...]
    cao: tuple[Citation, ...]         # the collective-agreement articles, where one applies
    contact: str


@dataclass(frozen=True)
class Scenario:
    id: str
    org: str
    text: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    citations: tuple[Citation, ...]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "choices": list(self.choices),
            "answer": self.answer,
            "explanation": self.explanation,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class Quiz:
    org: str
    organisation: str
    language: Language
    scenarios: tuple[Scenario, ...]

    def to_dict(self) -> dict:
        return {"organisation": self.organisation, "scenarios": [s.to_dict() for s in self.scenarios]}

    def scenario(self, scenario_id: str) -> Scenario:
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise OnboardingError(f"no scenario {scenario_id!r} in the {self.org} quiz")


@dataclass
class Progress:
    user_key: str
    channel: str
    org: str
    display_name: str | None
    started_at: datetime
    answers: dict[str, int] = field(default_factory=dict)
    score: int = 0
    total: int = 0
    completed_at: datetime | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class QuizStep:
    """The outcome of one answer, and what comes next."""

    scenario: Scenario
    choice: int
    correct: bool
    next: Scenario | None
    progress: Progress
    number: int   # 1-based position of the scenario just answered
    next_number: int | None = None   # 1-based position of `next` (None when done)

    @property
    def total(self) -> int:
        return self.progress.total


class ProgressStore(Protocol):
    def get(self, user_key: str) -> Progress | None: ...
    def start(self, user_key: str, channel: str, org: str, total: int, display_name: str | None = None) -> Progress: ...
    def save(self, progress: Progress) -> None: ...
    def all(self) -> list[Progress]: ...


def _localised(value, language: Language) -> str:
    if isinstance(value, dict):
        return value.get(language) or value.get("nl") or value.get("en") or ""
    return str(value)


class Onboarding:
    """`quiz_data` maps an organisation to its quiz file's content:
    {"key_sections": [...], "dos": section, "donts": section, "scenarios": [...]}."""

    def __init__(self, catalogue: Catalogue, quiz_data: dict[str, dict], progress: ProgressStore | None = None):
        self.catalogue = catalogue
        self.quiz_data = quiz_data
        self.progress = progress
        for org in quiz_data:
            for language in ("nl", "en"):
                self.quiz(org, language)  # fail at start-up on a broken citation

    # -- content
    def content(self, org: str, language: Language = "nl") -> OnboardingContent:
        info = self.catalogue.organisations.get(org)
        if info is None:
            raise OnboardingError(f"unknown organisation {org!r}")
        data = self.quiz_data.get(org, {})
        key_rules: list[Citation] = []
        for section in data.get("key_sections", []):
            items = self.catalogue.items(org, section)
            if items:
                key_rules.extend(citation_for(p, 1.0) for p in items)
            else:
                key_rules.append(self.catalogue.cite(org, section))
        dos = tuple(citation_for(p, 1.0) for p in self.catalogue.items(org, data["dos"])) if data.get("dos") else ()
        donts = tuple(citation_for(p, 1.0) for p in self.catalogue.items(org, data["donts"])) if data.get("donts") else ()
        cao = tuple(citation_for(p, 1.0) for p in self.catalogue.passages if p.org == org and p.kind == "cao")
        return OnboardingContent(
            org=org, organisation=info.organisation, document=info.document, language=language,
            key_rules=tuple(key_rules), dos=dos, donts=donts, cao=cao, contact=info.contact(language),
        )

    # -- quiz
    def quiz(self, org: str, language: Language = "nl") -> Quiz:
        info = self.catalogue.organisations.get(org)
        if info is None or org not in self.quiz_data:
            raise OnboardingError(f"no quiz for organisation {org!r}")
        scenarios = []
        for raw in self.quiz_data[org].get("scenarios", []):
            choices = tuple(_localised(c, language) for c in raw["choices"])
            answer = int(raw["answer"])
            if not 0 <= answer < len(choices):
                raise OnboardingError(f"scenario {raw['id']}: answer {answer} is not a choice")
            citations = tuple(
                self.catalogue.cite(c.get("org", org), c["section"], c.get("starts_with")) for c in raw["cite"]
            )
            if not citations:
                raise OnboardingError(f"scenario {raw['id']}: an explanation must cite a guideline")
            scenarios.append(Scenario(
                id=raw["id"], org=org, text=_localised(raw["text"], language), choices=choices,
                answer=answer, explanation=_localised(raw["explanation"], language), citations=citations,
            ))
        return Quiz(org=org, organisation=info.organisation, language=language, scenarios=tuple(scenarios))

    def _store(self) -> ProgressStore:
        if self.progress is None:
            raise OnboardingError("onboarding progress is not configured")
        return self.progress

    def start(self, user_key: str, channel: str, org: str, display_name: str | None = None,
              language: Language = "nl") -> tuple[Progress, Scenario]:
        quiz = self.quiz(org, language)
        progress = self._store().start(user_key, channel, org, len(quiz.scenarios), display_name)
        return progress, quiz.scenarios[0]

    def current(self, user_key: str, language: Language = "nl") -> Scenario | None:
        """The next unanswered scenario, or None when done or never started."""
        progress = self._store().get(user_key)
        if progress is None:
            return None
        for s in self.quiz(progress.org, language).scenarios:
            if s.id not in progress.answers:
                return s
        return None

    def answer(self, user_key: str, scenario_id: str, choice: int, language: Language = "nl") -> QuizStep:
        store = self._store()
        progress = store.get(user_key)
        if progress is None:
            raise OnboardingError("this quiz was not started")
        quiz = self.quiz(progress.org, language)
        scenario = quiz.scenario(scenario_id)
        if not 0 <= choice < len(scenario.choices):
            raise OnboardingError(f"choice {choice} is not one of the {len(scenario.choices)} choices")
        if scenario_id not in progress.answers:  # a repeated click changes nothing
            progress.answers[scenario_id] = choice
            progress.score = sum(
                1 for s in quiz.scenarios if s.id in progress.answers and progress.answers[s.id] == s.answer
            )
        remaining = [s for s in quiz.scenarios if s.id not in progress.answers]
        if not remaining and progress.completed_at is None:
            progress.completed_at = datetime.now(timezone.utc)
        store.save(progress)
        ids = [s.id for s in quiz.scenarios]
        chosen = progress.answers[scenario_id]
        following = remaining[0] if remaining else None
        return QuizStep(scenario, chosen, chosen == scenario.answer, following, progress,
                        ids.index(scenario_id) + 1, ids.index(following.id) + 1 if following else None)

    # -- report
    def report_rows(self) -> list[dict]:
        return report_rows(self._store())

    def report_csv(self) -> str:
        return report_csv(self._store())


REPORT_COLUMNS = ("user", "name", "channel", "organisation", "started_at", "answered", "score", "total", "completed_at")


def report_rows(store: ProgressStore) -> list[dict]:
    """Completion per person, for a manager."""
    rows = []
    for p in store.all():
        rows.append({
            "user": p.user_key,
            "name": p.display_name or "",
            "channel": p.channel,
            "organisation": p.org,
            "started_at": p.started_at.isoformat(timespec="seconds") if p.started_at else "",
            "answered": len(p.answers),
            "score": p.score,
            "total": p.total,
            "completed_at": p.completed_at.isoformat(timespec="seconds") if p.completed_at else "",
        })
    return rows


def report_csv(store: ProgressStore) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(store))
    return buf.getvalue()


def orgs_with_quiz(quiz_data: dict[str, dict]) -> Sequence[str]:
    return sorted(quiz_data)
