"""BM25 written out in bot/infra/lexical.py gives bm25s's scores, float for
float, on the real passages and the question bank (bm25s is the reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def test_scores_equal_bm25s_on_the_knowledge_and_the_bank(knowledge):
    import bm25s

    from bot.core.catalogue import Catalogue
    from bot.infra.lexical import BM25Index
    from bot.knowledge import load_organisations
    from bot.question_bank import load_bank

    passages = knowledge.passages
    index = BM25Index(passages, [p.embedding_text() for p in passages])
    reference = bm25s.BM25()
    reference.index([index.tokenize(p.embedding_text()) or ["_"] for p in passages], show_progress=False)
    catalogue = Catalogue(passages, load_organisations(REPO / "knowledge"))
    questions = [q.text for q in load_bank(REPO / "knowledge", catalogue, splits=("dev",))][::7]
    questions += ["wachtwoord wachtwoord delen", "artikel 1.16 cao", "the the the", ""]
    assert len(questions) > 100
    compared = 0
    for question in questions:
        tokens = [t for t in index.tokenize(question) if t in reference.vocab_dict]
        if not tokens:
            assert index.search(question, 10) == []
            continue
        want = np.asarray(reference.get_scores(tokens), dtype=np.float32)
        assert np.array_equal(index.scores(tokens), want), question
        compared += 1
    assert compared > 100


def test_search_ranks_by_score_within_the_organisations(knowledge):
    from bot.infra.lexical import BM25Index

    passages = knowledge.passages
    index = BM25Index(passages, [p.embedding_text() for p in passages])
    hits = index.search("wachtwoord", 5, ["leiden"])
    assert hits and all(p.org == "leiden" for p, _ in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
