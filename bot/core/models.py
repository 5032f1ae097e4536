"""Domain models shared by answering, review and onboarding."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Language = Literal["nl", "en"]
Severity = Literal["high", "medium", "low"]
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}   # how bad: a post's verdict follows its worst finding
Verdict = Literal["ok", "caution", "do_not_post"]


@dataclass(frozen=True)
class Passage:
    """One retrievable unit of a policy document, as stored in the index.

    `text` is verbatim from the source. `kind` is "guideline" (a heading and
    its whole body), "sentence" (one sentence of a longer guideline), "item"
    (one Do or Don't of a list), "cao" (a collective-agreement article) or
    "topics" (the English and Dutch search words of a guideline or sentence:
    embedded on their own so a question in either language finds it, while
    `text` still holds the verbatim passage they lead to).
    `guideline` is the stable key of the guideline a passage belongs to, so
    that hits on a sentence and on its guideline count as one citation.
    """

    id: str
    org: str
    organisation: str
    document: str
    section: str
    path: tuple[str, ...]
    kind: str
    text: str
    guideline: str
    slot: str
    order: int
    cao: tuple[str, ...] = ()
    topics: str = ""
    summary_en: str = ""
    summary_nl: str = ""

    def summary(self, language: Language) -> str:
        return self.summary_en if language == "en" else self.summary_nl

    def embedding_text(self) -> str:
        """What the embedder and BM25 see: organisation, document and heading
        path give a short passage context; topics add English and Dutch search
        words. Quotes always come from `text`, never from this."""
        head = " › ".join(x for x in self.path if x)
        body = self.topics if self.kind == "topics" else self.text
        return f"{self.organisation} — {self.document} — {head}\n{body}"


@dataclass(frozen=True)
class Citation:
    organisation: str
    document: str
    section: str
    quote: str
    cao: tuple[str, ...]
    score: float
    org: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        return {
            "organisation": self.organisation,
            "document": self.document,
            "section": self.section,
            "quote": self.quote,
            "cao": list(self.cao),
            "score": round(float(self.score), 4),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    language: Language
    abstained: bool
    answer: str
    citations: tuple[Citation, ...]
    short_answer: str = ""
    contacts: tuple[str, ...] = ()
    # Calibrated: for an answer, P(in scope) x P(the first guideline);
    # for an abstention, P(in scope).
    confidence: float = 0.0

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "language": self.language,
            "abstained": self.abstained,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "confidence": round(float(self.confidence), 4),
        }


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    start: int
    end: int
    excerpt: str
    message: str
    suggestion: str
    citations: tuple[Citation, ...]
    # A finding in an image has a pixel box [x, y, w, h] instead of character offsets.
    box: tuple[int, int, int, int] | None = None
    confidence: float | None = None   # the semantic classifier's probability, when it scored this span

    def to_dict(self) -> dict:
        where = {"box": list(self.box)} if self.box is not None else {"start": self.start, "end": self.end}
        out = {
            "rule": self.rule,
            "severity": self.severity,
            **where,
            "excerpt": self.excerpt,
            "message": self.message,
            "suggestion": self.suggestion,
            "citations": [c.to_dict() for c in self.citations],
        }
        if self.confidence is not None:
            out["confidence"] = round(float(self.confidence), 3)
        return out


@dataclass(frozen=True)
class Review:
    verdict: Verdict
    language: Language
    findings: tuple[Finding, ...]
    related: tuple[Citation, ...]

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "language": self.language,
            "findings": [f.to_dict() for f in self.findings],
            "related": [c.to_dict() for c in self.related],
        }


@dataclass(frozen=True)
class OrganisationInfo:
    """What the core knows of an organisation, from its document metadata."""

    org: str
    organisation: str
    organisation_en: str
    document: str
    collective_agreement: str | None
    contact_nl: str
    contact_en: str
    # For the chat channels, from the same metadata: how staff name it in
    # chat ("for Leiden"), words of its name that are also everyday words
    # ("dit kan leiden tot…"), and example questions for help texts.
    short_name: str = ""
    everyday_words: tuple[str, ...] = ()
    examples_nl: tuple[str, ...] = ()
    examples_en: tuple[str, ...] = ()
    # Its review policy (knowledge/review/<org>.yaml, a review.policy.ReviewPolicy):
    # what review findings cite and advise; None: cited through retrieval.
    review: object | None = field(default=None, compare=False)

    def contact(self, language: Language) -> str:
        return self.contact_en if language == "en" else self.contact_nl

    def name(self, language: Language) -> str:
        return self.organisation_en if language == "en" else self.organisation

    def examples(self, language: Language) -> tuple[str, ...]:
        return self.examples_en if language == "en" else self.examples_nl


def as_plain(obj) -> dict:
    """Dataclass to plain dict (for debugging and storage of non-draft data)."""
    return asdict(obj)
