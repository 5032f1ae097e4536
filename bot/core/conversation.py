"""The conversation, once for every channel: what a message asks for
(intent), whether pasted text is a draft, which organisation it is about,
whether a 👍/👎 is a known value, and the quiz's step numbers.

Slack and Teams only translate their platform's request into text and ids,
call this (through the Assistant), and render the result, so the same
message gets the same intent and the same organisation on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from bot.core.models import OrganisationInfo

INTENTS = ("ask", "review", "quiz", "help", "feedback", "org_switch")

# One set of command words per language. A word on its own (or first,
# followed by ":" or the rest of the message) selects the intent.
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "help": {"en": ("help", "commands"), "nl": ("hulp", "commando's")},
    "quiz": {"en": ("quiz", "onboarding", "onboard"), "nl": ("quiz", "onboarding")},
    "review": {"en": ("review", "check"), "nl": ("controleer", "beoordeel", "toets", "review")},
    "ask": {"en": ("ask",), "nl": ("vraag",)},
    "org_switch": {"en": ("switch to", "use", "organisation", "organization"),
                   "nl": ("wissel naar", "gebruik", "organisatie")},
}
DRAFT_MIN_CHARS = 280   # a message longer than this without a question mark is a draft

# Words of an organisation's name that say nothing on their own.
_GENERIC_NAME_WORDS = {"universiteit", "university", "hogeschool", "of", "the", "van", "de", "het", "en", "and"}
# Words of an organisation's name that are also everyday words ("dit kan leiden tot…" = "this
# can lead to…") scope only when capitalised or after a word such as "voor", "for", "bij", "at".
# The knowledge base lists them per organisation (OrganisationInfo.everyday_words, from
# knowledge/documents/<doc>.yaml); none are written here.
_SCOPE_WORDS = r"(?:voor|for|bij|at|in|van|from|uit|about|over|universiteit|university)"
_SCOPE_ONLY = re.compile(r"^(?:(?:and|en|ook|also|what|wat)\s+)*(?:voor|for|bij|at|about|over)\s+(?:the\s+|het\s+|de\s+)?",
                         re.IGNORECASE)


def _words(group: str) -> set[str]:
    return {w for ws in KEYWORDS[group].values() for w in ws}


def keyword_language(group: str, word: str) -> str | None:
    """The language a command word belongs to, if only one ("hulp" → nl)."""
    langs = [lang for lang, ws in KEYWORDS[group].items() if word in ws]
    return langs[0] if len(langs) == 1 else None


def looks_like_draft(text: str) -> bool:
    """The one draft heuristic: a pasted post has several lines, or is long
    and asks nothing."""
    text = (text or "").strip()
    return "\n" in text or (len(text) > DRAFT_MIN_CHARS and "?" not in text)


class OrgMatcher:
    """Finds an organisation named in a message ("voor <short name>", "for
    <name>", its full name), from the names the knowledge base gives."""

    def __init__(self, organisations: Mapping[str, OrganisationInfo], everyday_words=None) -> None:
        """`everyday_words` overrides the organisations' own lists (tests)."""
        self.patterns: dict[str, list[re.Pattern]] = {}
        self.names: dict[str, re.Pattern] = {}   # every name word, any case: for exactly()
        for org, info in organisations.items():
            everyday = set(everyday_words if everyday_words is not None else info.everyday_words)
            words = {org.lower()}
            for name in (info.organisation, info.organisation_en):
                words.add(name.lower())
                words.update(w for w in re.split(r"[\s,]+", name.lower()) if len(w) > 1)
            words -= _GENERIC_NAME_WORDS
            pats = []
            for w in sorted(words, key=len, reverse=True):
                if w in everyday:
                    pats.append(re.compile(r"(?<![\w-])" + re.escape(w.capitalize()) + r"(?![\w-])"))
                    pats.append(re.compile(_SCOPE_WORDS + r"\s+" + re.escape(w) + r"(?![\w-])", re.IGNORECASE))
                else:
                    pats.append(re.compile(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", re.IGNORECASE))
            self.patterns[org] = pats
            self.names[org] = re.compile("|".join(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])"
                                                  for w in sorted(words | (_GENERIC_NAME_WORDS - {"en", "and"}),
                                                                  key=len, reverse=True)), re.IGNORECASE)

    def find(self, text: str) -> str | None:
        """The one organisation named, or None (none, or more than one)."""
        named = [org for org, pats in self.patterns.items() if any(p.search(text or "") for p in pats)]
        return named[0] if len(named) == 1 else None

    def exactly(self, text: str) -> str | None:
        """The organisation when `text` is nothing but its name or id (its id, or its full name)."""
        text = (text or "").strip().strip(".!:").strip()
        org = self.find(text) or self.find("voor " + text)  # a name on its own may be lower case
        if org is None:
            return None
        rest = self.names[org].sub(" ", text)
        return org if not re.sub(r"[\s,.\-]+", "", rest) else None


@dataclass(frozen=True)
class Turn:
    """What one message asks for. `payload`: the question or draft;
    `org`: the organisation the message names (or chooses, for quiz and
    org_switch); `language`: the language its command word says, if any."""

    intent: str
    payload: str = ""
    org: str | None = None
    language: str | None = None


class Conversation:
    def __init__(self, organisations: Mapping[str, OrganisationInfo], default_org: str | None = None,
                 everyday_words=None) -> None:
        self.organisations = organisations
        self.default_org = default_org
        self.matcher = OrgMatcher(organisations, everyday_words)

    # -- intent
    def understand(self, text: str) -> Turn:
        text = (text or "").strip()
        lowered = text.lower().rstrip("!. ")
        if lowered in ("", "?", "/help") or lowered in _words("help"):
            return Turn("help", language=keyword_language("help", lowered))
        first, sep, rest = self._split(text)
        command = first.lstrip("/")
        if command in _words("quiz"):
            choice = rest.strip().lower()
            if not choice:
                return Turn("quiz")
            if choice in ("nl", "en"):
                return Turn("quiz", language=choice)
            org = self.matcher.exactly(rest)
            if org:
                return Turn("quiz", org=org)
        if lowered in ("start quiz", "start de quiz", "start the quiz", "start onboarding"):
            return Turn("quiz")
        # "review: …", "controleer\n…", "beoordeel dit bericht"; but "check if I can …?" is a question.
        if command in _words("review") and (sep or not rest.strip() or "?" not in rest):
            return Turn("review", rest.strip())
        if command in _words("ask") and (sep or command == "ask"):
            return Turn("ask", rest.strip(), org=self.matcher.find(rest)) if rest.strip() else Turn("help")
        switch = self._org_switch(text)
        if switch:
            return Turn("org_switch", org=switch)
        if looks_like_draft(text):
            return Turn("review", text)
        return Turn("ask", text, org=self.matcher.find(text))

    @staticmethod
    def _split(text: str) -> tuple[str, str, str]:
        """The first word (lowered), its separator (":" or a line break, else
        "") and the rest: a command word may stand alone on the first line."""
        m = re.match(r"\s*([^\s:]+)([ \t]*:|[ \t]*\n)?\s*(.*)\Z", text, re.S)
        if not m:
            return "", "", ""
        return m.group(1).lower(), (m.group(2) or "").strip() or ("\n" if m.group(2) else ""), m.group(3)

    def _org_switch(self, text: str) -> str | None:
        """"switch to <name>", "gebruik <name>", "voor <name>", "organisatie: <id>": a message that only chooses."""
        lowered = text.strip().lower()
        for phrase in sorted(_words("org_switch"), key=len, reverse=True):
            if lowered.startswith(phrase + " ") or lowered.startswith(phrase + ":"):
                org = self.matcher.exactly(text.strip()[len(phrase):].lstrip(" :"))
                if org:
                    return org
        m = _SCOPE_ONLY.match(text.strip())
        if m and "?" not in text:  # "and for <name>?" asks again; "voor <name>" chooses
            org = self.matcher.exactly(text.strip()[m.end():])
            if org and len(text.strip()) <= 60:
                return org
        return None

    # -- organisation
    def organisation(self, turn: Turn | None = None, remembered: str | None = None,
                     configured: str | None = None) -> str | None:
        """Named in the message, else remembered for the thread or
        conversation, else configured for the workspace, channel or tenant,
        else the default (None: every organisation)."""
        for org in ((turn.org if turn and turn.intent in ("ask", "org_switch", "quiz") else None),
                    remembered, configured, self.default_org):
            if org and org in self.organisations:
                return org
        return None

    def organisation_name(self, org: str | None) -> str:
        """The name the knowledge base gives (the same in every language, as in citations)."""
        info = self.organisations.get(org) if org else None
        return info.organisation if info else (org or "")


# -- feedback ----------------------------------------------------------------------

VOTES = ("up", "down")
FEEDBACK_KINDS = ("answer", "review")
VERDICTS = ("ok", "caution", "do_not_post")
LANGUAGES = ("nl", "en")
SECTION_PREFIX = 150   # Slack buttons carry at most this many characters of a section name


def valid_feedback(catalogue, kind, vote, org=None, language=None, verdict=None, section=None) -> dict | None:
    """Only what was rated, checked against the knowledge base, so that no
    free text (let alone a draft) can reach the feedback store. None when
    anything is not a known value."""
    if kind not in FEEDBACK_KINDS or vote not in VOTES:
        return None
    if org is not None and org not in catalogue.organisations:
        return None
    language = language if language in LANGUAGES else None
    if kind == "review":
        if verdict not in VERDICTS:
            return None
    else:
        verdict = None
    section = section if kind == "answer" else None
    if section is not None:
        if not isinstance(section, str):
            return None
        orgs = [org] if org else sorted(catalogue.organisations)
        known = [s for o in orgs for s in catalogue.sections(o)]
        if section not in known and not (len(section) >= SECTION_PREFIX and
                                         any(s.startswith(section) for s in known)):
            return None
    return {"kind": kind, "vote": vote, "org": org, "language": language, "verdict": verdict, "section": section}
