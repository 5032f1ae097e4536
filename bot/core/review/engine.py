"""The Reviewer: runs the rules on a draft and turns hits into findings that
cite the guidelines verbatim.

What a finding cites comes from each institution's review policy
(knowledge/review/<org>.yaml, carried by its OrganisationInfo); an
institution without one is cited through retrieval over its own passages.

The draft is data. Nothing in it is ever interpreted as an instruction (the
rules are deterministic patterns), and it is never logged or stored.
"""

from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Sequence

from bot.core.catalogue import Catalogue, UnknownGuideline
from bot.core.language import detect_language
from bot.core.models import SEVERITY_RANK as _SEVERITY_RANK
from bot.core.models import Citation, Finding, Language, OrganisationInfo, Review
from bot.core.review.guidance import message
from bot.core.review.policy import ReviewPolicy
from bot.core.review.post_level import settle
from bot.core.review.rules import AFTER_LEARNING, RULES, Hit, Institutions
from bot.core.review.semantic import EXACT_SEVERITY
from bot.core.review.text import Draft

MAX_DRAFT_CHARS = 40_000
# What the retriever sees of the draft: its opening (about a sentence),
# without links and addresses. Embedding time grows with the length of the
# query (2-core build machine, warm, moderate load: 2,000 chars ~1.4 s,
# 200 ~100 ms, 150 ~85 ms for the whole review), so the opening keeps
# `related` within the latency budget. The rules always read the whole draft.
RETRIEVAL_CHARS = 150
LANGUAGE_CHARS = 5_000      # enough to tell Dutch from English
MAX_FINDINGS_PER_RULE = 8
MAX_FINDINGS = 40
# A pattern's alarm the classifier scores below this is no hint either ("a
# photo" in a flyer, 0.001 privacy): dev 5-fold CV, 9,873 drafts, 128 fewer
# rules reported (precision 0.578 -> 0.584) and not one labelled rule lost;
# 0.05 lost two. Only reports of `low` change, so verdicts cannot.
DISMISS_BELOW = 0.02

_QUOTED = re.compile(r"'([^']{20,})'")
_NOT_PROSE = re.compile(r"https?://\S+|www\.\S+|[^\s@]+@\S+")


def merge_semantic(hits: list[Hit], semantic) -> list[Hit]:
    """The classifier's segments join the patterns' hits. Where a pattern of
    the same rule already fired inside the segment, its tighter span is kept:
    it takes the classifier's severity when that is higher (a mocking photo
    is worse than a photo). A low hit (the patterns saw a near miss:
    negation, a workshop about the topic, consent) is raised only when the
    classifier itself reports the rule above its severe threshold, which
    cross-validation keeps off clean drafts. Elsewhere the segment becomes a
    finding itself. Where the classifier is confident a pattern's hit is a
    near miss, the hit is shown as `low`, or not at all when it is all but
    sure (DISMISS_BELOW). The exact detectors' hits (EXACT_SEVERITY) keep
    their severity either way."""
    out = list(hits)
    for s in semantic:
        overlapping = [i for i, h in enumerate(out)
                       if h.rule == s.rule and h.start < s.end and s.start < h.end]
        if s.clear:
            # the classifier is confident the pattern saw a near miss: a hint, not an alarm
            # (never a high hit: exam content, salaries, labels, slurs are the
            # patterns' surest signals, and a missed breach costs more)
            cleared = [i for i in overlapping if out[i].rule not in EXACT_SEVERITY and out[i].severity == "medium"]
            if s.confidence < DISMISS_BELOW:
                out = [h for i, h in enumerate(out) if i not in cleared]
            else:
                for i in cleared:
                    out[i] = replace(out[i], severity="low", confidence=s.confidence)
            continue
        if overlapping:
            for i in overlapping:
                h = out[i]
                severity = h.severity
                if (s.severity != "low" and _SEVERITY_RANK[s.severity] > _SEVERITY_RANK[h.severity]
                        and h.rule not in EXACT_SEVERITY):
                    severity = s.severity
                out[i] = replace(h, severity=severity, confidence=s.confidence)
            continue
        if sum(1 for h in out if h.rule == s.rule) >= MAX_FINDINGS_PER_RULE:
            continue
        out.append(Hit(s.rule, "semantic", s.severity, s.start, s.end, s.confidence))
    return out


def after_learning(hits: list[Hit], late: list[Hit]) -> list[Hit]:
    """The detectors read after the learned layer (rules.AFTER_LEARNING)
    join the settled hits with their own severity: a hit of the same rule in
    the same place as severe or more stays (its span is the tighter one),
    one less severe gives way."""
    out = list(hits)
    for h in late:
        same = [k for k in out if k.rule == h.rule and k.start < h.end and h.start < k.end]
        if any(_SEVERITY_RANK[k.severity] >= _SEVERITY_RANK[h.severity] for k in same):
            continue
        out = [k for k in out if not any(k is x for x in same)] + [h]
    return out


