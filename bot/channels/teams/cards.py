"""Adaptive Cards (1.5) for Teams, each with a plain-text fallback.

Only rendering: every word of policy comes from the core's Answer, Review and
OnboardingContent; the labels around it are the only text written here.
Quotes, excerpts and other text that is not ours go into RichTextBlock
TextRuns, which Teams shows as they are (TextBlock would read them as
Markdown: "2. Persprotocol blijft gelden" would become a list item).

Card actions are Action.Submit; their data carries what to do and what was
rated, never the question or draft.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterable, Sequence

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.channels.labels import (SEVERITY_MARK, VERDICT_LABELS, clip, example_questions, naming_hint, points,
                                 quote_key, rule_label, verdict_key)
from bot.core.models import Answer, Citation, Review

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_FALLBACK_CHARS = 3000
# Teams messages are limited to about 28 KB, card included: a review shows at
# most MAX_FINDINGS findings and stops adding once the body passes BODY_BUDGET
# bytes (as JSON with \u escapes, the worst case on the wire).
MAX_FINDINGS = 10
BODY_BUDGET = 15_000
MAX_EXCERPT_CHARS = 300
MAX_FINDING_CITATIONS = 2
MAX_RELATED = 3

_LABELS = {
    "en": {
        "answer": "Answer",
        "closest": "Closest guidelines",
        "show_sources": "Show sources",
        "show_rules": "Show the rules",
        "abstain": "Not in the guidelines",
        "sources": "What the guidelines say",
        "organisation": "Organisation",
        "document": "Document",
        "section": "Section",
        "cao": "CAO article",
        "caos": "CAO articles",
        "contact": "Questions the guidelines do not answer",
        "helpful": "Was this helpful?",
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "verdict": VERDICT_LABELS["en"],
        "severity": {"high": "High", "medium": "Medium", "low": "Low"},
        "findings": "{n} point(s) to look at",
        "no_findings": "I found nothing in your draft that goes against the guidelines.",
        "suggestion": "Suggestion",
        "more_findings": "… and {n} more point(s). Shorten the draft to see them all.",
        "related": "Related guidelines",
        "quoted_above": "quoted above",
        "not_stored": "Your draft is not stored.",
        "welcome": "Welcome! I am the social media guidelines assistant",
        "intro": ("I answer questions about your organisation's social media code of conduct and review "
                  "draft posts before you publish them. Every answer quotes the guidelines word for word: "
                  "I never make up rules."),
        "key_rules": "Key rules",
        "dos": "Do's",
        "donts": "Don'ts",
        "show_cao": "Show the CAO articles",
        "contact_who": "Who to contact",
        "how": "How to use me",
        "how_ask": "Ask: type your question{example}",
        "example": ", for example “{question}”",
        "examples": "You can ask, for example:",
        "how_review": ("Review: type “review” followed by your draft, or paste a draft of several lines. "
                       "Your draft is never stored."),
        "how_quiz": "Quiz: type “quiz” to practise with real-life scenarios.",
        "how_channel": "In a channel or group chat, @mention me first.",
        "how_choose": "Say {names} to choose the organisation.",
        "start_quiz": "Start the quiz",
        "start_quiz_org": "Start the quiz: {organisation}",
        "help": "What I can do",
        "choose_org": "Which organisation's quiz would you like to take?",
        "question_of": "Question {n} of {total}",
        "correct": "✅ Correct",
        "incorrect": "❌ Not quite",
        "your_answer": "Your answer",
        "right_answer": "The right answer",
        "why": "Why",
        "done": "🎉 Quiz complete",
        "score": "You answered {score} of {total} questions correctly.",
        "recorded": "Your onboarding is recorded as completed.",
        "again": "Take the quiz again",
    },
    "nl": {
        "answer": "Antwoord",
        "closest": "Dichtstbijzijnde richtlijnen",
        "show_sources": "Toon bronnen",
        "show_rules": "Toon de regels",
        "abstain": "Niet in de richtlijnen",
        "sources": "Wat de richtlijnen zeggen",
        "organisation": "Organisatie",
        "document": "Document",
        "section": "Onderdeel",
        "cao": "CAO-artikel",
        "caos": "CAO-artikelen",
        "contact": "Vragen die de richtlijnen niet beantwoorden",
        "helpful": "Had je hier iets aan?",
        "up": "👍 Nuttig",
        "down": "👎 Niet nuttig",
        "verdict": VERDICT_LABELS["nl"],
        "severity": {"high": "Hoog", "medium": "Middel", "low": "Laag"},
        "findings": "{n} punt(en) om naar te kijken",
        "no_findings": "Ik vond niets in je concept dat tegen de richtlijnen ingaat.",
        "suggestion": "Suggestie",
        "more_findings": "… en nog {n} punt(en). Maak het concept korter om ze allemaal te zien.",
        "related": "Gerelateerde richtlijnen",
        "quoted_above": "zie hierboven",
        "not_stored": "Je concept wordt niet opgeslagen.",
        "welcome": "Welkom! Ik ben de assistent voor de social media richtlijnen",
        "intro": ("Ik beantwoord vragen over de social media gedragscode van je organisatie en beoordeel "
                  "conceptberichten voordat je ze plaatst. Elk antwoord citeert de richtlijnen letterlijk: "
                  "ik verzin nooit regels."),
        "key_rules": "De belangrijkste regels",
        "dos": "Do's",
        "donts": "Don'ts",
        "show_cao": "Toon de CAO-artikelen",
        "contact_who": "Contact",
        "how": "Zo werk ik",
        "how_ask": "Vragen: typ je vraag{example}",
        "example": ", bijvoorbeeld “{question}”",
        "examples": "Je kunt bijvoorbeeld vragen:",
        "how_review": ("Beoordelen: typ “review” gevolgd door je concept, of plak een concept van meerdere regels. "
                       "Je concept wordt nooit opgeslagen."),
        "how_quiz": "Quiz: typ “quiz” om te oefenen met situaties uit de praktijk.",
        "how_channel": "In een kanaal of groepschat: noem mij eerst met @.",
        "how_choose": "Zeg {names} om de organisatie te kiezen.",
        "start_quiz": "Start de quiz",
        "start_quiz_org": "Start de quiz: {organisation}",
        "help": "Wat ik kan",
        "choose_org": "Van welke organisatie wil je de quiz doen?",
        "question_of": "Vraag {n} van {total}",
        "correct": "✅ Goed",
        "incorrect": "❌ Niet helemaal",
        "your_answer": "Jouw antwoord",
        "right_answer": "Het goede antwoord",
        "why": "Waarom",
        "done": "🎉 Quiz afgerond",
        "score": "Je hebt {score} van de {total} vragen goed beantwoord.",
        "recorded": "Je onboarding is geregistreerd als afgerond.",
        "again": "Doe de quiz opnieuw",
    },
}

# Text colour: only the theme's default colour (normal or subtle), the one
# foreground that keeps >= 4.5:1 contrast on Teams' light and dark themes in
# default and emphasis containers. Good is 2.07:1 on light, Attention 3.24:1 on
# dark and Warning 1.47:1 on light (Microsoft's Teams host configs; computed in
# tests/test_cards.py), so the verdict and the severity are said in words and
# marks (🔴 🟠 🔵), never by colour alone.
TEXT_COLOURS = ("Default",)


def labels(language: str) -> dict:
    return _LABELS["en" if language == "en" else "nl"]


def letter(i: int) -> str:
    return chr(ord("A") + i)


class CardBuilder:
    """Builds the card body and, line for line, its plain-text fallback."""

    def __init__(self) -> None:
        self.body: list[dict] = []
        self.actions: list[dict] = []
        self.lines: list[str] = []
        self._target = self.body

    def heading(self, text: str, size: str = "Medium") -> None:
        block = {"type": "TextBlock", "text": text, "weight": "Bolder", "size": size, "wrap": True}
        self._target.append(block)
        self.lines.append(text)

    def text(self, text: str, *, italic: bool = False, subtle: bool = False, bold: bool = False,
             size: str | None = None, spacing: str | None = None,
             fallback: str | None = None) -> None:
        """Verbatim text (a TextRun: no Markdown)."""
        run: dict = {"type": "TextRun", "text": text}
        if italic:
            run["italic"] = True
        if subtle:
            run["isSubtle"] = True
        if bold:
            run["weight"] = "Bolder"
        if size:
            run["size"] = size
        block: dict = {"type": "RichTextBlock", "inlines": [run]}
        if spacing:
            block["spacing"] = spacing
        self._target.append(block)
        self.lines.append(text if fallback is None else fallback)

    def labelled(self, label: str, value: str, spacing: str = "None", small: bool = True) -> None:
        look = {"size": "Small", "isSubtle": True} if small else {}
        self._target.append({
            "type": "RichTextBlock", "spacing": spacing,
            "inlines": [
                {"type": "TextRun", "text": f"{label}: ", "weight": "Bolder", **look},
                {"type": "TextRun", "text": value, **look},
            ],
        })
        self.lines.append(f"   {label}: {value}")

    def bullets(self, items: Iterable[str], spacing: str = "Small") -> None:
        for n, item in enumerate(items):
            self.text(f"• {item}", spacing=spacing if n == 0 else "None")

    @contextmanager
    def box(self, style: str | None = "emphasis", separator: bool = False, spacing: str = "Medium"):
        container: dict = {"type": "Container", "items": [], "spacing": spacing}
        if style:
            container["style"] = style
        if separator:
            container["separator"] = True
        self._target.append(container)
        outer, self._target = self._target, container["items"]
        try:
            yield
        finally:
            self._target = outer

    def show_card(self, title: str, build) -> None:
        """An ActionSet with an Action.ShowCard: detail that opens on request."""
        inner = CardBuilder()
        build(inner)
        self._target.append({
            "type": "ActionSet",
            "actions": [{"type": "Action.ShowCard", "title": title,
                         "card": {"type": "AdaptiveCard", "body": inner.body}}],
        })
        self.lines.append(title + ":")
        self.lines.extend(inner.lines)

    def submit(self, title: str, data: dict) -> None:
        self.actions.append({"type": "Action.Submit", "title": title, "data": data})

    def citation(self, c: Citation, language: str, seen: set | None = None, compact: bool = False) -> None:
        """A quote with its organisation, document, section and CAO articles;
        one already shown on this card (`seen`) is referred to by its section."""
        L = labels(language)
        if seen is not None:
            key = quote_key(c)
            if key in seen:
                self.labelled(L["section"], f"{c.section} ({L['quoted_above']})", spacing="Small")
                return
            seen.add(key)
        if compact:  # behind "Show sources": the quote and one line of where it is from
            self.text(f"“{c.quote}”", italic=True, spacing="Small")
            where = f"{c.organisation} · {c.document} › {c.section}" + (f" · {'; '.join(c.cao)}" if c.cao else "")
            self.text(where, subtle=True, size="Small", spacing="None")
            return
        with self.box():
            self.text(f"“{c.quote}”", italic=True)
            self.labelled(L["organisation"], c.organisation, spacing="Small")
            self.labelled(L["document"], c.document)
            self.labelled(L["section"], c.section)
            if c.cao:
                self.labelled(L["caos"] if len(c.cao) > 1 else L["cao"], "; ".join(c.cao))

    def size(self) -> int:
        return len(json.dumps(self.body))

    def build(self, fallback: str | None = None) -> dict:
        text = clip(fallback if fallback is not None else "\n".join(self.lines), MAX_FALLBACK_CHARS)
        card = {
            "type": "AdaptiveCard",
            "$schema": SCHEMA,
            "version": VERSION,
            "body": self.body,
            "fallbackText": text,
            "msteams": {"width": "Full"},
        }
        if self.actions:
            card["actions"] = self.actions
        return card


def _feedback(card: CardBuilder, language: str, data: dict) -> None:
    L = labels(language)
    card.text(L["helpful"], subtle=True, size="Small", spacing="Large")
    for vote in ("up", "down"):
        card.submit(L[vote], {"action": "feedback", "vote": vote, "language": language, **data})


# -- answers and reviews -----------------------------------------------------

def answer_card(answer: Answer, org: str | None = None) -> dict:
    """The short answer, then every quote with its organisation, document,
    section and CAO articles. `org` labels the feedback when the answer cites
    nothing (an abstention within a scope)."""
    L = labels(answer.language)
    card = CardBuilder()
    # Not confident: the answer says which parts of the guidelines come closest.
    card.heading(L["abstain"] if answer.abstained else L["answer"] if answer.short_answer else L["closest"])
    card.text(answer.answer)
    if answer.citations:
        card.text(L["sources"], bold=True, spacing="Medium")
        for c in answer.citations:
            card.citation(c, answer.language)
        if answer.contacts:
            card.text(f"{L['contact']}: " + "; ".join(answer.contacts), subtle=True, size="Small", spacing="Medium")
    top = answer.citations[0] if answer.citations else None
    _feedback(card, answer.language, {
        "kind": "answer",
        "org": (top.org or None) if top else org,
        "section": top.section if top else None,
    })
    return card.build()


def review_org(review: Review, org: str | None) -> str | None:
    if org:
        return org
    orgs = {c.org for f in review.findings for c in f.citations if c.org}
    orgs |= {c.org for c in review.related if c.org}
    return orgs.pop() if len(orgs) == 1 else None


def review_card(review: Review, org: str | None = None) -> dict:
    """The verdict, then each finding: its excerpt, message, suggestion and the
    guidelines it rests on."""
    L = labels(review.language)
    card = CardBuilder()
    card.heading(L["verdict"][verdict_key(review)], size="Large")
    listed = points(review.findings)
    if listed:
        card.text(L["findings"].format(n=len(listed)), subtle=True)
    else:
        card.text(L["no_findings"])
    seen: set = set()
    shown = 0
    for n, point in enumerate(listed, 1):
        if n > MAX_FINDINGS or card.size() > BODY_BUDGET:
            break
        shown, f = n, point.finding
        with card.box(style=None, separator=True):
            mark = SEVERITY_MARK.get(f.severity, "•")
            card.text(f"{n}. {mark} {L['severity'][f.severity]} · {rule_label(f.rule, review.language)}", bold=True)
            excerpt = point.excerpt(MAX_EXCERPT_CHARS)
            if excerpt:  # a face found in a photo has a box, no excerpt
                card.text(f"“{excerpt}”" if point.single else excerpt, italic=True, spacing="Small")
            card.text(f.message, spacing="Small")
            if f.suggestion:
                card.labelled(L["suggestion"], f.suggestion, spacing="Small", small=False)
            # One quote per finding; the others open on request.
            for c in f.citations[:1]:
                card.citation(c, review.language, seen)
            more = f.citations[1:1 + MAX_FINDING_CITATIONS]
            if more:
                card.show_card(L["show_sources"],
                               lambda inner, more=more: [inner.citation(c, review.language, compact=True) for c in more])
    if shown < len(listed):
        card.text(L["more_findings"].format(n=len(listed) - shown), subtle=True)
    related = [c for c in review.related if quote_key(c) not in seen]
    if related and card.size() <= BODY_BUDGET:
        card.text(L["related"], bold=True, spacing="Large")
        for c in related[:MAX_RELATED]:
            card.citation(c, review.language)
    card.text(L["not_stored"], subtle=True, size="Small", spacing="Medium")
    _feedback(card, review.language, {"kind": "review", "org": review_org(review, org), "verdict": review.verdict})
    return card.build()


# -- onboarding --------------------------------------------------------------

def _how_to(card: CardBuilder, language: str, organisations=None, orgs=None) -> None:
    """How to use the bot, with an example question and the organisations'
    names from the knowledge base (`organisations`: id → OrganisationInfo)."""
    L = labels(language)
    examples = example_questions(organisations, language, orgs)
    how = [L["how_ask"].format(example=L["example"].format(question=examples[0]) if examples else ""),
           L["how_review"], L["how_quiz"], L["how_channel"]]
    names = naming_hint(organisations, language) if orgs is None or len(orgs) > 1 else ""
    if names:
        how.append(L["how_choose"].format(names=names))
    card.heading(L["how"], size="Default")
    card.bullets(how)


def welcome_card(contents: Sequence, language: str, organisations=None) -> dict:
    """How to use the bot first; then, per organisation in scope, its
    example questions, whom to contact and its rules (key rules, do's and
    don'ts, CAO articles) behind a button; and the quiz."""
    L = labels(language)
    card = CardBuilder()
    card.heading(L["welcome"], size="Large")
    card.text(L["intro"])
    _how_to(card, language, organisations, [c.org for c in contents])
    for content in contents:
        with card.box(style=None, separator=True, spacing="Large"):
            card.heading(content.organisation)
            card.text(content.document, subtle=True, size="Small", spacing="None")
            examples = example_questions(organisations, language, [content.org], per_org=3)
            if examples:
                card.text(L["examples"], bold=True, spacing="Small")
                card.bullets((f"“{q}”" for q in examples), spacing="None")
            card.text(f"{L['contact_who']}: {content.contact}", subtle=True, spacing="Small")

            def rules(inner: CardBuilder, content=content) -> None:
                if content.key_rules:
                    inner.text(L["key_rules"], bold=True, spacing="Small")
                    for c in content.key_rules:
                        others = {x.section for x in content.key_rules if x is not c}
                        head = "" if c.section in others else f"{c.section}: "
                        inner.text(f"• {head}{c.quote}", spacing="Small")
                if content.dos:
                    inner.text(L["dos"], bold=True, spacing="Medium")
                    inner.bullets(c.quote for c in content.dos)
                if content.donts:
                    inner.text(L["donts"], bold=True, spacing="Medium")
                    inner.bullets(c.quote for c in content.donts)
                for c in content.cao:
                    inner.text(c.section, bold=True, spacing="Small")
                    inner.text(f"“{c.quote}”", italic=True, spacing="None")

            if content.key_rules or content.dos or content.donts or content.cao:
                card.show_card(L["show_rules"], rules)
    for content in contents:
        title = L["start_quiz"] if len(contents) == 1 else L["start_quiz_org"].format(organisation=content.organisation)
        card.submit(title, {"action": "start_quiz", "org": content.org, "language": language})
    return card.build()


def help_card(language: str, organisations: Sequence[tuple[str, str]] = (), known=None) -> dict:
    """`organisations`: (org, name) pairs whose quiz can be started; `known`:
    id → OrganisationInfo, for the example question and the names to choose by."""
    L = labels(language)
    card = CardBuilder()
    card.heading(L["help"])
    card.text(L["intro"])
    _how_to(card, language, known)
    for org, name in organisations:
        title = L["start_quiz"] if len(organisations) == 1 else L["start_quiz_org"].format(organisation=name)
        card.submit(title, {"action": "start_quiz", "org": org, "language": language})
    return card.build()


def choose_org_card(organisations: Sequence[tuple[str, str]], language: str) -> dict:
    L = labels(language)
    card = CardBuilder()
    card.heading(L["choose_org"])
    for org, name in organisations:
        card.submit(name, {"action": "start_quiz", "org": org, "language": language})
        card.lines.append(f"• {name}")
    return card.build()


def scenario_card(scenario, number: int, total: int, organisation: str, language: str) -> dict:
    L = labels(language)
    card = CardBuilder()
    card.text(f"{organisation} · {L['question_of'].format(n=number, total=total)}", subtle=True, size="Small")
    card.text(scenario.text, bold=True, size="Medium", spacing="Small")
    for i, choice in enumerate(scenario.choices):
        card.text(f"{letter(i)}. {choice}", spacing="Small")
        card.submit(letter(i), {"action": "quiz_answer", "scenario": scenario.id, "choice": i, "language": language})
    return card.build()


def quiz_result_card(step, language: str) -> dict:
    """Right or wrong, the explanation and the quotes it rests on."""
    L = labels(language)
    s = step.scenario
    card = CardBuilder()
    card.heading(L["correct"] if step.correct else L["incorrect"])
    card.text(s.text, subtle=True, size="Small", spacing="None")
    card.labelled(L["your_answer"], f"{letter(step.choice)}. {s.choices[step.choice]}", spacing="Small")
    if not step.correct:
        card.labelled(L["right_answer"], f"{letter(s.answer)}. {s.choices[s.answer]}")
    card.text(L["why"], bold=True, spacing="Medium")
    card.text(s.explanation, spacing="Small")
    for c in s.citations:
        card.citation(c, language)
    return card.build()


def quiz_done_card(progress, language: str) -> dict:
    L = labels(language)
    card = CardBuilder()
    card.heading(L["done"], size="Large")
    card.text(L["score"].format(score=progress.score, total=progress.total))
    card.text(L["recorded"], subtle=True, size="Small")
    card.submit(L["again"], {"action": "start_quiz", "org": progress.org, "language": language})
    return card.build()


# -- activities ----------------------------------------------------------------

def message(card: dict) -> Activity:
    """A message carrying one card. The card's fallbackText is the plain-text
    version; `summary` (shown in notifications and by clients that cannot
    render cards) is its first two lines."""
    lines = [line.strip() for line in card.get("fallbackText", "").split("\n") if line.strip()]
    summary = ": ".join(lines[:2])
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CONTENT_TYPE, content=card)],
        summary=clip(summary, 200),
    )


def plain(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")
