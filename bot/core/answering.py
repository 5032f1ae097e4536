"""Grounded answers, built only from the knowledge base.

The retriever finds passages (dense search fused with BM25, grouped by
guideline); the router (bot/core/routing.py), trained on the question bank,
says whether the guidelines speak to the question at all and which
guideline it is about. The answer is the guideline's one-line summary only
when the router is confident, and always verbatim quotes (bot/core/quoting.py).
Nothing is generated, so nothing can be invented: when the question is out
of scope the assistant says so and names the contact the documents give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from bot.core.catalogue import citation_for
from bot.core.language import detect_language
from bot.core.models import Answer, Citation, Language, OrganisationInfo, Passage
from bot.core.ports import Embedder, LexicalIndex, PassageStore
from bot.core.quoting import Quoter
from bot.core.routing import Router

MAX_QUESTION_CHARS = 2000


class InvalidQuestion(ValueError):
    pass


def validate_question(question: str) -> str:
    """The question, stripped; an InvalidQuestion when empty or too long."""
    question = (question or "").strip()
    if not question:
        raise InvalidQuestion("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}")
    return question


@dataclass(frozen=True)
class RetrievalConfig:
    candidates: int = 60          # dense neighbours fetched before grouping
    top: int = 3                  # citations in an answer
    abstain_below: float = 0.83   # without a scope gate: dense cosine of the best guideline
    lexical_weight: float = 0.025  # weight of normalised BM25 in the fused score (tests/golden)
    related_floor: float = 0.035  # drop citations this far below the best one
    max_quote_chars: int = 320    # longer guideline bodies are quoted by sentence


@dataclass
class GuidelineHit:
    guideline: str
    score: float
    dense: float
    lexical: float
    hits: list[tuple[Passage, float]] = field(default_factory=list)

    @property
    def best(self) -> Passage:
        return max(self.hits, key=lambda h: (h[1], h[0].kind not in ("guideline", "topics")))[0]


@dataclass
class Retrieval:
    hits: list[GuidelineHit]
    vector: Sequence[float]
    lexical_top: float   # best raw BM25 score, a signal for the scope gate


class Retriever:
    """Dense retrieval over the store, fused with BM25, grouped by guideline."""

    def __init__(self, embedder: Embedder, store: PassageStore, lexical: LexicalIndex | None,
                 config: RetrievalConfig = RetrievalConfig(), all_orgs: Sequence[str] = ()) -> None:
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.config = config
        self.all_orgs = frozenset(all_orgs)

    def search(self, text: str, orgs: Sequence[str] | None = None, top: int | None = None) -> list[GuidelineHit]:
        return self.retrieve(text, orgs, top).hits

    def retrieve(self, text: str, orgs: Sequence[str] | None = None, top: int | None = None) -> Retrieval:
        cfg = self.config
        if orgs and self.all_orgs and self.all_orgs <= set(orgs):
            # Every organisation in scope: a metadata filter only slows the
            # vector search down (~35 ms instead of ~3 ms at 10,000 chunks).
            orgs = None
        vector = self.embedder.embed_query(text)
        lexical_top = 0.0
        groups: dict[str, GuidelineHit] = {}
        for passage, score in self.store.search(vector, cfg.candidates, orgs):
            hit = groups.setdefault(passage.guideline, GuidelineHit(passage.guideline, 0.0, 0.0, 0.0))
            hit.hits.append((passage, score))
            hit.dense = max(hit.dense, score)
        if self.lexical is not None and cfg.lexical_weight:
            lexical = self.lexical.search(text, cfg.candidates, orgs)
            if lexical:
                lexical_top = lexical[0][1]
                best = lexical[0][1] or 1.0
                for passage, score in lexical:
                    hit = groups.get(passage.guideline)
                    if hit is not None:
                        hit.lexical = max(hit.lexical, score / best)
        for hit in groups.values():
            hit.score = hit.dense + cfg.lexical_weight * hit.lexical
        ranked = sorted(groups.values(), key=lambda h: -h.score)
        return Retrieval(ranked[: (top or cfg.top)], vector, lexical_top)

    def quote(self, hit: GuidelineHit) -> str:
        """A verbatim quote: the best matching sentence or item, or the whole
        guideline when it is one short paragraph."""
        best = hit.best
        text = best.text
        if best.kind in ("guideline", "topics") and ("\n" in text or len(text) > self.config.max_quote_chars):
            sentences = [(p, s) for p, s in hit.hits if p.kind == "sentence"]
            if sentences:
                return max(sentences, key=lambda x: x[1])[0].text
            return text.split("\n", 1)[0]  # one paragraph: a line of the source
        return text

    def citations(self, hits: Sequence[GuidelineHit]) -> list[Citation]:
        if not hits:
            return []
        floor = hits[0].score - self.config.related_floor
        return [
            citation_for(h.best, round(h.score, 4), quote=self.quote(h))
            for n, h in enumerate(hits)
            if n == 0 or h.score >= floor
        ]



_TEXT = {
    "en": {
        "abstain": "I can't find that in the social media guidelines.",
        "contact": "For questions the guidelines do not cover, contact {contacts}.",
        "closest": "These parts of the guidelines come closest to your question:",
        "basis": "All {organisation} guidelines rest on {articles}.",
        "and": " or ",
    },
    "nl": {
        "abstain": "Dat kan ik niet vinden in de social media richtlijnen.",
        "contact": "Neem voor vragen die de richtlijnen niet behandelen contact op met {contacts}.",
        "closest": "Deze delen van de richtlijnen komen het dichtst bij uw vraag:",
        "basis": "Alle richtlijnen van de {organisation} berusten op {articles}.",
        "and": " of ",
    },
}

RETRIEVAL_TEMPERATURE = 0.02   # softmax over grouped dense+BM25 scores (cosines differ by hundredths)
MAX_CITATIONS = 3


@dataclass
class Candidate:
    guideline: str
    org: str
    router: float                # P(guideline | in scope, its organisation)
    hit: GuidelineHit | None
    fused: float = 0.0


class Answerer:
    def __init__(self, retriever: Retriever, organisations: dict[str, OrganisationInfo],
                 router: Router | None = None, quoter: Quoter | None = None,
                 basis: dict[str, tuple[str, ...]] | None = None) -> None:
        self.retriever = retriever
        self.organisations = organisations
        self.router = router
        self.quoter = quoter
        self.basis = basis or {}     # org -> CAO articles every guideline of it rests on

    def validate(self, question: str) -> str:
        return validate_question(question)

    def contacts(self, orgs: Sequence[str], language: Language) -> list[str]:
        out = []
        for org in orgs:
            info = self.organisations.get(org)
            if info:
                out.append(f"{self.name(org, language)}: {info.contact(language)}")
        return out

    def name(self, org: str, language: Language) -> str:
        """The name the knowledge base gives, in every language, as citations show it."""
        info = self.organisations.get(org)
        return info.organisation if info is not None else org

    # ------------------------------------------------------------------ answering
    def answer(self, question: str, orgs: Sequence[str] | None = None) -> Answer:
        question = self.validate(question)
        language = detect_language(question)
        scope = list(orgs) if orgs else sorted(self.organisations)
        retrieval = self.retriever.retrieve(question, scope, top=10_000)
        in_scope, candidates = self.rank(retrieval, scope, question)
        text = _TEXT[language]
        policy = self.router.policy if self.router else None
        abstain_below = policy.abstain_below if policy else 0.5
        if not candidates or in_scope < abstain_below:
            contacts = self.contacts(scope, language)
            message = text["abstain"]
            if contacts:
                message += " " + text["contact"].format(contacts=text["and"].join(contacts))
            return Answer(question, language, True, message, (), "", tuple(contacts), round(in_scope, 4))

        chosen = self.select(candidates, scope, policy.cite_floor if policy else 0.0)
        citations = tuple(self.cite(c) for c in chosen)
        confidence = in_scope * chosen[0].router if self.router else in_scope
        confident_at = policy.confident_at if policy else 1.1
        short = self.short_answer(chosen, language, confident_at, multi_org=len(scope) > 1,
                                  in_scope=in_scope if self.router else 1.0)
        basis = self.basis_lines(sorted({c.org for c in chosen}), language)
        # The guideline's answer first; "closest parts:" last, right above the quotes.
        lines = [short, *basis] if short else [*basis, text["closest"]]
        return Answer(question, language, False, "\n".join(lines), citations, short,
                      tuple(self.contacts(sorted({c.org for c in chosen}), language)), round(confidence, 4))

    def rank(self, retrieval: Retrieval, scope: Sequence[str], question: str = "") -> tuple[float, list[Candidate]]:
        """P(in scope) and every guideline in scope, best first by the fused score."""
        hits = {h.guideline: h for h in retrieval.hits}
        if hits:
            scores = np.array([h.score for h in retrieval.hits])
            shares = np.exp((scores - scores.max()) / RETRIEVAL_TEMPERATURE)
            shares /= shares.sum()
            retrieval_share = {h.guideline: float(s) for h, s in zip(retrieval.hits, shares)}
        else:
            retrieval_share = {}
        if self.router is None:
            best = retrieval.hits[0].dense if retrieval.hits else 0.0
            in_scope = 1.0 if best >= self.retriever.config.abstain_below else 0.0
            routed: dict[str, float] = {}
            own_org = {}
        else:
            route = self.router.route(retrieval.vector, question)
            in_scope = route.in_scope
            routed = route.within(self.router.org_of, scope)
            # How sure the router is of a guideline is judged within its own
            # organisation: with two in scope, similar rules share the mass.
            own_org = {}
            for org in scope:
                own_org.update(route.within(self.router.org_of, [org]))
        weight = self.router.policy.retrieval_weight if self.router else 1.0
        out: list[Candidate] = []
        for key in dict.fromkeys([*routed, *hits]):
            hit = hits.get(key)
            org = hit.best.org if hit else self.router.org_of.get(key, "")
            if org not in scope:
                continue
            # Organisations without a bank rely on retrieval alone.
            routed_org = self.router is not None and org in self.router.orgs
            r = routed.get(key, 0.0)
            share = retrieval_share.get(key, 0.0)
            fused = (1 - weight) * r + weight * share if routed_org else share
            out.append(Candidate(key, org, own_org.get(key, 0.0) if routed_org else share, hit, fused))
        out.sort(key=lambda c: -c.fused)
        return in_scope, out

    def select(self, candidates: list[Candidate], scope: Sequence[str], floor: float) -> list[Candidate]:
        """Up to three guidelines: the best, the best of each other organisation
        in scope, then the next best that still score."""
        chosen = [candidates[0]]
        for org in scope:
            if any(c.org == org for c in chosen):
                continue
            best = next((c for c in candidates if c.org == org), None)
            if best is not None and len(chosen) < MAX_CITATIONS:
                chosen.append(best)
        for c in candidates:
            if len(chosen) >= MAX_CITATIONS:
                break
            if c not in chosen and c.fused >= floor:
                chosen.append(c)
        return sorted(chosen, key=lambda c: -c.fused)

    def cite(self, c: Candidate) -> Citation:
        scored = c.hit.hits if c.hit else []
        if self.quoter is not None:
            anchor, quote = self.quoter.quote(c.guideline, scored)
        else:
            anchor, quote = c.hit.best, self.retriever.quote(c.hit)
        return citation_for(anchor, round(c.fused, 4), quote=quote)

    def short_answer(self, chosen: Sequence[Candidate], language: Language, confident_at: float,
                     multi_org: bool, in_scope: float = 1.0) -> str:
        """The summary of each organisation's best guideline, only where the
        router is confident about it; labelled when several organisations are in scope."""
        per_org: dict[str, str] = {}
        for c in chosen:
            if c.org in per_org or in_scope * c.router < confident_at:
                continue
            passages = self.quoter.catalogue.guideline_passages(c.guideline) if self.quoter else []
            summary = next((p.summary(language) for p in passages if p.summary(language)), "")
            if summary:
                per_org[c.org] = summary
        if not per_org:
            return ""
        if not multi_org or len(per_org) == 1 and len({c.org for c in chosen}) == 1:
            return next(iter(per_org.values()))
        return " ".join(f"{self.name(org, language)}: {summary}" for org, summary in per_org.items())

    def basis_lines(self, orgs: Sequence[str], language: Language) -> list[str]:
        out = []
        for org in orgs:
            articles = self.basis.get(org)
            if articles:
                out.append(_TEXT[language]["basis"].format(organisation=self.name(org, language),
                                                           articles=", ".join(articles)))
        return out