def _semantic_hit(rule: str, severity: str, start: int, end: int, confidence: float) -> Hit:
    return Hit(rule, "semantic", severity, start, end, confidence)


class InvalidDraft(ValueError):
    pass


def validate(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidDraft("the draft must be text")
    if len(text) > MAX_DRAFT_CHARS:
        raise InvalidDraft(f"the draft is {len(text):,} characters; the limit is {MAX_DRAFT_CHARS:,}")
    return text


def retrieval_query(text: str, limit: int = RETRIEVAL_CHARS) -> str:
    """The opening of the draft, links and addresses left out, cut at a word."""
    head = _NOT_PROSE.sub(" ", text[: limit * 8])
    query = " ".join(head.split())
    if len(query) > limit:
        cut = query.rfind(" ", 0, limit + 1)
        query = query[: cut if cut > limit // 2 else limit]
    return query


def verdict_of(findings: Sequence[Finding]) -> str:
    severities = {f.severity for f in findings}
    if "high" in severities:
        return "do_not_post"
    if "medium" in severities:
        return "caution"
    return "ok"


def institutions_of(organisations: dict[str, OrganisationInfo],
                    policies: dict[str, ReviewPolicy]) -> Institutions:
    """How drafts name the institutions: the documents' organisation names
    and the review policies' names, abbreviations, places and mail domains."""
    names = [n for info in organisations.values() for n in (info.organisation, info.organisation_en)]
    names += [n for p in policies.values() for n in p.names]

    def union(field: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x for p in policies.values() for x in getattr(p, field)))

    return Institutions(tuple(dict.fromkeys(names)), union("abbreviations"), union("places"),
                        union("mail_domains"), union("student_mail_domains"))


class Reviewer:
    def __init__(self, catalogue: Catalogue, retriever=None, semantic=None,
                 policies: dict[str, ReviewPolicy] | None = None) -> None:
        self.catalogue = catalogue
        self.retriever = retriever
        self.semantic = semantic      # a SemanticLayer (layer.py), or None: patterns only
        # Each organisation's review policy; by default what knowledge/ gave its OrganisationInfo.
        if policies is None:
            policies = {org: info.review for org, info in catalogue.organisations.items()
                        if getattr(info, "review", None) is not None}
        self.policies = dict(policies)
        self.institutions = institutions_of(catalogue.organisations, self.policies)
        self._cites: dict[tuple, tuple[Citation, ...]] = {}
        self._lookups: ThreadPoolExecutor | None = None   # the related guidelines, beside the rules

    # ------------------------------------------------------------------ API
    def review(self, text: str, orgs: Sequence[str] | None = None, language: Language | None = None) -> Review:
        """Review a draft; `language` fixes the language of the messages (for
        text read from an image under a caption), else it is detected."""
        text = validate(text)
        draft = Draft(text)
        if not draft.text.strip():
            raise InvalidDraft("the draft is empty")
        scope = tuple(orgs) if orgs else tuple(self.catalogue.orgs())
        # Both cores stay busy: the likeliest segments are embedded beside
        # the patterns, and the related guidelines are looked up beside stage
        # 2 (without a semantic layer, beside the patterns).
        assessment = self.semantic.start(draft) if self.semantic is not None else None
        related = self._start_related(draft, scope) if assessment is None else None
        language = language or detect_language(draft.text[:LANGUAGE_CHARS])
        hits = self._hits(draft, self.institutions)
        if assessment is not None:
            assessment.embed(hits)
            related = self._start_related(draft, scope)
        # the detectors read after learning run while the segments are embedded
        late = self._hits(draft, self.institutions, AFTER_LEARNING)
        if assessment is not None:
            semantic, call = assessment.finish()
            hits = settle(merge_semantic(hits, semantic), call, EXACT_SEVERITY, _semantic_hit)
        hits = after_learning(hits, late)
        findings = []
        for hit in hits:
            finding = self._finding(draft, hit, scope, language)
            if finding is not None:
                findings.append(finding)
        findings.sort(key=lambda f: (f.start, -_SEVERITY_RANK[f.severity], f.rule))
        findings = findings[:MAX_FINDINGS]
        return Review(
            verdict=verdict_of(findings),
            language=language,
            findings=tuple(findings),
            related=related.result() if related is not None else (),
        )

    # ------------------------------------------------------------------ steps
    @staticmethod
    def _hits(draft: Draft, institutions: Institutions, checks=RULES) -> list[Hit]:
        """Every rule's hits, one per place. Static: the semantic layer trains
        on it without a reviewer, with the same institutions."""
        out: list[Hit] = []
        for rule, check in checks:
            hits = sorted(check(draft, institutions),
                          key=lambda h: (-_SEVERITY_RANK[h.severity], h.start, h.start - h.end))
            kept: list[Hit] = []
            for h in hits:
                if h.end <= h.start:
                    continue
                # one finding per place: overlapping hits of a rule keep the most severe
                if any(h.start < k.end and k.start < h.end for k in kept):
                    continue
                kept.append(h)
                if len(kept) >= MAX_FINDINGS_PER_RULE:
                    break
            out.extend(kept)
        return out

    def _finding(self, draft: Draft, hit: Hit, scope: tuple[str, ...], language: Language) -> Finding | None:
        citations = self._citations(hit.rule, hit.kind, scope)
        if not citations:
            return None  # no guideline in scope supports it: never report an uncited rule
        start, end = draft.to_original(hit.start, hit.end)
        msg, suggestion = message(hit.rule, hit.kind, language)
        suggestion = self._with_advice(suggestion, hit.rule, hit.kind, scope, language)
        return Finding(
            rule=hit.rule,
            severity=hit.severity,
            start=start,
            end=end,
            excerpt=draft.original[start:end],
            message=msg,
            suggestion=suggestion,
            citations=citations,
            confidence=hit.confidence,
        )

    def image_finding(self, rule: str, kind: str, severity: str, box: tuple[int, int, int, int],
                      excerpt: str, orgs: Sequence[str], language: Language) -> Finding | None:
        """A finding about an image region (a face, the GPS position), worded
        and cited like the text findings; None when no guideline in scope supports it."""
        citations = self._citations(rule, kind, tuple(orgs))
        if not citations:
            return None
        msg, suggestion = message(rule, kind, language)
        suggestion = self._with_advice(suggestion, rule, kind, tuple(orgs), language)
        return Finding(rule=rule, severity=severity, start=0, end=0, excerpt=excerpt, message=msg,
                       suggestion=suggestion, citations=citations, box=tuple(int(v) for v in box))

    def _citations(self, rule: str, kind: str, scope: tuple[str, ...]) -> tuple[Citation, ...]:
        key = (rule, kind, scope)
        cached = self._cites.get(key)
        if cached is None:
            out = []
            for org in scope:
                policy = self.policies.get(org)
                specs = policy.citations(rule, kind) if policy is not None else None
                if specs is None:
                    # No review policy for this organisation (or this rule): its own passages, by retrieval.
                    out.extend(self._retrieved_citations(rule, kind, org))
                    continue
                for spec in specs:
                    try:
                        out.append(self.catalogue.cite(org, spec.section, spec.starts_with))
                    except UnknownGuideline:
                        # A knowledge base without this guideline: cite nothing rather than something else.
                        continue
            cached = self._cites[key] = tuple(out)
        return cached

    def _retrieved_citations(self, rule: str, kind: str, org: str) -> list[Citation]:
        """For an organisation without a review mapping: its own guideline that
        retrieval finds for what the finding says, when it is close enough to
        answer a question (the retriever's abstention bar); else none."""
        if self.retriever is None:
            return []
        # The finding's message and suggestion, in both languages, say what the rule protects.
        query = " ".join(" ".join(message(rule, kind, lang)) for lang in ("nl", "en"))
        hits = self.retriever.search(query, [org], top=1)
        if not hits or hits[0].dense < self.retriever.config.abstain_below:
            return []
        return list(self.retriever.citations(hits))

    def disclaimer(self, org: str) -> str | None:
        """The example disclaimer the organisation's guideline gives, verbatim
        (the quoted text in the passage its review policy points at)."""
        policy = self.policies.get(org)
        if policy is None or policy.disclaimer is None:
            return None
        try:
            passage = self.catalogue.find(org, policy.disclaimer.section, policy.disclaimer.starts_with)
        except UnknownGuideline:
            return None
        m = _QUOTED.search(passage.text)
        return f"'{m.group(1)}'" if m else None

    def _with_advice(self, base: str, rule: str, kind: str, scope: tuple[str, ...], language: Language) -> str:
        """The suggestion, followed by the advice each organisation in scope adds for this rule."""
        parts = [base]
        for org in scope:
            policy = self.policies.get(org)
            text = policy.advice(rule, kind, language) if policy is not None else None
            if not text:
                continue
            if "{disclaimer}" in text:
                disclaimer = self.disclaimer(org)
                if disclaimer is None:
                    continue
                text = text.replace("{disclaimer}", disclaimer)
            parts.append(text)
        return " ".join(parts)

    def _start_related(self, draft: Draft, scope: tuple[str, ...]) -> Future | None:
        """The guidelines the draft's opening is about, looked up on another
        thread: embedding the query (~20 ms) waits mostly in the model, which
        lets go of the GIL, so it runs on the second core beside work that
        holds the GIL on the first (2,000-char review p50 ~101 -> ~85 ms on
        the 2-core machine)."""
        if self.retriever is None:
            return None
        query = retrieval_query(draft.text)
        if not query:
            return None
        if self._lookups is None:
            self._lookups = ThreadPoolExecutor(2, thread_name_prefix="related")
        return self._lookups.submit(self._related, query, scope)

    def _related(self, query: str, scope: tuple[str, ...]) -> tuple[Citation, ...]:
        hits = self.retriever.search(query, list(scope), top=3)
        return tuple(self.retriever.citations(hits))
