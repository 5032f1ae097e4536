"""Cross-validated tuning on the dev split only.

`socialpolicy tune` refits the router on k-1 folds of the dev bank, answers
the held-out fold through the real answerer (retrieval, fusion, citation
choice), and reports recall@1/@3 and abstention for a grid of the answer
policy's free parameters. The locked test split is never read here.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from bot.core.routing import Router, RouterPolicy
from bot.evaluation.evaluate import is_hit, org_lookup
from bot.infra.router_fit import fit_router, query_vectors

GRID = {
    "retrieval_weight": (0.4,),
    "cite_floor": (0.03,),
}


def _folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def fold_routers(assistant, settings, k: int = 5):
    """The dev bank and, per fold, a router fitted without that fold."""
    from bot.container import MAX_FALSE_ABSTENTION, guideline_orgs, router_training_set
    from bot.infra.embedders import embedder_id

    catalogue = assistant.catalogue
    bank, descriptions = router_training_set(settings.knowledge_dir, catalogue)
    embeddings = assistant.answerer.retriever.embedder
    embeddings = getattr(embeddings, "embedder", embeddings)
    name = embedder_id(embeddings)
    vectors = query_vectors([q.text for q in bank], embeddings, settings.cache_dir)
    described = query_vectors([t for t, _ in descriptions], embeddings, settings.cache_dir)
    routers = []
    for held in _folds(len(bank), k):
        train = np.setdiff1d(np.arange(len(bank)), held)
        model = fit_router([bank[i] for i in train], vectors[train], name,
                           max_false_abstention=MAX_FALSE_ABSTENTION,
                           described=[key for _, key in descriptions], description_vectors=described,
                           described_texts=[text for text, _ in descriptions])
        routers.append((held, model, guideline_orgs(catalogue, model.labels)))
    return bank, routers


def cross_validated_asker(assistant, settings, k: int = 5):
    """An `ask(question_index, text, org)` that answers each dev bank question
    with the router of the fold that held it out, and the original router
    back afterwards via `.restore()`."""
    bank, routers = fold_routers(assistant, settings, k)
    fold_of = {int(i): Router(model, org_of) for held, model, org_of in routers for i in held}
    answerer = assistant.answerer
    original = answerer.router

    def ask(index: int, text: str, org):
        answerer.router = fold_of[index]
        try:
            return assistant.ask(text, org)
        finally:
            answerer.router = original

    return bank, ask


def cross_validate(assistant, settings, k: int = 5, grid: dict = GRID) -> list[dict]:
    answerer = assistant.answerer
    lookup = org_lookup(assistant.organisations)
    bank, routers = fold_routers(assistant, settings, k)
    results = []
    keys = sorted(grid)
    for values in itertools.product(*(grid[key] for key in keys)):
        params = dict(zip(keys, values))
        hits1 = hits3 = inscope = false_abstain = oos = oos_abstain = 0
        confident: list[tuple[float, bool]] = []   # (confidence, right at 1) of answered in-scope questions
        for held, model, org_of in routers:
            policy = replace(model.policy, **params)
            answerer.router = Router(replace(model, policy=policy), org_of)
            for i in held:
                q = bank[i]
                answer = answerer.answer(q.text, [q.org] if q.org else None)
                if q.out_of_scope:
                    oos += 1
                    oos_abstain += answer.abstained
                    continue
                inscope += 1
                false_abstain += answer.abstained
                hits1 += is_hit(answer.citations, q.expect, 1, lookup)
                if not answer.abstained:
                    confident.append((answer.confidence, is_hit(answer.citations, q.expect, 1, lookup)))
                hits3 += is_hit(answer.citations, q.expect, 3, lookup)
        results.append({**params, "recall_at_1": hits1 / max(inscope, 1), "recall_at_3": hits3 / max(inscope, 1),
                        "in_scope_abstention": false_abstain / max(inscope, 1),
                        "out_of_scope_abstention": oos_abstain / oos if oos else None,
                        **summary_precision(confident)})
    return results


def summary_precision(confident: list[tuple[float, bool]], levels=(0.4, 0.5, 0.6, 0.7)) -> dict:
    """For each confidence level: how often the first citation is right when
    at least that confident, and how many answers reach it."""
    out = {}
    for level in levels:
        sure = [right for c, right in confident if c >= level]
        out[f"precision@{level}"] = sum(sure) / len(sure) if sure else None
        out[f"coverage@{level}"] = len(sure) / len(confident) if confident else None
    return out


class _Remembered:
    """The embedder, remembering query vectors: every grid point asks the same questions."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.name = getattr(embedder, "name", "embedder")
        self.seen: dict[str, list[float]] = {}

    def embed_query(self, text: str) -> list[float]:
        if text not in self.seen:
            self.seen[text] = self.embedder.embed_query(text)
        return self.seen[text]

    def embed_documents(self, texts):
        return self.embedder.embed_documents(texts)


def run_tune(settings) -> int:
    from bot.container import build_assistant

    assistant = build_assistant(settings)
    retriever = assistant.answerer.retriever
    original = assistant.answerer.router, retriever.embedder
    retriever.embedder = _Remembered(retriever.embedder)
    try:
        for row in cross_validate(assistant, settings):
            print("  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
    finally:
        assistant.answerer.router, retriever.embedder = original
    return 0


__all__ = ["cross_validate", "run_tune", "RouterPolicy"]
